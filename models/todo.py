"""The task item: one per task, partitioned by user, sorted by (time-ordered) task id."""

import os

from pynamodb.attributes import (
    ListAttribute,
    NumberAttribute,
    UnicodeAttribute,
)
from pynamodb.models import Model


def _region() -> str:
    return os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or "us-east-1"


class TodoModel(Model):
    """A user's task. Attribute names are those of the seed table (userID, taskID, camelCase)."""

    class Meta:
        table_name = os.environ.get("TABLE_NAME", "todos")
        region = _region()
        # botocore honours AWS_ENDPOINT_URL_DYNAMODB itself; naming it here makes the
        # override explicit for moto, DynamoDB Local or a real table.
        host = os.environ.get("AWS_ENDPOINT_URL_DYNAMODB") or None
        billing_mode = "PAY_PER_REQUEST"
        # Bounded so that all retries end well inside API Gateway's 29 s and the
        # function timeout: 1 + 3 attempts of at most 1 s connect + 3 s read, plus backoff.
        connect_timeout_seconds = float(os.environ.get("DYNAMODB_CONNECT_TIMEOUT", "1"))
        read_timeout_seconds = float(os.environ.get("DYNAMODB_READ_TIMEOUT", "3"))
        max_retry_attempts = int(os.environ.get("DYNAMODB_MAX_RETRIES", "3"))

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
