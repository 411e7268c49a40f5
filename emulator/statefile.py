"""The local server's `--state`: a snapshot file plus a write-ahead journal beside it.

Every write the embedded engine makes is appended to the journal, as the after-image of each
item it touched (the item, or null when it is gone), and fsync'd before the engine answers:
so a write acknowledged to a client is on disk, whatever happens to the process next.

Files, for `--state tasks.json`:
  tasks.json               snapshot: {"table", "items", "journal": N}; replaced atomically
  tasks.json.journal.N     journal segments N, N+1, ...: one JSON line per engine write
Recovery reads the snapshot and replays, in order, every segment numbered N or more: replaying
an after-image is idempotent, so a segment that the snapshot already holds does no harm, and
a crash between any two steps of a compaction leaves a state that recovers whole. Only a
segment's last line can be torn (a crash mid-append, never acknowledged): it is skipped. Any
other damage stops the server with a message, leaving the files as they are.
"""

import fcntl
import json
import os
import re
import threading
from collections.abc import Iterable
from pathlib import Path
from typing import Any, TextIO

Key = dict[str, Any]
Item = dict[str, Any]
Change = tuple[Key, Item | None]


class StateFileError(Exception):
    pass


def _fsync_directory(directory: Path) -> None:
    # A rename or a new file is durable only once its directory is.
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def canonical(key: Key) -> str:
    return json.dumps(key, sort_keys=True, separators=(",", ":"))


class StateFile:
    """The snapshot and journal of one table (the one the server serves)."""

    def __init__(self, path: Path, table: str, key_names: Iterable[str],
                 compact_after: int = 1000) -> None:
        self.path = path
        self.compact_after = compact_after  # journal records, at least, between snapshots
        self.table = table
        self.key_names = tuple(key_names)
        self._segment_pattern = re.compile(re.escape(path.name) + r"\.journal\.(\d+)$")
        self._lock = threading.Lock()  # one appender at a time; compaction rotates under it
        self._journal: TextIO | None = None
        self._segment = 0
        self._records = 0  # records appended since the last snapshot
        self._snapshot_items = 0
        self.torn_records = 0  # torn last lines skipped by recovery
        self._claim: int | None = None

    def key_of(self, item: Item) -> Key:
        return {name: item[name] for name in self.key_names}

    def _segment_path(self, number: int) -> Path:
        return self.path.with_name(f"{self.path.name}.journal.{number}")

    def _segments(self) -> list[int]:
        if not self.path.parent.is_dir():
            return []
        found = (self._segment_pattern.match(entry.name) for entry in self.path.parent.iterdir())
        return sorted(int(match.group(1)) for match in found if match)

    def _corrupt(self, where: Path, why: str) -> StateFileError:
        return StateFileError(
            f"state file {where} is unreadable or corrupt ({why}); "
            "fix or move it away, the server will not start empty over it"
        )

    def recover(self) -> list[Item]:
        """The table's items as the snapshot and the journal after it leave them."""
        first = 0
        items: dict[str, Item] = {}
        if self.path.exists():
            try:
                state = json.loads(self.path.read_text(encoding="utf-8"))
                if state.get("table") is None or not isinstance(state["items"], list):
                    raise ValueError("missing table or items")
                first = int(state.get("journal", 0))
                for item in state["items"]:
                    items[canonical(self.key_of(item))] = item
            except (OSError, ValueError, KeyError, TypeError, AttributeError) as error:
                raise self._corrupt(self.path, type(error).__name__) from None
        for number in self._segments():
            if number < first:
                continue  # held by the snapshot; a compaction that died left it behind
            self._replay(self._segment_path(number), items)
            self._segment = number
        return list(items.values())

    def _replay(self, segment: Path, items: dict[str, Item]) -> None:
        try:
            lines = segment.read_bytes().split(b"\n")
        except OSError as error:
            raise self._corrupt(segment, type(error).__name__) from None
        # A whole record ends with a newline, so the last element is b"" unless torn.
        for index, line in enumerate(lines):
            if not line:
                continue
            try:
                record = json.loads(line)
                changes = [(dict(key), item) for key, item in record["w"]]
            except (ValueError, KeyError, TypeError) as error:
                if index == len(lines) - 1:
                    self.torn_records += 1  # died while appending it: never acknowledged
                    continue
                why = f"record {index + 1}: {type(error).__name__}"
                raise self._corrupt(segment, why) from None
            for key, item in changes:
                if item is None:
                    items.pop(canonical(key), None)
                else:
                    items[canonical(key)] = item

    def claim(self) -> None:
        """Hold `FILE.lock` for as long as this process lives (the kernel lets go when it
        dies, even by kill -9): two servers on one state file would undo each other."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path.with_name(f"{self.path.name}.lock"), os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            raise StateFileError(
                f"state file {self.path} is in use by another todo-api server"
            ) from None
        self._claim = fd
        # Temporary files of a snapshot that a kill interrupted: never read, now ours to drop.
        for stale in self.path.parent.glob(f".{self.path.name}.*.tmp"):
            stale.unlink(missing_ok=True)

    def start(self) -> None:
        """Open a fresh journal segment for this run (never append after a torn line)."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._lock:
            self._open_segment(max(self._segments(), default=self._segment) + 1)

    def _open_segment(self, number: int) -> None:
        journal = open(self._segment_path(number), "a", encoding="utf-8")  # noqa: SIM115
        _fsync_directory(self.path.parent)
        previous, self._journal, self._segment = self._journal, journal, number
        if previous is not None:
            previous.close()

    def append(self, changes: list[Change]) -> None:
        """Write one engine write's after-images durably; returns once they are on disk."""
        line = json.dumps({"w": [[key, item] for key, item in changes]}, separators=(",", ":"))
        with self._lock:
            if self._journal is None:
                raise RuntimeError("journal is not open")
            self._journal.write(line + "\n")
            self._journal.flush()
            os.fsync(self._journal.fileno())
            self._records += 1

    def has_records(self) -> bool:
        return self._records > 0

    def wants_compaction(self) -> bool:
        """Once the journal outgrows the snapshot: compaction then costs O(1) per write."""
        return self._records >= max(self.compact_after, self._snapshot_items)

    def rotate(self) -> int:
        """Start a new segment; returns its number. The caller keeps writes out meanwhile and
        captures the items in the same breath: what the capture misses is in this segment."""
        with self._lock:
            self._open_segment(self._segment + 1)
            self._records = 0
            return self._segment

    def checkpoint(self, items_json: str, count: int, first_segment: int) -> None:
        """Write the snapshot (items as one JSON array) atomically, then drop the segments
        before `first_segment`, which it holds."""
        tmp = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
        try:
            with open(tmp, "w", encoding="utf-8") as out:
                out.write(f'{{"table": {json.dumps(self.table)}, "journal": {first_segment}, '
                          f'"items": {items_json}}}')
                out.flush()
                os.fsync(out.fileno())
            os.replace(tmp, self.path)
            _fsync_directory(self.path.parent)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
        self._snapshot_items = count
        for number in self._segments():
            if number < first_segment:
                self._segment_path(number).unlink(missing_ok=True)

    def close(self) -> None:
        with self._lock:
            if self._journal is not None:
                self._journal.close()
                self._journal = None
            if self._claim is not None:
                os.close(self._claim)
                self._claim = None
