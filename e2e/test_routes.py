"""Every route once, as a client sees it: status codes, headers and bodies."""

from e2e.client import Client


def test_create_read_update_delete(alice: Client, alice_id: str) -> None:
    created = alice.request("POST", "/todos", json_body={
        "title": "  Write report  ", "dueDate": "2026-12-01", "priority": "high",
        "tags": ["work", "q4"]})
    assert created.status == 201, created
    task = created.json()
    assert task["title"] == "Write report"  # trimmed
    assert (task["status"], task["completed"], task["priority"], task["tags"]) == (
        "pending", False, "high", ["work", "q4"])
    assert task["userId"] == alice_id and task["version"] == 1
    assert created.headers["ETag"] == '"1"'
    assert created.headers["Location"] == task["url"]
    assert task["url"].endswith(f"/todos/{task['taskId']}")
    for stamp in ("createdAt", "updatedAt"):
        assert task[stamp].endswith("Z")

    read = alice.follow(created.headers["Location"])
    assert read.status == 200 and read.json() == task

    put = alice.request("PUT", f"/todos/{task['taskId']}", json_body={"status": "in_progress"})
    assert put.status == 200, put
    assert put.json()["status"] == "in_progress" and put.json()["priority"] == "high"
    assert put.json()["version"] == 2 and put.headers["ETag"] == '"2"'

    patch = alice.request("PATCH", f"/todos/{task['taskId']}",
                          json_body={"tags": None, "completed": True},
                          headers={"Content-Type": "application/merge-patch+json"})
    assert patch.status == 200, patch
    patched = patch.json()
    assert (patched["tags"], patched["status"], patched["version"]) == ([], "completed", 3)
    assert patched["completedAt"]

    deleted = alice.request("DELETE", f"/todos/{task['taskId']}")
    assert deleted.status == 200, deleted
    assert "message" in deleted.json()
    gone = alice.request("GET", f"/todos/{task['taskId']}")
    assert gone.status == 404 and gone.content_type.startswith("application/problem+json")


def test_update_of_a_missing_task_creates_nothing(alice: Client) -> None:
    task = alice.create(title="soon gone")
    alice.request("DELETE", f"/todos/{task['taskId']}")
    for method in ("PUT", "PATCH"):
        reply = alice.request(method, f"/todos/{task['taskId']}", json_body={"title": "upsert?"})
        assert reply.status == 404, (method, reply)
    assert alice.tasks() == []


def test_clear_by_status(alice: Client) -> None:
    keep = [alice.create(title=f"open {i}") for i in range(2)]
    done = alice.create(title="done", status="completed")
    cleared = alice.request("DELETE", "/todos?status=completed")
    assert cleared.status == 200, cleared
    assert cleared.json()["deleted"] == 1 and cleared.json()["more"] is False
    assert alice.request("GET", f"/todos/{done['taskId']}").status == 404
    assert sorted(t["taskId"] for t in alice.tasks()) == sorted(t["taskId"] for t in keep)

    everything = alice.request("DELETE", "/todos?status=all")
    assert everything.status == 200 and everything.json()["deleted"] == 2
    assert alice.tasks() == []


def test_clear_needs_a_status(alice: Client) -> None:
    alice.create(title="stays")
    reply = alice.request("DELETE", "/todos")
    assert reply.status == 400, reply
    assert len(alice.tasks()) == 1


def test_openapi_document_needs_no_token(alice: Client) -> None:
    reply = alice.request("GET", "/openapi.json", token="")
    assert reply.status == 200, reply
    document = reply.json()
    assert document["openapi"].startswith("3.")
    assert {"/todos", "/todos/{taskId}"} <= set(document["paths"])


def test_a_call_without_a_valid_token_is_refused(alice: Client) -> None:
    assert alice.request("GET", "/todos", token="").status == 401
    assert alice.request("POST", "/todos", token="", json_body={"title": "x"}).status == 401
    unsigned = "eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0."  # alg none: no signature at all
    forged = alice.request("GET", "/todos", token=unsigned)
    assert forged.status in (401, 403), forged  # API Gateway answers 401, some setups 403
    assert alice.tasks() == []
