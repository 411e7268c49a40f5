"""What a record of the table's stream means for events: a task created, changed or
deleted (one record, one change, whichever route made it, a clear's deletes included), a
webhook asking for a test event, or nothing (the table's other items: idempotency records,
tombstones, delivery logs...). Records are in Lambda's DynamoDB event format; the local
server hands over the same shape (emulator/streams.py)."""

import hashlib
from datetime import UTC, datetime
from typing import Any, NamedTuple

from models import TodoModel, Webhook
from models.webhook import PARTITION_SUFFIX as WEBHOOKS
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


def owner_of(partition: str) -> str | None:
    """The user whose task partition this is; None for every other kind of item. A user's
    own tasks live in the partition named by their id, which never holds a "#"."""
    return partition if partition and "#" not in partition else None


def audience(change: TaskChange) -> list[str]:
    """Which users hear about a change of this task: its owner."""
    owner = owner_of(change.partition)
    return [owner] if owner else []


def read(record: dict[str, Any]) -> TaskChange | WebhookTest | None:
    stream = record.get("dynamodb") or {}
    keys = stream.get("Keys") or {}
    partition = keys.get("userID", {}).get("S", "")
    sort_key = keys.get("taskID", {}).get("S", "")
    old_image, new_image = stream.get("OldImage"), stream.get("NewImage")
    if owner_of(partition):
        return TaskChange(partition, sort_key, _task(old_image), _task(new_image),
                          _moment(record), str(record.get("eventID", "")))
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


def event_id(moment: datetime, seed: str) -> str:
    return derived_uuid7(int(moment.timestamp() * 1000), seed)


def schedule_name(partition: str, task_id: str, index: int) -> str:
    """A reminder's schedule: the same name for the same reminder of the same task, so a
    change moves it (EventBridge Scheduler: at most 64 of [0-9A-Za-z_.-])."""
    digest = hashlib.sha256(f"{partition}/{task_id}".encode("utf-8", "surrogatepass"))
    return f"reminder-{digest.hexdigest()[:40]}-{index}"
