"""Webhooks: a user's subscriptions to task events. They share the tasks' table in partitions
of their own per user, which no task query reads:

- `<user>#webhooks`: one item per webhook (sort key: its id, a UUIDv7) and the user's
  webhook count (sort key `~count`, after every id), kept in the same transaction as each
  create and delete so that at most MAX_WEBHOOKS exist whatever requests race;
- `<user>#webhook-secrets`: each webhook's signing secret, apart from the webhook so that no
  API function ever reads it back (their roles are denied reads of these partitions; only
  the dispatcher signs), and encrypted at rest with the table."""

from pynamodb.attributes import BooleanAttribute, ListAttribute, NumberAttribute, UnicodeAttribute
from pynamodb.models import Model

from models.table import TableMeta

PARTITION_SUFFIX = "#webhooks"
SECRET_PARTITION_SUFFIX = "#webhook-secrets"  # noqa: S105 (a partition name)
COUNT_KEY = "~count"  # "~" sorts after the hex digits and dashes of every webhook id


def partition(user_id: str) -> str:
    return f"{user_id}{PARTITION_SUFFIX}"


def secret_partition(user_id: str) -> str:
    return f"{user_id}{SECRET_PARTITION_SUFFIX}"


class Webhook(Model):
    class Meta(TableMeta):
        pass

    partition = UnicodeAttribute(hash_key=True, attr_name="userID")
    webhook_id = UnicodeAttribute(range_key=True, attr_name="taskID")
    url = UnicodeAttribute()
    events = ListAttribute(of=UnicodeAttribute)  # type: ignore[var-annotated]
    description = UnicodeAttribute(null=True)
    active = BooleanAttribute()
    created_at = UnicodeAttribute(attr_name="createdAt")
    updated_at = UnicodeAttribute(attr_name="updatedAt")
    # Since when every delivery has failed (absent after a success): three days of that
    # and the dispatcher sets `active` false.
    failing_since = UnicodeAttribute(null=True, attr_name="failingSince")
    # Set by POST /webhooks/{id}/test: the dispatcher sees the change on the table's stream
    # and sends a webhook.test event with this id.
    test_event_id = UnicodeAttribute(null=True, attr_name="testEventId")


class WebhookCount(Model):
    """How many webhooks the user has (the item `~count` of the webhooks partition)."""

    class Meta(TableMeta):
        pass

    partition = UnicodeAttribute(hash_key=True, attr_name="userID")
    key = UnicodeAttribute(range_key=True, attr_name="taskID")
    total = NumberAttribute(attr_name="webhookCount")


class WebhookSecret(Model):
    class Meta(TableMeta):
        pass

    partition = UnicodeAttribute(hash_key=True, attr_name="userID")
    webhook_id = UnicodeAttribute(range_key=True, attr_name="taskID")
    secret = UnicodeAttribute()  # whsec_ + base64 of 32 random bytes
