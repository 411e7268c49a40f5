"""The OpenAPI document validates and lists exactly the routes the API serves."""

from typing import Any

import pytest
from openapi_spec_validator import validate

from services.openapi import Gateway, document
from services.routes import FUNCTIONS, ROUTES
from tests.support import Api

METHODS = {"get", "post", "put", "patch", "delete", "options"}


def _operations(doc: dict[str, Any]) -> set[tuple[str, str]]:
    return {(m.upper(), p) for p, ops in doc["paths"].items() for m in ops if m in METHODS}


def test_served_document_validates_and_matches_the_route_table(api: Api) -> None:
    doc = api.request("GET", "/openapi.json").json()
    validate(doc)
    assert _operations(doc) == {(r.method, r.path) for r in ROUTES}


def test_every_documented_operation_is_served_and_nothing_else(api: Api, user: str) -> None:
    doc = api.request("GET", "/openapi.json").json()
    for method, path in _operations(doc):
        concrete = path.replace("{taskId}", user if path.count("{") == 2 else "x")
        concrete = concrete.replace("{seedTaskId}", "x")
        reply = api.request(method, concrete, user=user, json_body={"title": "t"}
                            if method in ("POST", "PUT", "PATCH") else None)
        problem = reply.json() if reply.status >= 400 else {}
        # A served route answers from its handler: a 404 then names a task, not a route.
        assert problem.get("detail") != "No such route", (method, path)
    for method, path in (("GET", "/todo"), ("PUT", "/todos"), ("GET", "/openapi"),
                         ("PATCH", "/todos/a/b")):
        assert api.request(method, path, user=user).json()["detail"] == "No such route"


def test_gateway_document_validates_and_wires_every_route() -> None:
    arns = {name: f"arn:aws:apigateway:us-east-1:lambda:path/{name}" for name in FUNCTIONS}
    doc = document("https://example.invalid/dev", Gateway(
        invoke_arns=arns, user_pool_arn="arn:aws:cognito-idp:us-east-1:1:userpool/p",
        cors_origins=["https://app.example", "http://localhost:5173"]))
    validate(doc)
    for route in ROUTES:
        operation = doc["paths"][route.path][route.method.lower()]
        integration = operation["x-amazon-apigateway-integration"]
        assert integration["type"] == "aws_proxy"
        assert integration["uri"] == arns[route.function]
        assert operation["security"] == ([{"CognitoUserPool": []}] if route.authorized else [])
    for path, operations in doc["paths"].items():
        assert operations["options"]["security"] == [], path
        assert operations["options"]["x-amazon-apigateway-integration"]["type"] == "mock"
    responses = doc["x-amazon-apigateway-gateway-responses"]
    for kind in ("UNAUTHORIZED", "DEFAULT_4XX", "DEFAULT_5XX", "THROTTLED"):
        headers = responses[kind]["responseParameters"]
        assert "gatewayresponse.header.Access-Control-Allow-Origin" in headers


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
