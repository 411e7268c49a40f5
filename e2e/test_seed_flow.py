"""The seed tutorial's Postman flow, as its users still run it."""

from e2e.client import Client


def test_postman_flow(alice: Client, alice_id: str) -> None:
    created = alice.request("POST", "/todo", json_body={
        "userId": alice_id, "title": "Buy groceries", "description": "Milk, eggs, bread"})
    assert created.status == 201, created
    task = created.json()
    assert (task["userId"], task["title"], task["description"], task["status"]) == (
        alice_id, "Buy groceries", "Milk, eggs, bread", "pending")
    task_id = task["taskId"]

    listed = alice.request("GET", f"/todos?userId={alice_id}")
    assert listed.status == 200, listed
    assert [t["taskId"] for t in listed.json()] == [task_id]

    updated = alice.request("PUT", f"/todos/{task_id}?userId={alice_id}",
                            json_body={"status": "completed"})
    assert updated.status == 200, updated
    assert updated.json()["status"] == "completed" and updated.json()["completed"] is True
    assert updated.json()["title"] == "Buy groceries"  # a partial update keeps the rest

    deleted = alice.request("DELETE", f"/todos/{alice_id}/{task_id}")
    assert deleted.status == 200, deleted
    assert deleted.json()["message"] == (
        f"Todo '{task_id}' deleted successfully for user '{alice_id}'")

    again = alice.request("DELETE", f"/todos/{alice_id}/{task_id}")
    assert again.status == 404, again
    assert again.json()["message"] == (
        f"Todo with userID '{alice_id}' and taskID '{task_id}' not found")
    assert alice.tasks() == []


def test_seed_user_id_must_be_the_callers(alice: Client, bob_id: str) -> None:
    reply = alice.request("POST", "/todo", json_body={"userId": bob_id, "title": "not mine"})
    assert reply.status == 403, reply
    assert reply.content_type.startswith("application/problem+json")
    assert alice.tasks() == []
