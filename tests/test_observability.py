"""What a handler leaves in CloudWatch: one JSON log line and one EMF document per request."""

import json
import logging
from typing import Any

import pytest

from models import TodoModel
from services.edge.logs import JsonFormatter
from services.handlers import create_todo, delete_todo, get_todos, update_todo
from tests.support import proxy_event

TOKEN_LIKE = "eyJ"  # a JWT's first characters: never in a log


class Invocation:
    def __init__(self, capsys: pytest.CaptureFixture[str],
                 caplog: pytest.LogCaptureFixture) -> None:
        self.capsys = capsys
        self.caplog = caplog

    def __call__(self, handler: Any, event: dict[str, Any]) -> tuple[dict[str, Any],
                                                                    dict[str, Any],
                                                                    dict[str, Any]]:
        """Run one request; return (response, its log line as JSON, its EMF document)."""
        self.capsys.readouterr()
        self.caplog.clear()
        with self.caplog.at_level(logging.INFO, logger="todo-api"):
            response = handler(event, None)
        [record] = [r for r in self.caplog.records if r.name == "todo-api"]
        line = json.loads(JsonFormatter().format(record))
        [emf_line] = [x for x in self.capsys.readouterr().out.splitlines() if '"_aws"' in x]
        return response, line, json.loads(emf_line)


@pytest.fixture
def invoke(capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture,
           dynamodb_endpoint: str) -> Invocation:
    return Invocation(capsys, caplog)


def assert_emf(doc: dict[str, Any], operation: str) -> dict[str, Any]:
    """The shape the EMF specification requires, and our metric names."""
    meta = doc["_aws"]
    assert isinstance(meta["Timestamp"], int) and meta["Timestamp"] > 1_600_000_000_000
    [directive] = meta["CloudWatchMetrics"]
    assert directive["Namespace"] == "TodoApi"
    for dimension_set in directive["Dimensions"]:
        assert dimension_set and all(isinstance(doc[name], str) for name in dimension_set)
    assert doc["Operation"] == operation and doc["Stack"]
    for metric in directive["Metrics"]:
        assert isinstance(doc[metric["Name"]], int | float), metric
        assert metric.get("Unit", "None") in ("Count", "Milliseconds", "None")
    names = {m["Name"] for m in directive["Metrics"]}
    assert {"Requests", "Errors", "ClientErrors", "Latency"} <= names
    return {name: doc[name] for name in names}


def assert_log_line(line: dict[str, Any], status: int, route: str) -> None:
    assert line["status"] == status and line["route"] == route
    assert line["apiRequestId"] == "c6af9ac6-7b61-11e6-9a41-93e8deadbeef"
    assert isinstance(line["latencyMs"], float) and isinstance(line["coldStart"], bool)


def test_success_counts_the_business_event(invoke: Invocation) -> None:
    response, line, doc = invoke(create_todo.handler, proxy_event(
        "POST", "/todos", "/todos", user="obs", body={"title": "secret plans"}))
    assert response["statusCode"] == 201
    assert_log_line(line, 201, "POST /todos")
    assert line["level"] == "INFO" and "stackTrace" not in line
    values = assert_emf(doc, "createTask")
    assert values["Requests"] == 1 and values["Errors"] == values["ClientErrors"] == 0
    assert values["TasksCreated"] == 1
    text = json.dumps(line) + json.dumps(doc)
    assert "secret plans" not in text and TOKEN_LIKE not in text

    task = json.loads(response["body"])
    path = {"taskId": task["taskId"]}
    _, _, doc = invoke(update_todo.handler, proxy_event(
        "PATCH", "/todos/{taskId}", "/x", user="obs", path_params=path,
        body={"status": "completed"}))
    assert assert_emf(doc, "patchTask")["TasksCompleted"] == 1
    _, _, doc = invoke(update_todo.handler, proxy_event(
        "PATCH", "/todos/{taskId}", "/x", user="obs", path_params=path,
        body={"status": "completed"}))
    assert "TasksCompleted" not in assert_emf(doc, "patchTask")  # already completed
    _, _, doc = invoke(delete_todo.handler, proxy_event(
        "DELETE", "/todos/{taskId}", "/x", user="obs", path_params=path))
    assert assert_emf(doc, "deleteTask")["TasksDeleted"] == 1


def test_client_error_is_counted_as_such(invoke: Invocation) -> None:
    response, line, doc = invoke(create_todo.handler, proxy_event(
        "POST", "/todos", "/todos", user="obs", body={"title": ""}))
    assert response["statusCode"] == 400
    assert_log_line(line, 400, "POST /todos")
    values = assert_emf(doc, "createTask")
    assert values["ClientErrors"] == 1 and values["Errors"] == 0
    assert "TasksCreated" not in values


def test_server_error_logs_the_trace_not_the_client(
    invoke: Invocation, monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(TodoModel.Meta, "table_name", "no-such-table")
    monkeypatch.setattr(TodoModel, "_connection", None)
    response, line, doc = invoke(get_todos.handler, proxy_event("GET", "/todos", "/todos",
                                                               user="obs"))
    monkeypatch.setattr(TodoModel, "_connection", None)
    assert response["statusCode"] == 500
    assert_log_line(line, 500, "GET /todos")
    assert line["level"] == "ERROR" and line["errorType"]
    assert any("store.py" in frame for frame in line["stackTrace"])
    assert "Traceback" not in response["body"] and "store.py" not in response["body"]
    values = assert_emf(doc, "listTasks")
    assert values["Errors"] == 1 and values["ClientErrors"] == 0
