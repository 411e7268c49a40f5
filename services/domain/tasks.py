"""Task logic: ids, timestamps, status rules, paging. Knows nothing of HTTP or Lambda."""

import hashlib
import json
import time
from datetime import UTC, datetime
from typing import Any, NamedTuple

from models import ChecklistItem, IdempotencyRecord, Reminder, TodoModel, Tombstone
from models.idempotency import partition
from models.list import list_id_of
from models.tombstone import TOMBSTONE_TTL
from models.tombstone import partition as tombstone_partition
from services.data import store
from services.data.store import Position
from services.domain import cursor, schedule
from services.domain.cursor import Cursor
from services.domain.due import bound_key, derived_at, instant, parse
from services.domain.fields import Changes
from services.domain.ids import is_task_id, uuid7
from services.errors import (
    IdempotencyKeyReused,
    NotOwner,
    StoreUnavailable,
    SyncTokenExpired,
    TaskNotFound,
    ValidationFailed,
    VersionMismatch,
)

# Items one clear request reads (one Query) and so deletes at most, however many tasks the
# user holds: a bounded request; `more` and a cursor say where the next one goes on.
CLEAR_READ_LIMIT = 250
IDEMPOTENCY_TTL = 24 * 3600  # how long a retry with the same key gets the first answer
# A sync token stands for this long before the moment it was issued. A change is stamped
# with its writer's clock before the write lands (retries may take up to 15 s, see
# models.table) and reaches the change index a little later still: going back this far,
# the next sync re-reads some changes (harmless) but misses none.
SYNC_OVERLAP_MS = 60_000


def _epoch_ms() -> int:
    return time.time_ns() // 1_000_000


def _iso(epoch_ms: int) -> str:
    moment = datetime.fromtimestamp(epoch_ms / 1000, UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def now_iso() -> str:
    """UTC, millisecond precision, `Z` suffix: what JavaScript's toISOString gives (the seed)."""
    return _iso(_epoch_ms())


def check_owner(caller_id: str, claimed: list[str]) -> None:
    """The seed sends a user id in the request; it may only ever name the caller."""
    if any(user_id != caller_id for user_id in claimed):
        raise NotOwner("the userId in the request is not the signed-in user")


def view(item: TodoModel) -> dict[str, Any]:
    """A task as the API shows it (camelCase), without its URL. Items written by the seed
    tutorial's functions lack priority and version: they read as `normal` and version 0.
    A task of a list other than the default names who created and last changed it (its
    `userId` is its creator: the partition is the list's)."""
    status = item.status or "pending"
    list_id = list_id_of(item.user_id)
    shown = {
        "userId": item.user_id if list_id is None else item.created_by or "",
        "taskId": item.task_id,
        "listId": list_id or "default",
        "title": item.title or "",
        "description": item.description,
        "status": status,
        "completed": status == "completed",
        "dueDate": item.due_date,
        "timeZone": item.time_zone,
        # Derived on write; tasks stored before dueAt existed get it derived on read.
        "dueAt": item.due_at or derived_at(item.due_date, item.time_zone),
        "recurrence": item.recurrence,
        "priority": item.priority or "normal",
        "tags": list(item.tags or []),
        "order": int(item.order) if item.order is not None else None,
        "createdAt": item.created_at or item.updated_at or "",
        "updatedAt": item.updated_at or item.created_at or "",
        "completedAt": item.completed_at,
        "completedCount": int(item.completed_count or 0),
        "lastCompletedAt": item.last_completed_at,
        "version": int(item.version or 0),
        "checklist": [{"title": entry.title, "done": bool(entry.done)}
                      for entry in item.checklist or []],
        "reminders": [{"before": entry.before} if entry.before is not None else {"at": entry.at}
                      for entry in item.reminders or []],
        "assigneeId": item.assignee_id,
    }
    if list_id is not None:
        shown["createdBy"] = item.created_by or ""
        shown["updatedBy"] = item.updated_by or item.created_by or ""
    return shown


def tombstone_view(item: Tombstone) -> dict[str, Any]:
    return {"taskId": item.task_id, "deleted": True, "deletedAt": item.deleted_at}


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
    actor: str | None = None,
) -> Created:
    """One write; with an Idempotency-Key, one transaction that creates the task only once.
    `actor`: who creates it, in a list other than the default (`user_id` is then the list's
    partition, and each member's keys are its own)."""
    item = _new_item(user_id, values, actor)
    task = view(item)
    if idempotency_key is None:
        store.put_new(item)
        return Created(task, replayed=False)
    now = int(time.time())
    record = IdempotencyRecord(
        partition(user_id),
        idempotency_key if actor is None else f"{actor}#{idempotency_key}",
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


def _new_item(user_id: str, values: dict[str, Any], actor: str | None = None) -> TodoModel:
    now = now_iso()
    task_id = uuid7()
    planned = schedule.plan(Changes(values, frozenset()), schedule.NOTHING, task_id=task_id,
                            now=now).set
    status = planned["status"]
    return TodoModel(
        user_id,
        task_id,
        title=planned["title"],
        description=planned.get("description"),
        status=status,
        due_date=planned.get("dueDate"),
        time_zone=planned.get("timeZone"),
        recurrence=planned.get("recurrence"),
        due_at=planned.get("dueAt"),
        priority=planned["priority"],
        tags=planned.get("tags") or None,
        order=planned.get("order"),
        checklist=[ChecklistItem(**entry)  # type: ignore[no-untyped-call]
                   for entry in planned.get("checklist") or []] or None,
        reminders=[Reminder(**entry)  # type: ignore[no-untyped-call]
                   for entry in planned.get("reminders") or []] or None,
        created_at=now,
        updated_at=now,
        completed_at=now if status == "completed" else None,
        # Created already completed, a repeating task has moved on to its next occurrence.
        completed_count=1 if "lastCompletedAt" in planned else None,
        last_completed_at=planned.get("lastCompletedAt"),
        occurrence=planned.get("occurrence"),
        occurrence_rule=planned.get("occurrenceRule"),
        version=1,
        assignee_id=values.get("assigneeId"),
        created_by=actor,
        updated_by=actor,
        due_key=planned.get("dueKey"),
        sync_user_id=user_id,
        change_key=change_index_key(now, task_id),
    )


def due_index_key(due: str | None, task_id: str, time_zone: str | None = None) -> str | None:
    """The due-date index key of a task due then (None without a due date)."""
    return schedule.due_index_key(instant(parse(due), time_zone), task_id) if due else None


def change_index_key(moment: str, task_id: str) -> str:
    return f"{moment}#{task_id}"


def get_task(user_id: str, task_id: str) -> dict[str, Any]:
    item = store.get(user_id, task_id) if is_task_id(task_id) else None
    if item is None:
        raise TaskNotFound(user_id, task_id)
    return view(item)


class Page(NamedTuple):
    tasks: list[dict[str, Any]]  # with `since`, tombstones too
    next_cursor: str | None
    sync_token: str  # X-Sync-Token


class ListQuery(NamedTuple):
    limit: int = 50
    ascending: bool = True
    status: str | None = None
    tag: str | None = None
    by_due_date: bool = False  # the due-date view
    due_after: str | None = None  # inclusive; a date or date-time as given
    due_before: str | None = None  # exclusive
    since: str | None = None  # a sync token: changes and deletions after it
    after: str | None = None  # a cursor
    assignee: str | None = None  # only tasks assigned to this user

    def fingerprint(self) -> str:
        """What a cursor is bound to: the same query, only the page moves."""
        parts = ["asc" if self.ascending else "desc", self.status or ""]
        if self.tag:  # (without one, cursors issued before the tag filter existed still work)
            parts.append(f"tag={self.tag}")
        if self.assignee:
            parts.append(f"assignee={self.assignee}")
        if self.by_due_date:
            parts += ["due", self.due_after or "", self.due_before or ""]
        if self.since:
            parts = ["since", self.since]
        return ":".join(parts)


def list_tasks(user_id: str, query: ListQuery) -> Page:
    """One page, one Query (on the table, the due-date index or the change index), reading
    at most `limit` items. Filters (status, tag) may leave a page short; the cursor goes on.

    The sync token of every page of a listing stands for the moment its first page was
    read (less SYNC_OVERLAP_MS), so a client may keep any of them: a change made while it
    pages comes after that moment, and the next sync reports it."""
    fingerprint = query.fingerprint()
    at = cursor.decode(user_id, fingerprint, query.after) if query.after else None
    now = _epoch_ms()
    # A cursor cannot move the listing's start into the future (its token would skip changes).
    started = min(at.started_ms, now) if at and at.started_ms else now
    if query.since:
        return _changes(user_id, query, at, started, fingerprint)
    start = Position(at.task_id, at.index_key) if at else None
    if query.by_due_date:
        low = bound_key(query.due_after) if query.due_after else None
        high = bound_key(query.due_before) if query.due_before else None
        if at and not _inside(at, low, high):
            raise cursor.not_issued()
        items, last = store.query_due_page(
            user_id, limit=query.limit, ascending=query.ascending, start_after=start,
            status=query.status, tag=query.tag, due_from=low, due_to=high,
            assignee=query.assignee,
        )
    else:
        items, last = store.query_page(
            user_id, limit=query.limit, ascending=query.ascending, start_after=start,
            status=query.status, tag=query.tag, assignee=query.assignee,
        )
    next_cursor = _next(user_id, fingerprint, last, started)
    token = cursor.sync_token(user_id, started - SYNC_OVERLAP_MS)
    return Page([view(item) for item in items], next_cursor, token)


def _inside(at: Cursor, low: str | None, high: str | None) -> bool:
    """A due-date cursor's index key is that task's, within the query's range."""
    key = at.index_key
    return (
        key is not None and key.endswith(f"#{at.task_id}")
        and (low is None or key >= low) and (high is None or key < high)
    )


def _next(user_id: str, fingerprint: str, last: Position | None, started: int) -> str | None:
    if last is None:
        return None
    return cursor.encode(
        user_id, fingerprint, Cursor(last.task_id, last.index_key, last.tombstone, started)
    )


def _changes(user_id: str, query: ListQuery, at: Cursor | None, started: int,
             fingerprint: str) -> Page:
    """Delta sync: tasks created or changed, and tombstones of tasks deleted, at or after
    the token's moment, oldest change first. Pages before the last carry the token they
    started from (using it again repeats this sync); the last page carries a fresh one."""
    assert query.since is not None
    since_ms = cursor.sync_time(user_id, query.since, _epoch_ms())
    if _epoch_ms() - since_ms > TOMBSTONE_TTL * 1000:
        raise SyncTokenExpired("sync token older than tombstone retention")
    since = _iso(since_ms)
    if at and not _inside(at, since, None):
        raise cursor.not_issued()
    start = Position(at.task_id, at.index_key, at.tombstone) if at else None
    items, last = store.query_changes(user_id, limit=query.limit, start_after=start, since=since)
    found = [tombstone_view(item) if isinstance(item, Tombstone) else view(item)
             for item in items]
    next_cursor = _next(user_id, fingerprint, last, started)
    token = query.since if next_cursor else cursor.sync_token(user_id,
                                                               started - SYNC_OVERLAP_MS)
    return Page(found, next_cursor, token)


# Writes one update may make when the task is not as its plan assumed (the first assumed
# fields absent; each later one plans from the task the failed condition returned).
_UPDATE_ATTEMPTS = 3


def stored_fields(item: TodoModel) -> dict[str, Any]:
    """The fields a write's plan may depend on (schedule.STORED_FIELDS), as stored."""
    return {
        "dueDate": item.due_date, "timeZone": item.time_zone, "recurrence": item.recurrence,
        "status": item.status,
        "checklist": [{"title": entry.title, "done": bool(entry.done)}
                      for entry in item.checklist or []],
        "occurrence": int(item.occurrence) if item.occurrence is not None else None,
        "occurrenceRule": item.occurrence_rule,
    }


def _version(item: TodoModel) -> int:
    return int(item.version or 0)


def update_task(
    user_id: str, task_id: str, changes: Changes, *,
    expected_version: frozenset[int] | None, actor: str | None = None,
) -> dict[str, Any]:
    """One conditional UpdateItem in most cases. When the outcome depends on stored fields
    the request does not carry (schedule.Guess), the write assumes them absent and says so
    in its condition; if the task has them, the failed condition returns it and a second
    write, planned from it and conditioned on its version, follows. A plan the guess makes
    invalid (a rule for a due date the request does not carry) reads the task first."""
    if not is_task_id(task_id):
        raise TaskNotFound(user_id, task_id)
    now = now_iso()
    guess = schedule.Guess()
    pinned: int | None = None  # the version the plan was made from, when made from the task
    try:
        planned = schedule.plan(changes, guess, task_id=task_id, now=now)
        absent = frozenset(guess.asked)
    except ValidationFailed:
        if not guess.asked:
            raise
        item = store.get(user_id, task_id, consistent=True)
        if item is None:
            raise TaskNotFound(user_id, task_id) from None
        pinned = _checked_version(item, expected_version)
        planned = _plan_from(item, changes, task_id, now)
        absent = frozenset()
    write_id = uuid7()
    for _ in range(_UPDATE_ATTEMPTS):
        try:
            item = _write(user_id, task_id, planned, now, write_id, absent,
                          expected_version if pinned is None else frozenset({pinned}), actor)
            return view(item)
        except store.ConditionFailed as failed:
            pinned = _checked_version(failed.item, expected_version)
            planned = _plan_from(failed.item, changes, task_id, now)
            absent = frozenset()
    raise StoreUnavailable("the task kept changing under the update")


def _checked_version(item: TodoModel, expected_version: frozenset[int] | None) -> int:
    """The task's version, if it is one If-Match names (412 otherwise)."""
    version = _version(item)
    if expected_version is not None and version not in expected_version:
        raise VersionMismatch(expected_version, version)
    return version


def _plan_from(item: TodoModel, changes: Changes, task_id: str, now: str) -> schedule.Plan:
    return schedule.plan(changes, schedule.Known(stored_fields(item)), task_id=task_id, now=now)


def _write(user_id: str, task_id: str, planned: schedule.Plan, now: str, write_id: str,
           absent: frozenset[str], expected_version: frozenset[int] | None,
           actor: str | None = None) -> TodoModel:
    """`actor`: who writes, in a list other than the default (`user_id` is its partition)."""
    # The index keys follow the fields: the change index always, the due-date index with
    # the due date (schedule sets or removes dueKey with dueAt).
    set_fields = {**planned.set, "syncUserID": user_id,
                  "changeKey": change_index_key(now, task_id)}
    if actor is not None:  # a list other than the default
        set_fields["updatedBy"] = actor
    status = planned.set.get("status")
    return store.update(
        user_id,
        task_id,
        set_fields=set_fields,
        remove_fields=planned.remove,
        now=now,
        completed=None if status is None else status == "completed",
        expected_version=expected_version,
        write_id=write_id,
        absent=absent,
        add_fields={"completedCount": planned.completions} if planned.completions else None,
    )


# Model attribute (python) names by the names the table (and the API's fields) use.
_PYTHON_NAMES = {attribute.attr_name: name
                 for name, attribute in TodoModel.get_attributes().items()}


def moved(item: TodoModel, partition: str, changes: Changes, actor: str) -> TodoModel:
    """The task as it will be in `partition` after a move that also makes `changes` (planned
    from the task as read, as an update is): the same id, creation time and creator, the next
    version, a fresh change index key (the target's sync reports it); `actor` changed it."""
    now = now_iso()
    planned = _plan_from(item, changes, item.task_id, now)
    new = TodoModel.from_raw_data(item.serialize())
    new.user_id = partition
    fields = {**planned.set, "syncUserID": partition, "updatedBy": actor,
              "changeKey": change_index_key(now, item.task_id)}
    for name, value in fields.items():
        setattr(new, _PYTHON_NAMES[name], value)
    for name in planned.remove:
        setattr(new, _PYTHON_NAMES[name], None)
    if planned.completions:
        new.completed_count = int(item.completed_count or 0) + planned.completions
    status = planned.set.get("status")
    if status == "completed":
        new.completed_at = item.completed_at or now  # the first completion time stays
    elif status is not None:
        new.completed_at = None
    new.updated_at = now
    new.version = _version(item) + 1
    new.write_id = uuid7()
    new.created_by = item.created_by or actor  # a default list's task: its owner created it
    return new


def delete_task(user_id: str, task_id: str, *,
                expected_version: frozenset[int] | None) -> None:
    if not is_task_id(task_id):
        raise TaskNotFound(user_id, task_id)
    store.delete(user_id, task_id, expected_version=expected_version,
                 tombstone=new_tombstone(user_id, task_id, now_iso()))


def new_tombstone(user_id: str, task_id: str, now: str) -> Tombstone:
    return Tombstone(
        tombstone_partition(user_id),
        task_id,
        sync_user_id=user_id,
        change_key=change_index_key(now, task_id),
        deleted_at=now,
        expires_at=int(time.time()) + TOMBSTONE_TTL,
    )


class Cleared(NamedTuple):
    deleted: int
    more: bool
    next_cursor: str | None  # where the next clear request goes on


def clear_tasks(user_id: str, *, status: str | None, after: str | None = None) -> Cleared:
    """Delete the caller's tasks (of one status, or all) among the next CLEAR_READ_LIMIT
    read: one Query, then the deletes of what it matched, each in one transaction with its
    tombstone and only if it still has that status. Without a status filter every item read
    is deleted; with one, the cursor lets the next request skip what was kept."""
    query = f"clear:{status or 'all'}"
    at = cursor.decode(user_id, query, after) if after else None
    ids, last = store.query_ids(user_id, status=status, limit=CLEAR_READ_LIMIT,
                                start_after=Position(at.task_id) if at else None)
    now = now_iso()
    deleted = store.delete_many(user_id, [new_tombstone(user_id, task_id, now)
                                          for task_id in ids], status=status)
    next_cursor = _next(user_id, query, last, _epoch_ms()) if last else None
    return Cleared(deleted, more=last is not None, next_cursor=next_cursor)
