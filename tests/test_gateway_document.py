"""The document API Gateway imports: only keywords its REST importer takes, every route wired.

The Pulumi program gives this document to the RestApi (asserted under the mocks in
test_infra.py); here it is built directly, for a stack with one origin and one with several."""

import re
from typing import Any

import pytest
from openapi_spec_validator import validate

from services.edge.gateway_document import GATEWAY_KEYWORDS, Gateway, gateway_document
from services.edge.openapi import document
from services.edge.routes import FUNCTIONS, ROUTES
from tests.support import ROOT

# What API Gateway's REST importer does not support, as AWS documents it ("important notes
# for REST APIs"; /work/shared/FACTS.md), and what is not JSON Schema draft 4. Written out
# here, not read from the code under test.
UNSUPPORTED = {
    "discriminator", "example", "examples", "readOnly", "writeOnly", "oneOf", "anyOf",
    "allOf", "not", "pattern", "exclusiveMinimum", "exclusiveMaximum", "nullable",
}
# Keys whose members are names (paths, status codes, header names, media types, parameter
# mappings, security scheme names, gateway response types), not keywords.
NAMED_MEMBERS = {
    "paths", "responses", "headers", "responseParameters", "requestTemplates",
    "responseTemplates", "securitySchemes", "x-amazon-apigateway-gateway-responses",
    "security", "schemas", "properties", "content",
}
DRAFT4_TYPES = {"string", "integer", "number", "boolean", "object", "array"}


def keywords(doc: Any) -> set[str]:
    """Every keyword of an OpenAPI document, wherever it appears (without recursion)."""
    found: set[str] = set()
    pending: list[tuple[Any, bool]] = [(doc, False)]
    while pending:
        node, names = pending.pop()
        if isinstance(node, dict):
            for key, value in node.items():
                if not names:
                    found.add(key)
                pending.append((value, not names and key in NAMED_MEMBERS))
        elif isinstance(node, list):
            pending.extend((item, names) for item in node)
    return found


def schemas(doc: Any) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    pending = [doc]
    while pending:
        node = pending.pop()
        if isinstance(node, dict):
            if isinstance(node.get("schema"), dict):
                found.append(node["schema"])
            pending.extend(node.values())
        elif isinstance(node, list):
            pending.extend(node)
    return found


ARNS = {name: f"arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/{name}/invocations"
        for name in FUNCTIONS}
POOL = "arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_abc"


@pytest.fixture(params=[["https://app.example"], ["https://app.example", "http://localhost:5173"],
                        ["*"]], ids=["one-origin", "two-origins", "any-origin"])
def doc(request: pytest.FixtureRequest) -> dict[str, Any]:
    return gateway_document(Gateway(invoke_arns=ARNS, user_pool_arn=POOL,
                                    cors_origins=request.param))


def test_the_allow_list_holds_none_of_the_importers_exceptions() -> None:
    assert not GATEWAY_KEYWORDS & UNSUPPORTED
    assert "$ref" not in GATEWAY_KEYWORDS and "content" not in GATEWAY_KEYWORDS


def test_gateway_document_uses_only_allowed_keywords(doc: dict[str, Any]) -> None:
    used = keywords(doc)
    assert used <= GATEWAY_KEYWORDS, sorted(used - GATEWAY_KEYWORDS)
    assert not used & UNSUPPORTED
    assert "schemas" not in doc["components"]  # no models for the importer to convert
    for schema in schemas(doc):  # parameter and header types only
        assert set(schema) == {"type"} and schema["type"] in DRAFT4_TYPES, schema


def test_the_check_finds_what_the_full_document_uses() -> None:
    """The served document has the keywords the importer refuses: the check can fail."""
    used = keywords(document("/"))
    assert {"nullable", "anyOf", "pattern", "readOnly", "example"} <= used
    assert used - GATEWAY_KEYWORDS


def test_gateway_document_validates_and_wires_every_route(doc: dict[str, Any]) -> None:
    validate(doc)
    for route in ROUTES:
        operation = doc["paths"][route.path][route.method.lower()]
        integration = operation["x-amazon-apigateway-integration"]
        assert integration == {"type": "aws_proxy", "httpMethod": "POST",
                               "uri": ARNS[route.function],
                               "passthroughBehavior": "when_no_match"}, route
        assert operation["security"] == ([{"CognitoUserPool": []}] if route.authorized else [])
        declared = {p["name"] for p in operation["parameters"] if p["in"] == "path"}
        assert declared == set(route.path_params)
        assert {p.name for p in route.params} <= {p["name"] for p in operation["parameters"]}
    documented = {(m.upper(), p) for p, ops in doc["paths"].items() for m in ops
                  if m != "options"}
    assert documented == {(r.method, r.path) for r in ROUTES}
    for path, operations in doc["paths"].items():
        preflight = operations["options"]
        assert preflight["security"] == [], path
        assert preflight["x-amazon-apigateway-integration"]["type"] == "mock"
        allowed = preflight["x-amazon-apigateway-integration"]["responses"]["default"][
            "responseParameters"]["method.response.header.Access-Control-Allow-Methods"]
        assert set(allowed.strip("'").split(",")) == {m.upper() for m in operations}
    scheme = doc["components"]["securitySchemes"]["CognitoUserPool"]
    assert scheme["x-amazon-apigateway-authorizer"] == {
        "type": "cognito_user_pools", "providerARNs": [POOL]}
    responses = doc["x-amazon-apigateway-gateway-responses"]
    for kind in ("UNAUTHORIZED", "DEFAULT_4XX", "DEFAULT_5XX", "THROTTLED"):
        headers = responses[kind]["responseParameters"]
        assert "gatewayresponse.header.Access-Control-Allow-Origin" in headers


def test_the_deploying_page_lists_the_allow_list() -> None:
    page = (ROOT / "docs" / "DEPLOYING.md").read_text()
    section = page[page.index("## The document API Gateway imports"):]
    section = section[: section.index("\n## ")]
    listed = set(re.findall(r"`([A-Za-z$-]+)`", section))
    assert listed >= GATEWAY_KEYWORDS, sorted(GATEWAY_KEYWORDS - listed)
