"""The dispatcher's rules, on the engine of the run, with its queue and schedules recorded and
its clock in the test's hands: the retry schedule (7 retries over about 32.5 hours, waits
past SQS's 15 minutes going round the queue again), giving up, switching off a webhook that
failed for 3 days, reminders kept in step with their task, and Lambda's event shapes."""

import json
import socket
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from models import TodoModel
from services.data import webhooks as webhook_data
from services.domain import webhooks
from services.domain.ids import uuid7
from services.events import changes, delivery
from services.events.dispatcher import Dispatcher
from services.events.settings import RETRY_DELAYS, Settings
from services.handlers import dispatch
from tests.event_ports import Recorder, record, task

PUBLIC_URL = "https://93.184.215.14/hook"  # a public address: no DNS needed


class Clock:
    def __init__(self) -> None:
        self.now = datetime.now(UTC).timestamp()

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def ports() -> Recorder:
    return Recorder()


@pytest.fixture
def dispatcher(dynamodb_endpoint: str, ports: Recorder, clock: Clock) -> Dispatcher:
    return Dispatcher(ports, ports, Settings(api_url="https://api.test"), clock)


class Script(list[delivery.Outcome]):
    """The receiver's answers, in turn (then failures), and each attempt's request."""

    def __init__(self) -> None:
        super().__init__()
        self.requests: list[dict[str, Any]] = []

    def post(self, target: Any, address: Any, body: bytes, headers: dict[str, str],
             timeout: float) -> delivery.Outcome:
        self.requests.append({"address": str(address), "headers": headers, "body": body})
        return self.pop(0) if self else delivery.Outcome(None, "no answer within 10 s")


@pytest.fixture
def outcomes(monkeypatch: pytest.MonkeyPatch) -> Iterator[Script]:
    script = Script()
    monkeypatch.setattr(delivery, "post", script.post)
    yield script


def hook(user: str, events: tuple[str, ...] = webhooks.TASK_EVENTS) -> str:
    created = webhooks.create(user, {"url": PUBLIC_URL, "events": list(events)})
    webhook_id: str = created["webhookId"]
    return webhook_id


def test_a_task_change_is_queued_once_per_subscribed_webhook(
        dispatcher: Dispatcher, ports: Recorder, user: str) -> None:
    first, second = hook(user), hook(user)
    hook(user, events=("task.deleted",))  # not subscribed to creations
    created = record("INSERT", None, task(user))
    assert dispatcher.on_stream([created]) == []
    queued = ports.take()
    assert sorted(m["webhookId"] for m, _ in queued) == sorted([first, second])
    assert {delay for _, delay in queued} == {0}
    [event_id] = {m["eventId"] for m, _ in queued}
    body = json.loads(queued[0][0]["body"])
    assert body["type"] == "task.created" and body["eventId"] == event_id
    assert body["data"]["task"]["url"] == f"https://api.test/todos/{body['data']['task']['taskId']}"
    # The same record again (Lambda retrying the batch): nothing new is queued.
    assert dispatcher.on_stream([created]) == []
    assert ports.take() == []


def test_records_that_are_not_tasks_make_no_event(
        dispatcher: Dispatcher, ports: Recorder, user: str) -> None:
    hook(user)
    not_a_task = record("INSERT", None, task(f"{user}#deleted"))
    unchanged = task(user)
    same = record("MODIFY", unchanged, unchanged)  # an index key written by a backfill
    assert dispatcher.on_stream([not_a_task, same]) == []
    assert ports.take() == []


def test_the_event_of_each_kind_of_change() -> None:
    before = task("u", title="a", version=1)
    renamed = task("u", before.task_id, title="b", version=2)
    done = task("u", before.task_id, title="b", status="completed", version=3,
                completed_at="2026-01-02T00:00:00.000Z")
    reopened = task("u", before.task_id, title="b", version=4)

    def event(old: TodoModel | None, new: TodoModel | None) -> tuple[str, Any] | None:
        change = changes.read(record("X", old, new))
        assert isinstance(change, changes.TaskChange)
        found = changes.task_event(change)
        return (found[0], found[1].get("changed")) if found else None

    assert event(None, before) == ("task.created", None)
    assert event(before, renamed) == ("task.updated", ["title"])
    assert event(renamed, done) == ("task.completed", ["completed", "completedAt", "status"])
    assert event(done, reopened) == ("task.updated", ["completed", "completedAt", "status"])
    assert event(reopened, None) == ("task.deleted", None)


def _deliver_until_done(dispatcher: Dispatcher, ports: Recorder, clock: Clock) -> list[float]:
    """Run the queue: each message when its delay has passed; the waits between attempts."""
    waits: list[float] = []
    last_attempt = clock.now
    pending = ports.take()
    while pending:
        message, delay = pending.pop(0)
        clock.now += delay
        attempts_before = message["attempt"]
        before = len(ports.sent)
        dispatcher.attempt(message)
        if len(ports.sent) > before and ports.sent[-1][0]["attempt"] == attempts_before:
            pass  # gone round the queue again: not an attempt yet
        else:
            waits.append(round(clock.now - last_attempt))
            last_attempt = clock.now
        pending += ports.take()
    return waits[1:]


def test_failures_are_retried_on_the_schedule_then_given_up(
        dispatcher: Dispatcher, ports: Recorder, clock: Clock, outcomes: Script,
        user: str) -> None:
    webhook_id = hook(user, events=("task.created",))
    dispatcher.on_stream([record("INSERT", None, task(user))])
    waits = _deliver_until_done(dispatcher, ports, clock)
    assert waits == [round(d) for d in RETRY_DELAYS]  # 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h
    requests = outcomes.requests
    assert len(requests) == 8
    assert len({r["headers"]["webhook-id"] for r in requests}) == 1
    assert len({r["body"] for r in requests}) == 1
    assert len({r["headers"]["webhook-timestamp"] for r in requests}) == 8  # signed afresh
    [dead] = ports.dead
    assert dead["attempt"] == 8 and dead["lastError"] == "no answer within 10 s"
    [listed] = webhooks.deliveries(user, webhook_id)
    assert (listed["state"], listed["attempts"], listed["nextAttemptAt"]) == ("failed", 8, None)


def test_a_wait_longer_than_sqs_allows_goes_round_the_queue(
        dispatcher: Dispatcher, ports: Recorder, clock: Clock, outcomes: Script,
        user: str) -> None:
    hook(user, events=("task.created",))
    dispatcher.on_stream([record("INSERT", None, task(user))])
    [(message, _)] = ports.take()
    message = {**message, "attempt": 4, "notBefore": clock.now + 7200}
    dispatcher.attempt(message)  # too early: back into the queue, at most 15 minutes
    [(again, delay)] = ports.take()
    assert delay == 900 and again == message
    assert outcomes.requests == []


def test_a_webhook_failing_for_three_days_is_switched_off_and_a_success_resets(
        dispatcher: Dispatcher, ports: Recorder, clock: Clock, outcomes: Script,
        user: str) -> None:
    webhook_id = hook(user, events=("task.created",))

    def one_event(outcome: delivery.Outcome) -> None:
        outcomes.append(outcome)
        dispatcher.on_stream([record("INSERT", None, task(user))])
        [(message, _)] = ports.take()
        dispatcher.attempt(message)
        ports.take()

    failure = delivery.Outcome(500, "HTTP 500")
    one_event(failure)
    one_event(delivery.Outcome(200, None))  # a success ends the streak
    assert webhook_data.get(user, webhook_id).failing_since is None  # type: ignore[union-attr]
    one_event(failure)
    clock.now += 2 * 86400
    one_event(failure)
    assert webhooks.get(user, webhook_id)["active"] is True
    clock.now += 86400
    one_event(failure)  # three days of nothing but failures
    assert webhooks.get(user, webhook_id)["active"] is False
    # Inactive: no more events for it, and a queued one is dropped without a dead letter.
    dispatcher.on_stream([record("INSERT", None, task(user))])
    assert ports.take() == []
    # Reactivated by its owner: the streak starts afresh.
    webhooks.update(user, webhook_id, {"active": True})
    assert webhook_data.get(user, webhook_id).failing_since is None  # type: ignore[union-attr]


def test_a_webhook_deleted_meanwhile_gets_nothing(
        dispatcher: Dispatcher, ports: Recorder, outcomes: Script, user: str) -> None:
    webhook_id = hook(user)
    dispatcher.on_stream([record("INSERT", None, task(user))])
    [(message, _)] = ports.take()
    webhooks.delete(user, webhook_id)
    dispatcher.attempt(message)
    assert outcomes.requests == [] and ports.take() == [] and ports.dead == []


def test_an_address_refused_at_delivery_is_a_failed_attempt(
        dispatcher: Dispatcher, ports: Recorder, outcomes: Script, user: str,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """DNS changed since the webhook was saved: the name now resolves to a private address."""
    webhook_id = hook(user, events=("task.created",))
    webhook_data.update(user, webhook_id, {"url": "https://rebound.example.test/x"})
    real = socket.getaddrinfo

    def rebound(host: str, *args: Any, **kwargs: Any) -> Any:
        if host == "rebound.example.test":
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("10.1.2.3", 443))]
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", rebound)
    dispatcher.on_stream([record("INSERT", None, task(user))])
    [(message, _)] = ports.take()
    dispatcher.attempt(message)
    assert outcomes.requests == []
    [listed] = webhooks.deliveries(user, webhook_id)
    assert listed["state"] == "pending" and listed["attempts"] == 1
    assert "10.1.2.3, a private address" in listed["lastError"]
    [(retry, delay)] = ports.take()
    assert retry["attempt"] == 2 and delay == RETRY_DELAYS[0]


def test_reminders_are_scheduled_moved_and_cancelled_with_their_task(
        dispatcher: Dispatcher, ports: Recorder, clock: Clock, user: str) -> None:
    now = datetime.fromtimestamp(clock.now, UTC)
    due = (now + timedelta(hours=2)).isoformat()
    at = (now + timedelta(hours=1)).isoformat()
    past = (now - timedelta(minutes=1)).isoformat()
    reminders = [{"before": "PT15M"}, {"at": at}, {"at": past}]
    created = task(user, due_date=due, reminders=reminders)
    dispatcher.on_stream([record("INSERT", None, created)])
    assert ports.calls == ["create -0", "create -1"]  # the past one never
    (first_at, payload), _ = (ports.schedules[n] for n in sorted(ports.schedules))
    assert first_at == now + timedelta(hours=1, minutes=45)
    assert payload["reminder"]["index"] == 0 and payload["reminder"]["taskId"] == created.task_id
    name = sorted(ports.schedules)[0]
    assert len(name) <= 64

    ports.calls.clear()
    renamed = task(user, created.task_id, due_date=due, reminders=reminders, title="x")
    dispatcher.on_stream([record("MODIFY", created, renamed)])
    assert ports.calls == []  # nothing about the reminders changed
    moved = task(user, created.task_id, due_date=(now + timedelta(hours=3)).isoformat(),
                 reminders=reminders)
    dispatcher.on_stream([record("MODIFY", renamed, moved)])
    assert ports.calls == ["update -0"]
    assert ports.schedules[name][0] == now + timedelta(hours=2, minutes=45)
    ports.calls.clear()
    done = task(user, created.task_id, due_date=moved.due_date, reminders=reminders,
                status="completed")
    dispatcher.on_stream([record("MODIFY", moved, done)])
    assert sorted(ports.calls) == ["delete -0", "delete -1"] and ports.schedules == {}
    ports.calls.clear()
    dispatcher.on_stream([record("MODIFY", done, moved)])  # reopened
    assert sorted(ports.calls) == ["create -0", "create -1"]
    ports.calls.clear()
    dispatcher.on_stream([record("REMOVE", moved, None)])
    assert sorted(ports.calls) == ["delete -0", "delete -1"]


def test_a_reminder_fires_only_if_it_still_holds(
        dispatcher: Dispatcher, ports: Recorder, clock: Clock, user: str) -> None:
    hook(user, events=("task.reminder",))
    at = datetime.fromtimestamp(clock.now, UTC) + timedelta(minutes=5)
    item = task(user, reminders=[{"at": at.isoformat()}])
    item.save()
    payload = {"partition": user, "taskId": item.task_id, "index": 0, "at": at.isoformat()}
    stale = {**payload, "at": (at - timedelta(minutes=1)).isoformat()}
    dispatcher.on_reminder(stale)
    dispatcher.on_reminder({**payload, "index": 3})
    dispatcher.on_reminder({**payload, "taskId": uuid7()})
    assert ports.take() == []
    dispatcher.on_reminder(payload)
    dispatcher.on_reminder(payload)  # EventBridge delivered it twice: one event
    [(message, _)] = ports.take()
    event = json.loads(message["body"])
    assert event["type"] == "task.reminder"
    assert event["data"]["reminder"] == {"at": at.isoformat(timespec="milliseconds")
                                         .replace("+00:00", "Z"), "index": 0}
    item.update([TodoModel.status.set("completed")])
    dispatcher.on_reminder(payload)  # completed since: no event
    assert ports.take() == []


def test_the_handler_takes_lambdas_three_shapes(
        dispatcher: Dispatcher, ports: Recorder, outcomes: Script, user: str) -> None:
    hook(user, events=("task.created",))
    dispatch.configure(dispatcher)
    try:
        stream = {"Records": [record("INSERT", None, task(user))]}
        assert dispatch.handler(stream, None) == {"batchItemFailures": []}
        [(message, _)] = ports.take()
        sqs = {"Records": [{"messageId": "m1", "eventSource": "aws:sqs",
                            "body": json.dumps(message)},
                           {"messageId": "m2", "eventSource": "aws:sqs", "body": "not json"}]}
        assert dispatch.handler(sqs, None) == {"batchItemFailures": [{"itemIdentifier": "m2"}]}
        assert len(outcomes.requests) == 1
        assert dispatch.handler({"reminder": {"partition": user, "taskId": uuid7(), "index": 0,
                                              "at": "2030-01-01T00:00:00+00:00"}}, None) == {}
        with pytest.raises(ValueError):
            dispatch.handler({"something": "else"}, None)
    finally:
        dispatch.configure(None)


def test_a_repeating_tasks_reminders_follow_it_to_its_next_occurrence(
        dispatcher: Dispatcher, ports: Recorder, clock: Clock, user: str) -> None:
    hook(user, events=("task.completed", "task.updated"))
    now = datetime.fromtimestamp(clock.now, UTC)
    first = (now + timedelta(hours=1)).replace(microsecond=0)
    repeating: dict[str, Any] = {"recurrence": "FREQ=DAILY", "reminders": [{"before": "PT15M"}]}
    before = task(user, due_date=first.isoformat(), **repeating)
    # Completing an occurrence moves the task on to the next one, still open.
    after = task(user, before.task_id, due_date=(first + timedelta(days=1)).isoformat(),
                 completed_count=1, last_completed_at=now.isoformat(), **repeating)
    dispatcher.on_stream([record("INSERT", None, before)])
    ports.calls.clear()
    dispatcher.on_stream([record("MODIFY", before, after)])
    assert ports.calls == ["update -0"]
    [(moment, _)] = ports.schedules.values()
    assert moment == first + timedelta(days=1, minutes=-15)
    [(message, _)] = ports.take()
    event = json.loads(message["body"])
    assert event["type"] == "task.completed"
    assert {"completedCount", "dueAt", "dueDate"} <= set(event["data"]["changed"])
