"""Delivery logs: one item per event sent to a webhook, updated at every attempt, in a
partition of their own per user (`<user>#deliveries`, sort key `<webhook id>#<event id>`:
event ids are UUIDv7, so a webhook's deliveries sort by time). TTL removes them after
DELIVERY_TTL, well after the last retry."""

from pynamodb.attributes import NumberAttribute, UnicodeAttribute
from pynamodb.models import Model

from models.table import TTL_ATTRIBUTE, TableMeta

PARTITION_SUFFIX = "#deliveries"
DELIVERY_TTL = 14 * 24 * 3600
STATES = ("pending", "delivered", "failed")


def partition(user_id: str) -> str:
    return f"{user_id}{PARTITION_SUFFIX}"


def key(webhook_id: str, event_id: str) -> str:
    return f"{webhook_id}#{event_id}"


class Delivery(Model):
    class Meta(TableMeta):
        pass

    partition = UnicodeAttribute(hash_key=True, attr_name="userID")
    key = UnicodeAttribute(range_key=True, attr_name="taskID")
    webhook_id = UnicodeAttribute(attr_name="webhookId")
    event_id = UnicodeAttribute(attr_name="eventId")
    type = UnicodeAttribute(attr_name="eventType")
    state = UnicodeAttribute(attr_name="deliveryState")  # one of STATES
    attempts = NumberAttribute()
    created_at = UnicodeAttribute(attr_name="createdAt")
    last_status = NumberAttribute(null=True, attr_name="lastStatus")
    last_error = UnicodeAttribute(null=True, attr_name="lastError")
    next_attempt_at = UnicodeAttribute(null=True, attr_name="nextAttemptAt")
    delivered_at = UnicodeAttribute(null=True, attr_name="deliveredAt")
    expires_at = NumberAttribute(attr_name=TTL_ATTRIBUTE)  # epoch seconds
