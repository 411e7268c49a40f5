"""What `todo-api serve` prints while it serves: by default one readable line per request and
nothing from libraries; with --log-format json the lines a deployed function writes."""

import json
import logging
import re
import subprocess
import sys
import time
from collections.abc import Iterator

import pytest

from cli import console
from tests.support import ROOT, HttpApi, LocalServer

READABLE = re.compile(r"^\d\d:\d\d:\d\d (GET|POST|PATCH|DELETE) /\S* \d{3} \d+\.\d ms$")


def served(server: LocalServer, start: int, requests: int) -> list[str]:
    """The server's stderr lines since offset `start`, once `requests` access lines are there
    (the server may be shared: earlier tests' lines come before `start`)."""
    deadline = time.monotonic() + 10
    while True:
        lines = server.logs()[start:].splitlines()
        if sum(" ms" in line or '"access"' in line for line in lines) >= requests or (
                time.monotonic() > deadline):
            return lines
        time.sleep(0.05)


def exercise(server: LocalServer) -> int:
    """A create, a list, a stale PATCH, a bad create, a page of the web app: 5 requests."""
    api = HttpApi(server.url)
    task = api.create("console-user", title="printed")
    api.request("GET", "/todos", user="console-user")
    api.request("PATCH", f"/todos/{task['taskId']}", user="console-user",
                json_body={"title": "x"}, headers={"If-Match": '"9"'})
    api.request("POST", "/todos", user="console-user", json_body={"title": ""})
    api.request("GET", "/docs")
    return 5


@pytest.fixture
def readable_server(engine_args: list[str]) -> Iterator[LocalServer]:
    server = LocalServer(*engine_args, log_format="text").wait_ready()
    yield server
    server.stop()


def test_by_default_one_readable_line_per_request_and_no_chatter(
        readable_server: LocalServer) -> None:
    sent = exercise(readable_server)
    lines = served(readable_server, 0, sent)
    assert len(lines) == sent, lines
    assert all(READABLE.match(line) for line in lines), lines
    assert [(line.split()[1], line.split()[3]) for line in lines] == [
        ("POST", "201"), ("GET", "200"), ("PATCH", "412"), ("POST", "400"), ("GET", "200")]
    assert "_aws" not in readable_server.stdout()  # no EMF documents
    assert "Found credentials" not in readable_server.logs()
    assert "Bearer" not in readable_server.logs()


def test_the_json_form_prints_what_a_deployed_function_writes(
        local_server: LocalServer) -> None:
    start = len(local_server.logs())
    sent = exercise(local_server)
    lines = [json.loads(line) for line in served(local_server, start, sent)
             if line.startswith("{")]
    assert [line["status"] for line in lines if line["message"] == "access"] == [
        201, 200, 412, 400, 200]
    assert {"apiRequestId", "route", "latencyMs"} <= {
        key for line in lines if line["message"] == "request" for key in line}
    documents = [json.loads(line) for line in local_server.stdout().splitlines()
                 if line.startswith('{"_aws"')]
    assert {"createTask", "listTasks", "patchTask"} <= {doc["Operation"] for doc in documents}
    assert "Found credentials" not in local_server.logs()


def test_a_failure_reads_as_level_logger_message_request_and_traceback() -> None:
    try:
        raise RuntimeError("table gone")
    except RuntimeError:
        record = logging.LogRecord("todo-api", logging.ERROR, __file__, 1, "request failed",
                                   None, sys.exc_info())
    record.apiRequestId = "req-1"
    text = console.ProblemFormatter().format(record)
    first, *rest = text.splitlines()
    assert re.match(r"^\d\d:\d\d:\d\d ERROR todo-api: request failed \(request req-1\)$", first)
    assert rest[0].startswith("Traceback") and rest[-1] == "RuntimeError: table gone"


CONFIGURE = """
import logging, sys
from cli import console
from services.edge import metrics
console.configure(sys.argv[1])
logging.getLogger("botocore.credentials").info("Found credentials in environment variables.")
logging.getLogger("werkzeug").info("127.0.0.1 - - POST / 200")
logging.getLogger("todo-api").info("request", extra={"status": 200})
logging.getLogger("todo-api.access").info(
    "access", extra={"method": "GET", "path": "/todos", "status": 200, "latencyMs": 3.21})
logging.getLogger("todo-api").warning("slow engine")
metrics.emit("listTasks", 200, 3.2, False)
"""


def configured(log_format: str) -> subprocess.CompletedProcess[str]:
    """A fresh process configured as `todo-api serve --log-format` does, logging a little."""
    return subprocess.run([sys.executable, "-c", CONFIGURE, log_format], cwd=ROOT,
                          capture_output=True, text=True, timeout=60)


def test_text_keeps_libraries_and_info_lines_out_and_metrics_off() -> None:
    run = configured("text")
    assert run.returncode == 0, run.stderr
    assert re.match(r"^\d\d:\d\d:\d\d GET /todos 200 3\.2 ms\n"
                    r"\d\d:\d\d:\d\d WARNING todo-api: slow engine\n$", run.stderr)
    assert run.stdout == ""


def test_json_keeps_libraries_out_and_writes_every_line_and_document() -> None:
    run = configured("json")
    lines = [json.loads(line) for line in run.stderr.splitlines()]
    assert [(line["logger"], line["message"]) for line in lines] == [
        ("todo-api", "request"), ("todo-api.access", "access"), ("todo-api", "slow engine")]
    assert json.loads(run.stdout)["Operation"] == "listTasks"


def test_an_unknown_format_is_refused() -> None:
    with pytest.raises(ValueError, match="log format"):
        console.configure("yaml")
