"""Bad input on every route: the right 4xx, as problem+json, naming the field; nothing changes."""

import json
import uuid
from typing import Any

import pytest

from tests.support import Api, Reply

TOO_LONG = "x" * 201


def assert_problem(reply: Reply, status: int, field: str | None = None) -> dict[str, Any]:
    assert reply.status == status, reply.body
    assert reply.content_type == "application/problem+json"
    problem: dict[str, Any] = reply.json()
    assert problem["status"] == status
    assert problem["title"] and problem["detail"] and problem["requestId"]
    for leak in ("Traceback", "Error(", "Exception", 'File "', "botocore", "pynamodb"):
        assert leak not in reply.body.decode(), leak
    if field is not None:
        assert field in [e["field"] for e in problem["errors"]], problem
    return problem


BAD_BODIES: list[tuple[str, bytes, int, str | None]] = [
    ("malformed JSON", b'{"title": ', 400, None),
    ("not an object", b'["title"]', 400, None),
    ("duplicate key", b'{"title": "a", "title": "b"}', 400, None),
    ("NaN", b'{"title": "a", "order": NaN}', 400, None),
    ("invalid UTF-8", b'{"title": "\xff\xfe"}', 400, None),
    ("title number", b'{"title": 5}', 400, "title"),
    ("empty title", b'{"title": "   "}', 400, "title"),
    ("title too long", json.dumps({"title": TOO_LONG}).encode(), 400, "title"),
    ("title with NUL", b'{"title": "a\\u0000b"}', 400, "title"),
    ("lone surrogate", b'{"title": "a\\ud800"}', 400, "title"),
    ("bad status", b'{"title": "a", "status": "done"}', 400, "status"),
    ("bad priority", b'{"title": "a", "priority": 1}', 400, "priority"),
    ("completed string", b'{"title": "a", "completed": "yes"}', 400, "completed"),
    ("contradiction", b'{"title": "a", "status": "pending", "completed": true}', 400,
     "completed"),
    ("bad dueDate", b'{"title": "a", "dueDate": "tomorrow"}', 400, "dueDate"),
    ("tags not list", b'{"title": "a", "tags": "x"}', 400, "tags"),
    ("duplicate tags", b'{"title": "a", "tags": ["x", "x"]}', 400, "tags"),
    ("too many tags", json.dumps({"title": "a", "tags": [str(i) for i in range(21)]}).encode(),
     400, "tags"),
    ("order float", b'{"title": "a", "order": 1.5}', 400, "order"),
    ("order bool", b'{"title": "a", "order": true}', 400, "order"),
    ("unknown field", b'{"title": "a", "colour": "red"}', 400, "colour"),
    ("read-only field", b'{"title": "a", "version": 7}', 400, "version"),
    ("read-only taskId", b'{"title": "a", "taskId": "x"}', 400, "taskId"),
    ("description too long", json.dumps({"title": "a", "description": "d" * 4001}).encode(),
     400, "description"),
    ("deep nesting", b'{"title": "a", "tags": ' + b"[" * 5000 + b"]" * 5000 + b"}", 400, None),
    ("over 16 KiB", json.dumps({"title": "a", "description": "d" * 17000}).encode(), 413, None),
    ("order as string", b'{"title": "a", "order": "5"}', 400, "order"),
    ("order huge", b'{"title": "a", "order": 123456789012345678901234567890}', 400, "order"),
    ("order infinite", b'{"title": "a", "order": 1e400}', 400, "order"),
    ("tag number", b'{"title": "a", "tags": [1]}', 400, "tags"),
    ("tag with newline", b'{"title": "a", "tags": ["a\\nb"]}', 400, "tags"),
    ("title object", b'{"title": {"$ne": null}}', 400, "title"),
    ("title list", b'{"title": ["a"]}', 400, "title"),
    ("status number", b'{"title": "a", "status": 1}', 400, "status"),
    ("dueDate number", b'{"title": "a", "dueDate": 20261201}', 400, "dueDate"),
    ("escape control", b'{"title": "a\\u001bb"}', 400, "title"),
    ("raw NUL byte", b'{"title": "a\x00b"}', 400, None),
    ("empty body object", b"{}", 400, "title"),
    ("json null", b"null", 400, None),
    ("BOM prefixed", b"\xef\xbb\xbf{\"title\": \"a\"}", 400, None),
]


@pytest.mark.parametrize(("case", "body", "status", "field"), BAD_BODIES,
                         ids=[c[0] for c in BAD_BODIES])
def test_bad_create_body(api: Api, user: str, case: str, body: bytes, status: int,
                         field: str | None) -> None:
    reply = api.request("POST", "/todos", user=user, body=body,
                        headers={"Content-Type": "application/json"})
    assert_problem(reply, status, field)
    assert api.tasks_of(user) == []


def test_missing_title_and_missing_body(api: Api, user: str) -> None:
    problem = assert_problem(
        api.request("POST", "/todo", user=user, json_body={"description": "x"}), 400, "title")
    assert problem["message"] == "Missing required fields"
    problem = assert_problem(api.request("POST", "/todos", user=user), 400)
    assert problem["message"] == "Request body is missing"
    assert api.tasks_of(user) == []


UPDATE_BODIES = [c for c in BAD_BODIES if c[0] not in ("empty title", "empty body object")] + [
    ("empty title", b'{"title": "   "}', 400, "title"),
    ("null title", b'{"title": null}', 400, "title"),
    ("null status", b'{"status": null}', 400, "status"),
    ("empty patch", b"{}", 400, None),
]


@pytest.mark.parametrize("method", ["PUT", "PATCH"])
@pytest.mark.parametrize(("case", "body", "status", "field"), UPDATE_BODIES,
                         ids=[c[0] for c in UPDATE_BODIES])
def test_bad_update_body(api: Api, user: str, method: str, case: str, body: bytes,
                         status: int, field: str | None) -> None:
    task = api.create(user, title="before")
    reply = api.request(method, f"/todos/{task['taskId']}", user=user, body=body,
                        headers={"Content-Type": "application/json"})
    problem = assert_problem(reply, status, field)
    if case == "empty patch":
        assert problem["message"] == "No valid fields to update"
    assert api.tasks_of(user) == [task]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("limit=0", "limit"), ("limit=101", "limit"), ("limit=x", "limit"),
        ("limit=1e9", "limit"), ("limit=-1", "limit"), ("limit=", "limit"),
        ("status=done", "status"), ("order=up", "order"),
        ("cursor=not-a-cursor", "cursor"), ("cursor=" + "A" * 600, "cursor"),
        ("limit=5&limit=6", "limit"), ("colour=red", "colour"),
    ],
)
def test_bad_list_query(api: Api, user: str, query: str, field: str) -> None:
    api.create(user)
    assert_problem(api.request("GET", f"/todos?{query}", user=user), 400, field)


def test_cursor_from_another_user_or_query_is_refused(api: Api, user: str,
                                                      other_user: str) -> None:
    for _ in range(3):
        api.create(user)
    cursor = api.request("GET", "/todos?limit=1", user=user).headers["x-next-cursor"]
    assert_problem(api.request("GET", f"/todos?limit=1&cursor={cursor}", user=other_user),
                   400, "cursor")
    assert_problem(api.request("GET", f"/todos?limit=1&order=desc&cursor={cursor}", user=user),
                   400, "cursor")
    tampered = cursor[:-2] + ("AA" if not cursor.endswith("AA") else "BB")
    assert_problem(api.request("GET", f"/todos?limit=1&cursor={tampered}", user=user),
                   400, "cursor")


@pytest.mark.parametrize("query", ["", "status=done", "status=all&status=completed", "x=1"])
def test_bad_clear_query_deletes_nothing(api: Api, user: str, query: str) -> None:
    task = api.create(user, status="completed")
    assert_problem(api.request("DELETE", f"/todos?{query}", user=user), 400, None)
    assert api.tasks_of(user) == [task]


@pytest.mark.parametrize("task_id", ["not-a-uuid", "..", "%2E%2E%2Fetc", "a%2Fb",
                                     str(uuid.uuid4()).upper()])
def test_task_ids_that_are_not_ours_are_404(api: Api, user: str, task_id: str) -> None:
    task = api.create(user)
    for method, body in (("GET", None), ("PUT", {"title": "x"}), ("PATCH", {"title": "x"}),
                         ("DELETE", None)):
        reply = api.request(method, f"/todos/{task_id}", user=user, json_body=body)
        assert reply.status in (404,), (method, task_id, reply.body)
        assert reply.content_type == "application/problem+json"
    assert api.tasks_of(user) == [task]


# Not entity tags (RFC 9110 8.8.3): tags this API never issued are 412 (tests/test_conditions.py).
@pytest.mark.parametrize("header", ["abc", '"x', 'W/ "1"', '"a b"', '*, "1"', '"1" "2"', ""])
def test_bad_if_match_is_400(api: Api, user: str, header: str) -> None:
    task = api.create(user)
    reply = api.request("PATCH", f"/todos/{task['taskId']}", user=user,
                        json_body={"title": "x"}, headers={"If-Match": header})
    assert_problem(reply, 400, "If-Match")
    assert api.tasks_of(user) == [task]


def test_stale_if_match_is_412_and_changes_nothing(api: Api, user: str) -> None:
    task = api.create(user)
    path = f"/todos/{task['taskId']}"
    fresh = api.request("PATCH", path, user=user, json_body={"title": "v2"},
                        headers={"If-Match": '"1"'})
    assert fresh.status == 200 and fresh.headers["etag"] == '"2"'
    for method, body in (("PATCH", {"title": "v3"}), ("PUT", {"title": "v3"}),
                         ("DELETE", None)):
        stale = api.request(method, path, user=user, json_body=body, headers={"If-Match": '"1"'})
        assert_problem(stale, 412)
        assert stale.headers["etag"] == '"2"'
    assert api.tasks_of(user) == [fresh.json()]
    gone = api.request("DELETE", path, user=user, headers={"If-Match": '"2"'})
    assert gone.status == 200


@pytest.mark.parametrize(
    "token",
    [None, "", "Bearer", "Bearer not.a.jwt", "garbage"],
)
def test_no_valid_token_is_401_everywhere(api: Api, token: str | None) -> None:
    headers = {"Authorization": token} if token is not None else {}
    for method, path in (("GET", "/todos"), ("POST", "/todos"), ("GET", f"/todos/{uuid.uuid4()}"),
                         ("PATCH", f"/todos/{uuid.uuid4()}"), ("DELETE", "/todos?status=all")):
        reply = api.request(method, path, headers=headers, json_body={"title": "x"})
        assert reply.status == 401, (method, path)
        assert reply.content_type == "application/problem+json"


@pytest.mark.parametrize(
    ("method", "path"),
    [("POST", "/todos"), ("POST", "/todo"), ("GET", "/todos"), ("GET", "/todos/{id}"),
     ("PUT", "/todos/{id}"), ("PATCH", "/todos/{id}"), ("DELETE", "/todos/{id}"),
     ("DELETE", "/todos/{user}/{id}"), ("DELETE", "/todos?status=all")],
)
@pytest.mark.parametrize("query", ["colour=red", "userId={user}&userId={user}", "userId="])
def test_bad_query_on_every_route_is_400_and_changes_nothing(
    api: Api, user: str, method: str, path: str, query: str,
) -> None:
    task = api.create(user, title="keep")
    target = path.format(id=task["taskId"], user=user)
    target += ("&" if "?" in target else "?") + query.format(user=user)
    body = {"title": "changed"} if method in ("POST", "PUT", "PATCH") else None
    reply = api.request(method, target, user=user, json_body=body)
    assert_problem(reply, 400)
    assert api.tasks_of(user) == [task]
