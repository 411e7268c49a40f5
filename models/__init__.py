"""PynamoDB models: what the table holds, nothing about HTTP or Lambda."""

from models.idempotency import IdempotencyRecord
from models.list import DeletedList, InvitationEntry, ListRecord, MemberEntry
from models.membership import ListsProfile, Membership
from models.table import configure, table_definition
from models.todo import ChecklistItem, TodoModel
from models.tombstone import Tombstone

ALL_MODELS = [TodoModel, IdempotencyRecord, Tombstone, ListRecord, Membership, ListsProfile,
              DeletedList]

__all__ = ["ALL_MODELS", "ChecklistItem", "DeletedList", "IdempotencyRecord", "InvitationEntry",
           "ListRecord", "ListsProfile", "MemberEntry", "Membership", "TodoModel", "Tombstone",
           "configure", "table_definition"]
