"""A struggling DynamoDB behind a fault-injecting proxy: the client gets the right status in
bounded time, and the table afterwards holds exactly what the client was told."""

import time
from collections.abc import Iterator
from typing import Any

import pytest

from tests.fault_proxy import FaultProxy, Rule
from tests.support import HttpApi, LocalServer, Reply

TABLE = "faults"
# Each DynamoDB call: 1 + 2 attempts of at most 0.5 s connect and 0.5 s read, and botocore's
# backoff (at most 2 s, then 4 s): an answer within 9 s; 12 s leaves room for a slow machine.
BOUND_SECONDS = 12.0


@pytest.fixture(scope="module")
def proxy(dynamodb_endpoint: str) -> Iterator[FaultProxy]:
    proxy = FaultProxy(dynamodb_endpoint)
    proxy.thread.start()
    yield proxy
    proxy.shutdown()
    proxy.server_close()


@pytest.fixture(scope="module")
def server(proxy: FaultProxy) -> Iterator[LocalServer]:
    server = LocalServer("--dynamodb-endpoint", proxy.url, "--table", TABLE, env={
        "DYNAMODB_CONNECT_TIMEOUT": "0.5", "DYNAMODB_READ_TIMEOUT": "0.5",
        "DYNAMODB_MAX_RETRIES": "2"}).wait_ready()
    yield server
    server.stop()


@pytest.fixture
def faults(proxy: FaultProxy) -> Iterator[FaultProxy]:
    proxy.rules.clear()
    proxy.seen.clear()
    yield proxy
    proxy.rules.clear()


@pytest.fixture
def api(server: LocalServer) -> HttpApi:
    return HttpApi(server.url)


def stored(ddb: Any, user: str) -> list[dict[str, Any]]:
    """The user's tasks as the engine holds them, read around the proxy."""
    items: list[dict[str, Any]] = ddb.query(
        TableName=TABLE, KeyConditionExpression="userID = :u",
        ExpressionAttributeValues={":u": {"S": user}}, ConsistentRead=True)["Items"]
    return items


def tombstones(ddb: Any, user: str) -> list[dict[str, Any]]:
    return stored(ddb, f"{user}#deleted")


def timed(call: Any) -> tuple[Reply, float]:
    started = time.monotonic()
    reply = call()
    return reply, time.monotonic() - started


def assert_unavailable(reply: Reply, elapsed: float) -> None:
    assert reply.status == 503, reply.body
    assert reply.content_type == "application/problem+json"
    assert int(reply.headers["retry-after"]) > 0
    assert elapsed < BOUND_SECONDS
    for leak in ("Throughput", "botocore", "Traceback", "127.0.0.1"):
        assert leak not in reply.body.decode()


@pytest.mark.parametrize("fault", ["throttle", "error500", "reset"])
def test_create_that_keeps_failing_is_503_and_writes_nothing(
    api: HttpApi, faults: FaultProxy, ddb: Any, user: str, fault: str,
) -> None:
    faults.rules.append(Rule("PutItem", fault))
    reply, elapsed = timed(lambda: api.request("POST", "/todos", user=user,
                                               json_body={"title": "lost"}))
    assert_unavailable(reply, elapsed)
    assert faults.seen["PutItem"] == 3  # bounded retries: 1 + 2
    assert stored(ddb, user) == []


def assert_timed_out(reply: Reply, elapsed: float) -> None:
    """A request DynamoDB took and never answered: 504, saying a change may have been made."""
    assert reply.status == 504, reply.body
    problem = reply.json()
    assert problem["type"].endswith("store-timeout") and "may or may not" in problem["detail"]
    assert int(reply.headers["retry-after"]) > 0
    assert elapsed < BOUND_SECONDS


def test_create_that_hangs_is_504_within_the_bound(api: HttpApi, faults: FaultProxy, ddb: Any,
                                                    user: str) -> None:
    # The client cannot tell a request that hangs before the engine from one that hangs
    # after it: the answer must not claim that nothing was stored.
    faults.rules.append(Rule("PutItem", "hang", delay=2.0))
    reply, elapsed = timed(lambda: api.request("POST", "/todos", user=user,
                                               json_body={"title": "lost"}))
    assert_timed_out(reply, elapsed)
    assert stored(ddb, user) == []


def test_an_idempotent_create_stored_but_never_answered_is_504_and_its_retry_is_the_task(
    api: HttpApi, faults: FaultProxy, ddb: Any, user: str,
) -> None:
    faults.rules.append(Rule("TransactWriteItems", "slow", times=3, delay=1.0))
    headers = {"Idempotency-Key": "stored-but-unanswered"}
    reply, elapsed = timed(lambda: api.request("POST", "/todos", user=user, headers=headers,
                                               json_body={"title": "made"}))
    assert_timed_out(reply, elapsed)  # (it was a 503: "busy, retry", for a task it stored)
    faults.rules.clear()
    retry = api.request("POST", "/todos", user=user, headers=headers, json_body={"title": "made"})
    assert retry.status == 201 and retry.headers["idempotent-replayed"] == "true"
    [item] = stored(ddb, user)
    assert item["taskID"]["S"] == retry.json()["taskId"]


@pytest.mark.parametrize("fault", ["throttle", "error500", "reset"])
def test_a_passing_fault_is_retried_into_success(api: HttpApi, faults: FaultProxy, ddb: Any,
                                                 user: str, fault: str) -> None:
    faults.rules.append(Rule("PutItem", fault, times=1))
    reply = api.request("POST", "/todos", user=user, json_body={"title": "made it"})
    assert reply.status == 201
    [item] = stored(ddb, user)
    assert item["taskID"]["S"] == reply.json()["taskId"]


@pytest.mark.parametrize("operation,fault", [("GetItem", "error500"), ("Query", "reset"),
                                             ("Query", "throttle")])
def test_reads_that_keep_failing_are_503(api: HttpApi, faults: FaultProxy, user: str,
                                         operation: str, fault: str) -> None:
    task = api.create(user)
    faults.rules.append(Rule(operation, fault))
    path = f"/todos/{task['taskId']}" if operation == "GetItem" else "/todos"
    reply, elapsed = timed(lambda: api.request("GET", path, user=user))
    assert_unavailable(reply, elapsed)


def test_lost_answer_to_a_create_is_still_one_task_and_201(
    api: HttpApi, faults: FaultProxy, ddb: Any, user: str,
) -> None:
    faults.rules.append(Rule("PutItem", "lost_response", times=1))
    reply = api.request("POST", "/todos", user=user, json_body={"title": "once"})
    assert reply.status == 201
    [item] = stored(ddb, user)
    assert item["taskID"]["S"] == reply.json()["taskId"]


def test_slow_answer_to_a_create_is_still_one_task(api: HttpApi, faults: FaultProxy, ddb: Any,
                                                   user: str) -> None:
    faults.rules.append(Rule("PutItem", "slow", times=1, delay=1.5))
    reply = api.request("POST", "/todos", user=user, json_body={"title": "slowly"})
    assert reply.status == 201
    time.sleep(1.6)  # let the delayed first attempt reach the engine too
    [item] = stored(ddb, user)
    assert item["taskID"]["S"] == reply.json()["taskId"]


def test_lost_answer_to_an_idempotent_create_is_one_task(
    api: HttpApi, faults: FaultProxy, ddb: Any, user: str,
) -> None:
    faults.rules.append(Rule("TransactWriteItems", "lost_response", times=1))
    reply = api.request("POST", "/todos", user=user, json_body={"title": "once"},
                        headers={"Idempotency-Key": "lost-1"})
    assert reply.status == 201
    [item] = stored(ddb, user)
    assert item["taskID"]["S"] == reply.json()["taskId"]


@pytest.mark.parametrize("if_match", [None, '"1"'])
def test_lost_answer_to_an_update_is_success_applied_once(
    api: HttpApi, faults: FaultProxy, ddb: Any, user: str, if_match: str | None,
) -> None:
    task = api.create(user, title="before")
    faults.rules.append(Rule("UpdateItem", "lost_response", times=1))
    headers = {"If-Match": if_match} if if_match else {}
    reply = api.request("PATCH", f"/todos/{task['taskId']}", user=user,
                        json_body={"title": "after"}, headers=headers)
    assert reply.status == 200, reply.body
    assert reply.json()["title"] == "after" and reply.json()["version"] == 2
    [item] = stored(ddb, user)
    assert item["title"] == {"S": "after"} and item["version"] == {"N": "2"}


def test_update_that_keeps_failing_is_503_and_changes_nothing(
    api: HttpApi, faults: FaultProxy, ddb: Any, user: str,
) -> None:
    task = api.create(user, title="before")
    faults.rules.append(Rule("UpdateItem", "throttle"))
    reply, elapsed = timed(lambda: api.request("PATCH", f"/todos/{task['taskId']}", user=user,
                                               json_body={"title": "after"}))
    assert_unavailable(reply, elapsed)
    [item] = stored(ddb, user)
    assert item["title"] == {"S": "before"} and item["version"] == {"N": "1"}


def test_lost_answer_to_a_delete_is_200_and_gone(api: HttpApi, faults: FaultProxy, ddb: Any,
                                                 user: str) -> None:
    task = api.create(user)
    # A delete is one transaction with the task's tombstone.
    faults.rules.append(Rule("TransactWriteItems", "lost_response", times=1))
    reply = api.request("DELETE", f"/todos/{task['taskId']}", user=user)
    assert reply.status == 200, reply.body
    assert stored(ddb, user) == []
    assert [t["taskID"] for t in tombstones(ddb, user)] == [{"S": task["taskId"]}]


def test_delete_that_keeps_failing_is_503_and_keeps_the_task(
    api: HttpApi, faults: FaultProxy, ddb: Any, user: str,
) -> None:
    task = api.create(user)
    faults.rules.append(Rule("TransactWriteItems", "error500"))
    reply, elapsed = timed(lambda: api.request("DELETE", f"/todos/{task['taskId']}", user=user))
    assert_unavailable(reply, elapsed)
    assert len(stored(ddb, user)) == 1 and tombstones(ddb, user) == []
