"""Maintenance, not a request path: bring tasks written by older code up to date, so that the
due-date view and delta sync see them as they see new ones. Run once after deploying:
`todo-api backfill`.

- Tasks written before the secondary indexes existed (by the seed's functions, or an older
  version of this API) get their index keys.
- Tasks with a due date written before `dueAt` existed get it stored, and their due-date
  index key rewritten as an instant (an all-day date was indexed as `YYYY-MM-DD`, the start
  of its day in UTC: the same instant, so views already order and filter them right; the
  API derives their `dueAt` on read meanwhile).
Neither changes what the API shows of a task, so neither is reported by delta sync."""

from contextlib import suppress
from typing import Any

from botocore.exceptions import ClientError

from models import TodoModel
from services.domain.due import at_text, instant, parse
from services.domain.schedule import due_index_key
from services.domain.tasks import change_index_key


def index_keys(item: dict[str, Any]) -> dict[str, str]:
    """What an item lacking them gets: index keys (its change time is when it last changed:
    it did not change now, so a sync from a later token must not report it) and dueAt."""
    user_id, task_id = item["userID"]["S"], item["taskID"]["S"]
    keys = {}
    if "changeKey" not in item:
        changed = (item.get("updatedAt") or item.get("createdAt") or {}).get("S", "")
        keys = {"syncUserID": user_id, "changeKey": change_index_key(changed, task_id)}
    due = (item.get("dueDate") or {}).get("S")
    # A due date the seed accepted but this API would not stays out of the view.
    with suppress(ValueError):
        if due and "dueAt" not in item:
            moment = instant(parse(due), (item.get("timeZone") or {}).get("S"))
            keys |= {"dueKey": due_index_key(moment, task_id), "dueAt": at_text(moment)}
    return keys


def backfill() -> int:
    """Scan the whole table once; each task that lacks index keys or dueAt gets them in one
    conditional update (skipped if it changed meanwhile: a change that touches them writes
    them). Returns how many."""
    client = TodoModel._get_connection().connection.client
    table = TodoModel.Meta.table_name
    done = 0
    pages = client.get_paginator("scan").paginate(
        TableName=table,
        FilterExpression="(attribute_not_exists(changeKey) OR (attribute_exists(dueDate) "
                         "AND attribute_not_exists(dueAt))) AND attribute_exists(title)",
    )
    for page in pages:
        for item in page["Items"]:
            if "#" in item["userID"]["S"]:
                continue  # idempotency records, tombstones: not tasks
            keys = index_keys(item)
            if not keys:
                continue
            # Unchanged since the scan: still without what it gets, the same due date.
            condition = ["attribute_exists(taskID)"]
            values = {f":{name}": {"S": v} for name, v in keys.items()}
            if "changeKey" in keys:
                condition.append("attribute_not_exists(#changeKey)")
            if "dueAt" in keys:
                condition.append("attribute_not_exists(#dueAt) AND #dueDate = :seenDueDate")
                values[":seenDueDate"] = item["dueDate"]
            names = {f"#{name}": name for name in keys}
            if "dueAt" in keys:
                names["#dueDate"] = "dueDate"
            try:
                client.update_item(
                    TableName=table,
                    Key={"userID": item["userID"], "taskID": item["taskID"]},
                    UpdateExpression="SET " + ", ".join(f"#{name} = :{name}" for name in keys),
                    ConditionExpression=" AND ".join(condition),
                    ExpressionAttributeNames=names,
                    ExpressionAttributeValues=values,
                )
                done += 1
            except ClientError as error:
                if error.response["Error"]["Code"] != "ConditionalCheckFailedException":
                    raise
    return done
