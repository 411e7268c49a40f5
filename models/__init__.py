"""PynamoDB models: what the table holds, nothing about HTTP or Lambda."""

from models.todo import TodoModel

__all__ = ["TodoModel"]
