"""The image's own layer, built by the Dockerfile's script without Docker: the handlers run
from it alone (no site-packages, no dev tooling) against a real DynamoDB engine."""

import re
import subprocess
import tomllib
from pathlib import Path

import pytest

from services.routes import FUNCTIONS
from tests import task_root
from tests.support import ROOT, proxy_event

LAYER_LIMIT_BYTES = 20 * 1024 * 1024


@pytest.fixture(scope="module")
def image_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """What the Dockerfile puts in LAMBDA_TASK_ROOT: the runtime layer, models/, services/."""
    return task_root.build(tmp_path_factory.mktemp("task-root"))


def test_requirements_pin_exactly_the_runtime_dependencies() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    declared = {re.split(r"[<>=!~\[ ]", d)[0].lower() for d in project["dependencies"]}
    pinned = {line.split("==")[0].lower() for line in (ROOT / "requirements.txt").read_text()
              .splitlines() if line and not line.startswith("#")}
    assert declared == pinned
    assert all("==" in line for line in (ROOT / "requirements.txt").read_text().splitlines()
               if line and not line.startswith("#"))


def test_layer_is_small_and_holds_no_dev_tooling(image_root: Path) -> None:
    assert task_root.size_bytes(image_root) <= LAYER_LIMIT_BYTES
    for absent in ("emulator", "moto", "boto3", "pulumi", "pulumi_aws", "tests", "jwt"):
        assert not (image_root / absent).exists(), absent
    assert sorted(p.name for p in (image_root / "botocore" / "data").iterdir() if p.is_dir()) \
        == ["dynamodb"]


def test_each_command_answers_from_the_layer_alone(image_root: Path,
                                                   dynamodb_endpoint: str) -> None:
    create = proxy_event("POST", "/todos", "/todos", user="layer", body={"title": "from layer"})
    events = {
        "createTodo": create,
        "getTodos": proxy_event("GET", "/todos", "/todos", user="layer"),
        "updateTodo": proxy_event("PATCH", "/todos/{taskId}", "/x", user="layer", body={},
                                  path_params={"taskId": "x"}),
        "deleteTodo": proxy_event("DELETE", "/todos", "/todos", user="layer",
                                  query={"status": "all"}),
    }
    expected = {"createTodo": 201, "getTodos": 200, "updateTodo": 400, "deleteTodo": 200}
    for function, command in FUNCTIONS.items():
        argv, env = task_root.handler_process(image_root, command, events[function],
                                              dynamodb_endpoint)
        result = subprocess.run(argv, capture_output=True, text=True, env=env, cwd=image_root,
                                timeout=60, check=True)
        [response] = [r for r in map(task_root.parse_response, result.stdout.splitlines()) if r]
        assert response["statusCode"] == expected[function], (function, response)
