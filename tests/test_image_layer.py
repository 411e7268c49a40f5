"""The image's own layer, built by the Dockerfile's script without Docker: the handlers run
from it alone (no site-packages, no dev tooling) against a real DynamoDB engine."""

import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from services.edge.routes import EVENT_FUNCTIONS, FUNCTIONS
from tests import task_root
from tests.support import ROOT, proxy_event

LAYER_LIMIT_BYTES = 20 * 1024 * 1024


@pytest.fixture(scope="module")
def image_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """What the Dockerfile puts in LAMBDA_TASK_ROOT: the runtime layer, models/, services/."""
    return task_root.build(tmp_path_factory.mktemp("task-root"))


def _locked() -> dict[str, tuple[str, list[str]]]:
    """The lock's requirements: name -> (version, hashes)."""
    entries: dict[str, tuple[str, list[str]]] = {}
    text = (ROOT / "requirements.txt").read_text().replace("\\\n", " ")
    for line in text.splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        requirement, *options = line.split()
        name, _, version = requirement.partition("==")
        entries[canonicalize_name(name)] = (version, [o.removeprefix("--hash=sha256:")
                                                      for o in options])
    return entries


def test_lock_pins_the_whole_closure_with_hashes() -> None:
    locked = _locked()
    assert {"pynamodb", "botocore", "urllib3"} <= locked.keys()  # the closure, not just the top
    for name, (version, hashes) in locked.items():
        assert version and hashes, name
        assert all(re.fullmatch(r"[0-9a-f]{64}", h) for h in hashes), name
    declared = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    for requirement in map(Requirement, declared):
        assert requirement.specifier.contains(locked[canonicalize_name(requirement.name)][0]), \
            requirement


def test_lock_agrees_with_pyproject() -> None:
    """Re-resolving pyproject.toml, preferring what is locked, must give the lock back."""
    result = subprocess.run([sys.executable, str(ROOT / "tools" / "lock.py"), "--check"],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr


def _tree(root: Path) -> dict[str, tuple[int, int, bytes]]:
    return {str(p.relative_to(root)): (p.stat().st_mode, p.stat().st_mtime_ns,
                                       p.read_bytes() if p.is_file() else b"")
            for p in sorted(root.rglob("*"))}


def test_the_same_lock_gives_the_same_layer(tmp_path: Path) -> None:
    layers = []
    target = tmp_path / "task"  # one path, as in the image: the bytecode records it
    for _ in range(2):
        shutil.rmtree(target, ignore_errors=True)
        subprocess.run([sys.executable, str(ROOT / "image" / "install_runtime.py"),
                        str(target), "--requirements", str(ROOT / "requirements.txt")],
                       check=True, timeout=300)
        layers.append(_tree(target))
    assert layers[0] == layers[1]
    assert any(path.endswith(".pyc") for path in layers[0])


def test_layer_is_small_and_holds_no_dev_tooling(image_root: Path) -> None:
    assert task_root.size_bytes(image_root) <= LAYER_LIMIT_BYTES
    for absent in ("emulator", "moto", "boto3", "pulumi", "pulumi_aws", "tests", "jwt"):
        assert not (image_root / absent).exists(), absent
    assert sorted(p.name for p in (image_root / "botocore" / "data").iterdir() if p.is_dir()) \
        == ["dynamodb", "scheduler", "sqs"]  # the table; the dispatcher's reminders and queue
    # DynamoDB's model: one API version, plain JSON, no documentation (parsed at every cold
    # start); botocore still finds it (the commands below make clients from it).
    [version] = (image_root / "botocore" / "data" / "dynamodb").iterdir()
    assert sorted(p.name for p in version.iterdir()) == [
        "endpoint-rule-set-1.json", "paginators-1.json", "service-2.json", "waiters-2.json"]
    assert '"documentation"' not in (version / "service-2.json").read_text()
    for service in ("scheduler", "sqs"):
        [version] = (image_root / "botocore" / "data" / service).iterdir()
        assert '"documentation"' not in (version / "service-2.json").read_text()


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


def test_the_dispatcher_runs_from_the_layer_alone(image_root: Path,
                                                  dynamodb_endpoint: str) -> None:
    """It makes its SQS and Scheduler clients from the layer's models, and reads the table: a
    reminder of a task that is gone sends nothing."""
    [command] = EVENT_FUNCTIONS.values()
    event = {"reminder": {"partition": "layer", "taskId": "01a24e92-dd7f-70ba-b253-03deb1327acb",
                          "index": 0, "at": "2030-01-01T00:00:00+00:00"}}
    argv, env = task_root.handler_process(image_root, command, event, dynamodb_endpoint)
    env |= {"DELIVERY_QUEUE_URL": "https://sqs.us-east-1.amazonaws.com/1/q",
            "DEAD_LETTER_QUEUE_URL": "https://sqs.us-east-1.amazonaws.com/1/d",
            "SCHEDULE_GROUP": "g", "SCHEDULER_ROLE_ARN": "arn:aws:iam::1:role/s"}
    result = subprocess.run(argv, capture_output=True, text=True, env=env, cwd=image_root,
                            timeout=60)
    assert result.returncode == 0, result.stderr[-2000:]
    [response] = [r for r in map(task_root.parse_response, result.stdout.splitlines())
                  if r is not None]
    assert response == {}
