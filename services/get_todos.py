"""getTodos: GET /todos (a page of the caller's tasks), GET /todos/{taskId}, GET /openapi.json."""

from typing import Any
from urllib.parse import urlencode

from services import tasks
from services.api import serve
from services.http import Request, Response, json_response
from services.representation import task_response, with_url


def list_tasks(request: Request) -> Response:
    caller = request.caller()
    tasks.check_owner(caller, request.claimed_user_ids())
    params = request.params
    page = tasks.list_tasks(
        caller,
        limit=params["limit"],
        ascending=params["order"] == "asc",
        status=params.get("status"),
        after=params.get("cursor"),
    )
    headers = {}
    if page.next_cursor:
        query = {k: v for k, v in params.items() if k != "cursor"} | {"cursor": page.next_cursor}
        headers["X-Next-Cursor"] = page.next_cursor
        headers["Link"] = f'<{request.url_for("/todos")}?{urlencode(query)}>; rel="next"'
    return json_response(200, [with_url(request, task) for task in page.tasks], headers)


def get_task(request: Request) -> Response:
    caller = request.caller()
    tasks.check_owner(caller, request.claimed_user_ids())
    return task_response(request, tasks.get_task(caller, request.path_params["taskId"]))


def get_openapi(request: Request) -> Response:
    from services.openapi import document  # only this route pays for building the document

    return json_response(200, document(server_url=request.base_url))


OPERATIONS = {"listTasks": list_tasks, "getTask": get_task, "getOpenApi": get_openapi}


def handler(event: dict[str, Any], context: Any) -> Response:
    return serve(event, context, OPERATIONS)
