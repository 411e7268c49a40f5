"""The OpenAPI document validates and lists exactly the routes the API serves."""

from typing import Any

import pytest
from openapi_spec_validator import validate

from services.edge.openapi import document
from services.edge.routes import FUNCTIONS, ROUTES
from tests.support import Api

METHODS = {"get", "post", "put", "patch", "delete", "options"}


def _operations(doc: dict[str, Any]) -> set[tuple[str, str]]:
    return {(m.upper(), p) for p, ops in doc["paths"].items() for m in ops if m in METHODS}


def test_served_document_validates_and_matches_the_route_table(api: Api) -> None:
    doc = api.request("GET", "/openapi.json").json()
    validate(doc)
    assert _operations(doc) == {(r.method, r.document_path) for r in ROUTES}
    # The full document for clients, not the gateway's reduced one (gateway_document.py).
    assert {"Task", "TaskCreate", "TaskUpdate", "Problem"} <= set(doc["components"]["schemas"])
    assert doc["paths"]["/todos"]["post"]["requestBody"]
    assert not any(key.startswith("x-amazon") for key in doc)


def test_every_documented_operation_is_served_and_nothing_else(api: Api, user: str) -> None:
    doc = api.request("GET", "/openapi.json").json()
    for method, path in _operations(doc):
        concrete = path.replace("{userId}", user).replace("{taskId}", "x")
        reply = api.request(method, concrete, user=user, json_body={"title": "t"}
                            if method in ("POST", "PUT", "PATCH") else None)
        problem = reply.json() if reply.status >= 400 else {}
        # A served route answers from its handler: a 404 then names a task, not a route.
        assert problem.get("detail") != "No such route", (method, path)
    for method, path in (("GET", "/todo"), ("PUT", "/todos"), ("GET", "/openapi"),
                         ("PATCH", "/todos/a/b")):
        assert api.request(method, path, user=user).json()["detail"] == "No such route"


@pytest.mark.parametrize("route", ROUTES, ids=[f"{r.method} {r.path}" for r in ROUTES])
def test_each_route_has_its_handler(route: Any) -> None:
    import importlib

    module, name = FUNCTIONS[route.function].rsplit(".", 1)
    handler_module = importlib.import_module(module)
    assert callable(getattr(handler_module, name))
    assert route.operation_id in handler_module.OPERATIONS


def test_the_list_and_clear_contracts_are_documented() -> None:
    doc = document("/")
    listing = doc["paths"]["/todos"]["get"]
    params = {p["name"]: p for p in listing["parameters"]}
    assert {"tag", "sort", "dueAfter", "dueBefore", "since"} <= params.keys()
    assert params["sort"]["schema"]["enum"] == ["createdAt", "dueDate"]
    assert "410" in listing["responses"] and "X-Sync-Token" in listing["responses"]["200"][
        "headers"]
    items = doc["components"]["schemas"]["TaskList"]["items"]["anyOf"]
    assert {"$ref": "#/components/schemas/Tombstone"} in items
    assert "checklist" in doc["components"]["schemas"]["Task"]["required"]
    clear = doc["paths"]["/todos"]["delete"]
    assert "cursor" in {p["name"] for p in clear["parameters"]}
    assert "cursor" in doc["components"]["schemas"]["ClearResult"]["properties"]
    assert "X-Next-Cursor" in clear["responses"]["200"]["headers"]
