"""The baseline: what the seed tutorial's createTodo does, written the usual way in Python
(boto3 resource made at import time, no validation)."""

import json
import os
import uuid
from datetime import UTC, datetime
from typing import Any

import boto3

table = boto3.resource("dynamodb").Table(os.environ.get("TABLE_NAME", "todos"))


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    body = json.loads(event["body"])
    now = datetime.now(UTC).isoformat()
    item = {
        "userID": body["userID"],
        "taskID": str(uuid.uuid4()),
        "title": body["title"],
        "description": body.get("description"),
        "status": "pending",
        "createdAt": now,
        "updatedAt": now,
    }
    table.put_item(Item=item)
    return {"statusCode": 200, "body": json.dumps(item)}
