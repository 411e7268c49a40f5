"""What a record of the table's stream means for events: a task created, changed or
deleted (one record, one change, whichever route made it, a clear's deletes included), a
list created, renamed or deleted or its members changed (the list's record), the default
list renamed (its owner's profile), a webhook asking for a test event, a deleted list's
tasks awaiting the clean-up (its marker written), or nothing (the
table's other items: idempotency records, tombstones, memberships, delivery logs...).
Records are in Lambda's DynamoDB event format; the local server hands over the same shape
(emulator/streams.py)."""

import hashlib
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any, NamedTuple

from models import ListRecord, ListsProfile, MemberEntry, TodoModel, Webhook
from models.list import LIST_PREFIX, PURGE_PARTITION, RECORD_KEY, list_id_of
from models.membership import PARTITION_SUFFIX as MEMBERSHIPS
from models.membership import PROFILE_KEY
from models.webhook import PARTITION_SUFFIX as WEBHOOKS
from services.domain import lists
from services.domain.ids import derived_uuid7
from services.domain.tasks import view

# Server-set fields that change with every write: a change of nothing else is no event.
_BOOKKEEPING = ("updatedAt", "version")


class TaskChange(NamedTuple):
    partition: str  # the task's partition: its owner's user id
    task_id: str
    old: dict[str, Any] | None  # the task as the API showed it before (None: created)
    new: dict[str, Any] | None  # and after (None: deleted)
    moment: datetime  # when the change was written (the record's approximate time)
    record_id: str  # the stream record's id: events made from it keep their ids on a retry


class ListChange(NamedTuple):
    """A list's record written (None: not there before, or deleted), or, for the default
    list, its owner's profile (`owner` set)."""

    old: ListRecord | ListsProfile | None
    new: ListRecord | ListsProfile | None
    moment: datetime
    record_id: str
    owner: str | None = None  # the default list's owner, when this is its profile


class ListEvent(NamedTuple):
    kind: str
    user: str  # who hears of it (one event per member: `list.role` is theirs)
    data: dict[str, Any]
    subject: str  # what in the record it is about (a member's id, or "list")


class PurgeRequest(NamedTuple):
    """A deleted list's marker written: its tasks await the bounded clean-up."""

    list_id: str


class WebhookTest(NamedTuple):
    user_id: str
    webhook_id: str
    event_id: str
    moment: datetime


def _moment(record: dict[str, Any]) -> datetime:
    value = record.get("dynamodb", {}).get("ApproximateCreationDateTime")
    if isinstance(value, int | float):
        return datetime.fromtimestamp(value, UTC)
    return datetime.now(UTC)


def _task(image: dict[str, Any] | None) -> dict[str, Any] | None:
    return view(TodoModel.from_raw_data(image)) if image else None


def is_task_partition(partition: str) -> bool:
    """A user's own tasks live in the partition named by their id, which never holds a "#";
    a shared list's in `list#<listId>`. Every other item's partition is neither."""
    return bool(partition) and ("#" not in partition or list_id_of(partition) is not None)


def audience(change: TaskChange) -> list[str]:
    """Which users hear about a change of this task: the owner of the default list it is in,
    or every member of its list (one GetItem; nobody once the list is deleted)."""
    return lists.audience(change.partition)


def _list(image: dict[str, Any] | None) -> ListRecord | None:
    return ListRecord.from_raw_data(image) if image else None


def _profile(image: dict[str, Any] | None) -> ListsProfile | None:
    return ListsProfile.from_raw_data(image) if image else None


def read(record: dict[str, Any]) -> TaskChange | ListChange | PurgeRequest | WebhookTest | None:
    stream = record.get("dynamodb") or {}
    keys = stream.get("Keys") or {}
    partition = keys.get("userID", {}).get("S", "")
    sort_key = keys.get("taskID", {}).get("S", "")
    old_image, new_image = stream.get("OldImage"), stream.get("NewImage")
    if is_task_partition(partition):
        return TaskChange(partition, sort_key, _task(old_image), _task(new_image),
                          _moment(record), str(record.get("eventID", "")))
    if partition.startswith(LIST_PREFIX) and sort_key == RECORD_KEY:
        return ListChange(_list(old_image), _list(new_image), _moment(record),
                          str(record.get("eventID", "")))
    if partition == PURGE_PARTITION and new_image:
        return PurgeRequest(sort_key)
    if partition.endswith(MEMBERSHIPS) and sort_key == PROFILE_KEY:
        return ListChange(_profile(old_image), _profile(new_image), _moment(record),
                          str(record.get("eventID", "")), owner=partition.removesuffix(MEMBERSHIPS))
    if partition.endswith(WEBHOOKS) and new_image:
        new = Webhook.from_raw_data(new_image)
        old = Webhook.from_raw_data(old_image) if old_image else None
        if new.test_event_id and (old is None or old.test_event_id != new.test_event_id):
            return WebhookTest(partition.removesuffix(WEBHOOKS), sort_key, new.test_event_id,
                               _moment(record))
    return None


def task_event(change: TaskChange) -> tuple[str, dict[str, Any]] | None:
    """The event type and data of a task change, or None when nothing a client sees changed
    (an index key written by a backfill)."""
    old, new = change.old, change.new
    if new is None:
        return ("task.deleted", {"task": old}) if old is not None else None
    if old is None:
        return "task.created", {"task": new}
    if old == new:
        return None
    changed = sorted(name for name in new if name not in _BOOKKEEPING
                     and old.get(name) != new[name])
    # Completed: the status became completed, or a repeating task's occurrence was done (the
    # task then moves on to its next one, still open).
    done = (new["completed"] and not old["completed"]) or (
        new.get("completedCount", 0) > old.get("completedCount", 0))
    return ("task.completed" if done else "task.updated"), {"task": new, "changed": changed}


def _member(user: str, entry: MemberEntry) -> dict[str, Any]:
    return {"userId": user, "role": str(entry.role), "joinedAt": entry.joined_at}


def list_events(change: ListChange) -> list[ListEvent]:
    """The events of one write of a list's record, one per member who hears of it: a member
    removed, and every member of a deleted list, hear of it as the list was."""
    if change.owner is not None:
        return _default_list_events(change, change.owner)
    old, new = change.old, change.new
    assert isinstance(old, ListRecord | None) and isinstance(new, ListRecord | None)
    before = dict(old.members) if old is not None else {}
    after = dict(new.members) if new is not None else {}
    events: list[ListEvent] = []

    def tell(kind: str, users: Iterable[str], subject: str, extra: dict[str, Any]) -> None:
        for user in sorted(users):
            seen = new if new is not None and user in after else old
            assert seen is not None
            events.append(ListEvent(kind, user, {"list": lists.list_view(seen, user), **extra},
                                    subject))

    if new is None:
        tell("list.deleted", before, "list", {})
        return events
    if old is None:
        tell("list.created", after, "list", {})
        return events
    if old.name != new.name:
        tell("list.updated", after, "list", {"changed": ["name"]})
    for user in sorted(after.keys() - before.keys()):
        tell("list.member_added", after, user, {"member": _member(user, after[user])})
    for user in sorted(after.keys() & before.keys()):
        if after[user].role != before[user].role:
            tell("list.member_updated", after, user, {"member": _member(user, after[user])})
    for user in sorted(before.keys() - after.keys()):
        tell("list.member_removed", [*after, user], user, {"member": _member(user, before[user])})
    return events


def _default_list_events(change: ListChange, owner: str) -> list[ListEvent]:
    old, new = change.old, change.new
    assert isinstance(old, ListsProfile | None) and isinstance(new, ListsProfile | None)
    shown = [lists.default_view(owner, profile) for profile in (old, new)]
    if new is None or shown[0]["name"] == shown[1]["name"]:
        return []  # the count of lists owned, kept in the same item, is no event
    return [ListEvent("list.updated", owner, {"list": shown[1], "changed": ["name"]}, "list")]


def event_id(moment: datetime, seed: str) -> str:
    return derived_uuid7(int(moment.timestamp() * 1000), seed)


def schedule_name(partition: str, task_id: str, index: int) -> str:
    """A reminder's schedule: the same name for the same reminder of the same task, so a
    change moves it (EventBridge Scheduler: at most 64 of [0-9A-Za-z_.-])."""
    digest = hashlib.sha256(f"{partition}/{task_id}".encode("utf-8", "surrogatepass"))
    return f"reminder-{digest.hexdigest()[:40]}-{index}"
