"""Delta sync over real HTTP: a client lists, another changes tasks (some while the first is
mid-page), the first syncs with its token and ends with exactly the server's set. Tombstones
are never seen by lists or gets; an expired token is 410; users never see each other's."""

import subprocess
import sys
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

import pytest

from models import TodoModel
from services.domain import cursor
from services.domain.ids import uuid7
from tests.support import ROOT, Api, HttpApi, LocalServer, Reply

DAY_MS = 24 * 3600 * 1000


@pytest.fixture
def http(engine_server: LocalServer) -> Api:
    """On the tests' own engine, so a test can seed old tasks in its table."""
    return HttpApi(engine_server.url)


def seed_old(user: str, count: int, minutes_ago: int = 10) -> list[str]:
    """Tasks last changed some minutes ago, as an earlier session would have left them."""
    ids = []
    stamp = time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime(time.time() - 60 * minutes_ago))
    for i in range(count):
        task_id = uuid7()
        TodoModel(user, task_id, title=f"old {i}", status="pending", priority="normal",
                  created_at=stamp, updated_at=stamp, version=1, sync_user_id=user,
                  change_key=f"{stamp}#{task_id}").save()
        ids.append(task_id)
    return ids


def next_path(reply: Reply) -> str | None:
    link = reply.headers.get("link")
    if not link:
        return None
    url = urlsplit(link[1:link.index(">")])
    return f"{url.path}?{url.query}"


def sync(api: Api, user: str, token: str, limit: int = 3) -> tuple[list[dict[str, Any]], str]:
    """Every change since the token, following the pages; and the last page's fresh token."""
    entries: list[dict[str, Any]] = []
    path: str | None = f"/todos?since={token}&limit={limit}"
    while path:
        reply = api.request("GET", path, user=user)
        assert reply.status == 200, reply.body
        entries += reply.json()
        path = next_path(reply)
        if path:  # a page before the last hands back the token the sync started from
            assert reply.headers["x-sync-token"] == token
    return entries, reply.headers["x-sync-token"]


def apply(local: dict[str, dict[str, Any]], entries: list[dict[str, Any]]) -> None:
    for entry in entries:
        if entry.get("deleted"):
            assert set(entry) == {"taskId", "deleted", "deletedAt"}
            local.pop(entry["taskId"], None)
        else:
            local[entry["taskId"]] = entry


def server_set(api: Api, user: str) -> dict[str, dict[str, Any]]:
    return {t["taskId"]: t for t in api.tasks_of(user)}


def test_a_client_that_syncs_ends_with_exactly_the_servers_tasks(
    http: Api, user: str, other_user: str,
) -> None:
    old = seed_old(user, 4)
    live = [http.create(user, title=f"t{i}")["taskId"] for i in range(6)]
    theirs = http.create(other_user, title="theirs")["taskId"]

    # Client A lists, 3 per page; client B changes tasks between A's pages.
    local: dict[str, dict[str, Any]] = {}
    tokens = []
    path: str | None = "/todos?limit=3"
    changes: list[Callable[[], Any]] = [
        lambda: http.request("PATCH", f"/todos/{live[0]}", user=user,  # already read by A
                             json_body={"title": "edited"}),
        lambda: http.request("DELETE", f"/todos/{live[4]}", user=user),  # not yet read by A
        lambda: http.create(user, title="new while paging"),
        lambda: http.request("PATCH", f"/todos/{old[1]}", user=user,  # read, then changed
                             json_body={"status": "completed"}),
    ]
    while path:
        reply = http.request("GET", path, user=user)
        apply(local, reply.json())
        tokens.append(reply.headers["x-sync-token"])
        path = next_path(reply)
        if changes:
            changes.pop(0)()
    for change in changes:  # what the pages did not outlast happens after A's listing
        change()
    assert len(tokens) >= 3 and len(set(tokens)) == 1  # every page: the listing's start
    assert local != server_set(http, user)  # A's copy is stale

    entries, fresh = sync(http, user, tokens[0])
    apply(local, entries)
    assert local == server_set(http, user)
    assert {e["taskId"] for e in entries}.isdisjoint({old[0], old[2], old[3], theirs})
    assert {"taskId": live[4]} in [{"taskId": e["taskId"]} for e in entries if e.get("deleted")]

    # Another round from the fresh token: edits, a completion, deletes, a clear.
    http.request("PATCH", f"/todos/{live[1]}", user=user, json_body={"completed": True})
    http.request("PUT", f"/todos/{old[2]}", user=user, json_body={"checklist": [{"title": "a"}]})
    http.request("DELETE", f"/todos/{old[0]}", user=user)
    created = http.create(user, title="after", status="completed")["taskId"]
    cleared = http.request("DELETE", "/todos?status=completed", user=user).json()
    assert cleared["deleted"] == 3  # old[1], live[1], created
    entries, fresh = sync(http, user, fresh)
    apply(local, entries)
    assert local == server_set(http, user)
    deleted = {e["taskId"] for e in entries if e.get("deleted")}
    assert {old[0], old[1], live[1], created} <= deleted
    assert old[3] not in {e["taskId"] for e in entries}

    # The other user's sync sees none of it; tombstones never show in lists or gets.
    their_token = cursor.sync_token(other_user, int(time.time() * 1000) - 300_000)
    their_entries, _ = sync(http, other_user, their_token)
    assert [e["taskId"] for e in their_entries] == [theirs]
    listed = {t["taskId"] for t in http.tasks_of(user)}
    assert listed.isdisjoint(deleted)
    for task_id in deleted:
        assert http.request("GET", f"/todos/{task_id}", user=user).status == 404
    assert all("deleted" not in t for t in http.tasks_of(user))


def test_sync_pages_in_change_order_and_lists_each_change_once(http: Api, user: str) -> None:
    seed_old(user, 3)
    token = http.request("GET", "/todos", user=user).headers["x-sync-token"]
    made = [http.create(user, title=f"t{i}")["taskId"] for i in range(7)]
    http.request("PATCH", f"/todos/{made[0]}", user=user, json_body={"title": "last"})
    entries, _ = sync(http, user, token, limit=2)
    assert [e["taskId"] for e in entries] == [*made[1:], made[0]]


def test_an_expired_or_foreign_token_is_refused(http: Api, user: str, other_user: str) -> None:
    now = int(time.time() * 1000)
    expired = cursor.sync_token(user, now - 31 * DAY_MS)
    reply = http.request("GET", f"/todos?since={expired}", user=user)
    assert reply.status == 410 and reply.content_type == "application/problem+json"
    assert reply.json()["type"].endswith("sync-token-expired") and "list" in reply.json()["detail"]
    recent = cursor.sync_token(user, now - 29 * DAY_MS)
    assert http.request("GET", f"/todos?since={recent}", user=user).status == 200
    theirs = http.request("GET", "/todos", user=other_user).headers["x-sync-token"]
    foreign = http.request("GET", f"/todos?since={theirs}", user=user)
    assert foreign.status == 400 and foreign.json()["errors"][0]["field"] == "since"
    for bad in ("garbage", theirs[:-3]):
        assert http.request("GET", f"/todos?since={bad}", user=user).status == 400


@pytest.mark.parametrize("extra", ["status=pending", "tag=x", "sort=dueDate",
                                   "dueAfter=2026-01-01", "order=desc"])
def test_since_with_a_filter_or_an_order_is_400(http: Api, user: str, extra: str) -> None:
    token = http.request("GET", "/todos", user=user).headers["x-sync-token"]
    reply = http.request("GET", f"/todos?since={token}&{extra}", user=user)
    assert reply.status == 400 and reply.json()["errors"][0]["field"] == "since"


def test_backfill_brings_tasks_from_before_the_indexes_into_the_views(
    http: Api, user: str, dynamodb_endpoint: str, ddb: Any,
) -> None:
    """Items as the seed's functions (or an older version) wrote them, without index keys:
    invisible to the due-date view until `todo-api backfill`, and never reported by a sync
    from after their last change."""
    table = TodoModel.Meta.table_name
    stamp = time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime(time.time() - 600))
    legacy = {name: uuid7() for name in ("dated", "seed", "odd")}
    items = [
        {"taskID": legacy["dated"], "title": "dated", "status": "pending",
         "dueDate": "2026-03-01", "createdAt": stamp, "updatedAt": stamp},
        {"taskID": legacy["seed"], "title": "seed's", "createdAt": stamp},  # no version
        {"taskID": legacy["odd"], "title": "odd date", "dueDate": "next week",
         "createdAt": stamp},
    ]
    for item in items:
        ddb.put_item(TableName=table, Item={"userID": {"S": user},
                                            **{k: {"S": v} for k, v in item.items()}})
    token = http.request("GET", "/todos", user=user).headers["x-sync-token"]
    assert walk_ids(http, user, "/todos?sort=dueDate") == []

    run = subprocess.run(
        [sys.executable, "-m", "cli.main", "backfill", "--table", table,
         "--dynamodb-endpoint", dynamodb_endpoint],
        capture_output=True, text=True, timeout=120, check=True, cwd=ROOT)
    assert int(run.stdout.split()[1]) >= 3, run.stdout

    assert walk_ids(http, user, "/todos?sort=dueDate") == [legacy["dated"]]
    assert sync(http, user, token)[0] == []  # unchanged since the token
    older = cursor.sync_token(user, int(time.time() * 1000) - 900_000)
    assert {e["taskId"] for e in sync(http, user, older)[0]} == set(legacy.values())
    http.request("PATCH", f"/todos/{legacy['seed']}", user=user,
                 json_body={"dueDate": "2026-01-01"})
    assert walk_ids(http, user, "/todos?sort=dueDate") == [legacy["seed"], legacy["dated"]]
    assert [e["taskId"] for e in sync(http, user, token)[0]] == [legacy["seed"]]


def walk_ids(api: Api, user: str, path: str) -> list[str]:
    found: list[str] = []
    next_: str | None = path
    while next_:
        reply = api.request("GET", next_, user=user)
        found += [t["taskId"] for t in reply.json()]
        next_ = next_path(reply)
    return found
