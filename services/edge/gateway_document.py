"""The document API Gateway imports as the REST API `body`: the routes of services/edge/routes.py,
reduced to what the gateway acts on (paths, methods, parameters, security, integrations,
gateway responses, CORS), with no schema beyond a parameter's type.

Why reduced: API Gateway's REST importer turns schemas into JSON Schema draft 4 models and
does not support `discriminator`, `example`, `readOnly`, `oneOf`, `pattern`,
`exclusiveMinimum`, primitive response schemas, nor OpenAPI 3.0's `nullable` and `anyOf`.
The gateway validates nothing for us (the handlers do), so it gets no models at all, and
every keyword in this document is on GATEWAY_KEYWORDS. Clients read the full document
(services/edge/openapi.py) at /openapi.json."""

import json
from dataclasses import dataclass, field
from typing import Any

from services.edge.http import EXPOSED_HEADERS
from services.edge.openapi import ALLOWED_HEADERS, GATEWAY_ERRORS, parameters, path_parameters
from services.edge.routes import ROUTES, Route

# Every key this document may hold, wherever it appears, apart from names (paths, status
# codes, header names, media types, parameter mappings, security scheme names). docs/DEPLOYING.md
# ("The document API Gateway imports") lists the same words; tests/test_gateway_document.py checks
# the document against this set and this set against the importer's known exceptions.
GATEWAY_KEYWORDS = frozenset({
    # the document
    "openapi", "info", "title", "version", "paths", "components", "securitySchemes",
    "x-amazon-apigateway-gateway-responses", "x-amazon-apigateway-binary-media-types",
    # methods of a path
    "get", "post", "put", "patch", "delete", "options",
    # an operation, its parameters and its method responses
    "operationId", "parameters", "security", "responses", "name", "in", "required",
    "schema", "type", "description", "headers",
    # integrations and gateway responses
    "x-amazon-apigateway-integration", "httpMethod", "uri", "passthroughBehavior",
    "requestTemplates", "statusCode", "responseParameters", "responseTemplates",
    # the Cognito authorizer
    "x-amazon-apigateway-authtype", "x-amazon-apigateway-authorizer", "providerARNs",
})


@dataclass(frozen=True)
class Gateway:
    """What API Gateway needs beyond the routes (all values resolved strings)."""

    invoke_arns: dict[str, str]  # function name -> Lambda invoke ARN
    user_pool_arn: str
    cors_origins: list[str] = field(default_factory=lambda: ["*"])


def _parameters(route: Route) -> list[dict[str, Any]]:
    """The route's parameters with their type only: the handlers check the rest."""
    return [
        {"name": p["name"], "in": p["in"], "required": p["required"],
         "schema": {"type": p["schema"]["type"]}}
        for p in parameters(route)
    ]


def _operation(route: Route, gateway: Gateway) -> dict[str, Any]:
    return {
        "operationId": route.operation_id,
        "parameters": _parameters(route),
        "security": [{"CognitoUserPool": []}] if route.authorized else [],
        # Proxy integrations pass the function's answer through: no response model needed.
        "responses": {str(route.status): {"description": route.summary}},
        "x-amazon-apigateway-integration": {
            "type": "aws_proxy",
            "httpMethod": "POST",
            "uri": gateway.invoke_arns[route.function],
            "passthroughBehavior": "when_no_match",
        },
    }


def _allow_origin_template(origins: list[str]) -> str:
    """VTL that answers a preflight with the request's Origin only when it is allowed."""
    checks = " || ".join(f'$origin == "{o}"' for o in origins)
    return (
        "#set($origin = $input.params(\"Origin\"))\n"
        f"#if({checks})#set($context.responseOverride.header.Access-Control-Allow-Origin"
        " = $origin)#end\n{}"
    )


def _preflight(path: str, methods: list[str], gateway: Gateway) -> dict[str, Any]:
    star = "*" in gateway.cors_origins
    headers = {
        "Access-Control-Allow-Headers": f"'{ALLOWED_HEADERS}'",
        "Access-Control-Allow-Methods": f"'{','.join([*methods, 'OPTIONS'])}'",
        "Access-Control-Max-Age": "'600'",
    }
    if star:
        headers["Access-Control-Allow-Origin"] = "'*'"
    return {
        "parameters": path_parameters(path),
        "security": [],  # a preflight needs no token
        "responses": {"200": {"description": "CORS headers", "headers": {
            name: {"schema": {"type": "string"}} for name in
            [*headers, "Access-Control-Allow-Origin"]}}},
        "x-amazon-apigateway-integration": {
            "type": "mock",
            "requestTemplates": {"application/json": '{"statusCode": 200}'},
            "passthroughBehavior": "when_no_match",
            "responses": {"default": {
                "statusCode": "200",
                "responseParameters": {
                    f"method.response.header.{name}": value for name, value in headers.items()
                },
                "responseTemplates": {"application/json": "{}" if star else
                                      _allow_origin_template(gateway.cors_origins)},
            }},
        },
    }


def _quoted(text: str | None) -> str:
    # $context.error.messageString is already a quoted JSON string.
    return json.dumps(text) if text else "$context.error.messageString"


def _gateway_responses(gateway: Gateway) -> dict[str, Any]:
    """Errors made by API Gateway itself: problem+json with CORS headers, like ours."""
    if "*" in gateway.cors_origins:
        origin = "'*'"
    elif len(gateway.cors_origins) == 1:
        origin = f"'{gateway.cors_origins[0]}'"
    else:  # a gateway error carries no user data, so echoing the caller's origin is safe
        origin = "method.request.header.Origin"
    cors = {
        "gatewayresponse.header.Access-Control-Allow-Origin": origin,
        "gatewayresponse.header.Access-Control-Expose-Headers": f"'{EXPOSED_HEADERS}'",
        "gatewayresponse.header.Content-Type": "'application/problem+json'",
    }
    responses = {}
    for kind, (status, title, detail) in GATEWAY_ERRORS.items():
        status_member = f'"status":{status},' if status else ""
        template = (
            f'{{"type":"about:blank","title":{_quoted(title)},{status_member}'
            f'"detail":{_quoted(detail)},"message":{_quoted(detail)},'
            '"requestId":"$context.requestId"}'
        )
        entry: dict[str, Any] = {
            "responseParameters": cors,
            "responseTemplates": {"application/json": template},
        }
        if status:
            entry["statusCode"] = str(status)
        responses[kind] = entry
    return responses


def gateway_document(gateway: Gateway) -> dict[str, Any]:
    """The REST API's `body`: every route with its Lambda proxy integration, and CORS."""
    paths: dict[str, dict[str, Any]] = {}
    for route in ROUTES:
        paths.setdefault(route.path, {})[route.method.lower()] = _operation(route, gateway)
    for path, operations in paths.items():
        methods = sorted(m.upper() for m in operations)
        operations["options"] = _preflight(path, methods, gateway)
    return {
        "openapi": "3.0.3",
        "info": {"title": "todo-api", "version": "1.0.0"},
        "paths": paths,
        "components": {"securitySchemes": {"CognitoUserPool": {
            "type": "apiKey",
            "name": "Authorization",
            "in": "header",
            "x-amazon-apigateway-authtype": "cognito_user_pools",
            "x-amazon-apigateway-authorizer": {
                "type": "cognito_user_pools", "providerARNs": [gateway.user_pool_arn],
            },
        }}},
        "x-amazon-apigateway-gateway-responses": _gateway_responses(gateway),
        "x-amazon-apigateway-binary-media-types": [],
    }
