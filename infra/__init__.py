"""Pulumi components of the todo-api stack (imported by __main__.py only)."""
