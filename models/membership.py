"""The member's side of memberships, in the member's own partition `<userId>#lists`: one
`Membership` per list other than the default (written in the same transaction as the list
record's side, see models/list.py), and the `ListsProfile` (sort key `default`, so it comes
first): the default list's name once renamed, and how many lists the user owns."""

from pynamodb.attributes import NumberAttribute, UnicodeAttribute
from pynamodb.models import Model

from models.table import TableMeta

PARTITION_SUFFIX = "#lists"
PROFILE_KEY = "default"
MEMBERSHIP_PREFIX = "list#"


def partition(user_id: str) -> str:
    return f"{user_id}{PARTITION_SUFFIX}"


def membership_key(list_id: str) -> str:
    return f"{MEMBERSHIP_PREFIX}{list_id}"  # sorts after PROFILE_KEY


class Membership(Model):
    class Meta(TableMeta):
        pass

    partition = UnicodeAttribute(hash_key=True, attr_name="userID")
    key = UnicodeAttribute(range_key=True, attr_name="taskID")  # list#<listId>
    list_id = UnicodeAttribute(attr_name="listId")
    role = UnicodeAttribute()
    joined_at = UnicodeAttribute(attr_name="joinedAt")


class ListsProfile(Model):
    class Meta(TableMeta):
        pass

    partition = UnicodeAttribute(hash_key=True, attr_name="userID")
    key = UnicodeAttribute(range_key=True, attr_name="taskID")  # PROFILE_KEY
    name = UnicodeAttribute(null=True)  # the default list's, once renamed
    created_at = UnicodeAttribute(null=True, attr_name="createdAt")
    updated_at = UnicodeAttribute(null=True, attr_name="updatedAt")
    version = NumberAttribute(null=True)  # the default list's ETag; absent: 0
    owned_lists = NumberAttribute(null=True, attr_name="ownedLists")
