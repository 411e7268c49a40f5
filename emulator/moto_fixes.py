"""Workarounds that keep moto's DynamoDB flat in memory and in time for a server run for days.

Found in moto 5 (moto/core/common_models.py, moto/dynamodb/models/):
- every model instance ever made is appended to its class's `instances_tracked` list (for
  moto's dashboard), so every item ever written, updated or copied stays in memory forever;
- `transact_write_items` deep-copies every table it touches before it starts, to roll back
  on failure: time and (with the tracking above) memory in proportion to the whole table;
- a Query sorts every item of the table (comparing in Python), keeps those of the partition
  asked for, and walks from the partition's start to the page's start key.
- a failed transaction restores the items it had written, but the stream records of those
  writes stay: the table's stream would report changes that never happened;
- a stream keeps every record ever written, and every shard iterator ever handed out (a
  reader polling the stream leaves one behind per poll).
`apply()` turns tracking off for DynamoDB's models, makes a transaction save only the items
it names (and take back its stream records when it fails), hands a Query only the page's
window of its partition, keeps a stream's last STREAM_RECORDS_KEPT records (DynamoDB: 24
hours) and forgets a shard iterator once it is used (DynamoDB: after 15 minutes).
"""

import bisect
import copy
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

from moto.core.model_instances import model_data
from moto.dynamodb import models as backend_module
from moto.dynamodb.models import DynamoDBBackend
from moto.dynamodb.models.dynamo_type import DynamoType, Item
from moto.dynamodb.models.table import StreamShard, Table
from moto.dynamodbstreams.models import DynamoDBStreamsBackend

_applied = False
# The local server's stream follower reads records within a tenth of a second; this many
# is plenty of slack, and bounds the memory a busy server gives the stream.
STREAM_RECORDS_KEPT = 1000


class _Untracked(list[Any]):
    """Stands in for `instances_tracked`: forgets what it is given."""

    def append(self, _: Any) -> None:
        pass


def _deepcopy_except_tables(value: Any, memo: Any = None) -> Any:
    # transact_write_items' only use of deepcopy on a Table is its whole-table backup; with the
    # backup being the table itself, moto's own rollback changes nothing and ours (below)
    # restores the few items the transaction names.
    return value if isinstance(value, Table) else copy.deepcopy(value, memo)


def key_of(table: Table, attrs: dict[str, Any]) -> tuple[DynamoType, DynamoType | None]:
    hash_value = DynamoType(attrs[table.hash_key_attr])
    range_value = DynamoType(attrs[table.range_key_attr]) if table.range_key_attr else None
    return hash_value, range_value


def _restore(table: Any, hash_value: DynamoType, range_value: DynamoType | None,
             item: Item | None) -> None:
    if range_value is None:
        if item is None:
            table.items.pop(hash_value, None)
        else:
            table.items[hash_value] = item
    elif item is None:
        partition = table.items.get(hash_value)
        if partition is not None:
            partition.pop(range_value, None)
    else:
        table.items[hash_value][range_value] = item


_moto_transact_write_items = DynamoDBBackend.transact_write_items


def _transact_write_items(self: DynamoDBBackend, transact_items: list[dict[str, Any]]) -> None:
    """moto's transaction, with a backup of the items it names instead of whole tables."""
    saved: list[tuple[Table, DynamoType, DynamoType | None, Item | None]] = []
    streams: dict[int, tuple[StreamShard, int]] = {}
    for entry in transact_items:
        try:
            ((operation, request),) = entry.items()
            table = self.get_table(request["TableName"])
            hash_value, range_value = key_of(
                table, request["Item"] if operation == "Put" else request["Key"]
            )
            current = table.get_item(hash_value, range_value)
        except Exception:  # noqa: S112
            continue  # moto rejects this entry before it writes anything for it
        saved.append((table, hash_value, range_value, copy.deepcopy(current)))
        shard = table.stream_shard
        if shard is not None and id(shard) not in streams:
            # The next record's sequence number (a count would not do: at the cap, each new
            # record pushes the oldest out and the count stays the same).
            streams[id(shard)] = (shard, shard.starting_sequence_number + len(shard.items))
    try:
        _moto_transact_write_items(self, transact_items)
    except BaseException:
        for table, hash_value, range_value, item in reversed(saved):
            _restore(table, hash_value, range_value, item)
        for shard, next_sequence in streams.values():
            # The writes were undone: so are their records.
            del shard.items[max(0, next_sequence - shard.starting_sequence_number):]
        raise


_moto_query = Table.query
_moto_all_items = Table.all_items


def _ordering(value: DynamoType) -> Any:
    """A sort key equal to DynamoDB's order for a key value, compared in C, not in Python."""
    if value.type == "S":
        return value.value
    if value.type == "N":
        return Decimal(value.value)
    return value  # binary: DynamoType's own order


def _page_window(table: Any, partition: DynamoType, args: list[Any]) -> list[Item]:
    """The items of one partition a base-table Query can reach, in key order: after the
    start key only, and no more than the page (plus one, so moto sees that more remain)
    unless a key condition might skip some."""
    range_comparison, limit, start, forward = args[0], args[2], args[3], args[4]
    found = table.items.get(partition)  # .get: `items` is a defaultdict
    if found is None:
        return []
    if not table.range_key_attr:
        return [found]
    ordered = sorted(found.values(), key=lambda item: _ordering(item.range_key))
    if start:
        keys = [_ordering(item.range_key) for item in ordered]
        boundary = _ordering(DynamoType(start[table.range_key_attr]))
        if forward is False:
            ordered = ordered[: bisect.bisect_left(keys, boundary)]
        else:
            ordered = ordered[bisect.bisect_right(keys, boundary) :]
        args[3] = None  # moto need not look for the start key again
    if limit and not range_comparison:
        ordered = ordered[-(limit + 1) :] if forward is False else ordered[: limit + 1]
    return ordered


def _query(self: Table, hash_key: Any, *args: Any, **kwargs: Any) -> Any:
    """Hand moto only the candidates a query can reach: for a base-table query, the page's
    window of its partition; for an index keyed by the table's partition key, that partition."""
    rest = list(args)
    index_name = rest[6] if len(rest) > 6 else kwargs.get("index_name")
    candidates: list[Any] | None = None
    if index_name is None and hash_key is not None and len(rest) >= 5:
        candidates = _page_window(self, hash_key, rest)
    elif index_name is not None:
        for name, value in kwargs.get("hash_key_conditions") or []:
            if name == self.hash_key_attr:
                found: Any = self.items.get(value)
                candidates = [] if found is None else (
                    list(found.values()) if self.range_key_attr else [found])
    if candidates is None:
        return _moto_query(self, hash_key, *args, **kwargs)
    self.__dict__["_candidates"] = candidates
    try:
        return _moto_query(self, hash_key, *rest, **kwargs)
    finally:
        del self.__dict__["_candidates"]


def _all_items(self: Any) -> list[Item]:
    candidates = self.__dict__.get("_candidates")
    if candidates is None:
        return _moto_all_items(self)  # type: ignore[no-any-return]
    return candidates  # type: ignore[no-any-return]


_moto_stream_add = StreamShard.add
_moto_stream_get = StreamShard.get


def _stream_add(self: StreamShard, old: Item | None, new: Item | None) -> None:
    _moto_stream_add(self, old, new)
    excess = len(self.items) - STREAM_RECORDS_KEPT
    if excess > 0:  # the oldest go; sequence numbers (start + position) carry on
        del self.items[:excess]
        self.starting_sequence_number += excess


def _stream_get(self: StreamShard, start: int, quantity: int) -> list[dict[str, Any]]:
    return _moto_stream_get(self, max(start, self.starting_sequence_number), quantity)


def _get_records(self: DynamoDBStreamsBackend, iterator_arn: str, limit: int) -> dict[str, Any]:
    return self.shard_iterators.pop(iterator_arn).get(limit)  # type: ignore[no-any-return]


def apply() -> None:
    """Patch moto's DynamoDB in this process (once)."""
    global _applied
    if _applied:
        return
    for model in model_data["dynamodb"].values():
        model.instances_tracked = _Untracked()  # type: ignore[attr-defined]
    # `copy` as seen from moto/dynamodb/models/__init__.py only.
    backend_module.__dict__["copy"] = SimpleNamespace(
        deepcopy=_deepcopy_except_tables, copy=copy.copy
    )
    setattr(DynamoDBBackend, "transact_write_items", _transact_write_items)  # noqa: B010
    setattr(Table, "query", _query)  # noqa: B010
    setattr(Table, "all_items", _all_items)  # noqa: B010
    setattr(StreamShard, "add", _stream_add)  # noqa: B010
    setattr(StreamShard, "get", _stream_get)  # noqa: B010
    setattr(DynamoDBStreamsBackend, "get_records", _get_records)  # noqa: B010
    _applied = True
