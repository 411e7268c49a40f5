"""The Postman collection: the committed files are what `todo-api postman` makes from the
OpenAPI document, every operation has a request, and newman runs every request against a
real local server with every assertion passing."""

import json
import subprocess
from pathlib import Path

import pytest

from emulator.auth import issue_token
from services.edge.openapi import document
from tests.support import ROOT, LocalServer
from tools import postman

NEWMAN = ROOT / "tests" / "newman" / "node_modules" / ".bin" / "newman"


def test_committed_files_are_what_the_generator_makes() -> None:
    for name, text in postman.rendered().items():
        committed = (postman.OUT / name).read_text(encoding="utf-8")
        assert committed == text, f"docs/postman/{name} is stale: run `make postman`"


def test_every_operation_has_a_request_with_tests_and_the_variables() -> None:
    collection = json.loads(postman.rendered()[postman.COLLECTION])
    operations = {op["operationId"] for methods in document("/")["paths"].values()
                  for op in methods.values()}
    with_body = {op["operationId"] for methods in document("/")["paths"].values()
                 for op in methods.values() if "requestBody" in op}
    described = " ".join(item["request"]["description"] for item in collection["item"])
    assert {op for op in operations if f"`{op}`" in described} == operations
    for item in collection["item"]:
        assert item["request"]["url"]["raw"].startswith("{{baseUrl}}/")
        script = "\n".join(item["event"][0]["script"]["exec"])
        assert "pm.response.to.have.status(" in script and "pm.test(" in script
        if any(f"`{op}`" in item["request"]["description"] for op in with_body):
            assert json.loads(item["request"]["body"]["raw"])
        else:
            assert "body" not in item["request"]
    assert collection["auth"]["bearer"][0]["value"] == "{{token}}"
    environment = json.loads(postman.rendered()[postman.ENVIRONMENT])
    assert environment["name"] == "local"
    assert {v["key"] for v in environment["values"]} == {"baseUrl", "token", "token2"}


def test_a_step_naming_an_undeclared_parameter_is_refused() -> None:
    bad = postman.Step("listTasks", query={"colour": "red"})
    with pytest.raises(ValueError, match="colour"):
        postman._item(document("/"), bad)


def test_newman_runs_every_request_against_a_local_server(tmp_path: Path) -> None:
    if not NEWMAN.exists():
        pytest.fail("newman is not installed: run `make newman` (make test does)")
    server = LocalServer().wait_ready()
    try:
        report = tmp_path / "newman.json"
        run = subprocess.run(
            [str(NEWMAN), "run", str(postman.OUT / postman.COLLECTION),
             "-e", str(postman.OUT / postman.ENVIRONMENT),
             "--env-var", f"baseUrl={server.url}",
             "--env-var", f"token={issue_token('postman-user')}",
             "--env-var", f"token2={issue_token('postman-invitee')}",
             "--reporters", "json", "--reporter-json-export", str(report)],
            capture_output=True, text=True, timeout=120, check=False,
        )
    finally:
        server.stop()
    stats = json.loads(report.read_text())["run"]["stats"]
    items = json.loads(postman.rendered()[postman.COLLECTION])["item"]
    assert run.returncode == 0, run.stdout + run.stderr
    assert stats["requests"] == {"total": len(items), "pending": 0, "failed": 0}
    assert stats["assertions"]["failed"] == 0 and stats["assertions"]["total"] >= 3 * len(items)
