"""Optimistic concurrency (ETag / If-Match) and idempotent create (Idempotency-Key)."""

import uuid

from e2e.client import Client


def test_stale_if_match_is_412_and_changes_nothing(alice: Client) -> None:
    task = alice.create(title="v1")
    path = f"/todos/{task['taskId']}"
    first = alice.request("PATCH", path, json_body={"title": "v2"}, headers={"If-Match": '"1"'})
    assert first.status == 200 and first.headers["ETag"] == '"2"', first
    for method, body in (("PATCH", {"title": "stale"}), ("PUT", {"title": "stale"}),
                         ("DELETE", None)):
        stale = alice.request(method, path, json_body=body, headers={"If-Match": '"1"'})
        assert stale.status == 412, (method, stale)
        assert stale.content_type.startswith("application/problem+json")
    now = alice.request("GET", path)
    assert now.json()["title"] == "v2" and now.headers["ETag"] == '"2"'
    removed = alice.request("DELETE", path, headers={"If-Match": '"2"'})
    assert removed.status == 200, removed


def test_idempotency_key_replays_the_first_answer(alice: Client) -> None:
    key = f"e2e-{uuid.uuid4()}"
    body = {"title": "pay rent", "priority": "urgent"}
    first = alice.request("POST", "/todos", json_body=body, headers={"Idempotency-Key": key})
    assert first.status == 201, first
    again = alice.request("POST", "/todos", json_body=body, headers={"Idempotency-Key": key})
    assert again.status == 201, again
    assert again.json()["taskId"] == first.json()["taskId"]
    assert again.headers.get("Idempotent-Replayed") == "true"
    other = alice.request("POST", "/todos", json_body={"title": "something else"},
                          headers={"Idempotency-Key": key})
    assert other.status == 422, other
    assert [t["taskId"] for t in alice.tasks()] == [first.json()["taskId"]]
