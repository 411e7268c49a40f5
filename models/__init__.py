"""PynamoDB models: what the table holds, nothing about HTTP or Lambda."""

from models.delivery import Delivery
from models.idempotency import IdempotencyRecord
from models.list import DeletedList, InvitationEntry, ListRecord, MemberEntry
from models.membership import ListsProfile, Membership
from models.table import configure, table_definition
from models.todo import ChecklistItem, Reminder, TodoModel
from models.tombstone import Tombstone
from models.webhook import Webhook, WebhookCount, WebhookSecret

ALL_MODELS = [TodoModel, IdempotencyRecord, Tombstone, ListRecord, Membership, ListsProfile,
              DeletedList, Webhook, WebhookCount, WebhookSecret, Delivery]

__all__ = ["ALL_MODELS", "ChecklistItem", "DeletedList", "Delivery", "IdempotencyRecord",
           "InvitationEntry", "ListRecord", "ListsProfile", "MemberEntry", "Membership", "Reminder",
           "TodoModel", "Tombstone", "Webhook", "WebhookCount", "WebhookSecret", "configure",
           "table_definition"]
