"""The OpenAPI 3 document clients read at /openapi.json, built from the route table and the
schemas. API Gateway gets a reduced document built from the same table
(services/edge/gateway_document.py)."""

from typing import Any

from services.edge.routes import (
    IDEMPOTENCY_KEY_PATTERN,
    PATH_VARIABLES,
    ROUTES,
    TAGS,
    Route,
    path_variables,
)
from services.edge.schemas import components
from services.edge.webhook_schemas import callbacks

PROBLEM_STATUSES = {
    "400": "Invalid request (see errors)",
    "401": "Missing or invalid token",
    "403": "The request names another user",
    "404": "No such task (or webhook)",
    "409": "A request with the same Idempotency-Key is in progress",
    "412": "If-Match does not match the task's version",
    "413": "Body larger than 16 KiB",
    "422": "Idempotency-Key reused with another body",
    "429": "Too many requests",
    "500": "Unexpected error",
    "503": "Task store unavailable; see Retry-After",
    "504": "Task store did not answer in time: a change may have been made; read it back",
}
ALLOWED_HEADERS = "Authorization,Content-Type,If-Match,If-None-Match,Idempotency-Key"


def _ref(name: str) -> dict[str, Any]:
    return {"$ref": f"#/components/schemas/{name}"}


def _problem_response(description: str) -> dict[str, Any]:
    return {"description": description,
            "content": {"application/problem+json": {"schema": _ref("Problem")}}}


# Response headers, each with its syntax.
_ETAG = {"schema": {"type": "string", "pattern": '^(W/)?"[^"]*"$'}, "description": (
    'An entity tag (RFC 9110 8.8.3). A task\'s or a list\'s is its version, e.g. "3": send '
    "it in If-Match to write only that version, or in If-None-Match to read only a newer one. "
    "A page's (tasks, lists, members, invitations) is a digest of the page.")}
_REQUEST_ID = {"schema": {"type": "string"},
               "description": "The request's id; problems repeat it as `requestId`."}


def _success(route: Route) -> dict[str, Any]:
    headers: dict[str, Any] = {"X-Request-Id": _REQUEST_ID}
    if _conditional_get(route) or route.response in ("Task", "List"):
        headers["ETag"] = _ETAG
    if route.status == 201:
        headers["Location"] = {"schema": {"type": "string", "format": "uri"},
                               "description": "The new resource's URL."}
    if route.response in ("TaskList", "ClearResult", "ListList"):
        headers["Link"] = {"schema": {"type": "string"}, "description": (
            'RFC 8288: `<URL>; rel="next"`, the next page\'s URL (absent on the last page).')}
        headers["X-Next-Cursor"] = {"schema": {"type": "string"}, "description": (
            "Opaque: the next page's `cursor` (absent on the last page).")}
    if route.response == "TaskList":
        headers["X-Sync-Token"] = {"schema": {"type": "string"}, "description": (
            "Opaque; send it as `since` to get what changed after this listing began")}
    return {"description": route.summary, "headers": headers,
            "content": {"application/json": {"schema": _ref(route.response)}}}


def _not_modified() -> dict[str, Any]:
    return {"description": "Not modified: If-None-Match holds the current ETag (no body)",
            "headers": {"ETag": _ETAG, "X-Request-Id": _REQUEST_ID}}


_IF_MATCH = {
    "name": "If-Match", "in": "header", "required": False,
    "description": (
        'RFC 9110 13.1.1: `*` or a comma-separated list of entity tags, e.g. `"3"` or '
        '`"3", "4"`. The write happens only if the task\'s ETag (on a list, its members or '
        "its invitations: the list's) is one of them under the strong comparison (a weak tag "
        'such as W/"3" never matches): else 412, with the current ETag. Anything else is '
        "400."),
    "schema": {"type": "string", "minLength": 1},
}
_IF_NONE_MATCH = {
    "name": "If-None-Match", "in": "header", "required": False,
    "description": (
        "RFC 9110 13.1.2: `*` or a comma-separated list of entity tags. When one matches the "
        'current ETag under the weak comparison (W/"3" matches "3"), the answer is 304 with '
        "no body. Anything else is 400."),
    "schema": {"type": "string", "minLength": 1},
}


def parameters(route: Route, *, for_clients: bool = False) -> list[dict[str, Any]]:
    """Every parameter of a route: path, query and header. For clients, the path variables
    carry the names and descriptions of the client's path (Route.client_path)."""
    params = path_parameters(route.document_path if for_clients else route.path,
                             described=for_clients)
    params += [
        {"name": p.name, "in": "query", "required": p.required, "description": p.description,
         "schema": p.schema()}
        for p in route.params
    ]
    if idempotent_create(route):
        params.append({"name": "Idempotency-Key", "in": "header", "required": False,
                       "description": "1 to 255 visible ASCII characters. A retry with the "
                       "same key and body returns the first answer and creates nothing (kept "
                       "24 h); the same key with another body is 422.",
                       "schema": {"type": "string", "minLength": 1, "maxLength": 255,
                                  "pattern": IDEMPOTENCY_KEY_PATTERN}})
    # A clear (DELETE of a list's tasks by status) takes none: it deletes tasks of many
    # versions, and /todos's clear never had one.
    if (route.method in ("PUT", "PATCH", "DELETE") and route.path_params and _versioned(route)
            and route.response != "ClearResult"):
        params.append(dict(_IF_MATCH))
    if _conditional_get(route):
        params.append(dict(_IF_NONE_MATCH))
    return params


def _versioned(route: Route) -> bool:
    """Tasks and lists carry versions (ETag, If-Match, If-None-Match); webhooks do not."""
    return route.tag != "Webhooks"


def _conditional_get(route: Route) -> bool:
    return route.method == "GET" and route.authorized and _versioned(route)


def idempotent_create(route: Route) -> bool:
    """A create an Idempotency-Key makes safe to retry (a task, a list). Not an invitation: its
    answer holds a token shown once and never stored; nor accepting one, idempotent as it is."""
    return route.method == "POST" and route.status == 201 and route.response in ("Task", "List")


def _operation(route: Route) -> dict[str, Any]:
    responses: dict[str, Any] = {str(route.status): _success(route)}
    if _conditional_get(route):
        responses["304"] = _not_modified()
    if route.authorized:
        responses |= {code: _problem_response(text) for code, text in PROBLEM_STATUSES.items()}
        responses |= {code: _problem_response(text) for code, text in route.problems}
    else:  # no token, no body: only the gateway's throttle or our own failure
        responses |= {code: _problem_response(PROBLEM_STATUSES[code]) for code in ("429", "500")}
    operation: dict[str, Any] = {
        "operationId": route.operation_id,
        "summary": route.summary,
        "description": route.description or route.summary,
        "tags": [route.tag],
        "parameters": parameters(route, for_clients=True),
        "responses": responses,
        "security": [{"CognitoUserPool": []}] if route.authorized else [],
    }
    if route.deprecated:
        operation["deprecated"] = True
    events = callbacks(route.response)
    if events:
        operation["callbacks"] = events
    if route.request_body:
        media = ["application/json"]
        if route.method == "PATCH":
            media.append("application/merge-patch+json")
        operation["requestBody"] = {
            "required": True,
            "content": {m: {"schema": _ref(route.request_body)} for m in media},
        }
    return operation


def path_parameters(path: str, *, described: bool = False) -> list[dict[str, Any]]:
    return [
        {"name": name, "in": "path", "required": True,
         **({"description": PATH_VARIABLES[name]} if described else {}),
         "schema": {"type": "string"}}
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
        paths.setdefault(route.document_path, {})[route.method.lower()] = _operation(route)
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
            "contact": {"name": "The todo-api project"},
            # The project declares no licence: say so rather than invent one (the page
            # explains what no licence means).
            "license": {"name": "No licence granted (all rights reserved)",
                        "url": "https://choosealicense.com/no-permission/"},
        },
        "tags": [{"name": name, "description": text} for name, text in TAGS.items()],
        "servers": [{"url": server_url}],
        "paths": paths,
        "components": {"schemas": components(),
                       "securitySchemes": {"CognitoUserPool": scheme}},
    }
    return doc
