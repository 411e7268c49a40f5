"""Maintenance, not a request path: give tasks written before the secondary indexes existed
(by the seed's functions, or an older version of this API) their index keys, so that the
due-date view and delta sync see them. Run once after deploying: `todo-api backfill`."""

from contextlib import suppress
from typing import Any

from botocore.exceptions import ClientError

from models import TodoModel
from services.domain.tasks import change_index_key, due_index_key


def index_keys(item: dict[str, Any]) -> dict[str, str]:
    """The index keys an item without them gets. Its change time is when it last changed
    (it did not change now: a sync from a later token must not report it)."""
    user_id, task_id = item["userID"]["S"], item["taskID"]["S"]
    changed = (item.get("updatedAt") or item.get("createdAt") or {}).get("S", "")
    keys = {"syncUserID": user_id, "changeKey": change_index_key(changed, task_id)}
    due = (item.get("dueDate") or {}).get("S")
    # A due date the seed accepted but this API would not stays out of the view.
    with suppress(ValueError):
        due_index = due_index_key(due, task_id)
        if due_index:
            keys["dueKey"] = due_index
    return keys


def backfill() -> int:
    """Scan the whole table once; each task without index keys gets them in one conditional
    update (skipped if it changed meanwhile: that change wrote the keys). Returns how many."""
    client = TodoModel._get_connection().connection.client
    table = TodoModel.Meta.table_name
    done = 0
    pages = client.get_paginator("scan").paginate(
        TableName=table,
        FilterExpression="attribute_not_exists(changeKey) AND attribute_exists(title)",
    )
    for page in pages:
        for item in page["Items"]:
            if "#" in item["userID"]["S"]:
                continue  # idempotency records, tombstones: not tasks
            keys = index_keys(item)
            try:
                client.update_item(
                    TableName=table,
                    Key={"userID": item["userID"], "taskID": item["taskID"]},
                    UpdateExpression="SET " + ", ".join(f"#{name} = :{name}" for name in keys),
                    ConditionExpression="attribute_exists(taskID) AND "
                                        "attribute_not_exists(#changeKey)",
                    ExpressionAttributeNames={f"#{name}": name for name in keys},
                    ExpressionAttributeValues={f":{name}": {"S": v} for name, v in keys.items()},
                )
                done += 1
            except ClientError as error:
                if error.response["Error"]["Code"] != "ConditionalCheckFailedException":
                    raise
    return done
