"""PynamoDB models: what the table holds, nothing about HTTP or Lambda."""

from models.delivery import Delivery
from models.idempotency import IdempotencyRecord
from models.table import configure, table_definition
from models.todo import ChecklistItem, Reminder, TodoModel
from models.tombstone import Tombstone
from models.webhook import Webhook, WebhookCount, WebhookSecret

ALL_MODELS = [TodoModel, IdempotencyRecord, Tombstone, Webhook, WebhookCount, WebhookSecret,
              Delivery]

__all__ = ["ALL_MODELS", "ChecklistItem", "Delivery", "IdempotencyRecord", "Reminder",
           "TodoModel", "Tombstone", "Webhook", "WebhookCount", "WebhookSecret", "configure",
           "table_definition"]
