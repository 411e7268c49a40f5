"""The DynamoDB actions each function needs: exactly what services/data/ calls for it
(tests/test_permissions.py derives them from the requests each function makes and compares).

A transaction needs the action of each of its parts (TransactWriteItems: PutItem, UpdateItem,
DeleteItem, ConditionCheckItem; TransactGetItems: GetItem); there is no action of its own."""

from typing import Any

from models.delivery import PARTITION_SUFFIX as DELIVERIES
from models.list import LIST_PREFIX, PURGE_PARTITION
from models.webhook import PARTITION_SUFFIX as WEBHOOKS
from models.webhook import SECRET_PARTITION_SUFFIX as SECRETS

FUNCTION_ACTIONS: dict[str, list[str]] = {
    # Tasks (idempotent: with their record); lists (with the owner's count and membership),
    # invitations and joining (the list record, and the member's side of the membership); the
    # access check of a list.
    "createTodo": ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"],
    # GET /lists reads the caller's memberships, then those lists' records in one batch.
    "getTodos": ["dynamodb:BatchGetItem", "dynamodb:GetItem", "dynamodb:Query"],
    # A move deletes the task in one list, puts it (and a tombstone) in the other and checks
    # the caller's role in both lists, in one transaction; a role change puts the member's
    # side of the membership.
    "updateTodo": ["dynamodb:ConditionCheckItem", "dynamodb:DeleteItem", "dynamodb:GetItem",
                   "dynamodb:PutItem", "dynamodb:UpdateItem"],
    # A delete puts the task's tombstone in the same transaction; removing a member, deleting
    # a list or revoking an invitation updates the list record or the owner's count.
    "deleteTodo": ["dynamodb:DeleteItem", "dynamodb:GetItem", "dynamodb:PutItem",
                   "dynamodb:Query", "dynamodb:UpdateItem"],
}

# Webhook counts (create and delete keep them in the same transaction) and test requests:
# UpdateItem for these functions only on items of the webhooks partitions.
WEBHOOK_UPDATES = ("createTodo", "deleteTodo")
# What reads an item: no API function may read a webhook's signing secret (only the
# dispatcher signs); createTodo writes it once, deleteTodo deletes it with its webhook.
READS = ["dynamodb:BatchGetItem", "dynamodb:GetItem", "dynamodb:Query"]

# The dispatcher (services/events/): reads tasks, webhooks and secrets; writes only delivery
# logs and webhooks' failing state.
DISPATCHER_READS = ["dynamodb:BatchGetItem", "dynamodb:GetItem", "dynamodb:Query"]
DISPATCHER_WRITES = ["dynamodb:DeleteItem", "dynamodb:PutItem", "dynamodb:UpdateItem"]
# The clean-up of deleted lists (services/domain/lists.py, purge_and_continue): it deletes the
# tasks of a deleted list's partition `list#<L>` and the list's marker in `purge#lists`, and
# writes a marker again when work is left. Never the list's other items (record, tombstones,
# idempotency records: `list#<L>#…`).
PURGE_WRITES = ["dynamodb:BatchWriteItem", "dynamodb:DeleteItem", "dynamodb:UpdateItem"]
# What Lambda's event source mapping needs of the stream (named: no ListStreams, which only
# takes "*" and which a mapping given the stream's ARN does not use).
STREAM_READS = ["dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator"]


def partitions_like(*suffixes: str) -> dict[str, Any]:
    """An IAM condition: every item's partition key (any user) ends with one of these."""
    return {"ForAllValues:StringLike": {"dynamodb:LeadingKeys": [f"*{s}" for s in suffixes]}}


def api_statements(function: str, table_arns: list[str]) -> list[dict[str, Any]]:
    """Beyond FUNCTION_ACTIONS: the webhook counts, and the secrets no API function reads."""
    statements: list[dict[str, Any]] = []
    if function in WEBHOOK_UPDATES:
        statements.append({"Sid": "WebhookCounts", "Effect": "Allow",
                           "Action": ["dynamodb:UpdateItem"], "Resource": table_arns[:1],
                           "Condition": partitions_like(WEBHOOKS)})
    statements.append({"Sid": "NoWebhookSecrets", "Effect": "Deny", "Action": READS,
                       "Resource": table_arns, "Condition": {"ForAnyValue:StringLike": {
                           "dynamodb:LeadingKeys": [f"*{SECRETS}"]}}})
    return statements


def dispatcher_statements(table_arn: str, stream_arn: str) -> list[dict[str, Any]]:
    return [
        {"Sid": "Read", "Effect": "Allow", "Action": DISPATCHER_READS, "Resource": [table_arn]},
        {"Sid": "DeliveryLogs", "Effect": "Allow", "Action": DISPATCHER_WRITES,
         "Resource": [table_arn], "Condition": partitions_like(DELIVERIES, WEBHOOKS)},
        {"Sid": "PurgeDeletedLists", "Effect": "Allow", "Action": PURGE_WRITES,
         "Resource": [table_arn], "Condition": {"ForAllValues:StringLike": {
             "dynamodb:LeadingKeys": [f"{LIST_PREFIX}*", PURGE_PARTITION]}}},
        {"Sid": "NoListRecords", "Effect": "Deny", "Action": PURGE_WRITES,
         "Resource": [table_arn], "Condition": {"ForAnyValue:StringLike": {
             "dynamodb:LeadingKeys": [f"{LIST_PREFIX}*#*"]}}},
        {"Sid": "Stream", "Effect": "Allow", "Action": STREAM_READS, "Resource": [stream_arn]},
    ]
