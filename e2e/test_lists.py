"""Lists and sharing between the two users: a list, an invitation, roles, a removal, a move."""

from typing import Any

from e2e.client import Client


def _ok(reply: Any, status: int = 200) -> Any:
    assert reply.status == status, reply
    return reply.json()


def test_a_shared_list_from_invitation_to_removal(alice: Client, bob: Client, alice_id: str,
                                                  bob_id: str) -> None:
    made = alice.request("POST", "/lists", json_body={"name": "Groceries"})
    shared = _ok(made, 201)
    assert made.headers["Location"] == shared["url"] and shared["role"] == "owner"
    path = f"/lists/{shared['listId']}"
    assert bob.request("GET", path).status == 404
    invitation = _ok(alice.request("POST", f"{path}/invitations",
                                   json_body={"role": "editor"}), 201)
    assert "token" not in _ok(alice.request("GET", f"{path}/invitations"))[0]
    joined = _ok(bob.request("POST", "/invitations/accept",
                             json_body={"token": invitation["token"]}))
    assert joined["role"] == "editor" and joined["memberCount"] == 2
    task = _ok(bob.request("POST", f"{path}/todos", json_body={"title": "milk"}), 201)
    assert task["createdBy"] == bob_id and task["listId"] == shared["listId"]
    seen = _ok(alice.request("GET", f"{path}/todos"))
    assert [t["taskId"] for t in seen] == [task["taskId"]]
    assigned = _ok(alice.request("PATCH", f"{path}/todos/{task['taskId']}",
                                 json_body={"assigneeId": bob_id}))
    assert assigned["updatedBy"] == alice_id
    assert [t["title"] for t in _ok(bob.request("GET", f"{path}/todos?assignee=me"))] == ["milk"]
    members = _ok(bob.request("GET", f"{path}/members"))
    assert [(m["userId"], m["role"]) for m in members] == [(alice_id, "owner"),
                                                           (bob_id, "editor")]
    _ok(alice.request("PATCH", f"{path}/members/{bob_id}", json_body={"role": "viewer"}))
    assert bob.request("POST", f"{path}/todos", json_body={"title": "no"}).status == 403
    assert bob.request("PATCH", path, json_body={"name": "mine"}).status == 403
    _ok(alice.request("DELETE", f"{path}/members/{bob_id}"))
    for probe in (path, f"{path}/todos", f"{path}/todos/{task['taskId']}"):
        assert bob.request("GET", probe).status == 404, probe
    assert bob.request("POST", "/invitations/accept",
                       json_body={"token": invitation["token"]}).status == 404
    _ok(alice.request("DELETE", path))
    assert alice.request("GET", path).status == 404
    assert [found["listId"] for found in alice.lists()] == ["default"]


def test_a_task_moves_between_lists_and_both_syncs_say_so(alice: Client) -> None:
    target = _ok(alice.request("POST", "/lists", json_body={"name": "Later"}), 201)["listId"]
    task = alice.create(title="someday")
    tokens = {where: alice.request("GET", where).headers["X-Sync-Token"]
              for where in ("/todos", f"/lists/{target}/todos")}
    moved = _ok(alice.request("PATCH", f"/todos/{task['taskId']}", json_body={
        "listId": target}, headers={"If-Match": '"1"'}))
    assert moved["taskId"] == task["taskId"] and moved["listId"] == target
    assert alice.tasks() == []
    # (A token reaches a minute back: earlier tests' changes may come too.)
    home = _ok(alice.request("GET", f"/todos?since={tokens['/todos']}"))
    assert [c.get("deleted") for c in home if c["taskId"] == task["taskId"]][-1] is True
    there = _ok(alice.request("GET", f"/lists/{target}/todos?since="
                                     f"{tokens[f'/lists/{target}/todos']}"))
    assert [c for c in there if c["taskId"] == task["taskId"]] == [moved]


def test_lists_are_private_until_shared(alice: Client, bob: Client) -> None:
    listed = _ok(alice.request("POST", "/lists", json_body={"name": "Private"}), 201)
    path = f"/lists/{listed['listId']}"
    _ok(alice.request("POST", f"{path}/todos", json_body={"title": "secret"}), 201)
    for method, probe, body in (("GET", path, None), ("GET", f"{path}/todos", None),
                                ("POST", f"{path}/todos", {"title": "x"}),
                                ("GET", f"{path}/members", None),
                                ("POST", f"{path}/invitations", {"role": "editor"}),
                                ("DELETE", path, None)):
        reply = bob.request(method, probe, json_body=body)
        assert reply.status == 404, (method, probe, reply)
        assert "secret" not in reply.body.decode() and "Private" not in reply.body.decode()
    assert [found["listId"] for found in bob.lists()] == ["default"]
    assert len(_ok(alice.request("GET", f"{path}/todos"))) == 1
