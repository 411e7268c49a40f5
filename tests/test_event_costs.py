"""What events cost, counted from the clients' own request events: the task routes that write
make the same single DynamoDB request with reminders set and webhooks subscribed (the API
only stores the task; scheduling is the dispatcher's); each webhook route is one request
(the deliveries list two); and what the dispatcher spends per change, which `make bench`
reports."""

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from emulator.dynamodb import RequestCounter
from models import ALL_MODELS
from services.domain import webhooks as domain
from services.events import delivery
from services.events.dispatcher import Dispatcher
from services.events.settings import Settings
from tests.event_ports import Recorder, record, task
from tests.support import InProcessApi

HOOK = {"url": "https://93.184.215.14/hook", "events": ["task.created", "task.updated",
                                                        "task.completed", "task.deleted"]}


@pytest.fixture
def counter(dynamodb_endpoint: str) -> Iterator[RequestCounter]:
    counter = RequestCounter([m._get_connection().connection.client for m in ALL_MODELS])
    yield counter
    counter.reset()


@pytest.fixture
def api(gateway: Any) -> InProcessApi:
    return InProcessApi(gateway)


def count(counter: RequestCounter, call: Any) -> dict[str, int]:
    counter.reset()
    call()
    return dict(counter.requests)


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
