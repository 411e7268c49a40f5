"""Every route and the seed tutorial's flows, through the gateway in-process and over HTTP."""

import re
import time
import uuid

from tests.support import Api

UUID7 = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")


def test_seed_create_on_post_todo_returns_the_seed_fields(api: Api) -> None:
    reply = api.request(
        "POST", "/todo", user="maria123",
        json_body={"userId": "maria123", "title": "Buy groceries",
                   "description": "Milk, eggs, bread"},
    )
    assert reply.status == 201
    task = reply.json()
    assert task["userId"] == "maria123"
    assert UUID7.match(task["taskId"])
    assert (task["title"], task["description"], task["status"]) == (
        "Buy groceries", "Milk, eggs, bread", "pending")
    assert task["createdAt"] == task["updatedAt"]
    assert re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$", task["createdAt"])
    assert reply.headers["location"] == task["url"]
    assert task["url"].endswith(f"/todos/{task['taskId']}")
    assert reply.headers["etag"] == '"1"'
    # The seed's next step: it is there when listed by user id.
    listed = api.request("GET", "/todos?userId=maria123", user="maria123")
    assert listed.status == 200
    assert task["taskId"] in [t["taskId"] for t in listed.json()]


def test_create_fills_defaults_and_keeps_every_field(api: Api, user: str) -> None:
    task = api.create(user, title="  Pay rent  ", dueDate="2026-12-01", priority="high",
                      tags=["home", "money"], order=3)
    assert task["title"] == "Pay rent"
    assert task["status"] == "pending" and task["completed"] is False
    assert (task["dueDate"], task["priority"], task["tags"], task["order"]) == (
        "2026-12-01", "high", ["home", "money"], 3)
    assert task["completedAt"] is None and task["version"] == 1
    plain = api.create(user)
    assert (plain["priority"], plain["tags"], plain["description"]) == ("normal", [], None)
    fetched = api.request("GET", f"/todos/{task['taskId']}", user=user)
    assert fetched.status == 200
    assert fetched.json() == task


def test_create_completed_sets_completed_at(api: Api, user: str) -> None:
    task = api.create(user, completed=True)
    assert task["status"] == "completed" and task["completedAt"] == task["createdAt"]


def test_get_one_task(api: Api, user: str) -> None:
    task = api.create(user, title="read")
    reply = api.request("GET", f"/todos/{task['taskId']}", user=user)
    assert reply.status == 200 and reply.json()["title"] == "read"
    assert reply.headers["etag"] == '"1"'
    missing = api.request("GET", f"/todos/{uuid.uuid4()}", user=user)
    assert missing.status == 404
    assert missing.content_type == "application/problem+json"


def test_seed_put_with_user_in_query_completes_the_task(api: Api) -> None:
    task = api.create("maria123", title="Buy groceries")
    time.sleep(0.002)
    reply = api.request("PUT", f"/todos/{task['taskId']}?userId=maria123", user="maria123",
                        json_body={"status": "completed"})
    assert reply.status == 200
    updated = reply.json()
    assert updated["status"] == "completed" and updated["completed"] is True
    assert updated["completedAt"] is not None
    assert updated["updatedAt"] > task["updatedAt"]
    assert updated["version"] == 2 and reply.headers["etag"] == '"2"'
    assert updated["title"] == "Buy groceries"


def test_patch_is_a_merge_patch(api: Api, user: str) -> None:
    task = api.create(user, description="details", tags=["a"], order=1)
    reply = api.request(
        "PATCH", f"/todos/{task['taskId']}", user=user,
        json_body={"description": None, "tags": None, "priority": "urgent", "title": "renamed"},
        headers={"Content-Type": "application/merge-patch+json"},
    )
    assert reply.status == 200
    patched = reply.json()
    assert patched["description"] is None and patched["tags"] == []
    assert (patched["priority"], patched["title"], patched["order"]) == ("urgent", "renamed", 1)
    assert api.request("GET", f"/todos/{task['taskId']}", user=user).json() == patched


def test_completion_time_kept_on_recomplete_and_cleared_on_reopen(api: Api, user: str) -> None:
    task = api.create(user)
    path = f"/todos/{task['taskId']}"
    done = api.request("PATCH", path, user=user, json_body={"completed": True}).json()
    again = api.request("PATCH", path, user=user, json_body={"status": "completed"}).json()
    assert again["completedAt"] == done["completedAt"] and again["version"] == 3
    reopened = api.request("PATCH", path, user=user, json_body={"status": "in_progress"}).json()
    assert reopened["completedAt"] is None and reopened["completed"] is False


def test_update_of_a_missing_task_is_404_and_creates_nothing(api: Api, user: str) -> None:
    task_id = str(uuid.uuid4())
    for method in ("PUT", "PATCH"):
        reply = api.request(method, f"/todos/{task_id}", user=user, json_body={"title": "x"})
        assert reply.status == 404
    assert api.tasks_of(user) == []


def test_seed_delete_by_user_and_task_path(api: Api) -> None:
    task = api.create("maria123")
    reply = api.request("DELETE", f"/todos/maria123/{task['taskId']}", user="maria123")
    assert reply.status == 200
    assert reply.json() == {
        "message": f"Todo '{task['taskId']}' deleted successfully for user 'maria123'"}
    again = api.request("DELETE", f"/todos/maria123/{task['taskId']}", user="maria123")
    assert again.status == 404
    assert again.json()["message"] == (
        f"Todo with userID 'maria123' and taskID '{task['taskId']}' not found")
    seed_id = api.request("DELETE", "/todos/maria123/task-001", user="maria123")
    assert seed_id.status == 404
    assert seed_id.json()["message"] == (
        "Todo with userID 'maria123' and taskID 'task-001' not found")


def test_delete_one(api: Api, user: str) -> None:
    task = api.create(user)
    reply = api.request("DELETE", f"/todos/{task['taskId']}", user=user)
    assert reply.status == 200 and "deleted successfully" in reply.json()["message"]
    assert api.request("GET", f"/todos/{task['taskId']}", user=user).status == 404
    assert api.request("DELETE", f"/todos/{task['taskId']}", user=user).status == 404


def test_clear_completed_then_all(api: Api, user: str) -> None:
    keep = [api.create(user, title=f"open {i}") for i in range(3)]
    for i in range(4):
        api.create(user, title=f"done {i}", status="completed")
    reply = api.request("DELETE", "/todos?status=completed", user=user)
    assert reply.status == 200
    assert reply.json()["deleted"] == 4 and reply.json()["more"] is False
    assert [t["taskId"] for t in api.tasks_of(user)] == [t["taskId"] for t in keep]
    reply = api.request("DELETE", "/todos?status=all", user=user)
    assert reply.json()["deleted"] == 3
    assert api.tasks_of(user) == []


def test_list_filters_by_status_and_orders_both_ways(api: Api, user: str) -> None:
    made = [api.create(user, title=f"t{i}", status=("completed" if i % 2 else "pending"))
            for i in range(6)]
    asc = api.request("GET", "/todos?order=asc", user=user).json()
    desc = api.request("GET", "/todos?order=desc", user=user).json()
    assert [t["taskId"] for t in asc] == [t["taskId"] for t in made]
    assert [t["taskId"] for t in desc] == [t["taskId"] for t in reversed(made)]
    done = api.request("GET", "/todos?status=completed", user=user).json()
    assert [t["title"] for t in done] == ["t1", "t3", "t5"]


def test_openapi_document_needs_no_token(api: Api) -> None:
    reply = api.request("GET", "/openapi.json")
    assert reply.status == 200
    assert reply.json()["openapi"].startswith("3.")


def test_cors_preflight_needs_no_token_and_errors_carry_cors(api: Api) -> None:
    reply = api.request("OPTIONS", "/todos/abc", headers={
        "Origin": "https://app.example", "Access-Control-Request-Method": "PATCH"})
    assert reply.status == 200
    assert "PATCH" in reply.headers["access-control-allow-methods"]
    assert "If-Match" in reply.headers["access-control-allow-headers"]
    assert reply.headers["access-control-allow-origin"] == "*"
    unauthorized = api.request("GET", "/todos", headers={"Origin": "https://app.example"})
    assert unauthorized.status == 401
    assert unauthorized.headers["access-control-allow-origin"] == "*"
    assert unauthorized.content_type == "application/problem+json"


def test_unknown_route_is_a_problem_404(api: Api, user: str) -> None:
    for method, path in (("GET", "/nothing"), ("POST", "/todos/abc"), ("GET", "/todos/a/b")):
        reply = api.request(method, path, user=user)
        assert reply.status == 404, (method, path)
        assert reply.json()["status"] == 404


def test_items_the_seed_tutorial_wrote_are_read_updated_and_deleted(
    gateway: object, ddb: object, user: str,
) -> None:
    from tests.support import InProcessApi

    api = InProcessApi(gateway)  # type: ignore[arg-type]
    task_id = str(uuid.uuid4())  # the seed used crypto.randomUUID()
    ddb.put_item(TableName="todos-test", Item={  # type: ignore[attr-defined]
        "userID": {"S": user}, "taskID": {"S": task_id}, "title": {"S": "Buy groceries"},
        "description": {"S": "Milk, eggs, bread"}, "status": {"S": "pending"},
        "createdAt": {"S": "2026-02-11T14:57:33.000Z"},
        "updatedAt": {"S": "2026-02-11T14:57:33.000Z"}})
    [legacy] = api.tasks_of(user)
    assert (legacy["taskId"], legacy["priority"], legacy["version"]) == (task_id, "normal", 0)
    path = f"/todos/{task_id}"
    reply = api.request("PATCH", path, user=user, json_body={"status": "completed"},
                        headers={"If-Match": '"0"'})
    assert reply.status == 200 and reply.json()["version"] == 1
    assert reply.json()["description"] == "Milk, eggs, bread"
    assert api.request("DELETE", f"/todos/{user}/{task_id}", user=user).status == 200
