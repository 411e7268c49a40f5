"""The embedded DynamoDB (moto's server on loopback) and the state file that outlives restarts."""

import json
import os
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import boto3
from moto.moto_server.werkzeug_app import (
    DomainDispatcherApplication,
    MotoRequestHandler,
    create_backend_app,
)
from werkzeug.serving import make_server

from models import TodoModel, table_definition
from models.table import TTL_ATTRIBUTE


class EmbeddedDynamoDB:
    """moto speaking the DynamoDB wire protocol on 127.0.0.1, in this process.

    One request at a time: moto applies a condition check and its write (and a transaction's
    rollback) without a lock, so concurrent requests could both pass a condition that
    DynamoDB would let only one pass. Served in turn, each request is atomic, as in DynamoDB.
    """

    def __init__(self) -> None:
        app = DomainDispatcherApplication(create_backend_app)
        self._server = make_server(
            "127.0.0.1", 0, app, threaded=False, request_handler=MotoRequestHandler
        )
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def start(self) -> str:
        self._thread.start()
        return f"http://127.0.0.1:{self._server.server_port}"

    def stop(self) -> None:
        self._server.shutdown()
        self._thread.join(timeout=10)


def client(endpoint: str | None, region: str) -> Any:
    return boto3.client("dynamodb", endpoint_url=endpoint, region_name=region)


def ensure_table(ddb: Any, table: str) -> None:
    """Create the table as the model declares it (keys, indexes), as the Pulumi program does;
    a table that exists without some of the model's indexes (made by an older version, e.g.
    in DynamoDB Local) gets them added, one at a time as DynamoDB requires."""
    definition = table_definition(TodoModel)
    try:
        existing = ddb.describe_table(TableName=table)["Table"]
    except ddb.exceptions.ResourceNotFoundException:
        existing = None
    if existing is not None:
        _add_missing_indexes(ddb, table, existing, definition)
        return
    ddb.create_table(TableName=table, **definition)
    ddb.get_waiter("table_exists").wait(TableName=table)
    ddb.update_time_to_live(
        TableName=table,
        TimeToLiveSpecification={"Enabled": True, "AttributeName": TTL_ATTRIBUTE},
    )


def _add_missing_indexes(ddb: Any, table: str, existing: dict[str, Any],
                         definition: dict[str, Any]) -> None:
    present = {index["IndexName"] for index in existing.get("GlobalSecondaryIndexes", [])}
    types = {a["AttributeName"]: a for a in definition["AttributeDefinitions"]}
    for index in definition["GlobalSecondaryIndexes"]:
        if index["IndexName"] in present:
            continue
        keys = [key["AttributeName"] for key in index["KeySchema"]]
        ddb.update_table(
            TableName=table,
            AttributeDefinitions=[types[name] for name in keys],
            GlobalSecondaryIndexUpdates=[{"Create": index}],
        )
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            indexes = ddb.describe_table(TableName=table)["Table"].get("GlobalSecondaryIndexes", [])
            if all(i.get("IndexStatus", "ACTIVE") == "ACTIVE" for i in indexes):
                break
            time.sleep(0.5)


class RequestCounter:
    """Counts the DynamoDB requests botocore clients send (retries included, from the
    clients' own request events) and the items each Query or Scan read."""

    def __init__(self, clients: list[Any]) -> None:
        self.requests: dict[str, int] = {}
        self.items_read = 0
        for client in clients:
            client.meta.events.register("before-send.dynamodb.*", self._sent)
            client.meta.events.register("after-call.dynamodb.*", self._answered)

    def reset(self) -> None:
        self.requests = {}
        self.items_read = 0

    def _sent(self, request: Any, **_: Any) -> None:
        operation = request.headers.get("X-Amz-Target", b"")
        name = (operation.decode() if isinstance(operation, bytes) else operation).split(".")[-1]
        self.requests[name] = self.requests.get(name, 0) + 1

    def _answered(self, parsed: dict[str, Any], **_: Any) -> None:
        self.items_read += int(parsed.get("ScannedCount", 0))


class StateFileError(Exception):
    pass


def load_state(ddb: Any, table: str, path: Path) -> int:
    """Put every item of the state file back; a file we cannot read stops the server."""
    if not path.exists():
        return 0
    try:
        state = json.loads(path.read_text(encoding="utf-8"))
        items = state["items"]
        if state.get("table") is None or not isinstance(items, list):
            raise ValueError("missing table or items")
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise StateFileError(
            f"state file {path} is unreadable or corrupt ({type(error).__name__}); "
            "fix or move it away, the server will not start empty over it"
        ) from None
    for start in range(0, len(items), 25):
        batch = [{"PutRequest": {"Item": item}} for item in items[start : start + 25]]
        pending: dict[str, Any] = {table: batch}
        while pending:
            pending = ddb.batch_write_item(RequestItems=pending).get("UnprocessedItems") or {}
    return len(items)


def save_state(ddb: Any, table: str, path: Path) -> int:
    """Write every item to the state file atomically: a crash leaves the old file or the new."""
    items: list[dict[str, Any]] = []
    for page in ddb.get_paginator("scan").paginate(TableName=table, ConsistentRead=True):
        items.extend(page["Items"])
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            json.dump({"table": table, "items": items}, out)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return len(items)
