"""Lists other than a user's default one. A list L keeps its tasks in the partition `list#<L>`
(TodoModel, keys unchanged) and its record in `list#<L>#meta`: the name and owner, and the
list's side of every membership and every invitation, so that one GetItem of the record is
the whole access check (docs/LISTS.md). `DeletedList` marks a deleted list whose tasks still
await the bounded clean-up."""

import re
from typing import Any, Generic, TypeVar

from pynamodb.attributes import Attribute, MapAttribute, NumberAttribute, UnicodeAttribute
from pynamodb.constants import MAP
from pynamodb.models import Model

from models.table import TableMeta

LIST_PREFIX = "list#"
RECORD_KEY = "list"
PURGE_PARTITION = "purge#lists"
_LIST_PARTITION = re.compile(
    r"^list#([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$")

_Entry = TypeVar("_Entry", bound=MapAttribute[str, Any])


def tasks_partition(list_id: str) -> str:
    """Where list `list_id`'s tasks live (its tombstones: this + `#deleted`)."""
    return f"{LIST_PREFIX}{list_id}"


def record_partition(list_id: str) -> str:
    return f"{LIST_PREFIX}{list_id}#meta"


def list_id_of(partition: str) -> str | None:
    """The list whose tasks a partition holds; None for a user's own (default list) partition."""
    found = _LIST_PARTITION.match(partition)
    return found.group(1) if found else None


class MapOf(Generic[_Entry], Attribute[dict[str, _Entry]]):
    """A map from free-form keys (user ids, invitation ids) to entries of one MapAttribute
    shape: PynamoDB's MapAttribute types named members only."""

    attr_type = MAP

    def __init__(self, of: type[_Entry], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.of = of

    def serialize(self, value: dict[str, _Entry]) -> dict[str, Any]:
        entry = self.of()
        return {key: {MAP: entry.serialize(item)} for key, item in value.items()}

    def deserialize(self, value: dict[str, Any]) -> dict[str, _Entry]:
        entry = self.of()
        entry._make_attribute()  # type: ignore[no-untyped-call]
        return {key: entry.deserialize(entry.get_value(item)) for key, item in value.items()}  # type: ignore[no-untyped-call]


class MemberEntry(MapAttribute[str, Any]):
    role = UnicodeAttribute()  # owner, editor or viewer
    joined_at = UnicodeAttribute(attr_name="joinedAt")
    # SHA-256 of the invitation token the member joined with: accepting it again is a 200.
    via = UnicodeAttribute(null=True)


class InvitationEntry(MapAttribute[str, Any]):
    role = UnicodeAttribute()
    token_hash = UnicodeAttribute(attr_name="tokenHash")  # SHA-256 of the token, hex
    created_at = UnicodeAttribute(attr_name="createdAt")
    # ISO 8601 UTC like every time here, so that a condition can compare it as a string.
    expires_at = UnicodeAttribute(attr_name="expiresAt")
    max_uses = NumberAttribute(attr_name="maxUses")
    uses = NumberAttribute()


class ListRecord(Model):
    """One per list, in a partition of its own that no task query reads."""

    class Meta(TableMeta):
        pass

    partition = UnicodeAttribute(hash_key=True, attr_name="userID")  # list#<listId>#meta
    key = UnicodeAttribute(range_key=True, attr_name="taskID")  # RECORD_KEY
    list_id = UnicodeAttribute(attr_name="listId")
    name = UnicodeAttribute()
    owner_id = UnicodeAttribute(attr_name="ownerId")
    created_at = UnicodeAttribute(attr_name="createdAt")
    updated_at = UnicodeAttribute(attr_name="updatedAt")
    version = NumberAttribute()  # the list's ETag: bumped by a rename and by member changes
    members = MapOf(MemberEntry)  # user id -> entry; the owner is one of them
    invitations = MapOf(InvitationEntry)  # invitation id -> entry


class DeletedList(Model):
    """A deleted list whose task partition the clean-up has not emptied yet."""

    class Meta(TableMeta):
        pass

    partition = UnicodeAttribute(hash_key=True, attr_name="userID")  # PURGE_PARTITION
    list_id = UnicodeAttribute(range_key=True, attr_name="taskID")
    deleted_at = UnicodeAttribute(attr_name="deletedAt")
    # Set by a clean-up run that left work behind: the write is what asks for the next run
    # (the table's stream hands it to the dispatcher).
    purged_at = UnicodeAttribute(null=True, attr_name="purgedAt")
