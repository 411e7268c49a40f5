"""List events end to end: a list's life (created, renamed, shared, roles, members removed,
deleted) reaches the webhooks of every member it concerns, each event signed and verified
with the `standardwebhooks` library by a receiver on loopback; a shared list's task changes
reach every member, and nobody else."""

import time
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from services.domain.webhooks import EVENT_TYPES
from tests.receiver import Receiver, event_types
from tests.support import HttpApi, LocalServer
from tests.test_events import QUIET, _own_table, subscribe


@pytest.fixture(scope="module")
def server(engine_args: list[str]) -> Iterator[LocalServer]:
    started = LocalServer(*_own_table(engine_args, "todos-list-events-test"))
    yield started.wait_ready()
    started.stop()


@pytest.fixture
def api(server: LocalServer) -> HttpApi:
    return HttpApi(server.url)


@pytest.fixture
def receivers() -> Iterator[dict[str, Receiver]]:
    started = {name: Receiver() for name in ("owner", "member", "stranger")}
    yield started
    for receiver in started.values():
        receiver.stop()


def ok(reply: Any, status: int = 200) -> Any:
    assert reply.status == status, reply.body
    return reply.json()


def settle(receiver: Receiver, count: int) -> list[dict[str, Any]]:
    """Exactly `count` events: wait for them, then a quiet spell for any extra one."""
    receiver.wait_for(count)
    time.sleep(QUIET)
    return receiver.events()


def test_a_lists_life_reaches_each_member_it_concerns_and_nobody_else(
        api: HttpApi, receivers: dict[str, Receiver]) -> None:
    owner, member, stranger = (f"{n}-{uuid.uuid4().hex[:10]}" for n in ("ana", "ben", "cy"))
    for name, user in (("owner", owner), ("member", member), ("stranger", stranger)):
        subscribe(api, user, receivers[name], events=EVENT_TYPES)

    shared = ok(api.request("POST", "/lists", user=owner, json_body={"name": "Groceries"}), 201)
    list_id = shared["listId"]
    invitation = ok(api.request("POST", f"/lists/{list_id}/invitations", user=owner,
                                json_body={"role": "editor"}), 201)
    ok(api.request("POST", "/invitations/accept", user=member,
                   json_body={"token": invitation["token"]}))
    task = ok(api.request("POST", f"/lists/{list_id}/todos", user=member,
                          json_body={"title": "Oat milk"}), 201)
    # Who hears of a task's change: the list's members when the dispatcher reads it (a member
    # removed, or a list deleted, before then hears nothing more), so each step is awaited.
    for name in ("owner", "member"):
        receivers[name].wait_for(1, where=lambda e: e["type"] == "task.created")
    ok(api.request("PATCH", f"/lists/{list_id}", user=owner, json_body={"name": "Shopping"}))
    ok(api.request("PATCH", f"/lists/{list_id}/members/{member}", user=owner,
                   json_body={"role": "viewer"}))
    ok(api.request("DELETE", f"/lists/{list_id}/members/{member}", user=owner))
    ok(api.request("POST", f"/lists/{list_id}/todos", user=owner,
                   json_body={"title": "Bread"}), 201)  # the member has gone: not theirs
    receivers["owner"].wait_for(2, where=lambda e: e["type"] == "task.created")
    ok(api.request("DELETE", f"/lists/{list_id}", user=owner))
    ok(api.request("PATCH", "/lists/default", user=owner, json_body={"name": "Mine"}))

    to_owner = settle(receivers["owner"], 9)
    assert event_types(to_owner) == sorted([
        "list.created", "list.member_added", "task.created", "list.updated",
        "list.member_updated", "list.member_removed", "task.created", "list.deleted",
        "list.updated"])
    to_member = settle(receivers["member"], 5)
    assert event_types(to_member) == sorted([
        "list.member_added", "task.created", "list.updated", "list.member_updated",
        "list.member_removed"])
    time.sleep(QUIET)
    assert receivers["stranger"].events() == []

    for events, user in ((to_owner, owner), (to_member, member)):
        assert all(e["userId"] == user for e in events)
        assert len({e["eventId"] for e in events}) == len(events)
        by_type = {e["type"]: e["data"] for e in events}
        added = by_type["list.member_added"]
        assert added["member"]["userId"] == member and added["member"]["role"] == "editor"
        assert added["list"]["memberCount"] == 2
        created = [e["data"]["task"] for e in events if e["type"] == "task.created"]
        assert task["taskId"] in {t["taskId"] for t in created}
        mine = next(t for t in created if t["taskId"] == task["taskId"])
        assert mine["listId"] == list_id and mine["createdBy"] == member
        assert mine["url"].endswith(f"/lists/{list_id}/todos/{task['taskId']}")
        updated = next(e["data"] for e in events if e["type"] == "list.updated"
                       and e["data"]["list"]["listId"] == list_id)
        assert updated["changed"] == ["name"] and updated["list"]["name"] == "Shopping"
        # The role in the list is the receiver's own.
        assert updated["list"]["role"] == ("owner" if user == owner else "editor")
        assert by_type["list.member_updated"]["member"]["role"] == "viewer"
        removed = by_type["list.member_removed"]
        assert removed["member"]["userId"] == member
        assert removed["list"]["memberCount"] == (1 if user == owner else 2)
        assert removed["list"]["url"].endswith(f"/lists/{list_id}")

    by_owner = {e["type"]: e["data"] for e in to_owner}
    assert by_owner["list.created"]["list"] == {
        **by_owner["list.created"]["list"], "listId": list_id, "name": "Groceries",
        "ownerId": owner, "role": "owner", "memberCount": 1}
    assert by_owner["list.deleted"]["list"]["name"] == "Shopping"
    renamed_default = [e["data"]["list"] for e in to_owner if e["type"] == "list.updated"
                       and e["data"]["list"]["listId"] == "default"]
    assert [(d["name"], d["role"]) for d in renamed_default] == [("Mine", "owner")]
