"""The embedded engine (moto with emulator/moto_fixes.py) stays flat in memory and in time:
real server processes under sustained writes, and the patched paths keep DynamoDB's rules."""

import random
import statistics
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from emulator import dynamodb as embedded
from tests.support import HttpApi, LocalServer, Reply, rss_mb, write_state_file

PRELOADED = 6000  # tasks held by other users


def _mixed_round(api: HttpApi, user: str, timings: dict[str, list[float]] | None = None) -> None:
    """One round of the writes people make all day: an idempotent create and its retry,
    two updates, a list, a delete."""

    def timed(kind: str, call: Callable[[], Reply], status: int) -> Reply:
        started = time.perf_counter()
        reply = call()
        if timings is not None:
            timings.setdefault(kind, []).append(time.perf_counter() - started)
        assert reply.status == status, (kind, reply.status, reply.body)
        return reply

    key = uuid.uuid4().hex
    body = {"title": f"round {key[:6]}", "tags": ["load"]}
    headers = {"Idempotency-Key": key}
    task = timed("create", lambda: api.request("POST", "/todos", user=user, json_body=body,
                                               headers=headers), 201).json()
    timed("retry", lambda: api.request("POST", "/todos", user=user, json_body=body,
                                       headers=headers), 201)
    path = f"/todos/{task['taskId']}"
    timed("patch", lambda: api.request("PATCH", path, user=user,
                                       json_body={"status": "in_progress"}), 200)
    timed("patch", lambda: api.request("PATCH", path, user=user,
                                       json_body={"description": "x" * 500}), 200)
    timed("list", lambda: api.request("GET", "/todos?limit=50", user=user), 200)
    timed("delete", lambda: api.request("DELETE", path, user=user), 200)


@pytest.fixture(scope="module")
def crowded(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """A server whose table holds 6,000 tasks of 60 other users (from its state file)."""
    state = tmp_path_factory.mktemp("crowded") / "tasks.json"
    write_state_file(state, {f"other-{n}": PRELOADED // 60 for n in range(60)})
    server = LocalServer("--state", str(state)).wait_ready(timeout=120)
    assert f"Restored {PRELOADED} items" in server.banner
    yield server
    server.stop()


def test_memory_stays_flat_under_sustained_writes(crowded: LocalServer) -> None:
    """2,400 requests (idempotent creates and retries, PATCHes, deletes, lists) on a table of
    6,000 tasks: the server's resident memory stops growing once warm."""
    api = HttpApi(crowded.url)
    pid = crowded.process.pid
    for _ in range(5):
        _mixed_round(api, "memory")
    warm = rss_mb(pid)
    samples = []
    for round_ in range(400):
        _mixed_round(api, "memory")
        grown = rss_mb(pid) - warm
        samples.append(grown)
        # Checked every round: a leaking engine fails here in seconds, not minutes.
        assert grown < 40, f"RSS grew {grown:.0f} MB after {round_ + 1} rounds"
    print(f"RSS {warm:.0f} MB warm, +{samples[199]:.1f} MB at 200 rounds, "
          f"+{samples[-1]:.1f} MB at 400 rounds")
    # What remains is live data (one idempotency record per create, kept 24 h) and the
    # allocator's slack, not a copy per request.
    assert samples[-1] - samples[199] < 15


def test_request_time_does_not_depend_on_other_users_tasks(crowded: LocalServer,
                                                            tmp_path: Path) -> None:
    """The same rounds against an empty table and against 6,000 tasks of others, interleaved
    so that the machine's load falls on both alike."""
    empty = LocalServer("--state", str(tmp_path / "empty.json")).wait_ready()
    try:
        apis = {"empty": HttpApi(empty.url), "crowded": HttpApi(crowded.url)}
        timings: dict[str, dict[str, list[float]]] = {"empty": {}, "crowded": {}}
        for api in apis.values():
            for _ in range(5):
                _mixed_round(api, "timing")  # warm both
        for _ in range(30):
            for name, api in apis.items():
                _mixed_round(api, "timing", timings[name])
    finally:
        empty.stop()
    medians = {name: {kind: statistics.median(values) * 1000 for kind, values in kinds.items()}
               for name, kinds in timings.items()}
    print({name: {kind: round(ms, 1) for kind, ms in kinds.items()}
           for name, kinds in medians.items()})
    for kind, ms in medians["empty"].items():
        assert medians["crowded"][kind] < 1.5 * ms + 5, (kind, medians)


# The patched paths keep DynamoDB's semantics (on the tests' shared embedded engine).

TABLE = "engine-rules"


@pytest.fixture(scope="module")
def table(ddb: Any) -> str:
    embedded.ensure_table(ddb, TABLE)
    return TABLE


def _item(user: str, task: str, **attrs: str) -> dict[str, Any]:
    return {"userID": {"S": user}, "taskID": {"S": task}, **{k: {"S": v} for k, v in attrs.items()}}


def _get(ddb: Any, user: str, task: str) -> dict[str, Any] | None:
    found: dict[str, Any] | None = ddb.get_item(
        TableName=TABLE, Key=_item(user, task), ConsistentRead=True).get("Item")
    return found


def test_a_cancelled_transaction_changes_nothing(ddb: Any, table: str) -> None:
    user = f"tx-{uuid.uuid4().hex[:8]}"
    ddb.put_item(TableName=table, Item=_item(user, "kept", title="before"))
    ddb.put_item(TableName=table, Item=_item(user, "gone", title="still here"))
    ddb.put_item(TableName=table, Item=_item(user, "blocker", title="x"))
    with pytest.raises(ddb.exceptions.TransactionCanceledException):
        ddb.transact_write_items(TransactItems=[
            {"Put": {"TableName": table, "Item": _item(user, "new", title="new")}},
            {"Update": {"TableName": table, "Key": _item(user, "kept"),
                        "UpdateExpression": "SET title = :t",
                        "ExpressionAttributeValues": {":t": {"S": "after"}}}},
            {"Delete": {"TableName": table, "Key": _item(user, "gone")}},
            {"Put": {"TableName": table, "Item": _item(user, "blocker", title="y"),
                     "ConditionExpression": "attribute_not_exists(taskID)"}},
        ])
    assert _get(ddb, user, "new") is None
    assert _get(ddb, user, "kept") == _item(user, "kept", title="before")
    assert _get(ddb, user, "gone") == _item(user, "gone", title="still here")
    assert _get(ddb, user, "blocker") == _item(user, "blocker", title="x")
    ddb.transact_write_items(TransactItems=[
        {"Put": {"TableName": table, "Item": _item(user, "new", title="new")}},
        {"Delete": {"TableName": table, "Key": _item(user, "gone")}},
    ])
    assert _get(ddb, user, "new") is not None and _get(ddb, user, "gone") is None


@pytest.mark.parametrize("forward", [True, False])
@pytest.mark.parametrize("condition", [None, "begins_with", "between"])
def test_query_pages_keep_dynamodb_order_and_bounds(ddb: Any, table: str, forward: bool,
                                                     condition: str | None) -> None:
    """Written in random order beside a neighbour's partition, read back 7 at a time."""
    user = f"q-{uuid.uuid4().hex[:8]}"
    tasks = [f"{n:04d}" for n in range(230)]
    rnd = random.Random(7)
    for task in rnd.sample(tasks, len(tasks)):
        ddb.put_item(TableName=table, Item=_item(user, task))
        ddb.put_item(TableName=table, Item=_item(user + "-neighbour", task))
    expression, values = "userID = :u", {":u": {"S": user}}
    expected = tasks
    if condition == "begins_with":
        expression += " AND begins_with(taskID, :p)"
        values[":p"] = {"S": "01"}
        expected = [t for t in tasks if t.startswith("01")]
    elif condition == "between":
        expression += " AND taskID BETWEEN :a AND :b"
        values |= {":a": {"S": "0042"}, ":b": {"S": "0199"}}
        expected = [t for t in tasks if "0042" <= t <= "0199"]
    if not forward:
        expected = expected[::-1]
    seen: list[str] = []
    start = None
    while True:
        extra: dict[str, Any] = {"ExclusiveStartKey": start} if start else {}
        page = ddb.query(TableName=table, KeyConditionExpression=expression,
                         ExpressionAttributeValues=values, Limit=7, ScanIndexForward=forward,
                         **extra)
        assert len(page["Items"]) <= 7
        seen += [item["taskID"]["S"] for item in page["Items"]]
        assert all(item["userID"]["S"] == user for item in page["Items"])
        start = page.get("LastEvaluatedKey")
        if not start:
            break
    assert seen == expected
