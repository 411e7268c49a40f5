"""Idempotency records share the tasks' table, in a partition of their own per user
(`<user id>#idempotency`), so listing a user's tasks never reads them. TTL removes them."""

from pynamodb.attributes import NumberAttribute, UnicodeAttribute
from pynamodb.models import Model

from models.table import TTL_ATTRIBUTE, TableMeta

PARTITION_SUFFIX = "#idempotency"


def partition(user_id: str) -> str:
    return f"{user_id}{PARTITION_SUFFIX}"


class IdempotencyRecord(Model):
    """The first answer to a create that carried an Idempotency-Key."""

    class Meta(TableMeta):
        pass

    partition = UnicodeAttribute(hash_key=True, attr_name="userID")
    key = UnicodeAttribute(range_key=True, attr_name="taskID")
    fingerprint = UnicodeAttribute()  # of the request body: a reused key with another body is 422
    task_id = UnicodeAttribute(attr_name="createdTaskID")
    response = UnicodeAttribute()  # the task as first returned, JSON
    expires_at = NumberAttribute(attr_name=TTL_ATTRIBUTE)  # epoch seconds
