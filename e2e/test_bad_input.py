"""Bad input: an RFC 9457 problem naming what is wrong, nothing stored, no internals leaked."""

from typing import Any

import pytest

from e2e.client import Client


def _problem(reply: Any, status: int) -> dict[str, Any]:
    assert reply.status == status, reply
    assert reply.content_type.startswith("application/problem+json"), reply.content_type
    problem: dict[str, Any] = reply.json()
    assert problem["status"] == status and problem["title"] and problem["detail"]
    text = reply.body.decode()
    for leak in ("Traceback", "File \"/", "Exception", "botocore"):
        assert leak not in text, text
    return problem


@pytest.mark.parametrize(("body", "fields"), [
    ({"title": ""}, {"title"}),
    ({"title": "x" * 201}, {"title"}),
    ({"title": "ok", "colour": "red"}, {"colour"}),
    ({"title": "ok", "status": "done", "priority": "whenever"}, {"status", "priority"}),
    ({"title": "ok", "tags": ["a", "a"]}, {"tags"}),
    ({"title": "ok", "dueDate": "next tuesday"}, {"dueDate"}),
    ({"title": "ok", "taskId": "mine"}, {"taskId"}),
    ({"description": "no title"}, {"title"}),
])
def test_invalid_task_is_400_naming_each_field(alice: Client, body: dict[str, Any],
                                               fields: set[str]) -> None:
    problem = _problem(alice.request("POST", "/todos", json_body=body), 400)
    named = {error["field"] for error in problem["errors"]}
    assert fields <= named, problem
    assert alice.tasks() == []


def test_malformed_json_and_wrong_shapes(alice: Client) -> None:
    for raw in (b"{", b"[]", b"\"title\"", b"\xff\xfe"):
        _problem(alice.request("POST", "/todos", body=raw,
                               headers={"Content-Type": "application/json"}), 400)
    assert alice.tasks() == []


def test_too_large_a_body_is_413(alice: Client) -> None:
    _problem(alice.request("POST", "/todos", json_body={"title": "big", "description":
                                                        "x" * 17_000}), 413)
    assert alice.tasks() == []


def test_bad_update_changes_nothing(alice: Client) -> None:
    task = alice.create(title="keep me")
    path = f"/todos/{task['taskId']}"
    _problem(alice.request("PATCH", path, json_body={"title": "", "status": "nope"}), 400)
    _problem(alice.request("PUT", path, json_body={"version": 7}), 400)
    _problem(alice.request("PATCH", path, json_body={"title": "x"},
                           headers={"If-Match": "yesterday"}), 400)
    assert alice.request("GET", path).json() == task
