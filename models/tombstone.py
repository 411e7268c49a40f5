"""Tombstones: what delta sync reports for a deleted task. They share the tasks' table, in a
partition of their own per user (`<user id>#deleted`), so task queries and gets never read
them; the change index (syncUserID, changeKey) puts them beside the user's tasks in change
order. TTL removes them after TOMBSTONE_TTL."""

from pynamodb.attributes import NumberAttribute, UnicodeAttribute
from pynamodb.models import Model

from models.table import TTL_ATTRIBUTE, TableMeta

PARTITION_SUFFIX = "#deleted"
TOMBSTONE_TTL = 30 * 24 * 3600  # a sync token older than this answers 410


def partition(user_id: str) -> str:
    return f"{user_id}{PARTITION_SUFFIX}"


class Tombstone(Model):
    class Meta(TableMeta):
        pass

    partition = UnicodeAttribute(hash_key=True, attr_name="userID")
    task_id = UnicodeAttribute(range_key=True, attr_name="taskID")
    sync_user_id = UnicodeAttribute(attr_name="syncUserID")
    change_key = UnicodeAttribute(attr_name="changeKey")
    deleted_at = UnicodeAttribute(attr_name="deletedAt")
    expires_at = NumberAttribute(attr_name=TTL_ATTRIBUTE)  # epoch seconds
