"""Members racing over real HTTP: one If-Match wins; a single-use invitation adds one member;
limits hold under concurrent writes (docs/LISTS.md, "Races")."""

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from typing import Any

import pytest

from tests.sharing import accept, create_list, invite, join, new_user, ok
from tests.support import HttpApi, LocalServer, Reply


@pytest.fixture
def http(local_server: LocalServer) -> HttpApi:
    return HttpApi(local_server.url)


def at_once(calls: list[Callable[[], Reply]]) -> list[Reply]:
    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return list(pool.map(lambda call: call(), calls))


def fresh(http: HttpApi) -> HttpApi:
    """A client of its own (a connection per racer)."""
    return HttpApi(http.base_url)


def test_two_members_editing_one_task_with_if_match(http: HttpApi) -> None:
    owner, editor = new_user("owner"), new_user("editor")
    list_id = create_list(http, owner)["listId"]
    join(http, owner, list_id, editor, "editor")
    for round_ in range(5):
        task = ok(http.request("POST", f"/lists/{list_id}/todos", user=owner,
                               json_body={"title": f"round {round_}"}), 201)
        path = f"/lists/{list_id}/todos/{task['taskId']}"

        def edit(who: str, path: str = path) -> Callable[[], Reply]:
            return lambda: fresh(http).request("PATCH", path, user=who, headers={
                "If-Match": '"1"'}, json_body={"title": f"by {who}"})

        replies = at_once([edit(owner), edit(editor)])
        assert sorted(r.status for r in replies) == [200, 412], [r.body for r in replies]
        [winner] = [r.json() for r in replies if r.status == 200]
        now = ok(http.request("GET", path, user=owner))
        assert now["title"] == winner["title"] and now["updatedBy"] == winner["updatedBy"]
        assert now["version"] == 2


def test_two_accepts_of_a_single_use_invitation_add_one_member(http: HttpApi) -> None:
    owner = new_user("owner")
    list_id = create_list(http, owner)["listId"]
    for _ in range(5):
        token = invite(http, owner, list_id)["token"]
        guests = [new_user("guest"), new_user("guest")]
        replies = at_once([partial(accept, fresh(http), g, token) for g in guests])
        assert sorted(r.status for r in replies) == [200, 404], [r.body for r in replies]
    members = ok(http.request("GET", f"/lists/{list_id}/members", user=owner))
    assert len(members) == 1 + 5


def test_ten_racing_for_five_uses_make_five_members(http: HttpApi) -> None:
    owner = new_user("owner")
    list_id = create_list(http, owner)["listId"]
    token = invite(http, owner, list_id, maxUses=5)["token"]
    guests = [new_user("guest") for _ in range(10)]
    replies = at_once([partial(accept, fresh(http), g, token) for g in guests])
    assert sorted(r.status for r in replies) == [200] * 5 + [404] * 5
    joined = {g for g, r in zip(guests, replies, strict=True) if r.status == 200}
    members = ok(http.request("GET", f"/lists/{list_id}/members", user=owner))
    assert {m["userId"] for m in members} == joined | {owner}
    [state] = ok(http.request("GET", f"/lists/{list_id}/invitations", user=owner))
    assert state["uses"] == 5 and state["status"] == "used"


def test_one_user_accepting_twice_at_once_joins_once(http: HttpApi) -> None:
    owner, guest = new_user("owner"), new_user("guest")
    list_id = create_list(http, owner)["listId"]
    token = invite(http, owner, list_id, maxUses=3)["token"]
    replies = at_once([lambda: accept(fresh(http), guest, token) for _ in range(4)])
    assert [r.status for r in replies] == [200] * 4
    [state] = ok(http.request("GET", f"/lists/{list_id}/invitations", user=owner))
    assert state["uses"] == 1
    assert ok(http.request("GET", f"/lists/{list_id}", user=owner))["memberCount"] == 2


def test_racing_invitations_never_pass_the_limit(http: HttpApi) -> None:
    owner = new_user("owner")
    list_id = create_list(http, owner)["listId"]
    for _ in range(17):
        invite(http, owner, list_id)
    replies = at_once([lambda: fresh(http).request(
        "POST", f"/lists/{list_id}/invitations", user=owner, json_body={"role": "viewer"})
        for _ in range(6)])
    statuses = sorted(r.status for r in replies)
    assert statuses.count(201) == 3 and set(statuses) <= {201, 409}, statuses
    assert len(ok(http.request("GET", f"/lists/{list_id}/invitations", user=owner))) == 20


def test_a_move_racing_an_edit_leaves_one_task(http: HttpApi) -> None:
    owner = new_user("owner")
    source, target = (create_list(http, owner, n)["listId"] for n in ("source", "target"))
    for _ in range(3):
        task = ok(http.request("POST", f"/lists/{source}/todos", user=owner,
                               json_body={"title": "t"}), 201)
        path = f"/lists/{source}/todos/{task['taskId']}"
        calls: list[Callable[[], Reply]] = [
            partial(fresh(http).request, "PATCH", path, user=owner,
                    headers={"If-Match": '"1"'}, json_body=body)
            for body in ({"listId": target}, {"title": "edited"})
        ]
        replies = at_once(calls)
        # The loser is stale (412), or finds the task moved out of its list (404).
        statuses = sorted(r.status for r in replies)
        assert statuses in ([200, 404], [200, 412]), [r.body for r in replies]
        where: dict[str, Any] = {
            list_id: [t["taskId"] for t in ok(http.request("GET", f"/lists/{list_id}/todos",
                                                           user=owner))]
            for list_id in (source, target)}
        found = [list_id for list_id, ids in where.items() if task["taskId"] in ids]
        assert found == ([target] if replies[0].status == 200 else [source])
