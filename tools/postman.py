"""`todo-api postman`: a Postman collection (v2.1) and a `local` environment, generated from
the OpenAPI document into docs/postman/. Every operation of the document is a request (list
views as variants), in an order that runs top to bottom against a fresh user: each request
asserts its documented status and the shape of its documented response, and hands the ids,
ETag and sync token it got to the requests after it."""

import json
from pathlib import Path
from typing import Any, NamedTuple

from services.edge.openapi import document

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "postman"
COLLECTION = "todo-api.postman_collection.json"
ENVIRONMENT = "local.postman_environment.json"
SCHEMA_URL = "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"

# Example text where the schema gives none (the schema gives enums, defaults and formats).
EXAMPLE_TEXT = {"title": "Write the report", "description": "Two pages, with figures.",
                "tags": "work", "checklist.title": "Draft"}
# Response headers every answer of that kind carries (Link, X-Next-Cursor only when more).
ALWAYS_HEADERS = ("X-Request-Id", "ETag", "Location", "X-Sync-Token")


class Step(NamedTuple):
    operation: str  # operationId in the OpenAPI document
    name: str = ""  # defaults to the operation's summary
    query: dict[str, str] = {}  # noqa: RUF012 (a NamedTuple default, never mutated)
    body_fields: tuple[str, ...] = ()  # for updates: which fields the example changes
    body_values: dict[str, Any] = {}  # noqa: RUF012 values that tell a better story
    headers: dict[str, str] = {}  # noqa: RUF012
    path: dict[str, str] = {}  # noqa: RUF012 path variable -> value (default {{name}})
    # variable -> response member, "header:Name" or "js:<an expression>"
    keep: dict[str, str] = {}  # noqa: RUF012
    omit: tuple[str, ...] = ()  # members of the example body left out
    user: str = ""  # another environment variable's token to send (the second user's)


# A receiver nobody runs: the local server takes loopback targets and just logs the failures.
RECEIVER = "http://127.0.0.1:9/hook"

# A new task's example names no list (the route's) and no assignee (a member of it).
NEW_TASK_OMITS = ("listId", "assigneeId")
FLOW: tuple[Step, ...] = (
    Step("createWebhook", body_values={"url": RECEIVER, "description": "My receiver",
                                       "events": ["task.created", "task.completed"]},
         keep={"webhookId": "webhookId"}),
    Step("listWebhooks"),
    Step("getWebhook"),
    Step("updateWebhook", body_fields=("events",),
         body_values={"events": ["task.created", "task.completed", "task.deleted"]}),
    Step("testWebhook"),
    Step("createTask", keep={"taskId": "taskId", "userId": "userId", "etag": "header:ETag"},
         headers={"Idempotency-Key": "{{$guid}}"}, omit=NEW_TASK_OMITS),
    Step("createTaskSeed", keep={"seedTaskId": "taskId"}, omit=NEW_TASK_OMITS),
    Step("getTask"),
    Step("listTasks", "List the caller's tasks (first page)", {"limit": "10"},
         keep={"syncToken": "header:X-Sync-Token"}),
    Step("listTasks", "Due-date view: due in 2026, by due date",
         {"dueAfter": "2026-01-01", "dueBefore": "2027-01-01", "sort": "dueDate"}),
    Step("listTasks", "Tasks tagged work", {"tag": "work"}),
    Step("updateTask", body_fields=("title", "priority"),
         body_values={"title": "Write the final report", "priority": "high"},
         keep={"etag": "header:ETag"}),
    # The example task repeats (its recurrence): completing it moves it to its next
    # occurrence, still open, its checklist undone.
    Step("patchTask", "Complete the repeating task (moves it to its next occurrence)",
         body_fields=("status", "checklist"), body_values={"status": "completed"},
         headers={"If-Match": "{{etag}}"}),
    Step("listTasks", "Delta sync: what changed since the first list",
         {"since": "{{syncToken}}"}),
    Step("deleteTask"),
    Step("deleteTaskSeed", path={"userId": "{{userId}}", "taskId": "{{seedTaskId}}"}),
    Step("clearTasks", query={"status": "completed"}),
    Step("listDeliveries"),
    Step("deleteWebhook"),
    Step("getOpenApi"),
    # Lists and sharing: the second user (token2) accepts an invitation, is made a viewer,
    # then removed.
    Step("createList", body_values={"name": "Groceries"},
         keep={"listId": "listId", "listEtag": "header:ETag"}),
    Step("listLists"),
    Step("getList"),
    Step("renameList", body_values={"name": "Weekly groceries"}, headers={
        "If-Match": "{{listEtag}}"}),
    Step("createListTask", omit=NEW_TASK_OMITS, body_values={"title": "Milk"},
         headers={"Idempotency-Key": "{{$guid}}"}, keep={"listTaskId": "taskId"}),
    Step("listListTasks", "A list's tasks (first page)", {"limit": "10"}),
    Step("getListTask", path={"taskId": "{{listTaskId}}"}),
    Step("updateListTask", body_fields=("title",), body_values={"title": "Oat milk"},
         path={"taskId": "{{listTaskId}}"}),
    Step("patchListTask", body_fields=("status",), body_values={"status": "completed"},
         path={"taskId": "{{listTaskId}}"}),
    Step("createInvitation", body_values={"role": "editor"},
         keep={"invitationToken": "token", "invitationId": "invitationId"}),
    Step("listInvitations"),
    Step("acceptInvitation", "Accept the invitation (as the second user, token2)",
         body_values={"token": "{{invitationToken}}"}, user="token2"),
    Step("listMembers", keep={"memberId": "js:pm.response.json().filter(function (m) { "
                                           "return m.role !== \"owner\"; })[0].userId"}),
    Step("updateMember", body_values={"role": "viewer"}, path={"memberId": "{{memberId}}"}),
    Step("removeMember", path={"memberId": "{{memberId}}"}),
    Step("revokeInvitation"),
    Step("deleteListTask", path={"taskId": "{{listTaskId}}"}),
    Step("clearListTasks", query={"status": "completed"}),
    Step("deleteList"),
)


def _operations(doc: dict[str, Any]) -> dict[str, tuple[str, str, dict[str, Any]]]:
    found = {}
    for path, methods in doc["paths"].items():
        for method, operation in methods.items():
            found[operation["operationId"]] = (method.upper(), path, operation)
    return found


def _resolve(doc: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = doc["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return schema


def example(doc: dict[str, Any], schema: dict[str, Any], name: str = "") -> Any:
    """A valid value for a schema: its example, default or first choice, else made up."""
    schema = _resolve(doc, schema)
    for key in ("example", "default"):
        if key in schema:
            return schema[key]
    if "enum" in schema:
        return schema["enum"][0]
    kind = schema.get("type")
    if kind == "object":
        return {
            prop: example(doc, sub, f"{name}.{prop}" if name else prop)
            for prop, sub in schema.get("properties", {}).items()
            if not sub.get("deprecated") and not sub.get("readOnly")
        }
    if kind == "array":
        return [example(doc, schema["items"], name)]
    if kind == "boolean":
        return False
    if kind == "integer":
        return max(schema.get("minimum", 1), 1)
    return EXAMPLE_TEXT.get(name, f"Example {name}")[: schema.get("maxLength", 200)]


def _shapes(doc: dict[str, Any], schema: dict[str, Any]) -> tuple[bool, list[list[str]]]:
    """Whether the response is an array, and the member lists an item may have."""
    schema = _resolve(doc, schema)
    if schema.get("type") == "array":
        items = schema["items"]
        choices = items.get("anyOf", [items])
        return True, [sorted(_resolve(doc, c).get("required", [])) for c in choices]
    return False, [sorted(schema.get("required", []))]


def _tests(doc: dict[str, Any], step: Step, status: str, response: dict[str, Any]) -> list[str]:
    lines = [f'pm.test("status is {status}", function () {{',
             f"    pm.response.to.have.status({status});", "});"]
    headers = [h for h in ALWAYS_HEADERS if h in response.get("headers", {})]
    if headers:
        lines += [f'pm.test("headers: {", ".join(headers)}", function () {{',
                  *[f'    pm.response.to.have.header("{h}");' for h in headers], "});"]
    schema = response["content"]["application/json"]["schema"]
    is_array, shapes = _shapes(doc, schema)
    name = schema.get("$ref", "").rsplit("/", 1)[-1] or "the documented"
    lines += [
        f'pm.test("body has the shape of {name}", function () {{',
        "    const body = pm.response.json();",
        f"    const shapes = {json.dumps(shapes)};",
        "    const fits = function (item) {",
        "        return shapes.some(function (keys) {",
        "            return keys.every(function (key) { return key in item; });",
        "        });",
        "    };",
    ]
    if is_array:
        lines += ['    pm.expect(body).to.be.an("array");',
                  "    body.forEach(function (item) { pm.expect(fits(item)).to.be.true; });"]
    else:
        lines += ['    pm.expect(body).to.be.an("object");',
                  "    pm.expect(fits(body)).to.be.true;"]
    lines.append("});")
    for variable, source in step.keep.items():
        if source.startswith("js:"):
            value = source[3:]
        elif source.startswith("header:"):
            value = f'pm.response.headers.get("{source[7:]}")'
        else:
            value = f'pm.response.json()["{source}"]'
        lines.append(f'pm.collectionVariables.set("{variable}", {value});')
    return lines


def _url(path: str, step: Step, declared: set[str]) -> dict[str, Any]:
    unknown = set(step.query) - declared
    if unknown:
        raise ValueError(f"{step.operation}: {sorted(unknown)} not in the OpenAPI document")
    segments = []
    for part in path.strip("/").split("/"):
        if part.startswith("{"):
            variable = part[1:-1]
            part = step.path.get(variable, f"{{{{{variable}}}}}")
        segments.append(part)
    query = "&".join(f"{k}={v}" for k, v in step.query.items())
    url: dict[str, Any] = {
        "raw": "{{baseUrl}}/" + "/".join(segments) + (f"?{query}" if query else ""),
        "host": ["{{baseUrl}}"],
        "path": segments,
    }
    if step.query:
        url["query"] = [{"key": k, "value": v} for k, v in step.query.items()]
    return url


def _item(doc: dict[str, Any], step: Step) -> dict[str, Any]:
    method, path, operation = _operations(doc)[step.operation]
    status, response = next((code, r) for code, r in operation["responses"].items()
                            if code.startswith("2"))
    declared = {p["name"] for p in operation.get("parameters", [])}
    headers = [{"key": k, "value": v} for k, v in step.headers.items()]
    if set(step.headers) - declared:
        raise ValueError(f"{step.operation}: header not in the OpenAPI document")
    request: dict[str, Any] = {
        "method": method,
        "header": headers,
        "url": _url(path, step, declared),
        "description": f"{operation['summary']}. `{method} {path}` (operationId "
                       f"`{step.operation}`).",
    }
    if not operation.get("security"):
        request["auth"] = {"type": "noauth"}
    elif step.user:
        request["auth"] = {"type": "bearer", "bearer": [
            {"key": "token", "value": f"{{{{{step.user}}}}}", "type": "string"}]}
    if "requestBody" in operation:
        body = example(doc, operation["requestBody"]["content"]["application/json"]["schema"])
        if step.body_fields:
            body = {k: v for k, v in body.items() if k in step.body_fields}
        body = {k: v for k, v in body.items() if k not in step.omit}
        body |= step.body_values
        headers.append({"key": "Content-Type", "value": "application/json"})
        request["body"] = {"mode": "raw", "raw": json.dumps(body, indent=2),
                           "options": {"raw": {"language": "json"}}}
    return {
        "name": step.name or operation["summary"],
        "event": [{"listen": "test", "script": {
            "type": "text/javascript", "exec": _tests(doc, step, status, response)}}],
        "request": request,
    }


def collection() -> dict[str, Any]:
    doc = document("/")
    missing = set(_operations(doc)) - {step.operation for step in FLOW}
    if missing:
        raise ValueError(f"operations without a request in the collection: {sorted(missing)}")
    return {
        "info": {
            "name": doc["info"]["title"],
            "description": (
                f"{doc['info']['description']} Generated from the OpenAPI document by "
                "`todo-api postman`; do not edit by hand. Set `baseUrl`, `token` and `token2` "
                "(a second user's, who accepts an invitation to a list; for the local server: "
                "`todo-api token USER`), then run the requests in order."
            ),
            "schema": SCHEMA_URL,
        },
        "auth": {"type": "bearer", "bearer": [
            {"key": "token", "value": "{{token}}", "type": "string"}]},
        "variable": [{"key": name, "value": ""} for name in
                     ("taskId", "userId", "etag", "seedTaskId", "syncToken", "listId",
                      "listEtag", "listTaskId", "invitationToken", "invitationId",
                      "memberId", "webhookId")],
        "item": [_item(doc, step) for step in FLOW],
    }


def environment() -> dict[str, Any]:
    return {
        "name": "local",
        "values": [
            {"key": "baseUrl", "value": "http://127.0.0.1:3000", "type": "default",
             "enabled": True},
            # A token is signed by this machine's key and expires: make one with
            # `.venv/bin/todo-api token USER` and paste it here (or pass --env-var token=...).
            {"key": "token", "value": "", "type": "secret", "enabled": True},
            # A second user's token: it accepts the list invitation the first user makes.
            {"key": "token2", "value": "", "type": "secret", "enabled": True},
        ],
    }


def rendered() -> dict[str, str]:
    """File name -> text, as written."""
    return {COLLECTION: json.dumps(collection(), indent=2) + "\n",
            ENVIRONMENT: json.dumps(environment(), indent=2) + "\n"}


def write(out: Path = OUT) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in rendered().items():
        (out / name).write_text(text, encoding="utf-8")
        written.append(out / name)
    return written
