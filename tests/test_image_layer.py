"""The image's own layer, built by the Dockerfile's script without Docker: the handlers run
from it alone (no site-packages, no dev tooling) against a real DynamoDB engine."""

import json
import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from services.routes import FUNCTIONS
from tests.support import ROOT, proxy_event

LAYER_LIMIT_BYTES = 20 * 1024 * 1024


@pytest.fixture(scope="module")
def image_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """What the Dockerfile puts in LAMBDA_TASK_ROOT: the runtime layer, models/, services/."""
    root = tmp_path_factory.mktemp("task-root")
    subprocess.run(["sh", "docker/install-runtime.sh", str(root)], cwd=ROOT, check=True,
                   env={**os.environ, "PIP": str(Path(sys.executable).parent / "pip"),
                        "PYTHON": sys.executable})
    for package in ("models", "services"):
        shutil.copytree(ROOT / package, root / package,
                        ignore=shutil.ignore_patterns("__pycache__"))
    return root


def _size(root: Path) -> int:
    return sum(p.stat().st_size for p in root.rglob("*") if p.is_file())


def test_requirements_pin_exactly_the_runtime_dependencies() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    declared = {re.split(r"[<>=!~\[ ]", d)[0].lower() for d in project["dependencies"]}
    pinned = {line.split("==")[0].lower() for line in (ROOT / "requirements.txt").read_text()
              .splitlines() if line and not line.startswith("#")}
    assert declared == pinned
    assert all("==" in line for line in (ROOT / "requirements.txt").read_text().splitlines()
               if line and not line.startswith("#"))


def test_layer_is_small_and_holds_no_dev_tooling(image_root: Path) -> None:
    assert _size(image_root) <= LAYER_LIMIT_BYTES
    for absent in ("emulator", "moto", "boto3", "pulumi", "pulumi_aws", "tests", "jwt"):
        assert not (image_root / absent).exists(), absent
    assert sorted(p.name for p in (image_root / "botocore" / "data").iterdir() if p.is_dir()) \
        == ["dynamodb"]


def test_each_command_answers_from_the_layer_alone(image_root: Path,
                                                   dynamodb_endpoint: str) -> None:
    script = (
        "import importlib, json, sys\n"
        "module, name = sys.argv[1].rsplit('.', 1)\n"
        "handler = getattr(importlib.import_module(module), name)\n"
        "print(json.dumps(handler(json.loads(sys.stdin.read()), None)))\n"
    )
    env = {key: value for key, value in os.environ.items() if not key.startswith("PYTHON")}
    env |= {"PYTHONPATH": str(image_root), "AWS_ENDPOINT_URL_DYNAMODB": dynamodb_endpoint}
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
        # -S: no site-packages, as in the image; -E: no PYTHON* settings but PYTHONPATH's.
        result = subprocess.run(
            [sys.executable, "-S", "-c", script, command], input=json.dumps(events[function]),
            capture_output=True, text=True, env=env, cwd=image_root, timeout=60, check=True)
        response = json.loads(result.stdout.strip().splitlines()[-1])
        assert response["statusCode"] == expected[function], (function, response)
