"""A move of a task from one list to another: one TransactGetItems (the task and the records
of the lists involved) and one TransactWriteItems (docs/LISTS.md)."""

import time
import uuid
from typing import Any

from botocore.exceptions import ClientError

from models import ListRecord, TodoModel, Tombstone
from services.data.lists import RecordChanged, record_key
from services.data.store import (
    _CONDITION_FAILED_REASON,
    _client,
    _dynamodb,
    _exists_at,
    _transact,
)


class TaskChanged(Exception):
    """The task is gone, or changed since it was read: `current` holds it (None: gone)."""

    def __init__(self, current: TodoModel | None) -> None:
        super().__init__("the task changed")
        self.current = current


def _table() -> str:
    return str(TodoModel.Meta.table_name)


def read(partition: str, task_id: str,
         list_ids: list[str]) -> tuple[TodoModel | None, dict[str, ListRecord | None]]:
    """The task and the lists' records, in one serializable read (a write in flight on any
    of them makes DynamoDB cancel it: tried again, at most three times in all)."""
    gets = [{"Get": {"TableName": _table(),
                     "Key": {"userID": {"S": partition}, "taskID": {"S": task_id}}}}]
    gets += [{"Get": {"TableName": _table(), "Key": record_key(list_id)}} for list_id in list_ids]
    for attempt in range(3):
        try:
            with _dynamodb():
                reply = _client().transact_get_items(TransactItems=gets)
            break
        except ClientError as error:
            codes = {r.get("Code") for r in error.response.get("CancellationReasons") or []}
            if "TransactionConflict" not in codes or attempt == 2:
                raise
            time.sleep(0.05 * (attempt + 1))
    found = [response.get("Item") for response in reply["Responses"]]
    task = TodoModel.from_raw_data(found[0]) if found[0] else None
    records = {list_id: ListRecord.from_raw_data(raw) if raw else None
               for list_id, raw in zip(list_ids, found[1:], strict=True)}
    return task, records


_WRITERS = {":owner": {"S": "owner"}, ":editor": {"S": "editor"}}


def write(old: TodoModel, new: TodoModel, tombstone: Tombstone, *,
          writer: str, lists: list[str]) -> None:
    """In one transaction: delete the task where it was (as it was read), leave its tombstone
    there, put it in its new partition, and check that `writer` may still change tasks in each
    of `lists`. TaskChanged or RecordChanged say which condition failed."""
    gone = old.get_delete_kwargs_from_instance(_exists_at(frozenset({int(old.version or 0)})),
                                               return_values_on_condition_failure="ALL_OLD")
    actions: list[dict[str, Any]] = [
        {"Delete": gone},
        {"Put": tombstone.get_save_kwargs_from_instance()},
        {"Put": new.get_save_kwargs_from_instance(condition=TodoModel.task_id.does_not_exist())},
    ]
    checks = len(actions)
    actions += [{"ConditionCheck": {
        "TableName": _table(), "Key": record_key(list_id),
        "ConditionExpression": "#m.#u.#r IN (:owner, :editor)",
        "ExpressionAttributeNames": {"#m": "members", "#u": writer, "#r": "role"},
        "ExpressionAttributeValues": _WRITERS,
        "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
    }} for list_id in lists]
    with _dynamodb():
        try:
            # The token makes botocore's retry of a transaction whose answer was lost succeed
            # instead of failing on its own delete.
            _transact(actions, token=uuid.uuid4().hex)
        except ClientError as error:
            reasons = error.response.get("CancellationReasons") or []
            failed = [i for i, reason in enumerate(reasons)
                      if reason.get("Code") == _CONDITION_FAILED_REASON]
            if not failed:
                raise
            raw = reasons[failed[0]].get("Item")
            if failed[0] >= checks:
                raise RecordChanged(ListRecord.from_raw_data(raw) if raw else None) from None
            raise TaskChanged(TodoModel.from_raw_data(raw) if raw else None) from None
