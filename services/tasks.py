"""Task logic: ids, timestamps, status rules, paging. Knows nothing of HTTP or Lambda."""

import hashlib
import json
import time
from datetime import UTC, datetime
from typing import Any, NamedTuple

from models import IdempotencyRecord, TodoModel
from models.idempotency import partition
from services import cursor, store
from services.errors import IdempotencyKeyReused, NotOwner, TaskNotFound
from services.fields import Changes
from services.ids import is_task_id, uuid7

# Items one clear request reads (one Query) and so deletes at most, however many tasks the
# user holds: a bounded request; `more` and a cursor say where the next one goes on.
CLEAR_READ_LIMIT = 500
IDEMPOTENCY_TTL = 24 * 3600  # how long a retry with the same key gets the first answer


def now_iso() -> str:
    """UTC, millisecond precision, `Z` suffix: what JavaScript's toISOString gives (the seed)."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def check_owner(caller_id: str, claimed: list[str]) -> None:
    """The seed sends a user id in the request; it may only ever name the caller."""
    if any(user_id != caller_id for user_id in claimed):
        raise NotOwner("the userId in the request is not the signed-in user")


def view(item: TodoModel) -> dict[str, Any]:
    """A task as the API shows it (camelCase), without its URL. Items written by the seed
    tutorial's functions lack priority and version: they read as `normal` and version 0."""
    status = item.status or "pending"
    return {
        "userId": item.user_id,
        "taskId": item.task_id,
        "title": item.title or "",
        "description": item.description,
        "status": status,
        "completed": status == "completed",
        "dueDate": item.due_date,
        "priority": item.priority or "normal",
        "tags": list(item.tags or []),
        "order": int(item.order) if item.order is not None else None,
        "createdAt": item.created_at or item.updated_at or "",
        "updatedAt": item.updated_at or item.created_at or "",
        "completedAt": item.completed_at,
        "version": int(item.version or 0),
    }


def fingerprint(body: dict[str, Any]) -> str:
    """Of the request as sent, so that a retry matches whatever the defaults become."""
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8", "surrogatepass")).hexdigest()


class Created(NamedTuple):
    task: dict[str, Any]
    replayed: bool  # True: the answer to an earlier request with the same Idempotency-Key


def create_task(
    user_id: str,
    values: dict[str, Any],
    *,
    idempotency_key: str | None = None,
    request_fingerprint: str = "",
) -> Created:
    """One write; with an Idempotency-Key, one transaction that creates the task only once."""
    item = _new_item(user_id, values)
    task = view(item)
    if idempotency_key is None:
        store.put_new(item)
        return Created(task, replayed=False)
    now = int(time.time())
    record = IdempotencyRecord(
        partition(user_id),
        idempotency_key,
        fingerprint=request_fingerprint,
        task_id=item.task_id,
        response=json.dumps(task, separators=(",", ":")),
        expires_at=now + IDEMPOTENCY_TTL,
    )
    earlier = store.put_new_once(item, record, now)
    if earlier is None:
        return Created(task, replayed=False)
    if earlier.fingerprint != request_fingerprint:
        raise IdempotencyKeyReused("this Idempotency-Key was used with another request body")
    return Created(json.loads(earlier.response), replayed=True)


def _new_item(user_id: str, values: dict[str, Any]) -> TodoModel:
    now = now_iso()
    status = values["status"]
    return TodoModel(
        user_id,
        uuid7(),
        title=values["title"],
        description=values.get("description"),
        status=status,
        due_date=values.get("dueDate"),
        priority=values["priority"],
        tags=values.get("tags") or None,
        order=values.get("order"),
        created_at=now,
        updated_at=now,
        completed_at=now if status == "completed" else None,
        version=1,
    )


def get_task(user_id: str, task_id: str) -> dict[str, Any]:
    item = store.get(user_id, task_id) if is_task_id(task_id) else None
    if item is None:
        raise TaskNotFound(user_id, task_id)
    return view(item)


class Page(NamedTuple):
    tasks: list[dict[str, Any]]
    next_cursor: str | None


def list_tasks(
    user_id: str, *, limit: int, ascending: bool, status: str | None, after: str | None
) -> Page:
    """One page, one Query. A status filter may leave a page short; the cursor goes on."""
    query = f"{'asc' if ascending else 'desc'}:{status or ''}"
    start = cursor.decode(user_id, query, after) if after else None
    items, last = store.query_page(
        user_id, limit=limit, ascending=ascending, start_after=start, status=status
    )
    next_cursor = cursor.encode(user_id, query, last) if last else None
    return Page([view(item) for item in items], next_cursor)


def update_task(
    user_id: str, task_id: str, changes: Changes, *, expected_version: int | None
) -> dict[str, Any]:
    if not is_task_id(task_id):
        raise TaskNotFound(user_id, task_id)
    status = changes.set.get("status")
    item = store.update(
        user_id,
        task_id,
        set_fields=changes.set,
        remove_fields=changes.remove,
        now=now_iso(),
        completed=None if status is None else status == "completed",
        expected_version=expected_version,
        write_id=uuid7(),
    )
    return view(item)


def delete_task(user_id: str, task_id: str, *, expected_version: int | None) -> None:
    if not is_task_id(task_id):
        raise TaskNotFound(user_id, task_id)
    store.delete(user_id, task_id, expected_version=expected_version)


class Cleared(NamedTuple):
    deleted: int
    more: bool
    next_cursor: str | None  # where the next clear request goes on


def clear_tasks(user_id: str, *, status: str | None, after: str | None = None) -> Cleared:
    """Delete the caller's tasks (of one status, or all) among the next CLEAR_READ_LIMIT
    read: one Query, then the deletes of what it matched. Without a status filter every item
    read is deleted; with one, the cursor lets the next request skip what was kept."""
    query = f"clear:{status or 'all'}"
    start = cursor.decode(user_id, query, after) if after else None
    ids, last = store.query_ids(user_id, status=status, start_after=start, limit=CLEAR_READ_LIMIT)
    store.delete_many(user_id, ids)
    next_cursor = cursor.encode(user_id, query, last) if last else None
    return Cleared(len(ids), more=last is not None, next_cursor=next_cursor)
