"""Every route of a list x every role, over real HTTP (on the run's engine): owner, editor,
viewer, a removed member and a user who never was one each get exactly the status of
docs/LISTS.md; a refused request changes nothing; a non-member's 404 is the very answer for a
list that does not exist; nothing of a list reaches a non-member in any body, header or sync."""

from collections.abc import Callable
from typing import Any, NamedTuple

import pytest

from services.edge.routes import ROUTES
from tests.sharing import Shared, accept, create_list, invite, ok, shared_list
from tests.support import HttpApi, LocalServer, Reply

ROLES = ("stranger", "removed", "viewer", "editor", "owner")  # the owner last: it may destroy
MISSING_LIST = "01234567-89ab-7cde-8f01-23456789abcd"


class Case(NamedTuple):
    method: str
    path: str  # {list}, {task}, {member}, {invitation} filled in per call
    expected: tuple[int, int, int, int, int]  # by ROLES
    body: dict[str, Any] | None = None


CASES: dict[str, Case] = {
    "getList": Case("GET", "/lists/{list}", (404, 404, 200, 200, 200)),
    "renameList": Case("PATCH", "/lists/{list}", (404, 404, 403, 403, 200), {"name": "taken"}),
    "deleteList": Case("DELETE", "/lists/{list}", (404, 404, 403, 403, 200)),
    "listListTasks": Case("GET", "/lists/{list}/todos", (404, 404, 200, 200, 200)),
    "createListTask": Case("POST", "/lists/{list}/todos", (404, 404, 403, 201, 201),
                           {"title": "planted"}),
    "clearListTasks": Case("DELETE", "/lists/{list}/todos?status=all",
                           (404, 404, 403, 200, 200)),
    "getListTask": Case("GET", "/lists/{list}/todos/{task}", (404, 404, 200, 200, 200)),
    "updateListTask": Case("PUT", "/lists/{list}/todos/{task}", (404, 404, 403, 200, 200),
                           {"title": "changed"}),
    "patchListTask": Case("PATCH", "/lists/{list}/todos/{task}", (404, 404, 403, 200, 200),
                          {"status": "completed"}),
    "deleteListTask": Case("DELETE", "/lists/{list}/todos/{task}", (404, 404, 403, 200, 200)),
    "listMembers": Case("GET", "/lists/{list}/members", (404, 404, 200, 200, 200)),
    "updateMember": Case("PATCH", "/lists/{list}/members/{member}", (404, 404, 403, 403, 200),
                         {"role": "editor"}),
    "removeMember": Case("DELETE", "/lists/{list}/members/{member}",
                         (404, 404, 403, 403, 200)),
    "listInvitations": Case("GET", "/lists/{list}/invitations", (404, 404, 403, 403, 200)),
    "createInvitation": Case("POST", "/lists/{list}/invitations", (404, 404, 403, 403, 201),
                             {"role": "viewer"}),
    "revokeInvitation": Case("DELETE", "/lists/{list}/invitations/{invitation}",
                             (404, 404, 403, 403, 200)),
}


def test_every_route_of_a_list_is_in_the_matrix() -> None:
    of_lists = {r.operation_id for r in ROUTES if r.path.startswith("/lists/{listId}")}
    assert set(CASES) == of_lists


@pytest.fixture
def http(local_server: LocalServer) -> HttpApi:
    return HttpApi(local_server.url)


def snapshot(http: HttpApi, shared: Shared) -> list[Any]:
    """Everything the owner can see of the list."""
    base = f"/lists/{shared.list_id}"
    return [ok(http.request("GET", f"{base}{part}", user=shared.owner))
            for part in ("", "/todos", "/members", "/invitations")]


def secrets(shared: Shared) -> list[str]:
    """What a non-member must never read: the list's name, its task, its members."""
    return ["Household", "secret task", "private", shared.task["taskId"], shared.editor,
            shared.viewer]


def same_answer(reply: Reply, missing: Reply) -> None:
    """A non-member's 404 is a missing list's, to the byte but for the request id."""
    assert reply.status == missing.status == 404
    assert set(reply.headers) - {"date"} == set(missing.headers) - {"date"}
    mine, theirs = reply.json(), missing.json()
    assert mine.pop("requestId") != theirs.pop("requestId")
    assert mine == theirs


@pytest.mark.parametrize("operation", sorted(CASES))
def test_each_role_gets_exactly_its_status(http: HttpApi, operation: str) -> None:
    case = CASES[operation]
    shared = shared_list(http)
    fresh: dict[str, Callable[[], str]] = {
        "task": lambda: ok(http.request("POST", f"/lists/{shared.list_id}/todos",
                                        user=shared.owner, json_body={"title": "t"}),
                           201)["taskId"],
        "invitation": lambda: invite(http, shared.owner, shared.list_id)["invitationId"],
    }
    for role, expected in zip(ROLES, case.expected, strict=True):
        # Another member than the caller (removing oneself is leaving: its own test).
        values = {"list": shared.list_id, "member": shared.viewer if role != "viewer"
                  else shared.editor, "task": shared.task["taskId"], "invitation": ""}
        values |= {name: make() for name, make in fresh.items() if f"{{{name}}}" in case.path}
        before = snapshot(http, shared)
        path = case.path.format(**values)
        reply = http.request(case.method, path, user=shared.roles[role], json_body=case.body)
        assert reply.status == expected, (operation, role, reply.status, reply.body[:300])
        if expected >= 400:
            assert reply.content_type == "application/problem+json"
            assert snapshot(http, shared) == before, (operation, role)
            assert "etag" not in reply.headers and "x-sync-token" not in reply.headers
        if expected == 404:
            text = reply.body.decode() + repr(reply.headers)
            assert not any(secret in text for secret in secrets(shared)), (operation, role)
            missing = http.request(case.method, path.replace(shared.list_id, MISSING_LIST),
                                   user=shared.roles[role], json_body=case.body)
            same_answer(reply, missing)


def test_members_leave_but_the_owner_cannot(http: HttpApi) -> None:
    shared = shared_list(http)
    for role, expected in (("stranger", 404), ("removed", 404), ("owner", 403),
                           ("viewer", 200), ("editor", 200)):
        who = shared.roles[role]
        reply = http.request("DELETE", f"/lists/{shared.list_id}/members/{who}", user=who)
        assert reply.status == expected, role
    assert [m["userId"] for m in ok(http.request("GET", f"/lists/{shared.list_id}/members",
                                                 user=shared.owner))] == [shared.owner]


def test_invitations_by_state_and_role(http: HttpApi) -> None:
    """A token answers by what it is; membership only makes a second accept harmless."""
    shared = shared_list(http)
    used = invite(http, shared.owner, shared.list_id)["token"]
    ok(accept(http, "someone-" + shared.list_id[-8:], used))
    revoked = invite(http, shared.owner, shared.list_id)
    ok(http.request("DELETE", f"/lists/{shared.list_id}/invitations/"
                    f"{revoked['invitationId']}", user=shared.owner))
    for role in ("stranger", "removed"):
        for token in (used, revoked["token"]):
            reply = accept(http, shared.roles[role], token)
            assert reply.status == 404, role
            assert not any(s in reply.body.decode() for s in secrets(shared))
    for role in ("owner", "editor", "viewer"):
        assert ok(accept(http, shared.roles[role], used))["listId"] == shared.list_id


def test_nothing_of_a_list_leaks_through_tokens_cursors_or_task_ids(http: HttpApi) -> None:
    shared = shared_list(http)
    for i in range(3):
        ok(http.request("POST", f"/lists/{shared.list_id}/todos", user=shared.owner,
                        json_body={"title": f"secret task {i}"}), 201)
    page = http.request("GET", f"/lists/{shared.list_id}/todos?limit=1", user=shared.owner)
    token, cursor = page.headers["x-sync-token"], page.headers["x-next-cursor"]
    own = create_list(http, shared.stranger, "mine")["listId"]
    ok(http.request("POST", f"/lists/{own}/todos", user=shared.stranger,
                    json_body={"title": "the stranger's"}), 201)
    for path in (f"/lists/{own}/todos?since={token}", f"/lists/{own}/todos?limit=1&cursor="
                 f"{cursor}", f"/todos?since={token}", f"/todos?limit=1&cursor={cursor}",
                 f"/lists/{own}/todos/{shared.task['taskId']}",
                 f"/todos/{shared.task['taskId']}"):
        reply = http.request("GET", path, user=shared.stranger)
        assert reply.status in (400, 404), path
        # (A task id the caller sent may come back in the problem's detail.)
        unsaid = [s for s in secrets(shared) if s not in path]
        assert not any(s in reply.body.decode() for s in unsaid), path
    # A member's own token and cursor of the list are no key to another list either.
    assert http.request("GET", f"/lists/{own}/todos?since={token}",
                        user=shared.stranger).status == 400
    # Moving the list's task out, or a task into the list, takes membership of both.
    mine = ok(http.request("POST", f"/lists/{own}/todos", user=shared.stranger,
                           json_body={"title": "t"}), 201)
    into = http.request("PATCH", f"/lists/{own}/todos/{mine['taskId']}", user=shared.stranger,
                        json_body={"listId": shared.list_id})
    assert into.status == 404
    out = http.request("PATCH", f"/lists/{shared.list_id}/todos/{shared.task['taskId']}",
                       user=shared.editor, json_body={"listId": own})
    assert out.status == 404
    names = [found["name"] for found in ok(http.request("GET", "/lists",
                                                         user=shared.stranger))]
    assert names == ["Tasks", "mine"]
