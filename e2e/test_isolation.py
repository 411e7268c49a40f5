"""Two users: neither reads, changes nor deletes the other's tasks."""

from e2e.client import Client


def test_another_users_task_is_not_found(alice: Client, bob: Client, alice_id: str) -> None:
    task = alice.create(title="private", description="secret")
    path = f"/todos/{task['taskId']}"
    assert bob.request("GET", path).status == 404
    assert bob.tasks() == []
    for method in ("PUT", "PATCH"):
        assert bob.request(method, path, json_body={"title": "pwned"}).status == 404, method
    assert bob.request("DELETE", path).status == 404
    cleared = bob.request("DELETE", "/todos?status=all")
    assert cleared.status == 200 and cleared.json()["deleted"] == 0
    assert alice.tasks() == [task]


def test_naming_another_user_is_403(alice: Client, bob: Client, alice_id: str) -> None:
    task = alice.create(title="private")
    for method, path, body in (
        ("GET", f"/todos?userId={alice_id}", None),
        ("GET", f"/todos/{task['taskId']}?userID={alice_id}", None),
        ("POST", "/todos", {"userId": alice_id, "title": "planted"}),
        ("DELETE", f"/todos/{alice_id}/{task['taskId']}", None),
        ("DELETE", f"/todos?status=all&userId={alice_id}", None),
    ):
        reply = bob.request(method, path, json_body=body)
        assert reply.status == 403, (method, path, reply)
    assert alice.tasks() == [task]
    assert bob.tasks() == []
