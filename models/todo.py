"""The task item: one per task, partitioned by user, sorted by (time-ordered) task id, and the
table's secondary indexes, declared here once: the emulator's table and the Pulumi table are
derived from this model's schema (models.table.table_definition)."""

from pynamodb.attributes import (
    BooleanAttribute,
    ListAttribute,
    MapAttribute,
    NumberAttribute,
    UnicodeAttribute,
)
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex
from pynamodb.models import Model

from models.table import TableMeta


class DueDateIndex(GlobalSecondaryIndex["TodoModel"]):  # type: ignore[no-untyped-call]
    """A user's tasks that have a due date, by due date (UTC) then creation. Sparse: a task
    without `dueKey` is not in it."""

    class Meta:
        index_name = "byDueDate"
        projection = AllProjection()

    user_id = UnicodeAttribute(hash_key=True, attr_name="userID")
    due_key = UnicodeAttribute(range_key=True, attr_name="dueKey")  # "<dueAt>#<taskID>"


class ChangeIndex(GlobalSecondaryIndex["TodoModel"]):  # type: ignore[no-untyped-call]
    """A user's tasks and tombstones by the time they last changed: the delta-sync feed.
    Tombstones live in a partition of their own but carry the same `syncUserID`."""

    class Meta:
        index_name = "byChange"
        projection = AllProjection()

    sync_user_id = UnicodeAttribute(hash_key=True, attr_name="syncUserID")
    change_key = UnicodeAttribute(range_key=True, attr_name="changeKey")  # "<time>#<taskID>"


class ChecklistItem(MapAttribute[str, object]):
    title = UnicodeAttribute()
    done = BooleanAttribute()


class Reminder(MapAttribute[str, object]):
    """One of a task's reminders: `before` its due time (an ISO 8601 duration) or `at` a
    moment (a date-time with an offset), as the client sent it."""

    before = UnicodeAttribute(null=True)
    at = UnicodeAttribute(null=True)


class TodoModel(Model):
    """A user's task. Attribute names are those of the seed table (userID, taskID, camelCase)."""

    class Meta(TableMeta):
        pass

    user_id = UnicodeAttribute(hash_key=True, attr_name="userID")
    task_id = UnicodeAttribute(range_key=True, attr_name="taskID")
    title = UnicodeAttribute()
    description = UnicodeAttribute(null=True)
    status = UnicodeAttribute()
    due_date = UnicodeAttribute(null=True, attr_name="dueDate")  # as the client wrote it
    time_zone = UnicodeAttribute(null=True, attr_name="timeZone")
    recurrence = UnicodeAttribute(null=True)  # an RRULE, as the client wrote it
    # The instant dueDate stands for (UTC), derived on every write that changes dueDate or
    # timeZone; tasks written before it existed lack it (services/domain/backfill.py).
    due_at = UnicodeAttribute(null=True, attr_name="dueAt")
    priority = UnicodeAttribute()
    tags = ListAttribute(of=UnicodeAttribute, null=True)  # type: ignore[var-annotated]
    order = NumberAttribute(null=True)
    checklist = ListAttribute(of=ChecklistItem, null=True)  # type: ignore[var-annotated]
    reminders = ListAttribute(of=Reminder, null=True)  # type: ignore[var-annotated]
    created_at = UnicodeAttribute(attr_name="createdAt")
    updated_at = UnicodeAttribute(attr_name="updatedAt")
    completed_at = UnicodeAttribute(null=True, attr_name="completedAt")
    # Occurrences of a repeating task completed, and when the last one was.
    completed_count = NumberAttribute(null=True, attr_name="completedCount")
    last_completed_at = UnicodeAttribute(null=True, attr_name="lastCompletedAt")
    # Which occurrence of its series dueDate is (from 0), counted for the rule in
    # occurrenceRule (COUNT ends the series; a new rule starts counting again). Never shown.
    occurrence = NumberAttribute(null=True)
    occurrence_rule = UnicodeAttribute(null=True, attr_name="occurrenceRule")
    version = NumberAttribute()
    # In a list other than the default: a member of that list (models/list.py), and who
    # created and last changed the task.
    assignee_id = UnicodeAttribute(null=True, attr_name="assigneeId")
    created_by = UnicodeAttribute(null=True, attr_name="createdBy")
    updated_by = UnicodeAttribute(null=True, attr_name="updatedBy")
    # Which request wrote last: tells a retried write whose first attempt landed (its answer
    # lost) from a write that really lost a race. Never shown by the API.
    write_id = UnicodeAttribute(null=True, attr_name="writeId")
    # Index keys, written with every create and update (never shown by the API).
    due_key = UnicodeAttribute(null=True, attr_name="dueKey")
    sync_user_id = UnicodeAttribute(null=True, attr_name="syncUserID")
    change_key = UnicodeAttribute(null=True, attr_name="changeKey")

    by_due_date = DueDateIndex()
    by_change = ChangeIndex()
