"""The local server's stream follower on the engine of the run (moto's Streams API or DynamoDB
Local's): it starts at the stream's end, hands every later change over once and in order, in
Lambda's record format, and a transaction that fails leaves no record of its undone writes
(DynamoDB's own behaviour; moto needed a fix, emulator/moto_fixes.py)."""

import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
from botocore.exceptions import ClientError

from emulator import dynamodb as embedded
from emulator.streams import StreamFollower
from models import TodoModel
from services.domain.ids import uuid7


class Collected:
    def __init__(self) -> None:
        self.records: list[dict[str, Any]] = []
        self.fail_next = 0
        self.lock = threading.Lock()

    def __call__(self, records: list[dict[str, Any]]) -> list[str]:
        with self.lock:
            if self.fail_next:
                self.fail_next -= 1
                return [records[0]["dynamodb"]["SequenceNumber"]]
            self.records += records
        return []

    def keys(self, user: str) -> list[tuple[str, str]]:
        with self.lock:
            return [(r["eventName"], r["dynamodb"]["Keys"]["taskID"]["S"]) for r in self.records
                    if r["dynamodb"]["Keys"]["userID"]["S"] == user]


@pytest.fixture
def collected(dynamodb_endpoint: str) -> Iterator[Collected]:
    found = Collected()
    follower = StreamFollower(dynamodb_endpoint, "us-east-1", TodoModel.Meta.table_name, found,
                              poll_seconds=0.05)
    follower.start()
    yield found
    follower.stop()


def wait_for(check: Any, timeout: float = 10) -> Any:
    deadline = time.monotonic() + timeout
    while not (value := check()) and time.monotonic() < deadline:
        time.sleep(0.05)
    return value


def put(user: str, task_id: str) -> dict[str, Any]:
    return {"Put": {"TableName": TodoModel.Meta.table_name, "Item": {
        "userID": {"S": user}, "taskID": {"S": task_id}, "title": {"S": "t"}}}}


def test_changes_arrive_once_in_order_in_lambdas_format(ddb: Any, collected: Collected,
                                                        user: str) -> None:
    first, second = uuid7(), uuid7()
    ddb.transact_write_items(TransactItems=[put(user, first), put(user, second)])
    ddb.update_item(TableName=TodoModel.Meta.table_name,
                    Key={"userID": {"S": user}, "taskID": {"S": first}},
                    UpdateExpression="SET title = :t", ExpressionAttributeValues={
                        ":t": {"S": "u"}})
    ddb.delete_item(TableName=TodoModel.Meta.table_name,
                    Key={"userID": {"S": user}, "taskID": {"S": second}})
    expected = [("INSERT", first), ("INSERT", second), ("MODIFY", first), ("REMOVE", second)]
    assert wait_for(lambda: len(collected.keys(user)) >= 4)
    time.sleep(0.3)
    assert collected.keys(user) == expected
    modify = next(r for r in collected.records if r["eventName"] == "MODIFY"
                  and r["dynamodb"]["Keys"]["taskID"]["S"] == first)
    assert modify["eventSource"] == "aws:dynamodb" and modify["eventSourceARN"]
    assert modify["dynamodb"]["OldImage"]["title"] == {"S": "t"}
    assert modify["dynamodb"]["NewImage"]["title"] == {"S": "u"}
    assert isinstance(modify["dynamodb"]["ApproximateCreationDateTime"], float)


def test_a_failed_transaction_leaves_no_record(ddb: Any, collected: Collected,
                                               user: str) -> None:
    written, refused = uuid7(), uuid7()
    blocked = put(user, refused)
    blocked["Put"]["ConditionExpression"] = "attribute_exists(taskID)"  # fails: not there
    with pytest.raises(ClientError):
        ddb.transact_write_items(TransactItems=[put(user, written), blocked])
    marker = uuid7()
    ddb.put_item(**put(user, marker)["Put"])
    assert wait_for(lambda: ("INSERT", marker) in collected.keys(user))
    assert collected.keys(user) == [("INSERT", marker)]


def test_a_batch_reported_failed_is_handed_over_again(ddb: Any, collected: Collected,
                                                      user: str) -> None:
    collected.fail_next = 2
    task_id = uuid7()
    ddb.put_item(**put(user, task_id)["Put"])
    assert wait_for(lambda: collected.keys(user) == [("INSERT", task_id)])


@pytest.mark.moto(reason="checks moto's own stream bookkeeping (emulator/moto_fixes.py)")
def test_moto_keeps_a_bounded_stream_and_no_used_iterators(
        moto_endpoint: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from moto.dynamodbstreams.models import dynamodbstreams_backends

    from emulator import moto_fixes

    monkeypatch.setattr(moto_fixes, "STREAM_RECORDS_KEPT", 40)
    client = embedded.client(moto_endpoint, "us-east-1")
    embedded.ensure_table(client, "todos-stream-bound")
    found = Collected()
    follower = StreamFollower(moto_endpoint, "us-east-1", "todos-stream-bound", found, 0.01)
    follower.start()
    try:
        for index in range(100):
            client.put_item(TableName="todos-stream-bound",
                            Item={"userID": {"S": "u"}, "taskID": {"S": f"{index:05d}"}})
        assert wait_for(lambda: len(found.records) == 100)  # the follower kept up
        backend = dynamodbstreams_backends["123456789012"]["us-east-1"]
        assert len(backend.shard_iterators) < 10
        table = backend.dynamodb.get_table("todos-stream-bound")
        assert table.stream_shard is not None and len(table.stream_shard.items) == 40
    finally:
        follower.stop()
        client.delete_table(TableName="todos-stream-bound")


def test_a_fresh_table_beside_busy_ones_is_followed_from_its_first_record(
        dynamodb_endpoint: str, ddb: Any) -> None:
    """DynamoDB Local numbers stream records across its tables: an idle table's empty shard
    must still give its first record (a LATEST iterator there fails to read)."""
    quiet, busy = f"todos-quiet-{uuid7()[-6:]}", f"todos-busy-{uuid7()[-6:]}"
    for name in (quiet, busy):
        embedded.ensure_table(ddb, name)
    try:
        for index in range(30):
            ddb.put_item(TableName=busy, Item={"userID": {"S": "u"}, "taskID": {"S": str(index)}})
        found = Collected()
        follower = StreamFollower(dynamodb_endpoint, "us-east-1", quiet, found, 0.05)
        follower.start()
        try:
            ddb.put_item(TableName=quiet, Item={"userID": {"S": "u"}, "taskID": {"S": "first"}})
            assert wait_for(lambda: found.keys("u") == [("INSERT", "first")])
        finally:
            follower.stop()
    finally:
        for name in (quiet, busy):
            ddb.delete_table(TableName=name)


@pytest.mark.moto(reason="moto's stream at its record cap (emulator/moto_fixes.py)")
def test_a_failed_transaction_leaves_no_record_when_the_stream_is_full(
        moto_endpoint: str, ddb: Any, collected: Collected, user: str,
        monkeypatch: pytest.MonkeyPatch) -> None:
    from emulator import moto_fixes

    monkeypatch.setattr(moto_fixes, "STREAM_RECORDS_KEPT", 5)
    for index in range(8):  # past the cap: each new record pushes the oldest out
        ddb.put_item(**put(user, f"filler-{index}")["Put"])
    test_a_failed_transaction_leaves_no_record(ddb, collected, f"{user}-full")
