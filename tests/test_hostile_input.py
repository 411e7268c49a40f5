"""Hostile requests at the deployed functions: JSON nested to any depth the body limit allows,
requests built to make an error repeat them back at length, and blank tags.

Each runs at the handler (the proxy event a Lambda function gets) and through the API as a
client sees it (in-process gateway, and real HTTP to the local server)."""

import json
import logging
import time
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from services.domain.ids import uuid7
from services.edge.json_body import MAX_BODY_BYTES, MAX_JSON_DEPTH
from services.edge.logs import JsonFormatter
from services.handlers import create_todo, update_todo
from tests.support import Api, HttpApi, LocalServer, proxy_event

MAX_LOG_LINE = 1024  # bytes: a request's log line holds ids, route, status, timings; no bodies
MAX_ERROR_BODY = 4096  # bytes: whatever the request held, a 4xx problem stays about this size
PREFIX = '{"title":"x","description":'  # the nested value goes in a field that takes a string


def nested(kind: str, depth: int) -> str:
    """A JSON value of arrays or objects nested `depth` levels."""
    if kind == "array":
        return "[" * depth + "]" * depth
    return '{"a":' * depth + "0" + "}" * depth


def body_with(kind: str, depth: int) -> bytes:
    return f"{PREFIX}{nested(kind, depth)}}}".encode()


def deepest(kind: str) -> int:
    """The deepest nesting whose body still fits the 16 KiB limit."""
    depth = 1
    while len(body_with(kind, depth + 1)) <= MAX_BODY_BYTES:
        depth += 1
    return depth


# Every depth up to 1,200 (the 500s lived from about 330 to 980), then a step that still
# lands on many depths, then the deepest that fits.
def depths(kind: str) -> list[int]:
    top = deepest(kind)
    return sorted({*range(1, 1201), *range(1201, top, 13), top})


# A handler route that takes a body: (method, resource, handler, path parameters).
BODY_ROUTES = [
    ("POST", "/todos", create_todo.handler, None),
    ("POST", "/todo", create_todo.handler, None),
    ("PUT", "/todos/{taskId}", update_todo.handler, "taskId"),
    ("PATCH", "/todos/{taskId}", update_todo.handler, "taskId"),
]


class LineSizes(logging.Handler):
    """The size and level of every log line the handlers write, formatted as Lambda would."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.setFormatter(JsonFormatter())
        self.lines: list[tuple[str, int]] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append((record.levelname, len(self.format(record).encode())))


@pytest.fixture
def log_lines() -> Iterator[LineSizes]:
    sizes = LineSizes()
    logger = logging.getLogger("todo-api")
    logger.addHandler(sizes)
    try:
        yield sizes
    finally:
        logger.removeHandler(sizes)


def check_problem(status: int, content_type: str, body: str | bytes,
                  expected_status: int = 400) -> dict[str, Any]:
    assert status == expected_status, body[:300]
    assert content_type == "application/problem+json"
    assert len(body) <= MAX_ERROR_BODY, len(body)
    problem: dict[str, Any] = json.loads(body)
    assert problem["status"] == expected_status and problem["title"] and problem["requestId"]
    text = body if isinstance(body, str) else body.decode()
    for leak in ("Traceback", "RecursionError", 'File "'):
        assert leak not in text
    return problem


def check_depth_problem(problem: dict[str, Any], depth: int) -> None:
    """Too deep says so; shallower nesting is refused for the field it sits in."""
    if depth + 1 > MAX_JSON_DEPTH:  # the body object itself is one level
        assert problem["detail"].startswith("Request body is nested too deeply"), problem
    else:
        assert [e["field"] for e in problem["errors"]] == ["description"], problem


@pytest.mark.parametrize("kind", ["array", "object"])
@pytest.mark.parametrize(("method", "resource", "handler", "variable"), BODY_ROUTES,
                         ids=[f"{r[0]} {r[1]}" for r in BODY_ROUTES])
def test_every_nesting_depth_is_a_400_with_a_small_log_line(
    log_lines: LineSizes, capsys: pytest.CaptureFixture[str], kind: str, method: str,
    resource: str, handler: Any, variable: str | None,
) -> None:
    path_params = {variable: uuid7()} if variable else None
    path = resource.replace("{taskId}", path_params["taskId"]) if path_params else resource
    checked = depths(kind)
    assert len(checked) > 1200 and checked[-1] == deepest(kind)
    for depth in checked:
        event = proxy_event(method, resource, path, path_params=path_params)
        event["body"] = body_with(kind, depth).decode()
        response = handler(event, None)
        problem = check_problem(response["statusCode"], response["headers"]["Content-Type"],
                                response["body"])
        check_depth_problem(problem, depth)
        capsys.readouterr()  # the EMF documents: not kept for thousands of requests
    assert len(log_lines.lines) == len(checked)
    assert {level for level, _ in log_lines.lines} == {"INFO"}
    assert max(size for _, size in log_lines.lines) <= MAX_LOG_LINE
    # One level deeper no longer fits: the size limit answers, still not a 500.
    event = proxy_event(method, resource, path, path_params=path_params)
    event["body"] = body_with(kind, deepest(kind) + 1).decode()
    response = handler(event, None)
    check_problem(response["statusCode"], response["headers"]["Content-Type"],
                  response["body"], expected_status=413)


@pytest.mark.parametrize("kind", ["array", "object"])
def test_nesting_as_the_whole_body_and_inside_strings(kind: str) -> None:
    """The body itself nested deep is refused; brackets inside strings are just text."""
    for depth in (33, 331, 979, 2000):
        event = proxy_event("POST", "/todos", "/todos")
        event["body"] = nested(kind, depth)
        response = create_todo.handler(event, None)
        problem = check_problem(response["statusCode"], response["headers"]["Content-Type"],
                                response["body"])
        assert problem["detail"].startswith("Request body is nested too deeply")
    event = proxy_event("POST", "/todos", "/todos", body={"title": "x", "tags": []})
    event["body"] = json.dumps({"title": "[" * 120 + "{" * 81, "description": '\\"[[[' * 500})
    response = create_todo.handler(event, None)
    assert response["statusCode"] == 400  # the title is too long, not the nesting too deep
    assert [e["field"] for e in json.loads(response["body"])["errors"]] == ["title"]


SAMPLED_DEPTHS = [1, 2, 31, 32, 33, 100, 330, 331, 500, 512, 700, 980, 1000, 2000]


def _server_log_lines(server: LocalServer, start: int, requests: int) -> list[str]:
    """The log lines the server wrote since `start`, once every request's lines are there."""
    deadline = time.monotonic() + 10
    while True:
        lines = server.logs()[start:].splitlines()
        if sum('"access"' in line for line in lines) >= requests or time.monotonic() > deadline:
            return lines
        time.sleep(0.05)


@pytest.mark.parametrize("kind", ["array", "object"])
def test_nested_bodies_through_the_api_change_nothing(
    api: Api, user: str, caplog: pytest.LogCaptureFixture, kind: str,
) -> None:
    task = api.create(user, title="keep")
    routes = [("POST", "/todos"), ("POST", "/todo"), ("PUT", f"/todos/{task['taskId']}"),
              ("PATCH", f"/todos/{task['taskId']}")]
    sent = 0
    with caplog.at_level(logging.INFO, logger="todo-api"):
        caplog.clear()
        for depth in [*SAMPLED_DEPTHS, deepest(kind)]:
            for method, path in routes:
                reply = api.request(method, path, user=user, body=body_with(kind, depth),
                                    headers={"Content-Type": "application/json"})
                problem = check_problem(reply.status, reply.content_type, reply.body)
                check_depth_problem(problem, depth)
                sent += 1
    assert api.tasks_of(user) == [task]
    if not isinstance(api, HttpApi):  # in-process: the handlers' own log records
        records = [r for r in caplog.records if r.name == "todo-api"]
        assert len(records) >= sent
        assert all(r.levelno == logging.INFO for r in records)
        assert max(len(JsonFormatter().format(r)) for r in records) <= MAX_LOG_LINE


def test_nested_bodies_over_http_log_small_lines(local_server: LocalServer, user: str) -> None:
    api = HttpApi(local_server.url)
    start = len(local_server.logs())
    sent = 0
    for kind in ("array", "object"):
        for depth in [*SAMPLED_DEPTHS, deepest(kind)]:
            for method, path in (("POST", "/todos"), ("PATCH", f"/todos/{uuid7()}")):
                reply = api.request(method, path, user=user, body=body_with(kind, depth),
                                    headers={"Content-Type": "application/json"})
                check_depth_problem(check_problem(reply.status, reply.content_type,
                                                  reply.body), depth)
                sent += 1
    lines = _server_log_lines(local_server, start, sent)
    requests = [json.loads(line) for line in lines if '"message": "request"' in line]
    assert len(requests) >= sent
    assert {line["status"] for line in requests} == {400}
    assert max(len(line.encode()) for line in lines) <= MAX_LOG_LINE
    assert not any('"ERROR"' in line or "stackTrace" in line for line in lines)


# What an error repeats back is capped.

def test_thousands_of_unknown_query_parameters_give_a_small_problem() -> None:
    from services.handlers import get_todos

    query = {f"p{i}": "x" * 20 for i in range(5000)}
    response = get_todos.handler(proxy_event("GET", "/todos", "/todos", query=query), None)
    problem = check_problem(response["statusCode"], response["headers"]["Content-Type"],
                            response["body"])
    assert problem["errorCount"] == 5000
    assert len(problem["errors"]) == 20
    assert all(e["in"] == "query" for e in problem["errors"])


def test_many_unknown_query_parameters_through_the_api(api: Api, user: str) -> None:
    # About 3 kB of URL: within any HTTP server's request-line limit (the handler test above
    # has the 5,000).
    query = "&".join(f"p{i}=1" for i in range(400))
    for method, path in (("GET", "/todos"), ("DELETE", "/todos")):
        reply = api.request(method, f"{path}?{query}", user=user)
        problem = check_problem(reply.status, reply.content_type, reply.body)
        assert problem["errorCount"] >= 400 and len(problem["errors"]) == 20
        assert len(reply.body) < 2500


@pytest.mark.parametrize(("method", "resource", "module"), [
    ("GET", "/todos/{taskId}", "get_todos"), ("PUT", "/todos/{taskId}", "update_todo"),
    ("PATCH", "/todos/{taskId}", "update_todo"), ("DELETE", "/todos/{taskId}", "delete_todo"),
])
def test_a_huge_path_segment_is_not_echoed(dynamodb_endpoint: str, method: str,
                                           resource: str, module: str) -> None:
    import importlib

    handler = importlib.import_module(f"services.handlers.{module}").handler
    segment = "A" * 60_000
    event = proxy_event(method, resource, f"/todos/{segment}", path_params={"taskId": segment},
                        body={"title": "x"} if method in ("PUT", "PATCH") else None)
    response = handler(event, None)
    problem = check_problem(response["statusCode"], response["headers"]["Content-Type"],
                            response["body"], expected_status=404)
    assert "A" * 65 not in response["body"]
    assert problem["detail"].startswith("Todo with userID 'maria123' and taskID 'AAAA")


def test_a_long_path_segment_through_the_api(api: Api, user: str) -> None:
    segment = "B" * 3000  # the handler test above has 60 kB
    for method in ("GET", "PUT", "PATCH", "DELETE"):
        reply = api.request(method, f"/todos/{segment}", user=user,
                            json_body={"title": "x"} if method in ("PUT", "PATCH") else None)
        check_problem(reply.status, reply.content_type, reply.body, expected_status=404)
        assert b"B" * 65 not in reply.body


def test_a_body_full_of_unknown_or_long_field_names_gives_a_small_problem(
    api: Api, user: str,
) -> None:
    many = {"title": "x"} | {f"f{i}": 0 for i in range(1500)}  # about 14 kB
    long_name = {"title": "x", "n" * 12_000: 1}
    duplicate = '{"title":"x","' + "k" * 7000 + '":1,"' + "k" * 7000 + '":1}'
    for method, path in (("POST", "/todos"), ("PATCH", f"/todos/{uuid.uuid4()}")):
        reply = api.request(method, path, user=user,
                            body=json.dumps(many, separators=(",", ":")).encode())
        problem = check_problem(reply.status, reply.content_type, reply.body)
        assert problem["errorCount"] == 1500 and len(problem["errors"]) == 20
        reply = api.request(method, path, user=user, body=json.dumps(long_name).encode())
        problem = check_problem(reply.status, reply.content_type, reply.body)
        [error] = problem["errors"]
        assert error["field"] == "n" * 63 + "\u2026" and "pointer" not in error
        reply = api.request(method, path, user=user, body=duplicate.encode())
        problem = check_problem(reply.status, reply.content_type, reply.body)
        assert "duplicate key" in problem["detail"] and len(problem["detail"]) <= 300
    assert api.tasks_of(user) == []


def test_a_field_error_points_at_its_member() -> None:
    from services.edge.problems import problem
    from services.errors import FieldError

    body = json.loads(problem("r", 400, "Bad Request", "x", errors=[
        FieldError("a/b~c", "is not a field of a task"), FieldError("limit", "bad", "query"),
    ])["body"])
    assert body["errors"][0]["pointer"] == "/a~1b~0c"  # RFC 6901
    assert "pointer" not in body["errors"][1]
    assert body["errorCount"] == 2


# Tags follow the title's rules: trimmed, then 1 to 50 characters, no duplicates.

@pytest.mark.parametrize("tags", [["  "], ["\t"], ["ok", " "], [" a ", "a"], ["x" * 51 + " "]])
def test_blank_or_duplicate_after_trimming_tags_are_refused(api: Api, user: str,
                                                            tags: list[str]) -> None:
    reply = api.request("POST", "/todos", user=user, json_body={"title": "t", "tags": tags})
    assert "tags" in [e["field"] for e in check_problem(reply.status, reply.content_type,
                                                        reply.body)["errors"]]
    task = api.create(user, title="keep", tags=["keep"])
    for method in ("PUT", "PATCH"):
        reply = api.request(method, f"/todos/{task['taskId']}", user=user,
                            json_body={"tags": tags})
        assert "tags" in [e["field"] for e in check_problem(reply.status, reply.content_type,
                                                            reply.body)["errors"]]
    assert api.tasks_of(user) == [task]


def test_tags_are_stored_trimmed(api: Api, user: str) -> None:
    task = api.create(user, tags=[" work ", "home\t", "x" * 50 + "  "])
    assert task["tags"] == ["work", "home", "x" * 50]
    reply = api.request("PATCH", f"/todos/{task['taskId']}", user=user,
                        json_body={"tags": ["  errands"]})
    assert reply.status == 200 and reply.json()["tags"] == ["errands"]
    assert api.tasks_of(user)[0]["tags"] == ["errands"]
