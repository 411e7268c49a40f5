"""Events end to end: `todo-api serve` runs the dispatcher on the engine's stream, and real
receivers on loopback verify every delivery with the `standardwebhooks` library. The server
has a shortened retry schedule (0.5 s, 0.5 s) and a 1 s time limit; the hanging-receiver test
starts one with the deployed limit (10 s)."""

import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from services.domain.webhooks import TASK_EVENTS
from tests.receiver import HANG, Receiver, Silent, closed_port_url, event_types
from tests.support import HttpApi, LocalServer

QUIET = 1.5  # seconds without more deliveries before "exactly one" is believed


def _own_table(engine_args: list[str], name: str) -> list[str]:
    """A table of its own on a shared engine (DynamoDB Local): its own stream, so no other
    test server's dispatcher sends events for it."""
    args = list(engine_args)
    if "--table" in args:
        args[args.index("--table") + 1] = name
    return args


@pytest.fixture(scope="module")
def server(engine_args: list[str]) -> Iterator[LocalServer]:
    started = LocalServer(*_own_table(engine_args, "todos-events-test"),
                          "--webhook-retry-delays", "0.5,0.5", "--webhook-timeout", "1")
    yield started.wait_ready()
    started.stop()


@pytest.fixture
def api(server: LocalServer) -> HttpApi:
    return HttpApi(server.url)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    started = Receiver()
    yield started
    started.stop()


def subscribe(api: HttpApi, user: str, receiver: Any,
              events: tuple[str, ...] = TASK_EVENTS) -> dict[str, Any]:
    reply = api.request("POST", "/webhooks", user=user,
                        json_body={"url": receiver.url, "events": list(events)})
    assert reply.status == 201, reply.body
    created: dict[str, Any] = reply.json()
    if isinstance(receiver, Receiver):
        receiver.secret = created["secret"]
    return created


def deliveries(api: HttpApi, user: str, webhook_id: str) -> list[dict[str, Any]]:
    reply = api.request("GET", f"/webhooks/{webhook_id}/deliveries", user=user)
    assert reply.status == 200, reply.body
    found: list[dict[str, Any]] = reply.json()
    return found


def wait_until(check: Any, timeout: float = 15) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(0.1)


def test_each_routes_change_is_one_signed_event_of_its_type(
        api: HttpApi, receiver: Receiver, user: str) -> None:
    subscribe(api, user, receiver)
    created = api.create(user, title="one")
    seed = api.request("POST", "/todo", user=user, json_body={"title": "seed", "userId": user})
    assert seed.status == 201
    task_id, seed_id = created["taskId"], seed.json()["taskId"]
    assert api.request("PUT", f"/todos/{task_id}", user=user,
                       json_body={"title": "renamed"}).status == 200
    assert api.request("PATCH", f"/todos/{task_id}", user=user,
                       json_body={"priority": "high", "tags": ["x"]}).status == 200
    assert api.request("PATCH", f"/todos/{task_id}", user=user,
                       json_body={"completed": True}).status == 200
    assert api.request("DELETE", f"/todos/{task_id}", user=user).status == 200
    assert api.request("DELETE", f"/todos/{user}/{seed_id}", user=user).status == 200
    cleared = [api.create(user, title=f"done {i}", status="completed")["taskId"]
               for i in range(3)]
    kept = api.create(user, title="pending stays")["taskId"]
    clear = api.request("DELETE", "/todos?status=completed", user=user)
    assert clear.status == 200 and clear.json()["deleted"] == 3

    expected = (["task.created"] * 6 + ["task.updated"] * 2 + ["task.completed"]
                + ["task.deleted"] * 5)
    events = receiver.wait_for(len(expected))
    time.sleep(QUIET)
    events = receiver.events()
    assert event_types(events) == sorted(expected)
    assert len({e["eventId"] for e in events}) == len(events)
    for event in events:
        assert event["userId"] == user
        assert event["data"]["task"]["userId"] == user
        assert event["data"]["task"]["url"].endswith(f"/todos/{event['data']['task']['taskId']}")
    by_type: dict[str, list[dict[str, Any]]] = {}
    for event in events:
        by_type.setdefault(event["type"], []).append(event["data"])
    assert sorted(d["changed"] for d in by_type["task.updated"]) == [
        ["priority", "tags"], ["title"]]
    [completed] = by_type["task.completed"]
    assert "status" in completed["changed"] and completed["task"]["completed"] is True
    deleted = {d["task"]["taskId"] for d in by_type["task.deleted"]}
    assert deleted == {task_id, seed_id, *cleared}
    assert kept not in deleted
    # The deliveries list shows each one delivered at the first attempt.
    [hook] = api.request("GET", "/webhooks", user=user).json()
    listed = deliveries(api, user, hook["webhookId"])
    assert len(listed) == len(expected)
    assert {(d["state"], d["attempts"], d["lastStatus"]) for d in listed} == {
        ("delivered", 1, 200)}


def test_a_webhook_hears_only_the_events_it_subscribed_to(
        api: HttpApi, receiver: Receiver, user: str) -> None:
    subscribe(api, user, receiver, events=("task.completed",))
    task = api.create(user, title="t")
    api.request("PATCH", f"/todos/{task['taskId']}", user=user, json_body={"title": "u"})
    api.request("PATCH", f"/todos/{task['taskId']}", user=user, json_body={"completed": True})
    receiver.wait_for(1)
    time.sleep(QUIET)
    assert event_types(receiver.events()) == ["task.completed"]


def test_another_users_changes_never_reach_a_users_webhook(
        api: HttpApi, receiver: Receiver, user: str, other_user: str) -> None:
    subscribe(api, user, receiver)
    other = Receiver()
    try:
        subscribe(api, other_user, other)
        theirs = api.create(other_user, title="theirs")
        api.request("PATCH", f"/todos/{theirs['taskId']}", user=other_user,
                    json_body={"completed": True})
        api.request("DELETE", f"/todos/{theirs['taskId']}", user=other_user)
        mine = api.create(user, title="mine")
        receiver.wait_for(1)
        other.wait_for(3)
        time.sleep(QUIET)
        assert [e["data"]["task"]["taskId"] for e in receiver.events()] == [mine["taskId"]]
        assert {e["data"]["task"]["taskId"] for e in other.events()} == {theirs["taskId"]}
        assert all(e["userId"] == other_user for e in other.events())
    finally:
        other.stop()


def test_a_500_then_a_200_is_the_same_event_twice_and_two_attempts(
        api: HttpApi, user: str) -> None:
    receiver = Receiver(statuses=[500])
    try:
        hook = subscribe(api, user, receiver)
        api.create(user, title="retried")
        receiver.wait_for(2)
        time.sleep(QUIET)
        first, second = receiver.deliveries
        assert len(receiver.deliveries) == 2
        assert first.webhook_id == second.webhook_id == first.event["eventId"]  # type: ignore[index]
        assert first.body == second.body
        assert second.arrived - first.arrived >= 0.45  # the (shortened) first delay
        [listed] = deliveries(api, user, hook["webhookId"])
        assert listed["attempts"] == 2 and listed["state"] == "delivered"
        assert listed["lastStatus"] == 200 and listed["lastError"] is None
        assert listed["eventId"] == first.webhook_id and listed["deliveredAt"]
    finally:
        receiver.stop()


@pytest.mark.parametrize("kind", ["silent", "refusing", "failing"])
def test_a_receiver_that_never_succeeds_is_given_up_and_listed_failed(
        api: HttpApi, server: LocalServer, user: str, kind: str) -> None:
    silent = Silent() if kind == "silent" else None
    failing = Receiver(then=503) if kind == "failing" else None
    url = silent.url if silent else failing.url if failing else closed_port_url()
    try:
        reply = api.request("POST", "/webhooks", user=user,
                            json_body={"url": url, "events": ["task.created"]})
        hook = reply.json()
        if failing:
            failing.secret = hook["secret"]
        api.create(user, title="never delivered")
        # Three attempts (1 + the two shortened retries), each up to the 1 s limit.
        listed = wait_until(lambda: [d for d in deliveries(api, user, hook["webhookId"])
                                     if d["state"] == "failed"], timeout=20)
        assert listed, deliveries(api, user, hook["webhookId"])
        [failed] = listed
        assert failed["attempts"] == 3 and failed["nextAttemptAt"] is None
        assert failed["deliveredAt"] is None
        expected = {"silent": "no answer within 1 s", "refusing": "could not connect",
                    "failing": "HTTP 503"}[kind]
        assert failed["lastError"].startswith(expected), failed
        assert failed["lastStatus"] == (503 if failing else None)
        if failing:
            assert len(failing.deliveries) == 3
            assert len({d.webhook_id for d in failing.deliveries}) == 1
        assert wait_until(lambda: "kept in the dead-letter queue" in server.logs(), 5)
    finally:
        for stopper in (silent, failing):
            if stopper:
                stopper.stop()


def test_a_test_event_is_sent_at_once(api: HttpApi, receiver: Receiver, user: str) -> None:
    hook = subscribe(api, user, receiver, events=("task.deleted",))
    reply = api.request("POST", f"/webhooks/{hook['webhookId']}/test", user=user)
    assert reply.status == 202
    [event] = receiver.wait_for(1)
    assert event["type"] == "webhook.test" and event["eventId"] == reply.json()["eventId"]
    assert event["data"] == {"webhookId": hook["webhookId"], "url": receiver.url}


def test_an_inactive_webhook_hears_nothing_until_reactivated(
        api: HttpApi, receiver: Receiver, user: str) -> None:
    hook = subscribe(api, user, receiver)
    path = f"/webhooks/{hook['webhookId']}"
    assert api.request("PATCH", path, user=user, json_body={"active": False}).json()[
        "active"] is False
    api.create(user, title="unheard")
    time.sleep(QUIET)
    assert receiver.events() == []
    api.request("PATCH", path, user=user, json_body={"active": True})
    heard = api.create(user, title="heard")
    [event] = receiver.wait_for(1)
    assert event["data"]["task"]["taskId"] == heard["taskId"]


def _at(seconds: float) -> str:
    return (datetime.now(UTC) + timedelta(seconds=seconds)).isoformat(timespec="milliseconds")


def test_reminders_fire_once_on_time_follow_the_due_time_and_go_with_the_task(
        api: HttpApi, receiver: Receiver, user: str) -> None:
    subscribe(api, user, receiver, events=("task.reminder",))
    soon = _at(3)
    fired = api.create(user, title="fires", reminders=[{"at": soon}])
    due = (datetime.now(UTC) + timedelta(seconds=33)).isoformat(timespec="seconds")
    moved = api.create(user, title="moves", dueDate=due, reminders=[{"before": "PT30S"}])
    deleted = api.create(user, title="deleted", reminders=[{"at": soon}])
    completed = api.create(user, title="completed", reminders=[{"at": soon}])
    passed = api.create(user, title="passed", reminders=[{"at": _at(-1)}])
    later_due = (datetime.now(UTC) + timedelta(seconds=36)).isoformat(timespec="seconds")
    assert api.request("PATCH", f"/todos/{moved['taskId']}", user=user,
                       json_body={"dueDate": later_due}).status == 200
    assert api.request("DELETE", f"/todos/{deleted['taskId']}", user=user).status == 200
    assert api.request("PATCH", f"/todos/{completed['taskId']}", user=user,
                       json_body={"completed": True}).status == 200

    events = receiver.wait_for(2, timeout=20)
    time.sleep(QUIET)
    events = receiver.events()
    by_task = {e["data"]["task"]["taskId"]: e for e in events}
    assert sorted(by_task) == sorted([fired["taskId"], moved["taskId"]]), events
    assert len(events) == 2  # each once
    assert passed["taskId"] not in by_task
    arrivals = {d.event["data"]["task"]["taskId"]: d.arrived  # type: ignore[index]
                for d in receiver.deliveries}
    moment = datetime.fromisoformat(soon).timestamp()
    assert moment <= arrivals[fired["taskId"]] <= moment + 2
    assert by_task[fired["taskId"]]["data"]["reminder"]["index"] == 0
    assert by_task[fired["taskId"]]["data"]["reminder"]["at"].startswith(soon[:19])
    new_moment = datetime.fromisoformat(later_due).timestamp() - 30
    assert new_moment <= arrivals[moved["taskId"]] <= new_moment + 2
    reminder = by_task[moved["taskId"]]["data"]["reminder"]
    assert reminder["before"] == "PT30S" and reminder["index"] == 0


def test_a_hanging_or_refusing_receiver_changes_no_api_answer(
        engine_args: list[str], user: str) -> None:
    """With the deployed 10 s limit: every API answer comes as fast as without webhooks."""
    server = LocalServer(*_own_table(engine_args, "todos-events-hang")).wait_ready()
    hanging = Receiver(then=HANG)
    try:
        api = HttpApi(server.url)
        subscribe(api, user, hanging)
        api.request("POST", "/webhooks", user=user,
                    json_body={"url": closed_port_url(), "events": list(TASK_EVENTS)})
        slowest = 0.0
        for index in range(8):
            started = time.monotonic()
            task = api.create(user, title=f"t{index}", priority="high")
            patched = api.request("PATCH", f"/todos/{task['taskId']}", user=user,
                                  json_body={"completed": True})
            listed = api.request("GET", "/todos?limit=100", user=user)
            slowest = max(slowest, time.monotonic() - started)
            assert task["priority"] == "high" and patched.status == 200
            assert patched.json()["completed"] is True
            assert listed.status == 200 and len(listed.json()) == index + 1
        hanging.wait_for(1)  # deliveries are under way meanwhile, and hang
        assert len(hanging.deliveries) >= 1
        assert slowest < 2.0, slowest  # a request never waits on a delivery (10 s each)
    finally:
        hanging.stop()
        server.stop()
