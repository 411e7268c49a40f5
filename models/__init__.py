"""PynamoDB models: what the table holds, nothing about HTTP or Lambda."""

from models.idempotency import IdempotencyRecord
from models.table import configure, table_definition
from models.todo import ChecklistItem, TodoModel
from models.tombstone import Tombstone

ALL_MODELS = [TodoModel, IdempotencyRecord, Tombstone]

__all__ = ["ALL_MODELS", "ChecklistItem", "IdempotencyRecord", "TodoModel", "Tombstone",
           "configure", "table_definition"]
