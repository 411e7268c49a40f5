"""The task item: one per task, partitioned by user, sorted by (time-ordered) task id."""

from pynamodb.attributes import ListAttribute, NumberAttribute, UnicodeAttribute
from pynamodb.models import Model

from models.table import TableMeta


class TodoModel(Model):
    """A user's task. Attribute names are those of the seed table (userID, taskID, camelCase)."""

    class Meta(TableMeta):
        pass

    user_id = UnicodeAttribute(hash_key=True, attr_name="userID")
    task_id = UnicodeAttribute(range_key=True, attr_name="taskID")
    title = UnicodeAttribute()
    description = UnicodeAttribute(null=True)
    status = UnicodeAttribute()
    due_date = UnicodeAttribute(null=True, attr_name="dueDate")
    priority = UnicodeAttribute()
    tags = ListAttribute(of=UnicodeAttribute, null=True)  # type: ignore[var-annotated]
    order = NumberAttribute(null=True)
    created_at = UnicodeAttribute(attr_name="createdAt")
    updated_at = UnicodeAttribute(attr_name="updatedAt")
    completed_at = UnicodeAttribute(null=True, attr_name="completedAt")
    version = NumberAttribute()
    # Which request wrote last: tells a retried write whose first attempt landed (its answer
    # lost) from a write that really lost a race. Never shown by the API.
    write_id = UnicodeAttribute(null=True, attr_name="writeId")
