"""`todo-api serve --state`: every acknowledged write survives kill -9 and any signals.

Real server processes, real HTTP, concurrent clients; the server is killed mid-load, restarted
from its files, and each user's tasks are compared with what the server had acknowledged.
"""

import json
import os
import random
import signal
import subprocess
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import requests

from emulator.statefile import StateFile, StateFileError
from tests.support import HttpApi, LocalServer, write_state_file

Model = dict[str, tuple[str, str, int]]  # taskId -> (title, status, version)


@dataclass
class Op:
    kind: str  # create, patch, delete, clear
    task_id: str = ""
    title: str = ""
    status: str = ""
    version: int = 0


@dataclass(eq=False)
class Client(threading.Thread):
    """One user sending one request at a time: what the server acknowledged is `model`, and
    at most one request (`in_flight`) was unanswered when the server died."""

    url: str
    user: str
    seed: int
    model: Model = field(default_factory=dict)
    in_flight: Op | None = None
    acknowledged: int = 0
    idempotent: list[tuple[str, str, str]] = field(default_factory=list)  # key, title, taskId
    failure: str | None = None

    def __post_init__(self) -> None:
        super().__init__(daemon=True)

    def run(self) -> None:
        api = HttpApi(self.url)
        rnd = random.Random(self.seed)
        try:
            while True:
                self._step(api, rnd)
        except requests.RequestException:
            return  # the server is gone; in_flight may or may not have happened
        except AssertionError as error:
            self.failure = str(error)

    def _step(self, api: HttpApi, rnd: random.Random) -> None:
        roll = rnd.random()
        ids = sorted(self.model)
        if roll < 0.35 or not ids:
            title = f"t-{uuid.uuid4().hex[:8]}"
            key = uuid.uuid4().hex if rnd.random() < 0.5 else None
            self.in_flight = Op("create", title=title)
            headers = {"Idempotency-Key": key} if key else {}
            reply = api.request("POST", "/todos", user=self.user, json_body={"title": title},
                                headers=headers)
            assert reply.status == 201, reply.body
            task = reply.json()
            self.model[task["taskId"]] = (title, task["status"], task["version"])
            if key:
                self.idempotent.append((key, title, task["taskId"]))
                again = api.request("POST", "/todos", user=self.user,
                                    json_body={"title": title}, headers=headers)
                assert again.status == 201 and again.json()["taskId"] == task["taskId"]
        elif roll < 0.75:
            task_id = rnd.choice(ids)
            title = f"u-{uuid.uuid4().hex[:8]}"
            status = rnd.choice(["pending", "completed"])
            old = self.model[task_id]
            self.in_flight = Op("patch", task_id, title, status, old[2] + 1)
            reply = api.request("PATCH", f"/todos/{task_id}", user=self.user,
                                json_body={"title": title, "status": status})
            assert reply.status == 200, reply.body
            assert reply.json()["version"] == old[2] + 1
            self.model[task_id] = (title, status, old[2] + 1)
        elif roll < 0.95:
            task_id = rnd.choice(ids)
            self.in_flight = Op("delete", task_id)
            reply = api.request("DELETE", f"/todos/{task_id}", user=self.user)
            assert reply.status == 200, reply.body
            del self.model[task_id]
        else:
            self.in_flight = Op("clear")
            reply = api.request("DELETE", "/todos?status=completed", user=self.user)
            assert reply.status == 200, reply.body
            self.model = {k: v for k, v in self.model.items() if v[1] != "completed"}
        self.in_flight = None
        self.acknowledged += 1


def _state_of(api: HttpApi, user: str) -> Model:
    return {t["taskId"]: (t["title"], t["status"], t["version"]) for t in api.tasks_of(user)}


def _explained(client: Client, actual: Model) -> bool:
    """The server holds what it acknowledged, give or take the one unanswered request."""
    expected, op = client.model, client.in_flight
    if actual == expected:
        return True
    if op is None:
        return False
    if op.kind == "create":
        extra = set(actual) - set(expected)
        return (len(extra) == 1 and actual[extra.pop()][0] == op.title
                and {k: actual[k] for k in expected} == expected)
    if op.kind == "patch":
        return actual == {**expected, op.task_id: (op.title, op.status, op.version)}
    if op.kind == "delete":
        return actual == {k: v for k, v in expected.items() if k != op.task_id}
    # clear: some of the completed tasks may be gone, nothing else changed
    return all(
        (k in actual and actual[k] == v) or (k not in actual and v[1] == "completed")
        for k, v in expected.items()
    ) and set(actual) <= set(expected)


def _load_then_kill(url: str, process: subprocess.Popen[str], users: list[str],
                    models: dict[str, Model], seed: int) -> list[Client]:
    clients = [Client(url, user, seed + n, model=dict(models.get(user, {})))
               for n, user in enumerate(users)]
    for client in clients:
        client.start()
    deadline = time.monotonic() + 60
    while sum(c.acknowledged for c in clients) < 150 and time.monotonic() < deadline:
        assert all(c.failure is None for c in clients), [c.failure for c in clients]
        time.sleep(0.05)
    time.sleep(random.Random(seed).uniform(0, 0.3))  # somewhere mid-request
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    for client in clients:
        client.join(timeout=30)
    assert all(c.failure is None for c in clients), [c.failure for c in clients]
    assert sum(c.acknowledged for c in clients) >= 150
    return clients


def _last_segment(state: Path) -> int:
    segments = state.parent.glob(f"{state.name}.journal.*")
    return max((int(path.name.rsplit(".", 1)[1]) for path in segments), default=0)


def test_acknowledged_writes_survive_kill_9_under_concurrent_load(tmp_path: Path) -> None:
    """Creates, idempotent creates, updates, deletes and clears from 5 users at once; the
    server is SIGKILLed twice mid-load and restarted from its state file each time. In the
    second round it takes a snapshot every few dozen writes, so the kill may land in one."""
    state = tmp_path / "tasks.json"
    users = [f"kill-{n}-{uuid.uuid4().hex[:6]}" for n in range(5)]
    models: dict[str, Model] = {}
    for round_ in range(2):
        segments_before = _last_segment(state)
        server = LocalServer("--state", str(state),
                             env={"TODO_API_COMPACT_AFTER": "1000" if round_ == 0 else "10"})
        server.wait_ready()
        try:
            clients = _load_then_kill(server.url, server.process, users, models,
                                      seed=round_ * 10)
        finally:
            server.stop(signal.SIGKILL)
        if round_ == 1:  # a new segment on start, one per snapshot: some were taken under load
            assert _last_segment(state) >= segments_before + 3
        again = LocalServer("--state", str(state)).wait_ready()
        try:
            api = HttpApi(again.url)
            for client in clients:
                actual = _state_of(api, client.user)
                assert _explained(client, actual), (client.user, client.in_flight)
                models[client.user] = actual
                # The idempotency records came back too: a retry creates nothing.
                for key, title, task_id in client.idempotent[-3:]:
                    retry = api.request("POST", "/todos", user=client.user,
                                        json_body={"title": title},
                                        headers={"Idempotency-Key": key})
                    assert retry.status == 201 and retry.json()["taskId"] == task_id
                assert _state_of(api, client.user) == actual
        finally:
            again.stop(signal.SIGKILL)


def _signal_storm(process: subprocess.Popen[str], sig: int, seconds: float = 30) -> None:
    """Keep signalling until the process is gone."""
    deadline = time.monotonic() + seconds
    while process.poll() is None and time.monotonic() < deadline:
        try:
            process.send_signal(sig)
        except ProcessLookupError:
            break
        time.sleep(0.002)


@pytest.mark.parametrize("second", [signal.SIGTERM, signal.SIGINT, signal.SIGKILL])
def test_signals_during_the_save_lose_nothing(tmp_path: Path, second: int) -> None:
    """SIGTERM starts the final save of 3,000 tasks; more signals (or a SIGKILL) land in it.
    Every task is still there after a restart, and the files are whole."""
    state = tmp_path / "tasks.json"
    write_state_file(state, {"bulk": 3000})
    server = LocalServer("--state", str(state)).wait_ready()
    try:
        api = HttpApi(server.url)
        made = [api.create("fresh", title=f"fresh {i}")["taskId"] for i in range(40)]
        gone = made.pop()
        assert api.request("DELETE", f"/todos/{gone}", user="fresh").status == 200
        server.process.send_signal(signal.SIGTERM)
        time.sleep(0.02)
        _signal_storm(server.process, second)
    finally:
        output = server.stop(signal.SIGKILL)
    if second != signal.SIGKILL:
        assert server.process.returncode == 0, output
        assert "Traceback" not in output
    again = LocalServer("--state", str(state)).wait_ready()
    try:
        api = HttpApi(again.url)
        assert [t["taskId"] for t in api.tasks_of("fresh")] == made
        assert len(api.tasks_of("bulk")) == 3000
    finally:
        again.stop()
    assert not [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_a_second_server_on_the_same_state_file_refuses_to_start(tmp_path: Path) -> None:
    state = tmp_path / "tasks.json"
    first = LocalServer("--state", str(state)).wait_ready()
    try:
        HttpApi(first.url).create("owner", title="mine")
        second = LocalServer("--state", str(state))
        try:
            code = second.process.wait(timeout=60)
        finally:
            output = second.stop(signal.SIGKILL)
        assert code == 1 and "in use by another todo-api server" in output
        assert [t["title"] for t in HttpApi(first.url).tasks_of("owner")] == ["mine"]
    finally:
        first.stop()


# The state file's own rules, without a server: recovery, torn records, a dying save.

def _item(task: str, title: str = "x") -> dict[str, Any]:
    return {"userID": {"S": "u"}, "taskID": {"S": task}, "title": {"S": title}}


def _key(task: str) -> dict[str, Any]:
    return {"userID": {"S": "u"}, "taskID": {"S": task}}


def _store(path: Path) -> StateFile:
    return StateFile(path, "t", ["userID", "taskID"])


def test_recovery_replays_the_journal_and_skips_only_a_torn_last_record(tmp_path: Path) -> None:
    path = tmp_path / "s.json"
    store = _store(path)
    assert store.recover() == []
    store.start()
    store.append([(_key("1"), _item("1"))])
    store.append([(_key("2"), _item("2")), (_key("3"), _item("3"))])  # one transaction
    store.append([(_key("1"), None)])
    store.append([(_key("2"), _item("2", "new"))])
    store.close()
    journal = next(tmp_path.glob("s.json.journal.*"))
    with journal.open("a") as out:
        out.write('{"w": [[{"userID": {"S": "u"}, "taskID": {"S": "4"}}, {"us')  # kill -9 here
    recovered = _store(path)
    assert sorted(recovered.recover(), key=str) == sorted([_item("2", "new"), _item("3")], key=str)
    assert recovered.torn_records == 1
    # Damage anywhere but at the end of a segment is not a crash: refuse to start.
    journal.write_text("garbage\n" + journal.read_text())
    with pytest.raises(StateFileError, match="corrupt"):
        _store(path).recover()


def test_a_save_that_dies_half_way_keeps_every_write(tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "s.json"
    store = _store(path)
    store.recover()
    store.start()
    store.append([(_key("1"), _item("1"))])
    first = store.rotate()
    store.checkpoint(json.dumps([_item("1")]), 1, first)
    before = path.read_text()
    store.append([(_key("2"), _item("2"))])

    real_fsync = os.fsync

    def full_disk(fd: int) -> None:
        raise OSError("disk full")

    second = store.rotate()
    monkeypatch.setattr("emulator.statefile.os.fsync", full_disk)
    with pytest.raises(OSError):
        store.checkpoint(json.dumps([_item("1"), _item("2")]), 2, second)
    monkeypatch.setattr("emulator.statefile.os.fsync", real_fsync)
    assert path.read_text() == before
    assert not list(tmp_path.glob(".*tmp"))
    assert sorted(_store(path).recover(), key=str) == [_item("1"), _item("2")]


def test_a_snapshot_older_than_its_journal_recovers_whole(tmp_path: Path) -> None:
    """A crash after the new snapshot but before the old segments went: replaying them
    again changes nothing."""
    path = tmp_path / "s.json"
    store = _store(path)
    store.recover()
    store.start()
    store.append([(_key("1"), _item("1", "a"))])
    store.append([(_key("1"), _item("1", "b"))])
    kept = {p.name: p.read_bytes() for p in tmp_path.glob("s.json.journal.*")}
    first = store.rotate()
    store.checkpoint(json.dumps([_item("1", "b")]), 1, first)
    store.append([(_key("1"), None)])
    store.close()
    for name, data in kept.items():  # as if the deletion never happened
        (tmp_path / name).write_bytes(data)
    assert _store(path).recover() == []
    assert json.loads(path.read_text())["journal"] == first


def test_a_state_file_of_the_previous_format_is_read(tmp_path: Path) -> None:
    path = tmp_path / "s.json"
    path.write_text(json.dumps({"table": "t", "items": [_item("1")]}))
    assert _store(path).recover() == [_item("1")]


# The engine's side: each write path reaches the journal before the engine answers.

@dataclass
class Journaled:
    engine: Any
    client: Any
    table: str
    path: Path

    def on_disk(self) -> list[dict[str, Any]]:
        """What a server started now from the files would hold."""
        return sorted(StateFile(self.path, self.table, ["userID", "taskID"]).recover(), key=str)

    def in_engine(self) -> list[dict[str, Any]]:
        pages = self.client.get_paginator("scan").paginate(TableName=self.table,
                                                          ConsistentRead=True)
        return sorted((item for page in pages for item in page["Items"]), key=str)


@pytest.fixture
def journaled(tmp_path: Path) -> Iterator[Journaled]:
    from emulator import dynamodb as embedded

    engine = embedded.EmbeddedDynamoDB()
    client = embedded.client(engine.start(), "us-east-1")
    table = f"journal-{uuid.uuid4().hex[:8]}"
    embedded.ensure_table(client, table)
    state = StateFile(tmp_path / "s.json", table, embedded.key_names(client, table))
    state.recover()
    engine.journal_to(state)
    yield Journaled(engine, client, table, tmp_path / "s.json")
    engine.stop()
    state.close()


def test_every_write_path_is_journaled_before_the_answer(journaled: Journaled) -> None:
    client, table = journaled.client, journaled.table
    key = {"userID": {"S": "u"}, "taskID": {"S": "1"}}
    writes: list[Callable[[], object]] = [
        lambda: client.put_item(TableName=table, Item=_item("1", "put")),
        lambda: client.update_item(TableName=table, Key=key, UpdateExpression="SET n = :n",
                                   ExpressionAttributeValues={":n": {"N": "5"}}),
        lambda: client.batch_write_item(RequestItems={table: [
            {"PutRequest": {"Item": _item(str(n), "batch")}} for n in range(2, 6)
        ] + [{"DeleteRequest": {"Key": key}}]}),
        lambda: client.delete_item(TableName=table, Key=_key("2")),
        lambda: client.transact_write_items(TransactItems=[
            {"Put": {"TableName": table, "Item": _item("9", "tx")}},
            {"Update": {"TableName": table, "Key": _key("3"), "UpdateExpression": "SET l = :l",
                        "ExpressionAttributeValues": {":l": {"L": [{"S": "a"}, {"N": "1"}]}}}},
            {"Delete": {"TableName": table, "Key": _key("4")}},
        ]),
    ]
    refused: list[Callable[[], object]] = [
        lambda: client.put_item(TableName=table, Item=_item("3", "nope"),
                                ConditionExpression="attribute_not_exists(taskID)"),
        lambda: client.transact_write_items(TransactItems=[
            {"Delete": {"TableName": table, "Key": _key("5")}},
            {"Put": {"TableName": table, "Item": _item("9", "nope"),
                     "ConditionExpression": "attribute_not_exists(taskID)"}},
        ]),
    ]
    for write in writes:
        write()
        assert journaled.on_disk() == journaled.in_engine()
    for write in refused:
        with pytest.raises(client.exceptions.ClientError):
            write()
        assert journaled.on_disk() == journaled.in_engine()
    assert [i["taskID"]["S"] for i in journaled.in_engine()] == ["3", "5", "9"]


def test_a_snapshot_drops_items_past_their_ttl(journaled: Journaled) -> None:
    client, table = journaled.client, journaled.table
    now = int(time.time())
    client.put_item(TableName=table, Item={**_item("old"), "expiresAt": {"N": str(now - 60)}})
    client.put_item(TableName=table, Item={**_item("live"), "expiresAt": {"N": str(now + 3600)}})
    client.put_item(TableName=table, Item=_item("task"))
    assert journaled.engine.compact() == 2
    assert [i["taskID"]["S"] for i in journaled.in_engine()] == ["live", "task"]
    assert journaled.on_disk() == journaled.in_engine()
