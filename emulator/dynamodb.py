"""The embedded DynamoDB (moto's server on loopback), journaling its writes for `--state`."""

import json
import logging
import threading
import time
from collections.abc import Callable
from functools import partial
from typing import Any

import boto3
from moto.dynamodb.models import DynamoDBBackend, dynamodb_backends
from moto.dynamodb.models.table import Table
from moto.moto_server.werkzeug_app import (
    DomainDispatcherApplication,
    MotoRequestHandler,
    create_backend_app,
)
from werkzeug.serving import make_server

from emulator import moto_fixes, statefile
from models import TodoModel, table_definition
from models.table import TTL_ATTRIBUTE

_writes = threading.local()  # the engine thread's writes of the request being served


def _recording(method: Callable[..., Any]) -> Callable[..., Any]:
    """Note which item a backend write names (its key or whole item), for the journal."""

    def write(self: DynamoDBBackend, table_name: str, attrs: Any, *args: Any, **kwargs: Any) -> Any:
        seen = getattr(_writes, "seen", None)
        if seen is not None:
            seen.append((table_name, attrs))
        return method(self, table_name, attrs, *args, **kwargs)

    return write


def _record_writes() -> None:
    """Every item write of the engine (PutItem, UpdateItem, DeleteItem, BatchWriteItem,
    TransactWriteItems) goes through these three backend methods, with the table and the key
    (or item) first. PartiQL and table imports or restores do not: the API uses none."""
    if getattr(DynamoDBBackend, "_writes_recorded", False):
        return
    for name in ("put_item", "update_item", "delete_item"):
        setattr(DynamoDBBackend, name, _recording(getattr(DynamoDBBackend, name)))
    setattr(DynamoDBBackend, "_writes_recorded", True)  # noqa: B010


def _find_table(name: str) -> Table | None:
    for account in list(dynamodb_backends.values()):
        for backend in list(account.values()):
            table = backend.tables.get(name)
            if table is not None:
                return table  # type: ignore[no-any-return]
    return None


def _capture(table: Any) -> list[dict[str, Any]]:
    """The table's items for a snapshot. Items past their TTL are deleted on the way, as
    DynamoDB's TTL would some time after expiry (moto never does): the snapshot holds the
    deletion, so it needs no journal record."""
    ttl = table.ttl.get("AttributeName") if table.ttl.get("TimeToLiveStatus") == "ENABLED" else None
    now = time.time()
    kept: list[dict[str, Any]] = []
    expired = []
    for partition in list(table.items.values()):
        for item in list(partition.values()) if table.range_key_attr else [partition]:
            expiry = item.attrs.get(ttl) if ttl else None
            if expiry is not None and expiry.type == "N" and float(expiry.value) < now:
                expired.append(item)
            else:
                kept.append(item.to_json()["Attributes"])
    for item in expired:
        table.delete_item(item.hash_key, item.range_key)
    return kept


class EmbeddedDynamoDB:
    """moto speaking the DynamoDB wire protocol on 127.0.0.1, in this process.

    One request at a time: moto applies a condition check and its write (and a transaction's
    rollback) without a lock, so concurrent requests could both pass a condition that
    DynamoDB would let only one pass. Served in turn, each request is atomic, as in DynamoDB.

    With a journal (`journal_to`), the items each request wrote are appended to it, and on
    disk, before the engine answers: the client (the handler) never hears of a write that a
    kill -9 would lose.
    """

    def __init__(self) -> None:
        moto_fixes.apply()
        _record_writes()
        self._app = DomainDispatcherApplication(create_backend_app)
        self._server = make_server(
            "127.0.0.1", 0, self._serve, threaded=False, request_handler=MotoRequestHandler
        )
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._lock = threading.Lock()  # held per request; a compaction's capture waits for it
        self._compacting = threading.Lock()
        self._state: statefile.StateFile | None = None
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._compactor: threading.Thread | None = None

    def start(self) -> str:
        self._thread.start()
        return f"http://127.0.0.1:{self._server.server_port}"

    def stop(self) -> None:
        self._stopping.set()
        self._wake.set()
        self._server.shutdown()
        self._thread.join(timeout=10)
        if self._compactor is not None:
            self._compactor.join(timeout=60)

    def _serve(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
        with self._lock:
            state = self._state
            _writes.seen = [] if state is not None else None
            try:
                result = self._app(environ, start_response)
                try:
                    body = b"".join(result)
                finally:
                    getattr(result, "close", lambda: None)()
                seen = _writes.seen
            finally:
                _writes.seen = None
            if state is not None and seen:
                # The answer is still unsent (werkzeug sends the status with the body).
                changes = self._after_images(state, seen)
                if changes:
                    state.append(changes)
                    if state.wants_compaction():
                        self._wake.set()
        return [body]

    @staticmethod
    def _after_images(state: statefile.StateFile, seen: list[tuple[str, Any]]) -> list[Any]:
        table = _find_table(state.table)
        if table is None:
            return []
        changes: dict[str, Any] = {}
        for table_name, attrs in seen:
            if table_name != state.table:
                continue
            try:
                key = state.key_of(attrs)
                item = table.get_item(*moto_fixes.key_of(table, key))
            except Exception:  # noqa: S112
                continue  # not a whole key: moto refused that write
            after = item.to_json()["Attributes"] if item is not None else None
            changes[statefile.canonical(key)] = (key, after)
        return list(changes.values())

    def journal_to(self, state: statefile.StateFile, every_seconds: float = 300) -> None:
        """Journal every write from now on, take a first snapshot, and compact in the
        background whenever the journal outgrows the snapshot (or every few minutes)."""
        state.start()
        with self._lock:
            self._state = state
        self.compact()
        self._compactor = threading.Thread(
            target=self._compact_when_due, args=(every_seconds,), daemon=True
        )
        self._compactor.start()

    def compact(self) -> int:
        """Snapshot the journaled table now; returns how many items it holds."""
        state = self._state
        if state is None:
            return 0
        with self._compacting:
            with self._lock:  # between two requests: the capture and the rotation agree
                table = _find_table(state.table)
                items = _capture(table) if table is not None else []
                text = json.dumps(items, separators=(",", ":"))
                first = state.rotate()
            state.checkpoint(text, len(items), first)
        return len(items)

    def _compact_when_due(self, every_seconds: float) -> None:
        while not self._stopping.is_set():
            self._wake.wait(timeout=every_seconds)
            self._wake.clear()
            if self._stopping.is_set():
                return
            state = self._state
            if state is not None and state.has_records():
                try:
                    self.compact()
                except OSError:
                    # The journal still holds every write; the next attempt may succeed.
                    logging.getLogger("todo-api.state").exception("compaction failed")


def client(endpoint: str | None, region: str) -> Any:
    return boto3.client("dynamodb", endpoint_url=endpoint, region_name=region)


def ensure_table(ddb: Any, table: str) -> None:
    """Create the table as the model declares it (keys, indexes, stream), as the Pulumi
    program does; a table that exists without some of the model's indexes (made by an older
    version, e.g. in DynamoDB Local) gets them added, one at a time as DynamoDB requires, and
    its stream turned on."""
    definition = table_definition(TodoModel)
    try:
        existing = ddb.describe_table(TableName=table)["Table"]
    except ddb.exceptions.ResourceNotFoundException:
        existing = None
    if existing is not None:
        _add_missing_indexes(ddb, table, existing, definition)
        if not existing.get("StreamSpecification", {}).get("StreamEnabled"):
            # Made by a version without events: the dispatcher follows the stream.
            ddb.update_table(TableName=table, StreamSpecification=definition[
                "StreamSpecification"])
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
        _when_settled(ddb, table, partial(
            ddb.update_table, TableName=table,
            AttributeDefinitions=[types[name] for name in keys],
            GlobalSecondaryIndexUpdates=[{"Create": index}],
        ))
    # Let the last one settle too, if it will (the table works meanwhile).
    _when_settled(ddb, table, lambda: None, give_up_quietly=True)


def _when_settled(ddb: Any, table: str, action: Callable[[], object], *,
                  give_up_quietly: bool = False) -> None:
    """Run `action` once the table and its indexes are settled (ACTIVE, no backfill): DynamoDB
    takes one index change at a time, and DynamoDB Local may answer LimitExceeded for a
    moment after it reports the previous one ACTIVE, so that answer is waited out too (for up
    to 5 minutes: DynamoDB Local under load has taken over two to settle an empty table)."""
    deadline = time.monotonic() + 300
    while True:
        described = ddb.describe_table(TableName=table)["Table"]
        indexes = described.get("GlobalSecondaryIndexes", [])
        settled = described.get("TableStatus", "ACTIVE") == "ACTIVE" and all(
            i.get("IndexStatus", "ACTIVE") == "ACTIVE" and not i.get("Backfilling")
            for i in indexes)
        if settled:
            try:
                action()
                return
            except ddb.exceptions.LimitExceededException:
                if time.monotonic() > deadline:
                    raise
        elif time.monotonic() > deadline:
            if give_up_quietly:
                return
            raise TimeoutError(f"table {table} did not settle within 5 minutes")
        time.sleep(0.5)


class RequestCounter:
    """Counts the DynamoDB requests botocore clients send (retries included, from the
    clients' own request events) and the items they read: what each Query or Scan scanned,
    and what each GetItem, BatchGetItem or TransactGetItems found."""

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
        self.items_read += int(parsed.get("ScannedCount", 0)) + ("Item" in parsed)
        responses = parsed.get("Responses")
        if isinstance(responses, dict):  # BatchGetItem: table -> items
            self.items_read += sum(len(items) for items in responses.values())
        elif isinstance(responses, list):  # TransactGetItems: one entry per key asked
            self.items_read += sum("Item" in entry for entry in responses)


def load_items(ddb: Any, table: str, items: list[dict[str, Any]]) -> None:
    """Put items back into the table (a recovered state), 25 to a request."""
    for start in range(0, len(items), 25):
        batch = [{"PutRequest": {"Item": item}} for item in items[start : start + 25]]
        pending: dict[str, Any] = {table: batch}
        while pending:
            pending = ddb.batch_write_item(RequestItems=pending).get("UnprocessedItems") or {}


def key_names(ddb: Any, table: str) -> list[str]:
    schema = ddb.describe_table(TableName=table)["Table"]["KeySchema"]
    return [key["AttributeName"] for key in sorted(schema, key=lambda k: k["KeyType"])]
