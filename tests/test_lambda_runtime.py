"""Each function run as its image runs it: `python -m awslambdaric <command>` polling a local
Runtime API, answering proxy events with responses from a real DynamoDB engine."""

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from services.edge.routes import FUNCTIONS
from tests.runtime_api import RuntimeApi
from tests.support import ROOT, proxy_event


@contextmanager
def function(command: str, endpoint: str) -> Iterator[RuntimeApi]:
    with RuntimeApi() as runtime:
        env = {
            **os.environ,
            "AWS_LAMBDA_RUNTIME_API": runtime.address,
            "AWS_ENDPOINT_URL_DYNAMODB": endpoint,
            "AWS_LAMBDA_FUNCTION_NAME": command.split(".")[1],
            "AWS_LAMBDA_LOG_FORMAT": "JSON",
        }
        process = subprocess.Popen([sys.executable, "-m", "awslambdaric", command], cwd=ROOT,
                                   env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        try:
            yield runtime
        finally:
            process.kill()
            process.wait(timeout=10)
            assert process.stderr is not None
            process.stderr.close()


def answer(runtime: RuntimeApi, event: dict[str, Any]) -> tuple[int, Any]:
    kind, payload = runtime.invoke(event)
    assert kind == "response", payload
    return payload["statusCode"], json.loads(payload["body"])


def test_the_four_commands_serve_a_task_from_create_to_delete(dynamodb_endpoint: str) -> None:
    user = "runtime-user"
    with function(FUNCTIONS["createTodo"], dynamodb_endpoint) as runtime:
        status, task = answer(runtime, proxy_event("POST", "/todos", "/todos", user=user,
                                                   body={"title": "through the runtime"}))
        assert status == 201 and task["title"] == "through the runtime"
        status, second = answer(runtime, proxy_event("POST", "/todo", "/todo", user=user,
                                                     body={"title": "warm invoke"}))
        assert status == 201 and second["taskId"] != task["taskId"]
    task_path = {"taskId": task["taskId"]}
    with function(FUNCTIONS["getTodos"], dynamodb_endpoint) as runtime:
        status, listed = answer(runtime, proxy_event("GET", "/todos", "/todos", user=user))
        assert status == 200 and [t["taskId"] for t in listed] == [task["taskId"],
                                                                   second["taskId"]]
    with function(FUNCTIONS["updateTodo"], dynamodb_endpoint) as runtime:
        status, updated = answer(runtime, proxy_event(
            "PATCH", "/todos/{taskId}", f"/todos/{task['taskId']}", user=user,
            path_params=task_path, body={"status": "completed"}))
        assert status == 200 and updated["completed"] is True and updated["version"] == 2
    with function(FUNCTIONS["deleteTodo"], dynamodb_endpoint) as runtime:
        status, message = answer(runtime, proxy_event(
            "DELETE", "/todos/{taskId}", f"/todos/{task['taskId']}", user=user,
            path_params=task_path))
        assert status == 200 and "deleted successfully" in message["message"]
        status, cleared = answer(runtime, proxy_event(
            "DELETE", "/todos", "/todos", user=user, query={"status": "all"}))
        assert status == 200 and cleared["deleted"] == 1
