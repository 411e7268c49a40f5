"""TodoModel against a DynamoDB engine over HTTP (moto server on 127.0.0.1)."""

import os
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from models import TodoModel
from services.domain.ids import is_task_id, uuid7


@pytest.fixture(autouse=True)
def _engine(dynamodb_endpoint: str) -> None:
    assert TodoModel.Meta.host == dynamodb_endpoint


def _task(user: str, **fields: Any) -> TodoModel:
    values: dict[str, Any] = {"title": "t", "status": "pending", "priority": "normal",
                                 "created_at": "2026-01-01T00:00:00.000Z",
                                 "updated_at": "2026-01-01T00:00:00.000Z", "version": 1}
    return TodoModel(user, uuid7(), **(values | fields))


def test_items_use_the_seed_key_names(ddb: object, user: str) -> None:
    item = _task(user, tags=["a", "b"], due_date="2026-02-01", order=4)
    item.save()
    raw = ddb.get_item(  # type: ignore[attr-defined]
        TableName=TodoModel.Meta.table_name,
        Key={"userID": {"S": user}, "taskID": {"S": item.task_id}},
    )["Item"]
    assert raw["title"] == {"S": "t"}
    assert raw["tags"] == {"L": [{"S": "a"}, {"S": "b"}]}
    assert raw["dueDate"] == {"S": "2026-02-01"} and raw["order"] == {"N": "4"}
    assert "description" not in raw  # absent, not stored as null


def test_round_trip_and_query_in_creation_order(user: str) -> None:
    made = [_task(user, title=f"n{i}") for i in range(5)]
    for item in made:
        item.save()
    got = TodoModel.get(user, made[2].task_id)
    assert got.title == "n2" and got.version == 1
    assert [i.task_id for i in TodoModel.query(user)] == [i.task_id for i in made]
    desc = [i.task_id for i in TodoModel.query(user, scan_index_forward=False)]
    assert desc == [i.task_id for i in reversed(made)]


def test_other_partitions_are_not_read(user: str) -> None:
    _task(user).save()
    assert list(TodoModel.query(f"{user}-x")) == []
    with pytest.raises(TodoModel.DoesNotExist):
        TodoModel.get(f"{user}-x", str(uuid.uuid4()))


def test_uuid7_is_version_7_and_sorts_by_creation() -> None:
    ids = [uuid7() for _ in range(5000)]
    assert ids == sorted(ids) and len(set(ids)) == 5000
    parsed = uuid.UUID(ids[0])
    assert parsed.version == 7 and parsed.variant == uuid.RFC_4122
    assert all(is_task_id(i) for i in ids)
    assert not is_task_id("task-001") and not is_task_id(ids[0].upper())


@pytest.fixture
def quiet_ddb(ddb: Any) -> Iterator[Any]:
    """The run's engine; on DynamoDB Local, an instance of this test's own. Under the full suite
    (local servers following the shared instance's streams), the shared one left an empty
    table's new index CREATING for over 5 minutes, where a quiet one takes half a second."""
    if os.environ.get("TODO_API_ENGINE", "moto") != "dynamodb-local":
        yield ddb
        return
    from emulator.dynamodb import client
    from emulator.dynamodb_local import DynamoDBLocal

    own = DynamoDBLocal()
    try:
        yield client(own.start(), "us-east-1")
    finally:
        own.stop()


def test_a_table_made_before_the_indexes_gets_them(quiet_ddb: Any) -> None:
    """An older table (keys only, as the first version made it) gains the model's indexes, with the
    same keys as the model declares."""
    from emulator.dynamodb import ensure_table
    from models import table_definition

    ddb = quiet_ddb

    name = f"old-{uuid.uuid4().hex[:8]}"
    ddb.create_table(
        TableName=name, BillingMode="PAY_PER_REQUEST",
        KeySchema=[{"AttributeName": "userID", "KeyType": "HASH"},
                   {"AttributeName": "taskID", "KeyType": "RANGE"}],
        AttributeDefinitions=[{"AttributeName": "userID", "AttributeType": "S"},
                              {"AttributeName": "taskID", "AttributeType": "S"}])
    try:
        ensure_table(ddb, name)
        described = ddb.describe_table(TableName=name)["Table"]
        wanted = table_definition(TodoModel)["GlobalSecondaryIndexes"]
        assert sorted(i["IndexName"] for i in described["GlobalSecondaryIndexes"]) == sorted(
            i["IndexName"] for i in wanted)
        for index in described["GlobalSecondaryIndexes"]:
            [same] = [i for i in wanted if i["IndexName"] == index["IndexName"]]
            assert sorted(index["KeySchema"], key=str) == sorted(same["KeySchema"], key=str)
        ensure_table(ddb, name)  # nothing left to add
    finally:
        ddb.delete_table(TableName=name)


def test_a_bulk_delete_skips_a_task_that_changed_since_it_was_read(ddb: Any) -> None:
    """Clear reads, then deletes: a task reopened in between, or already deleted, stays as it
    is and gets no tombstone; the others go, each with its tombstone, and are counted."""
    from services.data import store
    from services.domain import tasks
    from services.domain.fields import Changes

    user = f"bulk-{uuid.uuid4().hex[:8]}"
    ids = [tasks.create_task(user, {"title": f"t{i}", "status": "completed",
                                    "priority": "normal"}).task["taskId"] for i in range(15)]
    tasks.update_task(user, ids[3], Changes({"status": "pending"}, frozenset()),
                      expected_version=None)
    tasks.delete_task(user, ids[13], expected_version=None)
    stones = [tasks.new_tombstone(user, task_id, tasks.now_iso()) for task_id in ids]
    assert store.delete_many(user, stones, status="completed") == 13
    left = [i.task_id for i in TodoModel.query(user)]
    assert left == [ids[3]]
    tombstoned = {i["taskID"]["S"] for i in ddb.query(
        TableName=TodoModel.Meta.table_name, KeyConditionExpression="userID = :u",
        ExpressionAttributeValues={":u": {"S": f"{user}#deleted"}})["Items"]}
    assert tombstoned == set(ids) - {ids[3]}
