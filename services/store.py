"""Data access: every DynamoDB request of the API goes through here, one request per call."""

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError
from pynamodb.attributes import Attribute
from pynamodb.exceptions import PynamoDBException, TransactWriteError
from pynamodb.transactions import TransactWrite

from models import IdempotencyRecord, TodoModel
from services.errors import (
    IdempotencyInProgress,
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
    "priority": TodoModel.priority,
    "tags": TodoModel.tags,
    "order": TodoModel.order,
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
    if isinstance(cause, ClientError) and cause.response["Error"]["Code"] == _CONDITION_FAILED:
        item: Mapping[str, Any] = cause.response.get("Item") or {}
        return item
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
        if first is not None and first.code == "ConditionalCheckFailed" and first.raw_item:
            return IdempotencyRecord.from_raw_data(first.raw_item)
        codes = {r.code for r in reasons if r is not None}
        if codes & {"ThrottlingError", "ProvisionedThroughputExceeded"}:
            raise StoreUnavailable(str(error)) from error
        if "TransactionConflict" in codes:
            raise IdempotencyInProgress(str(error)) from error
        raise
    return None


def get(user_id: str, task_id: str) -> TodoModel | None:
    with _dynamodb():
        try:
            return TodoModel.get(user_id, task_id)
        except TodoModel.DoesNotExist:
            return None


def _query(
    user_id: str,
    *,
    limit: int,
    ascending: bool,
    start_after: str | None,
    status: str | None,
    keys_only: bool = False,
) -> tuple[list[dict[str, Any]], str | None]:
    """One Query request: at most `limit` items read, and the task id to resume after."""
    start = {"userID": {"S": user_id}, "taskID": {"S": start_after}} if start_after else None
    with _dynamodb():
        page = TodoModel._get_connection().query(
            user_id,
            filter_condition=(TodoModel.status == status) if status else None,
            attributes_to_get=["taskID"] if keys_only else None,
            exclusive_start_key=start,
            limit=limit,
            scan_index_forward=ascending,
        )
    last = page.get("LastEvaluatedKey")
    return page.get("Items", []), (last["taskID"]["S"] if last else None)


def query_page(
    user_id: str, *, limit: int, ascending: bool, start_after: str | None, status: str | None
) -> tuple[list[TodoModel], str | None]:
    """A page of a user's tasks, in creation order either way."""
    items, last = _query(user_id, limit=limit, ascending=ascending, start_after=start_after,
                         status=status)
    return [TodoModel.from_raw_data(raw) for raw in items], last


def _raise_for_failed_condition(
    error: BaseException, user_id: str, task_id: str, expected_version: int | None
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


def _exists_at(expected_version: int | None, write_id: str | None = None) -> Any:
    condition = TodoModel.task_id.exists()
    if expected_version == 0:  # an item the seed's functions wrote has no version yet
        condition &= TodoModel.version.does_not_exist() | (TodoModel.version == 0)
    elif expected_version is not None:
        condition &= TodoModel.version == expected_version
    if write_id is not None:  # a retry must not apply this request's write a second time
        condition &= TodoModel.write_id.does_not_exist() | (TodoModel.write_id != write_id)
    return condition


def update(
    user_id: str,
    task_id: str,
    *,
    set_fields: Mapping[str, Any],
    remove_fields: frozenset[str],
    now: str,
    completed: bool | None,
    expected_version: int | None,
    write_id: str,
) -> TodoModel:
    """One conditional UpdateItem: never creates, fails on a missing task or a stale version."""
    actions: list[Any] = [_ATTRIBUTES[name].set(value) for name, value in set_fields.items()]
    actions += [_ATTRIBUTES[name].remove() for name in sorted(remove_fields)]
    actions += [TodoModel.updated_at.set(now), TodoModel.version.add(1),
                TodoModel.write_id.set(write_id)]
    if completed is True:  # keep the first completion time when completed again
        actions.append(TodoModel.completed_at.set(TodoModel.completed_at | now))
    elif completed is False:
        actions.append(TodoModel.completed_at.remove())
    item = TodoModel(user_id, task_id)
    kwargs = item.get_update_kwargs_from_instance(
        actions, _exists_at(expected_version, write_id),
        return_values_on_condition_failure="ALL_OLD",
    )
    kwargs["ReturnValues"] = "ALL_NEW"
    with _dynamodb():
        try:
            data = _client().update_item(**kwargs)
        except ClientError as error:
            old = _failed_condition_item(error)
            if old and old.get("writeId", {}).get("S") == write_id:
                return TodoModel.from_raw_data(dict(old))  # an earlier attempt of ours landed
            _raise_for_failed_condition(error, user_id, task_id, expected_version)
            raise
    return TodoModel.from_raw_data(data["Attributes"])


def delete(user_id: str, task_id: str, *, expected_version: int | None) -> None:
    """One conditional DeleteItem: a missing task or a stale version changes nothing."""
    item = TodoModel(user_id, task_id)
    kwargs = item.get_delete_kwargs_from_instance(
        _exists_at(expected_version), return_values_on_condition_failure="ALL_OLD"
    )
    with _dynamodb():
        try:
            _client().delete_item(**kwargs)
        except ClientError as error:
            if _failed_condition_item(error) == {} and _attempts(error) > 0:
                return  # gone after a retry: the attempt whose answer was lost deleted it
            _raise_for_failed_condition(error, user_id, task_id, expected_version)
            raise


def query_ids(
    user_id: str, *, status: str | None, start_after: str | None, limit: int
) -> tuple[list[str], str | None]:
    """One keys-only Query page, for bulk deletes."""
    items, last = _query(user_id, limit=limit, ascending=True, start_after=start_after,
                         status=status, keys_only=True)
    return [raw["taskID"]["S"] for raw in items], last


def delete_many(user_id: str, task_ids: list[str]) -> None:
    """BatchWriteItem in chunks of 25 (PynamoDB retries unprocessed items)."""
    with _dynamodb(), TodoModel.batch_write() as batch:
        for task_id in task_ids:
            batch.delete(TodoModel(user_id, task_id))
