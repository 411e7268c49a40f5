"""Data access: every DynamoDB request of the API goes through here, one request per call."""

import time
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any, NamedTuple

from botocore.exceptions import BotoCoreError, ClientError, ReadTimeoutError
from pynamodb.attributes import Attribute, NumberAttribute
from pynamodb.exceptions import PynamoDBException, TransactWriteError
from pynamodb.transactions import TransactWrite

from models import IdempotencyRecord, TodoModel, Tombstone
from models.tombstone import partition as tombstone_partition
from services.errors import (
    IdempotencyInProgress,
    StoreTimedOut,
    StoreUnavailable,
    TaskNotFound,
    VersionMismatch,
)

# API field name -> model attribute, for the fields an update may touch.
_ATTRIBUTES: dict[str, Attribute[Any]] = {
    "title": TodoModel.title,
    "description": TodoModel.description,
    "status": TodoModel.status,
    "dueDate": TodoModel.due_date,
    "timeZone": TodoModel.time_zone,
    "recurrence": TodoModel.recurrence,
    "dueAt": TodoModel.due_at,
    "lastCompletedAt": TodoModel.last_completed_at,
    "occurrence": TodoModel.occurrence,
    "occurrenceRule": TodoModel.occurrence_rule,
    "priority": TodoModel.priority,
    "tags": TodoModel.tags,
    "order": TodoModel.order,
    "checklist": TodoModel.checklist,
    "reminders": TodoModel.reminders,
    "assigneeId": TodoModel.assignee_id,
    "updatedBy": TodoModel.updated_by,
    # The index keys, kept in step with the fields they follow.
    "dueKey": TodoModel.due_key,
    "syncUserID": TodoModel.sync_user_id,
    "changeKey": TodoModel.change_key,
}
_UNAVAILABLE_CODES = frozenset(
    {
        "ProvisionedThroughputExceededException",
        "ThrottlingException",
        "RequestLimitExceeded",
        "InternalServerError",
        "ServiceUnavailable",
        "LimitExceededException",
    }
)
_CONDITION_FAILED = "ConditionalCheckFailedException"
_CONDITION_FAILED_REASON = "ConditionalCheckFailed"  # a cancelled transaction's reason code
_THROTTLED_REASONS = {"ThrottlingError", "ProvisionedThroughputExceeded"}


def _cause(error: BaseException) -> BaseException:
    return getattr(error, "cause", None) or error


def _is_unavailable(error: BaseException) -> bool:
    cause = _cause(error)
    if isinstance(cause, ClientError):
        status = cause.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0)
        return cause.response.get("Error", {}).get("Code") in _UNAVAILABLE_CODES or status >= 500
    return isinstance(cause, BotoCoreError)


@contextmanager
def _dynamodb() -> Iterator[None]:
    """Throttling and outages that outlast botocore's bounded retries become StoreUnavailable."""
    try:
        yield
    except (PynamoDBException, ClientError, BotoCoreError) as error:
        if isinstance(_cause(error), ReadTimeoutError):
            # Sent, unanswered: unlike a throttle or a refused connection, nobody can say
            # whether a write took effect, and the answer must not say it did not.
            raise StoreTimedOut(str(error)) from error
        if _is_unavailable(error):
            raise StoreUnavailable(str(error)) from error
        raise


def _attempts(error: BaseException) -> int:
    """How many times botocore retried before this answer."""
    cause = _cause(error)
    if isinstance(cause, ClientError):
        retries: int = cause.response.get("ResponseMetadata", {}).get("RetryAttempts", 0)
        return retries
    return 0


def _failed_condition_item(error: BaseException) -> Mapping[str, Any] | None:
    """The item DynamoDB returned with a failed condition, or None if the check did not fail."""
    cause = _cause(error)
    if not isinstance(cause, ClientError):
        return None
    if cause.response["Error"]["Code"] == _CONDITION_FAILED:
        item: Mapping[str, Any] = cause.response.get("Item") or {}
        return item
    # A transaction whose first action (the conditional one) failed its check.
    first = (cause.response.get("CancellationReasons") or [{}])[0]
    if first.get("Code") == _CONDITION_FAILED_REASON:
        found: Mapping[str, Any] = first.get("Item") or {}
        return found
    return None


def put_new(item: TodoModel) -> None:
    """PutItem of a fresh id. If a retried attempt finds the id taken, the earlier attempt
    (whose answer was lost) wrote it: nobody else can know an id made for this request."""
    kwargs = item.get_save_kwargs_from_instance(condition=TodoModel.task_id.does_not_exist())
    with _dynamodb():
        try:
            _client().put_item(**kwargs)
        except ClientError as error:
            if _failed_condition_item(error) is None or _attempts(error) == 0:
                raise


def put_new_once(item: TodoModel, record: IdempotencyRecord, now: int) -> IdempotencyRecord | None:
    """Create the task and its idempotency record in one transaction, unless a live record
    with that key exists: then nothing is written and that record is returned."""
    fresh = IdempotencyRecord.key.does_not_exist() | (IdempotencyRecord.expires_at < now)
    try:
        with _dynamodb(), TransactWrite(connection=TodoModel._get_connection().connection) as tx:
            tx.save(record, condition=fresh, return_values="ALL_OLD")
            tx.save(item, condition=TodoModel.task_id.does_not_exist())
    except TransactWriteError as error:
        reasons = error.cancellation_reasons
        first = reasons[0] if reasons else None
        if first is not None and first.code == _CONDITION_FAILED_REASON and first.raw_item:
            return IdempotencyRecord.from_raw_data(first.raw_item)
        codes = {r.code for r in reasons if r is not None}
        if codes & _THROTTLED_REASONS:
            raise StoreUnavailable(str(error)) from error
        if "TransactionConflict" in codes:
            raise IdempotencyInProgress(str(error)) from error
        raise
    return None


def get(user_id: str, task_id: str, *, consistent: bool = False) -> TodoModel | None:
    """One GetItem; `consistent` for a read a conditional write is planned from."""
    with _dynamodb():
        try:
            return TodoModel.get(user_id, task_id, consistent_read=consistent)
        except TodoModel.DoesNotExist:
            return None


class Position(NamedTuple):
    """Where a Query stopped: the item's task id, its index sort key when the Query ran on an
    index, and whether it is a tombstone (those live in their own partition)."""

    task_id: str
    index_key: str | None = None
    tombstone: bool = False


# Index name -> (attribute of its hash key, attribute of its range key).
DUE_INDEX = TodoModel.by_due_date.Meta.index_name
CHANGE_INDEX = TodoModel.by_change.Meta.index_name
_INDEX_KEYS = {
    DUE_INDEX: ("userID", "dueKey"),
    CHANGE_INDEX: ("syncUserID", "changeKey"),
}


def _start_key(user_id: str, index: str | None, start: Position | None) -> dict[str, Any] | None:
    """The ExclusiveStartKey of a Query that goes on after `start` (the caller's own keys)."""
    if start is None:
        return None
    owner = tombstone_partition(user_id) if start.tombstone else user_id
    key = {"userID": {"S": owner}, "taskID": {"S": start.task_id}}
    if index is not None:
        hash_name, range_name = _INDEX_KEYS[index]
        key[hash_name] = {"S": user_id}
        key[range_name] = {"S": start.index_key or ""}
    return key


def _position(user_id: str, index: str | None, last: Mapping[str, Any] | None) -> Position | None:
    if not last:
        return None
    index_key = last[_INDEX_KEYS[index][1]]["S"] if index is not None else None
    tombstone = last["userID"]["S"] != user_id
    return Position(last["taskID"]["S"], index_key, tombstone)


def _filters(status: str | None, tag: str | None, assignee: str | None = None) -> Any:
    condition: Any = None
    if status:
        condition = TodoModel.status == status
    if tag:
        holds = TodoModel.tags.contains(tag)
        condition = holds if condition is None else condition & holds
    if assignee:
        assigned = TodoModel.assignee_id == assignee
        condition = assigned if condition is None else condition & assigned
    return condition


def _query(
    user_id: str,
    *,
    limit: int,
    ascending: bool = True,
    start_after: Position | None = None,
    status: str | None = None,
    tag: str | None = None,
    assignee: str | None = None,
    index: str | None = None,
    key_condition: Any = None,
    keys_only: bool = False,
) -> tuple[list[dict[str, Any]], Position | None]:
    """One Query request, on the table or an index: at most `limit` items read, and where
    the next one goes on. Strongly consistent on the table (an index cannot be)."""
    with _dynamodb():
        page = TodoModel._get_connection().query(
            user_id,
            range_key_condition=key_condition,
            filter_condition=_filters(status, tag, assignee),
            consistent_read=index is None,
            attributes_to_get=["taskID"] if keys_only else None,
            exclusive_start_key=_start_key(user_id, index, start_after),
            index_name=index,
            limit=limit,
            scan_index_forward=ascending,
        )
    return page.get("Items", []), _position(user_id, index, page.get("LastEvaluatedKey"))


def query_page(
    user_id: str, *, limit: int, ascending: bool, start_after: Position | None,
    status: str | None, tag: str | None = None, assignee: str | None = None,
) -> tuple[list[TodoModel], Position | None]:
    """A page of a user's tasks, in creation order either way."""
    items, last = _query(user_id, limit=limit, ascending=ascending, start_after=start_after,
                         status=status, tag=tag, assignee=assignee)
    return [TodoModel.from_raw_data(raw) for raw in items], last


def query_due_page(
    user_id: str, *, limit: int, ascending: bool, start_after: Position | None,
    status: str | None, tag: str | None, due_from: str | None, due_to: str | None,
    assignee: str | None = None,
) -> tuple[list[TodoModel], Position | None]:
    """A page of the user's tasks that have a due date, by due date then creation, with
    due_from <= due < due_to (index keys: `<due>#<task id>`, so `< due_to` excludes due_to
    itself and BETWEEN's inclusive upper end can never equal a key)."""
    key = TodoModel.due_key
    condition: Any = None
    if due_from is not None and due_to is not None:
        condition = key.between(due_from, due_to)
    elif due_from is not None:
        condition = key >= due_from
    elif due_to is not None:
        condition = key < due_to
    items, last = _query(user_id, limit=limit, ascending=ascending, start_after=start_after,
                         status=status, tag=tag, assignee=assignee, index=DUE_INDEX,
                         key_condition=condition)
    return [TodoModel.from_raw_data(raw) for raw in items], last


def query_changes(
    user_id: str, *, limit: int, start_after: Position | None, since: str,
) -> tuple[list[TodoModel | Tombstone], Position | None]:
    """A page of the user's tasks and tombstones changed at or after `since`, oldest first."""
    items, last = _query(user_id, limit=limit, start_after=start_after, index=CHANGE_INDEX,
                         key_condition=TodoModel.change_key >= since)
    found: list[TodoModel | Tombstone] = [
        TodoModel.from_raw_data(raw) if raw["userID"]["S"] == user_id
        else Tombstone.from_raw_data(raw)
        for raw in items
    ]
    return found, last


def _raise_for_failed_condition(
    error: BaseException, user_id: str, task_id: str, expected_version: frozenset[int] | None
) -> None:
    old = _failed_condition_item(error)
    if old is None:
        return
    if not old or expected_version is None:
        raise TaskNotFound(user_id, task_id) from None
    raise VersionMismatch(expected_version, int(old.get("version", {}).get("N", 0))) from None


def _client() -> Any:
    """The model's botocore client: PynamoDB's own wrapper drops the item a failed condition
    returns, which is how one request tells "missing" (404) from "stale" (412)."""
    return TodoModel._get_connection().connection.client


def _exists_at(expected_version: frozenset[int] | None, write_id: str | None = None) -> Any:
    """The task exists and, when versions are given (If-Match), is at one of them."""
    condition = TodoModel.task_id.exists()
    if expected_version is not None:
        # No version can be -1: an If-Match that nothing matches fails the write (412),
        # while a missing task still tells itself apart (404).
        at = TodoModel.version.is_in(*sorted(expected_version or {-1}))
        if 0 in expected_version:  # an item the seed's functions wrote has no version yet
            at = TodoModel.version.does_not_exist() | at
        condition &= at
    if write_id is not None:  # a retry must not apply this request's write a second time
        condition &= TodoModel.write_id.does_not_exist() | (TodoModel.write_id != write_id)
    return condition


class ConditionFailed(Exception):
    """An update's condition failed on a task that exists: here is the task as it is."""

    def __init__(self, item: TodoModel) -> None:
        super().__init__("the task is not as the update assumed")
        self.item = item


def update(
    user_id: str,
    task_id: str,
    *,
    set_fields: Mapping[str, Any],
    remove_fields: frozenset[str],
    now: str,
    completed: bool | None,
    expected_version: frozenset[int] | None,
    write_id: str,
    absent: frozenset[str] = frozenset(),
    add_fields: Mapping[str, int] | None = None,
) -> TodoModel:
    """One conditional UpdateItem: never creates; applies only if the task is at
    `expected_version` (when given) and lacks the `absent` fields (what the write assumed
    of it). TaskNotFound if it is missing; ConditionFailed, with the task as it is, if it is
    not as assumed (the failed condition's own answer carries it: no second read)."""
    actions: list[Any] = [_ATTRIBUTES[name].set(value) for name, value in set_fields.items()]
    actions += [_ATTRIBUTES[name].remove() for name in sorted(remove_fields)]
    actions += [_COUNTERS[name].add(amount) for name, amount in (add_fields or {}).items()]
    actions += [TodoModel.updated_at.set(now), TodoModel.version.add(1),
                TodoModel.write_id.set(write_id)]
    if completed is True:  # keep the first completion time when completed again
        actions.append(TodoModel.completed_at.set(TodoModel.completed_at | now))
    elif completed is False:
        actions.append(TodoModel.completed_at.remove())
    condition = _exists_at(expected_version, write_id)
    for name in sorted(absent):
        condition &= _ATTRIBUTES[name].does_not_exist()
    item = TodoModel(user_id, task_id)
    kwargs = item.get_update_kwargs_from_instance(
        actions, condition, return_values_on_condition_failure="ALL_OLD",
    )
    kwargs["ReturnValues"] = "ALL_NEW"
    with _dynamodb():
        try:
            data = _client().update_item(**kwargs)
        except ClientError as error:
            old = _failed_condition_item(error)
            if old is None:
                raise
            if not old:
                raise TaskNotFound(user_id, task_id) from None
            found = TodoModel.from_raw_data(dict(old))
            if found.write_id == write_id:
                return found  # an earlier attempt of ours landed (its answer was lost)
            raise ConditionFailed(found) from None
    return TodoModel.from_raw_data(data["Attributes"])


# Numbers an update adds to (ADD: no need to know the stored value).
_COUNTERS: dict[str, NumberAttribute] = {"completedCount": TodoModel.completed_count}


def _transact(items: list[dict[str, Any]], token: str | None = None) -> None:
    """One TransactWriteItems; a conflict with another write of the same items is retried a
    few times (nothing was applied), then reported as the store being busy."""
    extra = {"ClientRequestToken": token} if token else {}
    for attempt in range(3):
        try:
            _client().transact_write_items(TransactItems=items, **extra)
            return
        except ClientError as error:
            reasons = error.response.get("CancellationReasons") or []
            codes = {reason.get("Code") for reason in reasons}
            if codes & _THROTTLED_REASONS:
                raise StoreUnavailable(str(error)) from error
            if "TransactionConflict" not in codes:
                raise
            if attempt == 2:
                raise StoreUnavailable(str(error)) from error
            time.sleep(0.05 * (attempt + 1))


def delete(user_id: str, task_id: str, *, expected_version: frozenset[int] | None,
           tombstone: Tombstone) -> None:
    """One transaction: the conditional delete and the task's tombstone. A missing task or a
    stale version changes nothing (no tombstone either)."""
    item = TodoModel(user_id, task_id)
    delete_kwargs = item.get_delete_kwargs_from_instance(
        _exists_at(expected_version), return_values_on_condition_failure="ALL_OLD"
    )
    put_kwargs = tombstone.get_save_kwargs_from_instance()
    with _dynamodb():
        try:
            _transact([{"Delete": delete_kwargs}, {"Put": put_kwargs}])
        except ClientError as error:
            if _failed_condition_item(error) == {} and _attempts(error) > 0:
                return  # gone after a retry: the attempt whose answer was lost deleted it
            _raise_for_failed_condition(error, user_id, task_id, expected_version)
            raise


def query_ids(
    user_id: str, *, status: str | None, start_after: Position | None, limit: int
) -> tuple[list[str], Position | None]:
    """One keys-only Query page, for bulk deletes."""
    items, last = _query(user_id, limit=limit, start_after=start_after, status=status,
                         keys_only=True)
    return [raw["taskID"]["S"] for raw in items], last


# A delete and its tombstone go in one transaction, 12 pairs to a transaction: 25 actions is
# what every engine accepts (DynamoDB takes 100, moto 25).
_PAIRS_PER_TRANSACTION = 12


def delete_many(user_id: str, tombstones: list[Tombstone], *, status: str | None) -> int:
    """Delete these tasks, each with its tombstone, atomically: a task that is gone or no
    longer has `status` (changed since it was read) is left out, and the rest go again.
    Returns how many were deleted."""
    deleted = 0
    condition = TodoModel.task_id.exists()
    if status is not None:
        condition &= TodoModel.status == status
    for start in range(0, len(tombstones), _PAIRS_PER_TRANSACTION):
        chunk = tombstones[start:start + _PAIRS_PER_TRANSACTION]
        while chunk:
            actions: list[dict[str, Any]] = []
            for tombstone in chunk:
                task = TodoModel(user_id, tombstone.task_id)
                actions += [{"Delete": task.get_delete_kwargs_from_instance(condition)},
                            {"Put": tombstone.get_save_kwargs_from_instance()}]
            try:
                with _dynamodb():
                    # The token makes botocore's retry of a transaction whose answer was lost
                    # succeed instead of failing on its own deletes.
                    _transact(actions, token=uuid.uuid4().hex)
            except ClientError as error:
                reasons = error.response.get("CancellationReasons") or []
                failed = {index // 2 for index, reason in enumerate(reasons)
                          if reason.get("Code") == _CONDITION_FAILED_REASON}
                if not failed:
                    raise
                chunk = [t for index, t in enumerate(chunk) if index not in failed]
                continue
            deleted += len(chunk)
            break
    return deleted
