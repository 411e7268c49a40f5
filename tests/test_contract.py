"""The contract generated clients rely on: the served /openapi.json passes Spectral (spectral:oas)
and Redocly (recommended) with no error or warning, names and describes every path variable,
describes every operation and header, and has no default in an update schema; a client
generated from it by openapi-python-client drives every operation against a local server, and
a partial update changes only what it sends."""

import importlib
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import requests

from emulator.auth import issue_token
from services.edge.gateway_document import Gateway, gateway_document
from services.edge.openapi import document
from services.edge.routes import PATH_VARIABLES, ROUTES, path_variables
from tests.support import ROOT, LocalServer

LINT = ROOT / "tests" / "openapi-lint"
BIN = Path(sys.executable).parent
PACKAGE = "todo_api_generated_client"


@pytest.fixture(scope="module")
def served(local_server: LocalServer, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The document as the local server serves it, in a file."""
    doc = requests.get(f"{local_server.url}/openapi.json", timeout=30).json()
    path = tmp_path_factory.mktemp("openapi") / "openapi.json"
    path.write_text(json.dumps(doc, indent=1))
    return path


def _operations(doc: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, methods in doc["paths"].items():
        for method, operation in methods.items():
            yield method, path, operation


# The document itself.
def test_no_update_schema_has_a_default() -> None:
    schemas = document()["components"]["schemas"]

    def defaults(node: Any) -> int:
        if isinstance(node, dict):
            return ("default" in node) + sum(defaults(v) for v in node.values())
        if isinstance(node, list):
            return sum(defaults(v) for v in node)
        return 0

    assert defaults(schemas["TaskUpdate"]) == 0
    assert defaults(schemas["TaskCreate"]) > 0  # a create's defaults are what it does


def test_every_path_variable_is_named_for_what_it_holds_in_both_documents() -> None:
    client = document()
    gateway = gateway_document(Gateway({f: f"arn:{f}" for f in {r.function for r in ROUTES}},
                                       "arn:pool"))
    seed = next(r for r in ROUTES if r.operation_id == "deleteTaskSeed")
    # Clients read the seed's path under its own names; the gateway keeps one name per level.
    assert "/todos/{userId}/{taskId}" in client["paths"]
    assert "/todos/{taskId}/{seedTaskId}" in gateway["paths"]
    assert "/todos/{taskId}/{seedTaskId}" not in client["paths"]
    for route in ROUTES:
        assert route.document_path.count("/") == route.path.count("/")
        assert len(path_variables(route.document_path)) == len(route.path_params)
        operation = client["paths"][route.document_path][route.method.lower()]
        params = [p for p in operation["parameters"] if p["in"] == "path"]
        assert [p["name"] for p in params] == path_variables(route.document_path)
        assert all(p["description"] == PATH_VARIABLES[p["name"]] for p in params)
        gateway_params = gateway["paths"][route.path][route.method.lower()]["parameters"]
        assert ([p["name"] for p in gateway_params if p["in"] == "path"]
                == route.path_params)
    described = client["paths"][seed.document_path]["delete"]["parameters"]
    assert [p["name"] for p in described if p["in"] == "path"] == ["userId", "taskId"]


def test_every_operation_is_described_and_tagged_and_every_header_has_its_syntax() -> None:
    doc = document()
    declared = {tag["name"] for tag in doc["tags"]}
    assert all(tag.get("description") for tag in doc["tags"])
    for method, path, operation in _operations(doc):
        assert operation["description"] and operation["description"] != operation["summary"], (
            method, path)
        assert operation["tags"] and set(operation["tags"]) <= declared
        for param in operation["parameters"]:
            assert param.get("description"), (method, path, param["name"])
        headers = {p["name"]: p for p in operation["parameters"] if p["in"] == "header"}
        # Tasks and lists are versioned, cached and created idempotently; webhooks take none
        # of it.
        conditional = "Webhooks" not in operation["tags"]
        clear = method == "delete" and path.endswith("/todos")
        if conditional and (method in ("put", "patch")
                            or (method == "delete" and "{" in path and not clear)):
            assert "entity tags" in headers["If-Match"]["description"]
        if conditional and method == "get" and path != "/openapi.json":
            assert "weak comparison" in headers["If-None-Match"]["description"]
            assert "304" in operation["responses"]
        # Every create takes an Idempotency-Key but an invitation (its answer holds a token
        # shown once and never stored, so it cannot be replayed) and accepting one (which is
        # idempotent by nature: a second accept changes nothing).
        if conditional and method == "post" and path not in ("/lists/{listId}/invitations",
                                                             "/invitations/accept"):
            assert "pattern" in headers["Idempotency-Key"]["schema"]
        if not conditional:
            assert not {"If-Match", "If-None-Match", "Idempotency-Key"} & set(headers)
        for response in operation["responses"].values():
            for name, header in response.get("headers", {}).items():
                assert header.get("description"), (method, path, name)


# The linters, as CI runs them on the served document.
def _lint(command: list[str]) -> subprocess.CompletedProcess[str]:
    if not (LINT / "node_modules" / ".installed").exists():
        pytest.fail("the OpenAPI linters are not installed: run `make openapi-lint` "
                    "(make check and make test do)")
    return subprocess.run(command, cwd=LINT, capture_output=True, text=True, timeout=300)


def test_spectral_finds_nothing(served: Path) -> None:
    result = _lint(["node_modules/.bin/spectral", "lint", "--ruleset", ".spectral.yaml",
                    "--format", "json", "--quiet", str(served)])
    assert result.returncode == 0, result.stdout + result.stderr
    assert json.loads(result.stdout or "[]") == []  # no error, warning, info or hint


def test_redocly_finds_nothing(served: Path) -> None:
    result = _lint(["node_modules/.bin/redocly", "lint", "--config", "redocly.yaml",
                    "--format", "json", str(served)])
    assert result.returncode == 0, result.stdout + result.stderr
    report = json.loads(result.stdout)
    assert report["totals"] == {"errors": 0, "warnings": 0, "ignored": 0}, report["problems"]


# A client generated from the served document, driving every operation.
@pytest.fixture(scope="module")
def client_package(served: Path, tmp_path_factory: pytest.TempPathFactory) -> ModuleType:
    out = tmp_path_factory.mktemp("client")
    result = subprocess.run(
        [str(BIN / "openapi-python-client"), "generate", "--path", str(served), "--meta",
         "none", "--output-path", str(out / PACKAGE)],
        capture_output=True, text=True, timeout=300,
        env={**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}"})
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Warning" not in result.stdout, result.stdout
    sys.path.insert(0, str(out))
    try:
        return importlib.import_module(PACKAGE)
    finally:
        sys.path.remove(str(out))


def _api(package: ModuleType, name: str) -> Any:
    return importlib.import_module(f"{PACKAGE}.api.tasks.{name}")


def test_a_generated_client_drives_every_operation(
    client_package: ModuleType, local_server: LocalServer, user: str,
) -> None:
    models = importlib.import_module(f"{PACKAGE}.models")
    client = client_package.AuthenticatedClient(base_url=local_server.url,
                                                token=issue_token(user), prefix="Bearer")
    call = {name: _api(client_package, name) for name in (
        "create_task", "create_task_seed", "get_task", "list_tasks", "update_task",
        "patch_task", "delete_task", "delete_task_seed", "clear_tasks")}

    # create with every field, and the seed's create
    body = models.TaskCreate(
        title="Write report", description="Two pages", due_date="2026-12-01",
        priority=models.TaskCreatePriority.HIGH, tags=["work", "q4"], order=3,
        checklist=[models.TaskCreateChecklistItem(title="draft", done=True)])
    created = call["create_task"].sync_detailed(client=client, body=body,
                                                idempotency_key="contract-1")
    assert created.status_code == 201, created.content
    task = created.parsed
    assert created.headers["ETag"] == '"1"' and task.status.value == "pending"
    seeded = call["create_task_seed"].sync_detailed(client=client, body=models.TaskCreate(
        title="Seeded", status=models.TaskCreateStatus.COMPLETED))
    assert seeded.status_code == 201

    # get, and get if changed
    got = call["get_task"].sync_detailed(task.task_id, client=client)
    assert got.status_code == 200 and got.parsed.to_dict() == task.to_dict()
    unchanged = call["get_task"].sync_detailed(task.task_id, client=client, if_none_match='"1"')
    assert unchanged.status_code == 304

    # list, with filters
    listed = call["list_tasks"].sync_detailed(client=client, limit=10)
    assert listed.status_code == 200 and len(listed.parsed) == 2
    sync_token = listed.headers["X-Sync-Token"]
    by_tag = call["list_tasks"].sync_detailed(client=client, tag="work",
                                              status=models.ListTasksStatus.PENDING)
    assert [t.task_id for t in by_tag.parsed] == [task.task_id]
    due = call["list_tasks"].sync_detailed(client=client, sort=models.ListTasksSort.DUEDATE,
                                           due_after="2026-11-01", due_before="2027-01-01")
    assert [t.task_id for t in due.parsed] == [task.task_id]
    newest = call["list_tasks"].sync_detailed(client=client, limit=1,
                                              order=models.ListTasksOrder.DESC)
    assert [t.title for t in newest.parsed] == ["Seeded"]

    # PUT of one field, PATCH of one field: nothing else changes
    before = task.to_dict()
    put = call["update_task"].sync_detailed(task.task_id, client=client,
                                            body=models.TaskUpdate(title="Write the report"))
    assert put.status_code == 200, put.content
    after_put = put.parsed.to_dict()
    changed = {k for k in before if before[k] != after_put[k]}
    assert changed == {"title", "updatedAt", "version"}
    patch = call["patch_task"].sync_detailed(
        task.task_id, client=client, if_match=put.headers["ETag"],
        body=models.TaskUpdate(priority=models.TaskUpdatePriority.URGENT))
    assert patch.status_code == 200, patch.content
    after_patch = patch.parsed.to_dict()
    changed = {k for k in after_put if after_put[k] != after_patch[k]}
    assert changed == {"priority", "updatedAt", "version"}
    assert after_patch["status"] == "pending" and after_patch["tags"] == ["work", "q4"]
    assert after_patch["checklist"] == [{"title": "draft", "done": True}]

    # a stale If-Match: 412, nothing changed
    stale = call["patch_task"].sync_detailed(task.task_id, client=client, if_match='"1"',
                                             body=models.TaskUpdate(title="stale"))
    assert stale.status_code == 412 and stale.headers["ETag"] == '"3"'
    assert call["get_task"].sync(task.task_id, client=client).title == "Write the report"

    # delete (current ETag), the seed's delete, sync, clear
    deleted = call["delete_task"].sync_detailed(task.task_id, client=client, if_match='"3"')
    assert deleted.status_code == 200
    seed_deleted = call["delete_task_seed"].sync_detailed(user, seeded.parsed.task_id,
                                                          client=client)
    assert seed_deleted.status_code == 200, seed_deleted.content
    changes = call["list_tasks"].sync_detailed(client=client, since=sync_token)
    assert changes.status_code == 200, changes.content
    gone = {entry.task_id for entry in changes.parsed if isinstance(entry, models.Tombstone)}
    assert gone == {task.task_id, seeded.parsed.task_id}
    cleared = call["clear_tasks"].sync_detailed(client=client,
                                                status=models.ClearTasksStatus.ALL)
    assert cleared.status_code == 200 and cleared.parsed.more is False
