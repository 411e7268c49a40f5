"""The image's LAMBDA_TASK_ROOT built without Docker (the Dockerfile's own steps), and a handler
run from it the way a fresh function instance runs it. Shared by the tests and `make bench`."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("models", "services")
RESPONSE_MARK = "RESPONSE "
_CHILD = (
    "import importlib, json, sys\n"
    "module, name = sys.argv[1].rsplit('.', 1)\n"
    "handler = getattr(importlib.import_module(module), name)\n"
    "response = handler(json.loads(sys.argv[2]), None)\n"
    f"sys.stdout.write({RESPONSE_MARK!r} + json.dumps(response) + '\\n')\n"
)


def build(target: Path) -> Path:
    """image/install_runtime.py into `target`, then our packages, compiled as in the image."""
    subprocess.run([sys.executable, str(ROOT / "image" / "install_runtime.py"), str(target),
                    "--requirements", str(ROOT / "requirements.txt")], check=True)
    for package in PACKAGES:
        shutil.copytree(ROOT / package, target / package,
                        ignore=shutil.ignore_patterns("__pycache__"))
        subprocess.run([sys.executable, "-m", "compileall", "-q", "--invalidation-mode",
                        "unchecked-hash", str(target / package)], check=True)
    return target


def size_bytes(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def handler_process(
    root: Path, command: str, event: dict[str, Any], endpoint: str
) -> tuple[list[str], dict[str, str]]:
    """Arguments and environment of a fresh interpreter that answers one event from `root`
    alone: -S leaves site-packages out, as in the image, and no PYTHON* setting but its path
    is passed on. It prints the response on a line starting with RESPONSE_MARK."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("PYTHON")}
    env |= {"PYTHONPATH": str(root), "AWS_ENDPOINT_URL_DYNAMODB": endpoint,
            "PYTHONDONTWRITEBYTECODE": "1"}
    return [sys.executable, "-S", "-c", _CHILD, command, json.dumps(event)], env


def parse_response(line: str) -> dict[str, Any] | None:
    if not line.startswith(RESPONSE_MARK):
        return None
    response: dict[str, Any] = json.loads(line[len(RESPONSE_MARK):])
    return response
