"""PynamoDB models: what the table holds, nothing about HTTP or Lambda."""

from models.idempotency import IdempotencyRecord
from models.table import configure
from models.todo import TodoModel

ALL_MODELS = [TodoModel, IdempotencyRecord]

__all__ = ["ALL_MODELS", "IdempotencyRecord", "TodoModel", "configure"]
