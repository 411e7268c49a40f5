"""The OpenAPI 3 document clients read at /openapi.json, built from the route table and the
schemas. API Gateway gets a reduced document built from the same table
(services/edge/gateway_document.py)."""

from typing import Any

from services.edge.routes import IDEMPOTENCY_KEY_PATTERN, ROUTES, Route, path_variables
from services.edge.schemas import components

PROBLEM_STATUSES = {
    "400": "Invalid request (see errors)",
    "401": "Missing or invalid token",
    "403": "The request names another user",
    "404": "No such task",
    "409": "A request with the same Idempotency-Key is in progress",
    "412": "If-Match does not match the task's version",
    "413": "Body larger than 16 KiB",
    "422": "Idempotency-Key reused with another body",
    "429": "Too many requests",
    "500": "Unexpected error",
    "503": "Task store unavailable; see Retry-After",
}
ALLOWED_HEADERS = "Authorization,Content-Type,If-Match,Idempotency-Key"
# Paths of what has a version (an ETag): a write to one honours If-Match.
_VERSIONED = ("{taskId}", "{seedTaskId}", "{listId}")


def _ref(name: str) -> dict[str, Any]:
    return {"$ref": f"#/components/schemas/{name}"}


def _problem_response(description: str) -> dict[str, Any]:
    return {"description": description,
            "content": {"application/problem+json": {"schema": _ref("Problem")}}}


def _success(route: Route) -> dict[str, Any]:
    headers: dict[str, Any] = {"X-Request-Id": {"schema": {"type": "string"}}}
    if route.response in ("Task", "List"):
        headers["ETag"] = {"schema": {"type": "string"}, "description": "Its version"}
    if route.status == 201:
        headers["Location"] = {"schema": {"type": "string", "format": "uri"}}
    if route.response in ("TaskList", "ClearResult", "ListList"):
        headers["Link"] = {"schema": {"type": "string"}, "description": 'rel="next" page'}
        headers["X-Next-Cursor"] = {"schema": {"type": "string"}}
    if route.response == "TaskList":
        headers["X-Sync-Token"] = {"schema": {"type": "string"}, "description": (
            "Opaque; send it as `since` to get what changed after this listing began")}
    return {"description": route.summary, "headers": headers,
            "content": {"application/json": {"schema": _ref(route.response)}}}


def parameters(route: Route) -> list[dict[str, Any]]:
    """Every parameter of a route: path, query and header."""
    params = path_parameters(route.path)
    params += [
        {"name": p.name, "in": "query", "required": p.required, "description": p.description,
         "schema": p.schema()}
        for p in route.params
    ]
    if route.method == "POST" and route.response == "Task":
        params.append({"name": "Idempotency-Key", "in": "header", "required": False,
                       "description": "A retry with the same key and body returns the first "
                       "answer and creates nothing (kept 24 h)",
                       "schema": {"type": "string", "minLength": 1, "maxLength": 255,
                                  "pattern": IDEMPOTENCY_KEY_PATTERN}})
    if route.method in ("PUT", "PATCH", "DELETE") and route.path.endswith(_VERSIONED):
        params.append({"name": "If-Match", "in": "header", "required": False,
                       "description": "The ETag you read; 412 if it changed since",
                       "schema": {"type": "string"}})
    return params


def _operation(route: Route) -> dict[str, Any]:
    responses: dict[str, Any] = {str(route.status): _success(route)}
    if route.authorized:
        responses |= {code: _problem_response(text) for code, text in PROBLEM_STATUSES.items()}
        responses |= {code: _problem_response(text) for code, text in route.problems}
    else:
        responses["500"] = _problem_response(PROBLEM_STATUSES["500"])
    operation: dict[str, Any] = {
        "operationId": route.operation_id,
        "summary": route.summary,
        "tags": [route.function],
        "parameters": parameters(route),
        "responses": responses,
        "security": [{"CognitoUserPool": []}] if route.authorized else [],
    }
    if route.deprecated:
        operation["deprecated"] = True
    if route.request_body:
        media = ["application/json"]
        if route.method == "PATCH":
            media.append("application/merge-patch+json")
        operation["requestBody"] = {
            "required": True,
            "content": {m: {"schema": _ref(route.request_body)} for m in media},
        }
    return operation


def path_parameters(path: str) -> list[dict[str, Any]]:
    return [
        {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
        for name in path_variables(path)
    ]


# Responses API Gateway makes itself: kind -> (status, title, detail); None keeps the
# gateway's own status or message. The local emulator answers with the same table.
GATEWAY_ERRORS: dict[str, tuple[int | None, str | None, str | None]] = {
    "UNAUTHORIZED": (401, "Unauthorized", "Send a valid ID token in the Authorization header"),
    "ACCESS_DENIED": (403, "Forbidden", None),
    "MISSING_AUTHENTICATION_TOKEN": (404, "Not Found", "No such route"),  # not the usual 403
    "REQUEST_TOO_LARGE": (413, "Content Too Large", None),
    "THROTTLED": (429, "Too Many Requests", "Slow down and retry"),
    "QUOTA_EXCEEDED": (429, "Too Many Requests", None),
    "INTEGRATION_TIMEOUT": (504, "Gateway Timeout", None),
    "DEFAULT_4XX": (None, None, None),
    "DEFAULT_5XX": (None, None, None),
}


def document(server_url: str = "/") -> dict[str, Any]:
    paths: dict[str, dict[str, Any]] = {}
    for route in ROUTES:
        paths.setdefault(route.path, {})[route.method.lower()] = _operation(route)
    scheme: dict[str, Any] = {
        "type": "apiKey",
        "name": "Authorization",
        "in": "header",
        "description": "The Cognito ID token (Bearer or bare).",
    }
    doc: dict[str, Any] = {
        "openapi": "3.0.3",
        "info": {
            "title": "todo-api",
            "version": "1.0.0",
            "description": "Task Management API. Every route but this document needs a token.",
        },
        "servers": [{"url": server_url}],
        "paths": paths,
        "components": {"schemas": components(),
                       "securitySchemes": {"CognitoUserPool": scheme}},
    }
    return doc
