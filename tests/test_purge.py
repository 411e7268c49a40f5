"""What a deleted list leaves behind (docs/LISTS.md): its tasks, unreachable at once, and
removed later by the bounded clean-up (`todo-api purge`), one bounded batch per run."""

import subprocess
import sys
import time
from typing import Any

import pytest

from emulator.streams import StreamFollower
from models import DeletedList, TodoModel
from models.list import PURGE_PARTITION, tasks_partition
from services.domain import lists
from services.events.dispatcher import Dispatcher
from services.events.settings import Settings
from tests.event_ports import Recorder
from tests.sharing import create_list, ok
from tests.support import ROOT, InProcessApi
from tests.test_request_counts import seed_tasks


def _left(list_id: str) -> int:
    return sum(1 for _ in TodoModel.query(tasks_partition(list_id), consistent_read=True))


def _marked(list_id: str) -> bool:
    return any(m.list_id == list_id for m in DeletedList.query(PURGE_PARTITION,
                                                                consistent_read=True))


@pytest.fixture
def api(gateway: Any) -> InProcessApi:
    return InProcessApi(gateway)


def test_a_deleted_lists_tasks_are_purged_in_bounded_runs(
    api: InProcessApi, user: str, monkeypatch: pytest.MonkeyPatch,
) -> None:
    list_id = create_list(api, user)["listId"]
    ok(api.request("POST", f"/lists/{list_id}/todos", user=user, json_body={"title": "t"}), 201)
    seed_tasks(tasks_partition(list_id), 24)
    ok(api.request("DELETE", f"/lists/{list_id}", user=user))
    assert _left(list_id) == 25 and _marked(list_id)  # unreachable, not yet removed
    monkeypatch.setattr(lists, "PURGE_TASKS_PER_LIST", 10)
    runs = []
    while _marked(list_id):
        runs.append(lists.purge_deleted_lists())
        assert runs[-1].tasks <= 10 * lists.PURGE_LISTS_PER_RUN
        assert len(runs) < 20
    assert _left(list_id) == 0
    assert sum(run.tasks for run in runs) >= 25 and runs[-1].lists >= 1


def test_the_command_line_purges_until_done(api: InProcessApi, user: str,
                                           dynamodb_endpoint: str) -> None:
    list_id = create_list(api, user)["listId"]
    seed_tasks(tasks_partition(list_id), 30)
    ok(api.request("DELETE", f"/lists/{list_id}", user=user))
    kept = create_list(api, user)["listId"]
    seed_tasks(tasks_partition(kept), 3)
    run = subprocess.run(
        [sys.executable, "-m", "cli.main", "purge", "--table", TodoModel.Meta.table_name,
         "--dynamodb-endpoint", dynamodb_endpoint, "--until-done"],
        cwd=ROOT, capture_output=True, text=True, timeout=120, check=False)
    assert run.returncode == 0, run.stderr
    assert "tasks of deleted lists" in run.stdout and "more remain" not in run.stdout
    assert _left(list_id) == 0 and not _marked(list_id)
    assert _left(kept) == 3  # a list that still exists keeps its tasks
    assert len(ok(api.request("GET", f"/lists/{kept}/todos", user=user))) == 3


def test_the_dispatcher_cleans_up_a_deleted_list_through_the_stream(
    api: InProcessApi, user: str, dynamodb_endpoint: str, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """No schedule and no command: the marker a delete writes reaches the dispatcher by the
    table's stream (followed here as Lambda's mapping would), each run stays bounded, and a
    run that leaves work writes the marker again, which asks for the next."""
    monkeypatch.setattr(lists, "PURGE_TASKS_PER_LIST", 10)
    own = api.create(user, title="mine, in the default list")
    deleted = create_list(api, user)["listId"]
    seed_tasks(tasks_partition(deleted), 35)
    kept = create_list(api, user)["listId"]
    seed_tasks(tasks_partition(kept), 3)
    ports = Recorder()
    dispatcher = Dispatcher(ports, ports, Settings())
    runs: list[int] = []

    def deliver(records: list[dict[str, Any]]) -> list[str]:
        runs.extend(1 for r in records if r["dynamodb"]["Keys"]["userID"]["S"] == PURGE_PARTITION
                    and "NewImage" in r["dynamodb"])
        return dispatcher.on_stream(records)

    follower = StreamFollower(dynamodb_endpoint, "us-east-1", TodoModel.Meta.table_name,
                              deliver, poll_seconds=0.05)
    follower.start()
    try:
        ok(api.request("DELETE", f"/lists/{deleted}", user=user))
        deadline = time.monotonic() + 60
        while (_marked(deleted) or _left(deleted)) and time.monotonic() < deadline:
            time.sleep(0.1)
    finally:
        follower.stop()
    assert _left(deleted) == 0 and not _marked(deleted)
    assert len(runs) >= 4  # 35 tasks, 10 a run: the marker written, then again three times
    assert _left(kept) == 3
    assert ok(api.request("GET", f"/todos/{own['taskId']}", user=user))["title"] == own["title"]
