"""The handlers called directly with API Gateway REST proxy events, as Lambda calls them."""

import json
import logging

import pytest

from models import TodoModel
from services.handlers import create_todo, delete_todo, get_todos, update_todo
from tests.support import proxy_event as event


def test_full_cycle_with_stage_urls(dynamodb_endpoint: str) -> None:
    created = create_todo.handler(event("POST", "/todo", "/todo", body={"title": "Buy"}), None)
    assert created["statusCode"] == 201
    task = json.loads(created["body"])
    url = f"https://abc123.execute-api.us-east-1.amazonaws.com/dev/todos/{task['taskId']}"
    assert task["url"] == url and created["headers"]["Location"] == url
    params = {"taskId": task["taskId"]}
    got = get_todos.handler(event("GET", "/todos/{taskId}", f"/todos/{task['taskId']}",
                                  path_params=params), None)
    assert json.loads(got["body"]) == task
    updated = update_todo.handler(event("PUT", "/todos/{taskId}", f"/todos/{task['taskId']}",
                                        path_params=params, body={"status": "completed"},
                                        query={"userId": "maria123"}), None)
    assert json.loads(updated["body"])["status"] == "completed"
    deleted = delete_todo.handler(
        event("DELETE", "/todos/{taskId}/{seedTaskId}", f"/todos/maria123/{task['taskId']}",
              path_params={"taskId": "maria123", "seedTaskId": task["taskId"]}), None)
    assert deleted["statusCode"] == 200


def test_without_authorizer_claims_the_answer_is_401(dynamodb_endpoint: str) -> None:
    reply = get_todos.handler(event("GET", "/todos", "/todos", user=None), None)
    assert reply["statusCode"] == 401
    assert reply["headers"]["Content-Type"] == "application/problem+json"


def test_a_route_of_another_function_is_404(dynamodb_endpoint: str) -> None:
    reply = create_todo.handler(event("GET", "/todos", "/todos"), None)
    assert reply["statusCode"] == 404


def test_unexpected_failure_is_500_without_detail_and_logged_with_trace(
    dynamodb_endpoint: str, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture,
) -> None:
    # A real failure: the table the function is configured with does not exist.
    monkeypatch.setattr(TodoModel.Meta, "table_name", "no-such-table")
    monkeypatch.setattr(TodoModel, "_connection", None)
    with caplog.at_level(logging.ERROR, logger="todo-api"):
        reply = create_todo.handler(event("POST", "/todos", "/todos", body={"title": "x"}), None)
    monkeypatch.setattr(TodoModel, "_connection", None)
    assert reply["statusCode"] == 500
    body = json.loads(reply["body"])
    assert body["requestId"] == "c6af9ac6-7b61-11e6-9a41-93e8deadbeef"
    assert "no-such-table" not in reply["body"] and "ResourceNotFound" not in reply["body"]
    record = next(r for r in caplog.records if r.levelno == logging.ERROR)
    assert record.exc_info is not None and getattr(record, "status", None) == 500
