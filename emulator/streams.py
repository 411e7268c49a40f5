"""Follows a table's stream for the local server, as Lambda's event source mapping does on
AWS: reads every shard's records (DynamoDB Streams API: moto's and DynamoDB Local's) and
hands them, in order and in batches of up to 100, to a function in Lambda's DynamoDB event
format. A batch whose handler reports failed records is read again from the first of them
(up to MAX_RETRIES times, then skipped, as a mapping with a retry limit does).

It starts at the stream's end: items already in the table when the server starts (a --state
file, a DynamoDB Local table) are not announced again. Shards that appear later (DynamoDB
Local closes and opens shards as it goes) are read from their start.

The end is found by reading each shard from its start and skipping what is there, not with a
LATEST iterator, and the follower notes the last record it saw in each shard: DynamoDB Local
(with -sharedDb) numbers records across all its tables, so an iterator into a shard that is
still empty may point before that shard's first record, and reading it fails with
TrimmedDataAccessException. The follower then goes on after the last record it saw (or from
the shard's start, if it saw none), which is what it meant to read anyway."""

import logging
import threading
import time
from collections.abc import Callable
from datetime import datetime
from typing import Any

import boto3

log = logging.getLogger("todo-api.streams")
BATCH = 100  # Lambda's default batch size for a DynamoDB stream
MAX_RETRIES = 3
Deliver = Callable[[list[dict[str, Any]]], list[str]]


def lambda_record(record: dict[str, Any], stream_arn: str) -> dict[str, Any]:
    """A GetRecords record as Lambda delivers it: the creation time in epoch seconds."""
    stream = dict(record["dynamodb"])
    moment = stream.get("ApproximateCreationDateTime")
    if isinstance(moment, datetime):
        stream["ApproximateCreationDateTime"] = moment.timestamp()
    return {**record, "dynamodb": stream, "eventSourceARN": stream_arn}


class StreamFollower:
    def __init__(self, endpoint: str, region: str, table: str, deliver: Deliver,
                 poll_seconds: float = 0.1) -> None:
        self._ddb = boto3.client("dynamodb", endpoint_url=endpoint, region_name=region)
        self._streams = boto3.client("dynamodbstreams", endpoint_url=endpoint,
                                     region_name=region)
        self._table = table
        self._deliver = deliver
        self._poll = poll_seconds
        self._iterators: dict[str, str] = {}  # shard id -> next iterator
        self._last: dict[str, str] = {}  # shard id -> sequence number of the last record seen
        self._known: set[str] = set()
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._run, name="stream-follower", daemon=True)
        self.stream_arn = ""

    def start(self) -> None:
        self.stream_arn = self._ddb.describe_table(TableName=self._table)["Table"][
            "LatestStreamArn"]
        for shard in self._shards():
            self._known.add(shard["ShardId"])
            if "EndingSequenceNumber" not in shard.get("SequenceNumberRange", {}):
                self._iterators[shard["ShardId"]] = self._end_of(shard["ShardId"])
        self._thread.start()

    def stop(self) -> None:
        self._stopping.set()
        self._thread.join(timeout=10)

    def _shards(self) -> list[dict[str, Any]]:
        shards: list[dict[str, Any]] = []
        start: dict[str, str] = {}
        while True:
            described = self._streams.describe_stream(StreamArn=self.stream_arn, **start)
            shards += described["StreamDescription"]["Shards"]
            last = described["StreamDescription"].get("LastEvaluatedShardId")
            if not last:
                return shards
            start = {"ExclusiveStartShardId": last}

    def _iterator(self, shard_id: str, kind: str, sequence: str | None = None) -> str:
        extra = {"SequenceNumber": sequence} if sequence else {}
        answer = self._streams.get_shard_iterator(
            StreamArn=self.stream_arn, ShardId=shard_id, ShardIteratorType=kind, **extra)
        iterator: str = answer["ShardIterator"]
        return iterator

    def _end_of(self, shard_id: str) -> str:
        """An iterator past the shard's last record (its records are skipped)."""
        iterator = self._iterator(shard_id, "TRIM_HORIZON")
        while True:
            answer = self._streams.get_records(ShardIterator=iterator, Limit=1000)
            records = answer.get("Records") or []
            if records:
                self._last[shard_id] = records[-1]["dynamodb"]["SequenceNumber"]
            following: str | None = answer.get("NextShardIterator")
            if following is None:
                return iterator  # closed meanwhile: _read finds it so
            iterator = following
            if not records:
                return iterator

    def _discover(self) -> None:
        """New shards (their parents read to the end first), from their start."""
        for shard in self._shards():
            shard_id = shard["ShardId"]
            if shard_id in self._known:
                continue
            if shard.get("ParentShardId") in self._iterators:
                continue  # its parent still has records to give
            self._known.add(shard_id)
            self._iterators[shard_id] = self._iterator(shard_id, "TRIM_HORIZON")

    def _run(self) -> None:
        last_discovery = 0.0
        while not self._stopping.is_set():
            busy = False
            try:
                if time.monotonic() - last_discovery > 2:
                    self._discover()
                    last_discovery = time.monotonic()
                for shard_id in list(self._iterators):
                    busy |= self._read(shard_id)
            except Exception:
                log.exception("reading the table's stream failed; trying again")
                self._stopping.wait(1)
            if not busy:
                self._stopping.wait(self._poll)

    def _read(self, shard_id: str) -> bool:
        try:
            answer = self._streams.get_records(ShardIterator=self._iterators[shard_id],
                                               Limit=BATCH)
        except self._streams.exceptions.TrimmedDataAccessException:
            last = self._last.get(shard_id)
            self._iterators[shard_id] = (
                self._iterator(shard_id, "AFTER_SEQUENCE_NUMBER", last) if last
                else self._iterator(shard_id, "TRIM_HORIZON"))
            return True
        records = [lambda_record(r, self.stream_arn) for r in answer.get("Records", [])]
        if records:
            self._last[shard_id] = records[-1]["dynamodb"]["SequenceNumber"]
        following = answer.get("NextShardIterator")
        if records:
            self._hand_over(shard_id, records)
        if following:
            self._iterators[shard_id] = following
        else:
            del self._iterators[shard_id]  # a closed shard, read to its end
        return bool(records)

    def _hand_over(self, shard_id: str, records: list[dict[str, Any]]) -> None:
        for attempt in range(MAX_RETRIES + 1):
            failed = self._deliver(records)
            if not failed:
                return
            first = next((i for i, r in enumerate(records)
                          if r["dynamodb"]["SequenceNumber"] == failed[0]), 0)
            records = records[first:]
            if attempt < MAX_RETRIES:
                self._stopping.wait(0.5 * (attempt + 1))
        log.error("stream records skipped after %d retries", MAX_RETRIES,
                  extra={"shardId": shard_id, "skipped": len(records)})
