"""getTodos: GET /todos (a page of the caller's tasks: by creation, by due date, or what
changed since a sync token), GET /todos/{taskId}, the same of any list
(/lists/{listId}/todos...), GET /openapi.json, and the GET routes of lists and sharing
(services/handlers/lists.py)."""

from typing import Any

from services.domain import tasks
from services.domain.due import bound_key
from services.domain.fields import DATE_PROBLEM
from services.edge.api import serve
from services.edge.http import Request, Response, json_response
from services.edge.representation import (
    next_page_headers,
    page_etag,
    task_response,
    unless_not_modified,
    with_url,
)
from services.errors import FieldError, ValidationFailed
from services.handlers import lists as list_routes
from services.handlers import webhooks
from services.handlers.lists import task_list, tasks_path

_NOT_WITH_SINCE = ("status", "tag", "sort", "dueAfter", "dueBefore", "assignee")


def _list_query(params: dict[str, Any], caller: str) -> tasks.ListQuery:
    """The query parameters as one list query; combinations that cannot be served are 400."""
    errors: list[FieldError] = []
    bounds = {}
    for name in ("dueAfter", "dueBefore"):
        if name in params:
            try:
                bounds[name] = bound_key(params[name])
            except ValueError:
                errors.append(FieldError(name, DATE_PROBLEM, "query"))
    if len(bounds) == 2 and bounds["dueAfter"] > bounds["dueBefore"]:
        errors.append(FieldError("dueBefore", "must not be earlier than dueAfter", "query"))
    if bounds and params.get("sort") == "createdAt":
        errors.append(FieldError("sort", "must be dueDate (or absent) with dueAfter or "
                                 "dueBefore", "query"))
    if "since" in params:
        clash = [name for name in _NOT_WITH_SINCE if name in params]
        if params["order"] == "desc":
            clash.append("order=desc")
        if clash:
            errors.append(FieldError("since", "cannot be combined with " + ", ".join(clash),
                                     "query"))
    if errors:
        raise ValidationFailed("Invalid query parameters", errors)
    return tasks.ListQuery(
        limit=params["limit"],
        ascending=params["order"] == "asc",
        status=params.get("status"),
        tag=params.get("tag"),
        by_due_date=params.get("sort") == "dueDate" or bool(bounds),
        due_after=params.get("dueAfter"),
        due_before=params.get("dueBefore"),
        since=params.get("since"),
        after=params.get("cursor"),
        assignee=caller if params.get("assignee") == "me" else params.get("assignee"),
    )


def list_tasks(request: Request) -> Response:
    caller = request.caller()
    tasks.check_owner(caller, request.claimed_user_ids())
    access = task_list(request)
    params = request.params
    page = tasks.list_tasks(access.partition, _list_query(params, caller))
    headers = {"X-Sync-Token": page.sync_token}
    if page.next_cursor:
        query = {k: v for k, v in params.items() if k != "cursor"}
        headers |= next_page_headers(request, query, page.next_cursor, tasks_path(request))
    body = [task if task.get("deleted") else with_url(request, task) for task in page.tasks]
    response = json_response(200, body, headers)
    response["headers"]["ETag"] = page_etag(response)
    return unless_not_modified(request, response)


def get_task(request: Request) -> Response:
    caller = request.caller()
    tasks.check_owner(caller, request.claimed_user_ids())
    access = task_list(request)
    task = tasks.get_task(access.partition, request.path_params["taskId"])
    return unless_not_modified(request, task_response(request, task))


def get_openapi(request: Request) -> Response:
    from services.edge.openapi import document  # only this route pays for building the document

    return json_response(200, document(server_url=request.base_url))


OPERATIONS = {
    "listTasks": list_tasks, "getTask": get_task, "getOpenApi": get_openapi,
    "listListTasks": list_tasks, "getListTask": get_task,
    "listLists": list_routes.list_lists, "getList": list_routes.get_list,
    "listMembers": list_routes.list_members, "listInvitations": list_routes.list_invitations,
    **webhooks.READ,
}


def handler(event: dict[str, Any], context: Any) -> Response:
    return serve(event, context, OPERATIONS)
