"""DynamoDB requests per API request, counted from the client's own request events: one per
create, get, update and delete; at most two for an idempotent retry; one per list page, and
a page reads at most its limit, however many tasks the user has; a clear reads a bounded
batch. Events change none of it (reminders and webhooks or not, the API only stores the task;
each webhook route is one request, its deliveries list two), and what the dispatcher spends
per change is counted too (make bench reports it)."""

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from emulator.dynamodb import RequestCounter
from models import TodoModel
from services.domain import tasks
from services.domain import webhooks as domain
from services.events import delivery
from services.events.dispatcher import Dispatcher
from services.events.settings import Settings
from tests.event_ports import Recorder, record, task
from tests.support import InProcessApi


@pytest.fixture
def api(gateway: Any) -> InProcessApi:
    return InProcessApi(gateway)


def count(counter: RequestCounter, call: Any) -> dict[str, int]:
    counter.reset()
    call()
    return dict(counter.requests)


def test_one_request_per_single_task_route(api: InProcessApi, counter: RequestCounter,
                                           user: str) -> None:
    created: dict[str, Any] = {}

    def create() -> None:
        created.update(api.create(user, title="counted"))

    assert count(counter, create) == {"PutItem": 1}
    path = f"/todos/{created['taskId']}"
    assert count(counter, lambda: api.request("GET", path, user=user)) == {"GetItem": 1}
    assert count(counter, lambda: api.request("PUT", path, user=user,
                                              json_body={"title": "x"})) == {"UpdateItem": 1}
    assert count(counter, lambda: api.request("PATCH", path, user=user,
                                              json_body={"title": "y"})) == {"UpdateItem": 1}
    stale = count(counter, lambda: api.request("PATCH", path, user=user, json_body={"title": "z"},
                                                headers={"If-Match": '"1"'}))
    assert stale == {"UpdateItem": 1}  # the 412 comes from the failed condition's own answer
    # A delete and its tombstone: one transaction; the 404 comes from its failed condition.
    deleted: dict[int, int] = {}

    def delete() -> None:
        deleted[len(deleted)] = api.request("DELETE", path, user=user).status

    assert count(counter, delete) == {"TransactWriteItems": 1}
    assert count(counter, delete) == {"TransactWriteItems": 1}
    assert deleted == {0: 200, 1: 404}


def test_idempotent_create_and_its_retry(api: InProcessApi, counter: RequestCounter,
                                         user: str) -> None:
    def send() -> None:
        api.request("POST", "/todos", user=user, json_body={"title": "a"},
                    headers={"Idempotency-Key": "count-me"})

    assert count(counter, send) == {"TransactWriteItems": 1}
    assert count(counter, send) == {"TransactWriteItems": 1}  # the answer carries the record


def test_a_list_page_is_one_query_that_reads_at_most_the_limit(
    api: InProcessApi, counter: RequestCounter, user: str, other_user: str,
) -> None:
    for i in range(12):
        api.create(user, title=f"t{i}")
    reads = {}
    for who, n in ((other_user, 3), (user, 12)):
        for i in range(3 if who == other_user else 0):
            api.create(who, title=f"o{i}")
        assert count(counter, lambda w=who: api.request("GET", "/todos?limit=5", user=w)) == {
            "Query": 1}
        reads[n] = counter.items_read
    assert reads == {3: 3, 12: 5}
    page = count(counter, lambda: api.request("GET", "/todos?limit=5&status=completed",
                                              user=user))
    assert page == {"Query": 1} and counter.items_read == 5


def seed_tasks(user: str, count: int, status: str = "pending") -> list[str]:
    """Many tasks at once, written straight to the table (BatchWriteItem), in creation order."""
    from services.domain.ids import uuid7
    from services.domain.tasks import now_iso

    ids = []
    with TodoModel.batch_write() as batch:
        for i in range(count):
            now = now_iso()
            task_id = uuid7()
            ids.append(task_id)
            batch.save(TodoModel(user, task_id, title=f"seeded {i}", status=status,
                                 priority="normal", created_at=now, updated_at=now, version=1))
    return ids


@pytest.fixture
def small_bound(monkeypatch: pytest.MonkeyPatch) -> int:
    """A smaller clear bound, so that a few hundred tasks take many rounds (and the suite does
    not pay moto's per-transaction table copy for hundreds of deletes)."""
    monkeypatch.setattr(tasks, "CLEAR_READ_LIMIT", 100)
    return 100


def clear_rounds(api: InProcessApi, counter: RequestCounter, user: str, status: str,
                 bound: int) -> tuple[int, int]:
    """Clear following `cursor` until `more` is false; each request checked for its bound.
    Returns (deleted, requests)."""
    path, deleted, rounds = f"/todos?status={status}", 0, 0
    while path:
        counter.reset()
        reply = api.request("DELETE", path, user=user)
        assert reply.status == 200, reply.body
        assert counter.requests.get("Query") == 1 and counter.items_read <= bound
        assert set(counter.requests) <= {"Query", "TransactWriteItems"}
        assert counter.requests.get("TransactWriteItems", 0) <= -(-bound // 12)
        body = reply.json()
        deleted += body["deleted"]
        rounds += 1
        assert body["more"] == ("cursor" in body) == ("x-next-cursor" in reply.headers)
        assert ("cursor=" in reply.headers.get("link", "")) == body["more"]
        path = f"/todos?status={status}&cursor={body['cursor']}" if body["more"] else ""
    return deleted, rounds


def test_a_clear_reads_a_bounded_batch_and_goes_on_with_its_cursor(
    api: InProcessApi, counter: RequestCounter, user: str, small_bound: int,
) -> None:
    """Hundreds of open tasks around a few completed ones: no clear request reads more than
    its bound, and following `cursor` deletes exactly the completed ones (repeating without
    it would read the same open tasks again and again)."""
    kept = seed_tasks(user, 350)
    done = [api.create(user, title="done early", status="completed")["taskId"]]
    kept += seed_tasks(user, 250)
    done += [api.create(user, title=f"done {i}", status="completed")["taskId"] for i in range(2)]
    deleted, rounds = clear_rounds(api, counter, user, "completed", small_bound)
    assert deleted == 3 and rounds == 603 // small_bound + 1
    remaining = [t["taskId"] for t in api.tasks_of(user)]
    assert remaining == kept and not set(done) & set(remaining)
    remove_seeded(user)  # leave the shared table small


def test_the_real_clear_bound_holds_over_a_large_account(
    api: InProcessApi, counter: RequestCounter, user: str,
) -> None:
    """The issue's case at the real bound: 1,200 open tasks, none completed."""
    seed_tasks(user, 1200)
    deleted, rounds = clear_rounds(api, counter, user, "completed", tasks.CLEAR_READ_LIMIT)
    assert deleted == 0 and rounds == 1200 // tasks.CLEAR_READ_LIMIT + 1
    remove_seeded(user)


def test_clearing_all_deletes_a_bounded_batch_per_request(
    api: InProcessApi, counter: RequestCounter, user: str, small_bound: int,
) -> None:
    seed_tasks(user, small_bound + 20)
    counter.reset()
    first = api.request("DELETE", "/todos?status=all", user=user).json()
    assert counter.items_read <= small_bound
    assert first["deleted"] == small_bound and first["more"] is True
    # Every item read was deleted, so repeating without the cursor goes on too.
    second = api.request("DELETE", "/todos?status=all", user=user).json()
    assert second == {**second, "deleted": 20, "more": False}
    assert api.tasks_of(user) == []


def remove_seeded(user: str) -> None:
    """Delete a user's tasks behind the API's back (BatchWriteItem: cheap on any engine)."""
    # Small pages: one Query of a 1,200-task partition (a 1 MB answer) outlasted the engine's
    # 2 s read timeout on a loaded machine.
    with TodoModel.batch_write() as batch:
        for item in TodoModel.query(user, page_size=100):
            batch.delete(item)


def test_a_due_date_or_sync_page_is_one_query_that_reads_at_most_the_limit(
    api: InProcessApi, counter: RequestCounter, user: str,
) -> None:
    seed_tasks(user, 300)  # without due dates: not in the due-date index at all
    for i in range(12):
        api.create(user, title=f"d{i}", dueDate=f"2026-12-{i + 1:02d}",
                   status="completed" if i % 2 else "pending")
    token = api.request("GET", "/todos?limit=1", user=user).headers["x-sync-token"]
    for i in range(12):
        api.create(user, title=f"n{i}")
    for path in ("/todos?sort=dueDate&limit=5", "/todos?dueAfter=2026-12-03&limit=5",
                 "/todos?sort=dueDate&status=completed&tag=x&limit=5",
                 f"/todos?since={token}&limit=5"):
        counter.reset()
        reply = api.request("GET", path, user=user)
        assert reply.status == 200 and reply.headers.get("x-next-cursor"), path
        assert counter.requests == {"Query": 1} and counter.items_read == 5, path
    remove_seeded(user)


def test_time_fields_cost_one_request_unless_the_write_depends_on_what_is_stored(
    api: InProcessApi, counter: RequestCounter, user: str,
) -> None:
    """A write that needs stored fields it does not carry assumes them absent in its
    condition (true of most tasks): one request. When they are there, the failed condition
    returns the task and a second write follows; a rule sent without the due date it needs
    reads the task first."""
    def patch(task: dict[str, Any], body: dict[str, Any]) -> dict[str, int]:
        def call() -> None:
            reply = api.request("PATCH", f"/todos/{task['taskId']}", user=user, json_body=body)
            assert reply.status == 200, reply.body

        return count(counter, call)

    plain = api.create(user, title="plain", dueDate="2027-01-04")
    zoned = api.create(user, dueDate="2027-01-04T09:00:00", timeZone="Europe/Paris")
    repeating = api.create(user, dueDate="2027-01-04", recurrence="FREQ=DAILY")
    assert count(counter, lambda: api.create(user, dueDate="2027-01-04T09:00:00",
                                             timeZone="Europe/Paris",
                                             recurrence="FREQ=DAILY")) == {"PutItem": 1}
    assert patch(plain, {"title": "renamed"}) == {"UpdateItem": 1}
    assert patch(plain, {"dueDate": "2027-01-05"}) == {"UpdateItem": 1}
    assert patch(plain, {"status": "completed"}) == {"UpdateItem": 1}
    assert patch(zoned, {"dueDate": "2027-01-05T10:00:00",
                         "timeZone": "Asia/Tokyo"}) == {"UpdateItem": 1}
    assert patch(zoned, {"timeZone": "Europe/Paris"}) == {"UpdateItem": 2}
    assert patch(zoned, {"dueDate": "2027-01-06T10:00:00"}) == {"UpdateItem": 2}
    assert patch(zoned, {"recurrence": "FREQ=WEEKLY"}) == {"GetItem": 1, "UpdateItem": 1}
    assert patch(repeating, {"title": "renamed", "checklist": [{"title": "a"}]}) == {
        "UpdateItem": 1}
    assert patch(repeating, {"status": "completed"}) == {"UpdateItem": 2}
    assert patch(repeating, {"recurrence": None}) == {"UpdateItem": 1}


# --- events: the API writes as before; what the dispatcher spends ----------------------

HOOK = {"url": "https://93.184.215.14/hook", "events": ["task.created", "task.updated",
                                                        "task.completed", "task.deleted"]}


def test_task_writes_cost_the_same_with_reminders_and_webhooks(
        api: InProcessApi, counter: RequestCounter, user: str) -> None:
    for _ in range(3):
        api.request("POST", "/webhooks", user=user, json_body=HOOK)
    due = (datetime.now(UTC) + timedelta(days=1)).isoformat()
    body = {"title": "t", "dueDate": due, "reminders": [{"before": "PT15M"}, {"at": due}]}
    made: dict[str, Any] = {}
    assert count(counter, lambda: made.update(api.request(
        "POST", "/todos", user=user, json_body=body).json())) == {"PutItem": 1}
    path = f"/todos/{made['taskId']}"
    later = (datetime.now(UTC) + timedelta(days=2)).isoformat()
    assert count(counter, lambda: api.request("PATCH", path, user=user, json_body={
        "dueDate": later, "reminders": [{"before": "PT1H"}]})) == {"UpdateItem": 1}
    assert count(counter, lambda: api.request("PUT", path, user=user,
                                              json_body={"completed": True})) == {
        "UpdateItem": 1}
    assert count(counter, lambda: api.request("DELETE", path, user=user)) == {
        "TransactWriteItems": 1}


def test_each_webhook_route_is_one_request(api: InProcessApi, counter: RequestCounter,
                                           user: str) -> None:
    made: dict[str, Any] = {}
    assert count(counter, lambda: made.update(api.request(
        "POST", "/webhooks", user=user, json_body=HOOK).json())) == {"TransactWriteItems": 1}
    path = f"/webhooks/{made['webhookId']}"
    assert count(counter, lambda: api.request("GET", "/webhooks", user=user)) == {"Query": 1}
    assert count(counter, lambda: api.request("GET", path, user=user)) == {"GetItem": 1}
    assert count(counter, lambda: api.request("PATCH", path, user=user,
                                              json_body={"active": False})) == {"UpdateItem": 1}
    assert count(counter, lambda: api.request("POST", f"{path}/test", user=user)) == {
        "UpdateItem": 1}
    # The webhook first (another user's is 404, not an empty list), then its deliveries.
    assert count(counter, lambda: api.request("GET", f"{path}/deliveries", user=user)) == {
        "GetItem": 1, "Query": 1}
    assert count(counter, lambda: api.request("DELETE", path, user=user)) == {
        "TransactWriteItems": 1}


def dispatcher_costs(user: str, webhooks: int, counter: RequestCounter) -> dict[str, Any]:
    """What the dispatcher spends on one task's life, with `webhooks` subscribed: DynamoDB
    requests, queued messages and schedule calls per change."""
    ports = Recorder()
    dispatcher = Dispatcher(ports, ports, Settings())
    for _ in range(webhooks):
        domain.create(user, HOOK)
    due = (datetime.now(UTC) + timedelta(days=1)).isoformat()
    created = task(user, due_date=due, reminders=[{"before": "PT15M"}])
    moved = task(user, created.task_id, due_date=(datetime.now(UTC) + timedelta(days=2))
                 .isoformat(), reminders=[{"before": "PT15M"}])
    steps = {"create (one reminder)": record("INSERT", None, created),
             "move the due time": record("MODIFY", created, moved),
             "delete": record("REMOVE", moved, None)}
    costs: dict[str, Any] = {}
    for name, change in steps.items():
        ports.calls.clear()
        counter.reset()
        assert dispatcher.on_stream([change]) == []
        costs[name] = {"dynamodb": dict(counter.requests), "queued": len(ports.take()),
                       "schedules": list(ports.calls)}
    dispatcher.on_stream([record("INSERT", None, task(user))])
    for message, _ in ports.take()[:1]:  # one attempt, delivered
        counter.reset()
        dispatcher.attempt(message)
        costs["an attempt"] = {"dynamodb": dict(counter.requests)}
    return costs


def test_what_the_dispatcher_spends_per_change(
        counter: RequestCounter, user: str, other_user: str,
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(delivery, "post", lambda *_: delivery.Outcome(200, None))
    without = dispatcher_costs(other_user, 0, counter)
    assert without["create (one reminder)"] == {"dynamodb": {"Query": 1}, "queued": 0,
                                                "schedules": ["create -0"]}
    assert without["move the due time"]["schedules"] == ["update -0"]
    assert without["delete"]["schedules"] == ["delete -0"]
    assert "an attempt" not in without
    with_two = dispatcher_costs(user, 2, counter)
    # One Query for the user's webhooks, one conditional PutItem per delivery log.
    assert with_two["create (one reminder)"] == {"dynamodb": {"Query": 1, "PutItem": 2},
                                                 "queued": 2, "schedules": ["create -0"]}
    assert with_two["an attempt"] == {"dynamodb": {"BatchGetItem": 1, "UpdateItem": 1}}
