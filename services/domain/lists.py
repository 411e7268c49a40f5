"""Lists: the default list and the others, who may do what in them (the access check every
request on a list starts with), and where a list's tasks live. Knows nothing of HTTP.
docs/LISTS.md has the contract and the data design."""

import json
import time
from collections.abc import Callable, Mapping
from typing import Any, NamedTuple, TypeVar

from models import IdempotencyRecord, ListRecord, ListsProfile, MemberEntry
from models.idempotency import partition as idempotency_partition
from models.list import RECORD_KEY, list_id_of, record_partition, tasks_partition
from models.membership import partition as memberships_partition
from services.data import lists as data
from services.data import store
from services.data.lists import LimitHit, RecordChanged
from services.domain import cursor
from services.domain.cursor import Cursor
from services.domain.ids import is_task_id, uuid7
from services.domain.tasks import IDEMPOTENCY_TTL, now_iso
from services.errors import (
    EditConflict,
    FieldError,
    IdempotencyKeyReused,
    LimitReached,
    ListNotFound,
    NotAllowed,
    ValidationFailed,
    VersionMismatch,
)

DEFAULT_LIST = "default"
DEFAULT_NAME = "Tasks"
OWNER, EDITOR, VIEWER = "owner", "editor", "viewer"
ROLES = (OWNER, EDITOR, VIEWER)
WRITERS = frozenset({OWNER, EDITOR})
MAX_OWNED_LISTS = 100
MAX_MEMBERS = 50  # the owner included
MAX_OPEN_INVITATIONS = 20
# Where a listing of lists goes on after the default list: before every real list id.
_AFTER_DEFAULT = "00000000-0000-0000-0000-000000000000"
_LISTS_QUERY = "lists"

_T = TypeVar("_T")


class Access(NamedTuple):
    """What the access check found: the caller's role in the list and where its tasks live."""

    list_id: str
    partition: str
    role: str
    caller: str
    record: ListRecord | None  # None for the default list (nothing to read)

    @property
    def members(self) -> frozenset[str]:
        return frozenset(self.record.members) if self.record else frozenset({self.caller})

    @property
    def shared(self) -> bool:
        """A list other than the default: its tasks carry createdBy and updatedBy."""
        return self.record is not None


def is_list_id(text: str) -> bool:
    return text == DEFAULT_LIST or is_task_id(text)


def task_partition(user_id: str, list_id: str) -> str:
    """Where the tasks of `list_id`, as `user_id` sees it, live: the default list in the
    user's own partition (as every task before lists), any other in `list#<listId>`."""
    return user_id if list_id == DEFAULT_LIST else tasks_partition(list_id)


def role_in(record: ListRecord | None, caller: str) -> str:
    """The caller's role; ListNotFound when the list is gone or the caller is no member (the
    same answer, so that nobody learns which lists exist)."""
    entry = record.members.get(caller) if record is not None else None
    if entry is None:
        raise ListNotFound("no such list")
    return str(entry.role)


def open_list(caller: str, list_id: str, *, write: bool = False) -> Access:
    """The access check: nothing to read for the default list; for any other, one strongly
    consistent GetItem of its record, on every request."""
    if list_id == DEFAULT_LIST:
        return Access(DEFAULT_LIST, caller, OWNER, caller, None)
    if not is_task_id(list_id):
        raise ListNotFound("no such list")
    record = data.get_record(list_id)
    role = role_in(record, caller)
    if write:
        require(role in WRITERS, f"A {role} of this list may read its tasks, not change them")
    assert record is not None
    return Access(list_id, tasks_partition(list_id), role, caller, record)


def require(allowed: bool, detail: str) -> None:
    if not allowed:
        raise NotAllowed(detail)


def check_assignee(access: Access, assignee: str | None) -> None:
    """An assignee must be a member of the task's list (in the default list: its owner)."""
    if assignee is not None and assignee not in access.members:
        raise ValidationFailed("Invalid task", [FieldError(
            "assigneeId", "must be the user id of a member of the task's list")])


def list_view(record: ListRecord, caller: str) -> dict[str, Any]:
    return {
        "listId": record.list_id,
        "name": record.name,
        "ownerId": record.owner_id,
        "role": role_in(record, caller),
        "memberCount": len(record.members),
        "createdAt": record.created_at,
        "updatedAt": record.updated_at,
        "version": int(record.version),
    }


def default_view(caller: str, profile: ListsProfile | None) -> dict[str, Any]:
    return {
        "listId": DEFAULT_LIST,
        "name": (profile.name if profile else None) or DEFAULT_NAME,
        "ownerId": caller,
        "role": OWNER,
        "memberCount": 1,
        "createdAt": profile.created_at if profile else None,
        "updatedAt": profile.updated_at if profile else None,
        "version": int(profile.version or 0) if profile else 0,
    }


class ListsPage(NamedTuple):
    lists: list[dict[str, Any]]
    next_cursor: str | None


def list_lists(caller: str, *, limit: int, after: str | None) -> ListsPage:
    """The caller's lists, the default first, then the others by creation: one Query of the
    caller's memberships (at most `limit`), then one BatchGetItem of those lists' records."""
    at = cursor.decode(caller, _LISTS_QUERY, after).task_id if after else None
    items, last = data.query_memberships(
        caller, limit=limit,
        after=None if at is None else f"list#{at}")
    entries: list[tuple[str, dict[str, Any] | None]] = []  # (list id, view of the default)
    if at is None:
        profile = items[0] if items and isinstance(items[0], ListsProfile) else None
        entries.append((_AFTER_DEFAULT, default_view(caller, profile)))
    entries += [(item.list_id, None) for item in items if not isinstance(item, ListsProfile)]
    if len(entries) > limit:  # the default came on top of a full page of memberships
        entries = entries[:limit]
        last = "more"
    records = data.get_records([list_id for list_id, view in entries if view is None])
    shown = []
    for list_id, view in entries:
        record = records.get(list_id)
        if view is not None:
            shown.append(view)
        elif record is not None and caller in record.members:  # (else: left a moment ago)
            shown.append(list_view(record, caller))
    next_cursor = None
    if last is not None:
        next_cursor = cursor.encode(caller, _LISTS_QUERY, Cursor(entries[-1][0], None, False,
                                                                 None))
    return ListsPage(shown, next_cursor)


def get_list(access: Access) -> dict[str, Any]:
    if access.record is None:
        return default_view(access.caller, data.get_profile(access.caller))
    return list_view(access.record, access.caller)


def shared_record(access: Access) -> ListRecord:
    """The record of a list that can be shared: any but the default."""
    require(access.record is not None, "The default list cannot be shared")
    assert access.record is not None
    return access.record


class CreatedList(NamedTuple):
    view: dict[str, Any]
    replayed: bool  # the answer to an earlier request with the same Idempotency-Key


def create_list(caller: str, name: str, *, idempotency_key: str | None = None,
                request_fingerprint: str = "") -> CreatedList:
    """One transaction: the list, its owner's membership and count (at most MAX_OWNED_LISTS),
    and with an Idempotency-Key its record (`<user>#lists#idempotency`), so that a retry
    answers what the first request did and creates nothing."""
    now = now_iso()
    list_id = uuid7()
    owner = MemberEntry(role=OWNER, joined_at=now)  # type: ignore[no-untyped-call]
    record = ListRecord(
        record_partition(list_id), RECORD_KEY, list_id=list_id, name=name, owner_id=caller,
        created_at=now, updated_at=now, version=1, members={caller: owner}, invitations={},
    )
    view = list_view(record, caller)
    once = None
    clock = int(time.time())
    if idempotency_key is not None:
        once = IdempotencyRecord(
            idempotency_partition(memberships_partition(caller)), idempotency_key,
            fingerprint=request_fingerprint, task_id=list_id,
            response=json.dumps(view, separators=(",", ":")), expires_at=clock + IDEMPOTENCY_TTL)
    try:
        earlier = data.create(record, max_owned=MAX_OWNED_LISTS, once=once, now=clock)
    except LimitHit:
        raise LimitReached("lists-owned", f"A user may own at most {MAX_OWNED_LISTS} lists: "
                           "delete one first") from None
    if earlier is None:
        return CreatedList(view, replayed=False)
    if earlier.fingerprint != request_fingerprint:
        raise IdempotencyKeyReused("this Idempotency-Key was used with another request body")
    return CreatedList(json.loads(earlier.response), replayed=True)


def settle(list_id: str, attempt: Callable[[ListRecord | None], _T],
           record: ListRecord | None) -> _T:
    """Run a check-then-write on the list record; when the write's condition finds the record
    changed, decide again on the record it returned (at most three times in all)."""
    for _ in range(3):
        try:
            return attempt(record)
        except RecordChanged as changed:
            record = changed.current
    raise EditConflict(f"list {list_id} kept changing")


def _owned(record: ListRecord | None, caller: str, action: str) -> ListRecord:
    role = role_in(record, caller)
    require(role == OWNER, f"Only the list's owner may {action}; you are its {role}")
    assert record is not None
    return record


def check_version(record: ListRecord, expected: frozenset[int] | None) -> None:
    """If-Match on a list (or its members, its invitations): one of the versions it names."""
    if expected is not None and int(record.version) not in expected:
        raise VersionMismatch(expected, int(record.version))


def rename_list(access: Access, name: str, *,
                expected_version: frozenset[int] | None) -> dict[str, Any]:
    caller = access.caller
    if access.record is None:
        profile = data.rename_default(caller, name, now=now_iso(), version=expected_version)
        return default_view(caller, profile)

    def attempt(record: ListRecord | None) -> dict[str, Any]:
        owned = _owned(record, caller, "rename it")
        check_version(owned, expected_version)
        renamed = data.rename(owned.list_id, name, now=now_iso(), version=int(owned.version))
        return list_view(renamed, caller)

    return settle(access.list_id, attempt, access.record)


def delete_list(access: Access, *, expected_version: frozenset[int] | None) -> None:
    require(access.record is not None, "The default list cannot be deleted")

    def attempt(record: ListRecord | None) -> None:
        owned = _owned(record, access.caller, "delete it")
        check_version(owned, expected_version)
        data.delete(owned, now=now_iso())

    settle(access.list_id, attempt, access.record)


# For code that reacts to task changes (the table's stream) and for the clean-up.


def partition_of(image: Mapping[str, Any]) -> str | None:
    """The partition of the task an item image is about (DynamoDB JSON, as a stream record's
    NewImage or OldImage): a task's own, or a tombstone's task's. None for other items."""
    sync = image.get("syncUserID", {}).get("S")
    if sync:
        return str(sync)
    partition = str(image.get("userID", {}).get("S", ""))
    if partition and ("#" not in partition or list_id_of(partition)):
        return partition  # a task written before the change index (no syncUserID)
    return None


def audience(partition: str) -> list[str]:
    """Who may see the tasks of a partition: the user whose default list it is, or the
    members of the list (one GetItem; nobody once the list is deleted)."""
    list_id = list_id_of(partition)
    if list_id is None:
        return [partition]
    record = data.get_record(list_id)
    return sorted(record.members) if record is not None else []


PURGE_LISTS_PER_RUN = 25
PURGE_TASKS_PER_LIST = 250


class Purged(NamedTuple):
    tasks: int  # deleted by this run
    lists: int  # deleted lists now wholly cleaned up (and forgotten)
    more: bool  # whether another run has work left


def purge_deleted_lists() -> Purged:
    """The bounded clean-up of deleted lists' tasks: for at most PURGE_LISTS_PER_RUN deleted
    lists, delete up to PURGE_TASKS_PER_LIST of their tasks; a list whose partition is then
    empty is forgotten. At most 1 + 25 x (2 + 10) requests; run it again while `more`."""
    tasks = lists = 0
    pending = data.deleted_lists(PURGE_LISTS_PER_RUN)
    for list_id in pending:
        partition = tasks_partition(list_id)
        ids, last = store.query_ids(partition, status=None, start_after=None,
                                    limit=PURGE_TASKS_PER_LIST)
        data.delete_items([(partition, task_id) for task_id in ids])
        tasks += len(ids)
        if last is None:
            data.forget_deleted_list(list_id)
            lists += 1
    return Purged(tasks, lists, more=len(pending) == PURGE_LISTS_PER_RUN or lists < len(pending))


def purge_and_continue() -> Purged:
    """One bounded clean-up run, for the dispatcher: a deleted list's marker, written in the
    list's delete, reaches it through the table's stream; when work is left, the run writes a
    marker again, and that change asks for the next run. So the clean-up needs no schedule,
    and each run stays bounded whatever the lists held."""
    done = purge_deleted_lists()
    if done.more:
        waiting = data.deleted_lists(1)
        if waiting:
            data.touch_deleted_list(waiting[0], now_iso())
    return done
