"""Sharing (docs/LISTS.md): members and roles, invitations by link, limits, and the sharing
scenario of issue 19 end to end over real HTTP."""

import hashlib
import json
from typing import Any

import pytest

from models import ListRecord, TodoModel
from models.list import RECORD_KEY, record_partition
from services.domain import lists as list_rules
from tests.sharing import (
    accept,
    create_list,
    invite,
    join,
    list_tasks,
    new_user,
    ok,
    shared_list,
    sync,
)
from tests.support import Api, HttpApi, InProcessApi, LocalServer


@pytest.fixture
def http(engine_server: LocalServer) -> HttpApi:
    """Real HTTP on the tests' engine, so that a test can age an invitation in the table."""
    return HttpApi(engine_server.url)


def _record(list_id: str) -> ListRecord:
    return ListRecord.get(record_partition(list_id), RECORD_KEY, consistent_read=True)


def _age(list_id: str, invitation_id: str) -> None:
    """Make an invitation expired, behind the API's back (no test waits an hour)."""
    record = _record(list_id)
    record.invitations[invitation_id].expires_at = "2020-01-01T00:00:00.000Z"
    record.save()


def test_members_see_members_and_only_the_owner_manages_them(http: HttpApi) -> None:
    shared = shared_list(http)
    base = f"/lists/{shared.list_id}/members"
    expected = [(shared.owner, "owner"), (shared.editor, "editor"), (shared.viewer, "viewer")]
    for who in (shared.owner, shared.editor, shared.viewer):
        members = ok(http.request("GET", base, user=who))
        assert [(m["userId"], m["role"]) for m in members] == expected
        assert all(m["joinedAt"] for m in members)
    for who, other in ((shared.editor, shared.viewer), (shared.viewer, shared.editor)):
        for method, path, body in (("PATCH", f"{base}/{shared.viewer}", {"role": "editor"}),
                                   ("DELETE", f"{base}/{shared.owner}", None),
                                   ("DELETE", f"{base}/{other}", None)):
            assert http.request(method, path, user=who, json_body=body).status == 403, (
                who, method, path)
    assert http.request("PATCH", f"{base}/{shared.owner}", user=shared.owner,
                        json_body={"role": "viewer"}).status == 403
    assert http.request("DELETE", f"{base}/{shared.owner}", user=shared.owner).status == 403
    assert http.request("PATCH", f"{base}/{shared.stranger}", user=shared.owner,
                        json_body={"role": "viewer"}).status == 404
    assert http.request("PATCH", f"{base}/{shared.viewer}", user=shared.owner,
                        json_body={"role": "owner"}).status == 400
    changed = ok(http.request("PATCH", f"{base}/{shared.viewer}", user=shared.owner,
                              json_body={"role": "editor"}))
    assert changed["role"] == "editor" and changed["userId"] == shared.viewer
    seen = ok(http.request("GET", f"/lists/{shared.list_id}", user=shared.viewer))
    assert seen["role"] == "editor"
    assert [found["role"] for found in ok(http.request("GET", "/lists",
                                                        user=shared.viewer))] == [
        "owner", "editor"]
    assert ok(http.request("POST", f"/lists/{shared.list_id}/todos", user=shared.viewer,
                           json_body={"title": "now I may"}), 201)


def test_a_member_leaves_and_a_removed_member_loses_access_at_once(http: HttpApi) -> None:
    shared = shared_list(http)
    path = f"/lists/{shared.list_id}"
    assert http.request("GET", path, user=shared.viewer).status == 200
    left = ok(http.request("DELETE", f"{path}/members/{shared.viewer}", user=shared.viewer))
    assert "left" in left["message"]
    assert http.request("GET", f"{path}/todos", user=shared.viewer).status == 404
    assert http.request("GET", f"{path}/todos", user=shared.editor).status == 200
    ok(http.request("DELETE", f"{path}/members/{shared.editor}", user=shared.owner))
    assert http.request("GET", f"{path}/todos", user=shared.editor).status == 404
    assert ok(http.request("GET", path, user=shared.owner))["memberCount"] == 1
    for who in (shared.viewer, shared.editor):
        assert [found["listId"] for found in ok(http.request("GET", "/lists", user=who))] == [
            "default"]


def test_an_invitation_token_is_shown_once_and_stored_as_its_hash(
    http: HttpApi, ddb: Any,
) -> None:
    owner = new_user("owner")
    list_id = create_list(http, owner)["listId"]
    reply = http.request("POST", f"/lists/{list_id}/invitations", user=owner,
                         json_body={"role": "viewer", "expiresIn": 3600, "maxUses": 3})
    created = ok(reply, 201)
    assert reply.headers["location"].endswith(
        f"/lists/{list_id}/invitations/{created['invitationId']}")
    token = created["token"]
    assert token.startswith("tdl_") and len(token) == 90  # 64 bytes: 256 random bits
    assert created["role"] == "viewer" and created["maxUses"] == 3 and created["uses"] == 0
    assert created["status"] == "open"
    listed = ok(http.request("GET", f"/lists/{list_id}/invitations", user=owner))
    assert listed == [{k: v for k, v in created.items() if k != "token"}]
    stored = ddb.get_item(TableName=TodoModel.Meta.table_name, ConsistentRead=True, Key={
        "userID": {"S": record_partition(list_id)}, "taskID": {"S": RECORD_KEY}})["Item"]
    assert token not in json.dumps(stored)
    entry = stored["invitations"]["M"][created["invitationId"]]["M"]
    assert entry["tokenHash"]["S"] == hashlib.sha256(token.encode()).hexdigest()


def test_accepting_counts_uses_and_a_used_up_token_is_404(http: HttpApi) -> None:
    owner, first, second, third = (new_user(n) for n in ("owner", "a", "b", "c"))
    list_id = create_list(http, owner)["listId"]
    token = invite(http, owner, list_id, "editor", maxUses=2)["token"]
    joined = ok(accept(http, first, token))
    assert joined["listId"] == list_id and joined["role"] == "editor"
    assert joined["memberCount"] == 2 and joined["ownerId"] == owner
    # Accepting again changes nothing (no use counted) and answers the list.
    assert ok(accept(http, first, token))["memberCount"] == 2
    assert ok(accept(http, second, token))["memberCount"] == 3
    used = accept(http, third, token)
    assert used.status == 404 and used.json()["type"].endswith(":invitation-not-found")
    # A member may present the used-up token it joined with: still 200.
    assert ok(accept(http, first, token))["listId"] == list_id
    listed = ok(http.request("GET", f"/lists/{list_id}/invitations", user=owner))
    assert [(i["uses"], i["status"]) for i in listed] == [(2, "used")]
    # So may the owner, with any token of its list.
    assert ok(accept(http, owner, invite(http, owner, list_id)["token"]))["role"] == "owner"


def test_revoked_expired_unknown_and_forged_tokens(http: HttpApi) -> None:
    owner, guest = new_user("owner"), new_user("guest")
    list_id = create_list(http, owner)["listId"]
    revoked = invite(http, owner, list_id)
    assert ok(http.request("DELETE", f"/lists/{list_id}/invitations/"
                           f"{revoked['invitationId']}", user=owner))
    assert http.request("DELETE", f"/lists/{list_id}/invitations/{revoked['invitationId']}",
                        user=owner).status == 404
    assert accept(http, guest, revoked["token"]).status == 404
    expired = invite(http, owner, list_id)
    _age(list_id, expired["invitationId"])
    gone = accept(http, guest, expired["token"])
    assert gone.status == 410 and gone.json()["type"].endswith(":invitation-expired")
    listed = ok(http.request("GET", f"/lists/{list_id}/invitations", user=owner))
    assert [i["status"] for i in listed] == ["expired"]
    good = invite(http, owner, list_id)["token"]
    forged = good[:-6] + ("AAAAAA" if not good.endswith("AAAAAA") else "BBBBBB")
    for token in (forged, "tdl_" + "A" * 86, "nonsense", good + "A", good[:-1]):
        reply = accept(http, guest, token)
        assert reply.status == 404, token
        assert reply.json()["type"].endswith(":invitation-not-found")
    assert accept(http, guest, "").status == 400
    assert http.request("POST", "/invitations/accept", user=guest, json_body={}).status == 400
    assert ok(http.request("GET", f"/lists/{list_id}", user=owner))["memberCount"] == 1
    assert ok(accept(http, guest, good))["memberCount"] == 2


def test_a_removed_member_cannot_come_back_with_its_used_token(http: HttpApi) -> None:
    owner, guest = new_user("owner"), new_user("guest")
    list_id = create_list(http, owner)["listId"]
    token = invite(http, owner, list_id)["token"]
    ok(accept(http, guest, token))
    ok(http.request("DELETE", f"/lists/{list_id}/members/{guest}", user=owner))
    assert accept(http, guest, token).status == 404
    assert http.request("GET", f"/lists/{list_id}", user=guest).status == 404


@pytest.mark.parametrize("body", [{}, {"role": "owner"}, {"role": "viewer", "expiresIn": 10},
                                  {"role": "viewer", "expiresIn": 2592001},
                                  {"role": "viewer", "maxUses": 0},
                                  {"role": "viewer", "maxUses": 51},
                                  {"role": "viewer", "maxUses": True},
                                  {"role": "viewer", "token": "x"}])
def test_bad_invitations_are_400_and_change_nothing(api: Api, user: str,
                                                    body: dict[str, Any]) -> None:
    list_id = create_list(api, user)["listId"]
    reply = api.request("POST", f"/lists/{list_id}/invitations", user=user, json_body=body)
    assert reply.status == 400 and reply.content_type == "application/problem+json"
    assert ok(api.request("GET", f"/lists/{list_id}/invitations", user=user)) == []


@pytest.fixture
def in_process(gateway: Any) -> InProcessApi:
    return InProcessApi(gateway)


def test_a_user_owns_at_most_100_lists(in_process: InProcessApi, monkeypatch: Any) -> None:
    owner = new_user("owner")
    made = [create_list(in_process, owner, f"l{i}")["listId"] for i in range(100)]
    refused = in_process.request("POST", "/lists", user=owner, json_body={"name": "101st"})
    assert refused.status == 409
    assert refused.json()["limit"] == "lists-owned" and "100" in refused.json()["detail"]
    # Lists shared with the user do not count; deleting one frees a place.
    other = new_user("other")
    join(in_process, other, create_list(in_process, other)["listId"], owner, "editor")
    ok(in_process.request("DELETE", f"/lists/{made[0]}", user=owner))
    assert create_list(in_process, owner, "again")["name"] == "again"


def test_a_list_has_at_most_50_members(in_process: InProcessApi, monkeypatch: Any) -> None:
    owner = new_user("owner")
    list_id = create_list(in_process, owner)["listId"]
    token = invite(in_process, owner, list_id, maxUses=50)["token"]
    for i in range(list_rules.MAX_MEMBERS - 1):
        ok(accept(in_process, f"member-{i}-{list_id[-6:]}", token))
    refused = accept(in_process, new_user("late"), token)
    assert refused.status == 409 and refused.json()["limit"] == "members"
    assert ok(in_process.request("GET", f"/lists/{list_id}", user=owner))["memberCount"] == 50


def test_a_list_has_at_most_20_open_invitations(in_process: InProcessApi) -> None:
    owner = new_user("owner")
    list_id = create_list(in_process, owner)["listId"]
    made = [invite(in_process, owner, list_id) for _ in range(20)]
    refused = in_process.request("POST", f"/lists/{list_id}/invitations", user=owner,
                                 json_body={"role": "viewer"})
    assert refused.status == 409 and refused.json()["limit"] == "open-invitations"
    # An expired (or used-up) one makes room when needed; a revoked one is gone at once.
    _age(list_id, made[0]["invitationId"])
    ok(accept(in_process, new_user("guest"), made[1]["token"]))
    invite(in_process, owner, list_id)
    listed = ok(in_process.request("GET", f"/lists/{list_id}/invitations", user=owner))
    assert len(listed) == 19 and {i["status"] for i in listed} == {"open"}
    ok(in_process.request("DELETE", f"/lists/{list_id}/invitations/{made[2]['invitationId']}",
                          user=owner))
    invite(in_process, owner, list_id)
    invite(in_process, owner, list_id)  # 20 open again
    assert in_process.request("POST", f"/lists/{list_id}/invitations", user=owner,
                              json_body={"role": "viewer"}).status == 409


def _apply(mirror: dict[str, dict[str, Any]], changes: list[dict[str, Any]]) -> None:
    for change in changes:
        if change.get("deleted"):
            mirror.pop(change["taskId"], None)
        else:
            mirror[change["taskId"]] = change


def test_the_sharing_scenario_end_to_end(http: HttpApi) -> None:
    """A creates a list, invites B as editor and C as viewer; B and C accept; B adds, edits,
    assigns and moves tasks; C reads and syncs; A removes B; B's next request is 404; C's
    sync shows every change, tombstones included, and ends equal to the server's list."""
    a, b, c = new_user("a"), new_user("b"), new_user("c")
    shopping = create_list(http, a, "Shopping")["listId"]
    for who, role in ((b, "editor"), (c, "viewer")):
        assert ok(accept(http, who, invite(http, a, shopping, role)["token"]))["role"] == role
    base = f"/lists/{shopping}/todos"
    # C starts in sync with the (empty) list.
    reply = http.request("GET", base, user=c)
    mirror: dict[str, dict[str, Any]] = {t["taskId"]: t for t in ok(reply)}
    token = reply.headers["x-sync-token"]
    milk = ok(http.request("POST", base, user=b, json_body={"title": "milk"}), 201)
    eggs = ok(http.request("POST", base, user=b, json_body={"title": "eggs"}), 201)
    bread = ok(http.request("POST", base, user=b, json_body={"title": "bread"}), 201)
    ok(http.request("PATCH", f"{base}/{milk['taskId']}", user=b,
                    json_body={"title": "oat milk", "assigneeId": c},
                    headers={"If-Match": '"1"'}))
    assert http.request("PATCH", f"{base}/{eggs['taskId']}", user=c,
                        json_body={"title": "no"}).status == 403
    assert http.request("POST", base, user=c, json_body={"title": "no"}).status == 403
    # B moves bread to its own default list, and deletes eggs.
    ok(http.request("PATCH", f"{base}/{bread['taskId']}", user=b,
                    json_body={"listId": "default"}))
    ok(http.request("DELETE", f"{base}/{eggs['taskId']}", user=b))
    assert [t["title"] for t in ok(http.request("GET", f"{base}?assignee=me", user=c))] == [
        "oat milk"]
    # A removes B: B's next request is 404, whatever it asks.
    ok(http.request("DELETE", f"/lists/{shopping}/members/{b}", user=a))
    for method, path, body in (("GET", base, None), ("POST", base, {"title": "late"}),
                               ("PATCH", f"{base}/{milk['taskId']}", {"title": "late"})):
        assert http.request(method, path, user=b, json_body=body).status == 404
    ok(http.request("POST", base, user=a, json_body={"title": "butter"}), 201)
    # C syncs and ends with exactly the server's list.
    changes, token = sync(http, c, shopping, token)
    _apply(mirror, changes)
    deleted = {change["taskId"] for change in changes if change.get("deleted")}
    assert deleted == {eggs["taskId"], bread["taskId"]}
    server = list_tasks(http, c, shopping)
    assert sorted(mirror.values(), key=lambda t: t["taskId"]) == server
    assert [t["title"] for t in server] == ["oat milk", "butter"]
    assert server[0]["updatedBy"] == b and server[0]["assigneeId"] == c
    # The next sync may repeat the last minute's changes (docs: none is missed): applied
    # again, they change nothing.
    _apply(mirror, sync(http, c, shopping, token)[0])
    assert sorted(mirror.values(), key=lambda t: t["taskId"]) == server
    assert [t["title"] for t in http.tasks_of(b)] == ["bread"]


def test_member_and_invitation_writes_honour_if_match_on_the_list(http: HttpApi) -> None:
    shared = shared_list(http)
    path = f"/lists/{shared.list_id}"
    current = http.request("GET", path, user=shared.owner).headers["etag"]
    stale = '"1"'
    assert stale != current
    spare = invite(http, shared.owner, shared.list_id)
    for method, target, body in (
        ("PATCH", f"{path}/members/{shared.viewer}", {"role": "editor"}),
        ("DELETE", f"{path}/members/{shared.viewer}", None),
        ("DELETE", f"{path}/invitations/{spare['invitationId']}", None),
    ):
        refused = http.request(method, target, user=shared.owner, json_body=body,
                               headers={"If-Match": stale})
        assert refused.status == 412 and refused.headers["etag"] == current, target
    assert [m["role"] for m in ok(http.request("GET", f"{path}/members",
                                               user=shared.owner))] == [
        "owner", "editor", "viewer"]
    ok(http.request("PATCH", f"{path}/members/{shared.viewer}", user=shared.owner,
                    json_body={"role": "editor"}, headers={"If-Match": current}))
    assert http.request("GET", path, user=shared.owner).headers["etag"] != current
