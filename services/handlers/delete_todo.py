"""deleteTodo: DELETE /todos/{taskId}, the seed's /todos/{userId}/{taskId}, and clearing; the
same of any list (/lists/{listId}/todos...), and the DELETE routes of lists and sharing
(services/handlers/lists.py)."""

from typing import Any

from services.domain import tasks
from services.edge import metrics
from services.edge.api import serve
from services.edge.http import Request, Response, if_match, json_response
from services.edge.representation import next_page_headers
from services.handlers import lists as list_routes
from services.handlers import webhooks
from services.handlers.lists import task_list, tasks_path


def _delete(request: Request, task_id: str, claimed: list[str]) -> Response:
    caller = request.caller()
    tasks.check_owner(caller, request.claimed_user_ids() + claimed)
    access = task_list(request, write=True)
    tasks.delete_task(access.partition, task_id, expected_version=if_match(request))
    metrics.count("TasksDeleted")
    whose = f"from list '{access.list_id}'" if access.shared else f"for user '{caller}'"
    return json_response(200, {"message": f"Todo '{task_id}' deleted successfully {whose}"})


def delete(request: Request) -> Response:
    return _delete(request, request.path_params["taskId"], [])


def delete_seed(request: Request) -> Response:
    # The gateway names the first level {taskId}; on this route it holds the user id.
    user_id = request.path_params["taskId"]
    return _delete(request, request.path_params["seedTaskId"], [user_id])


def clear(request: Request) -> Response:
    caller = request.caller()
    tasks.check_owner(caller, request.claimed_user_ids())
    access = task_list(request, write=True)
    which = request.params["status"]
    cleared = tasks.clear_tasks(access.partition, status=None if which == "all" else which,
                                after=request.params.get("cursor"))
    metrics.count("TasksDeleted", cleared.deleted)
    kind = "" if which == "all" else f" {which}"
    whose = f"from list '{access.list_id}'" if access.shared else f"for user '{caller}'"
    message = f"Deleted {cleared.deleted}{kind} todos {whose}"
    body: dict[str, Any] = {"deleted": cleared.deleted, "more": cleared.more}
    headers: dict[str, str] = {}
    if cleared.next_cursor:
        message += "; more may remain: repeat the request with the cursor given"
        body["cursor"] = cleared.next_cursor
        headers |= next_page_headers(request, {"status": which}, cleared.next_cursor,
                                     tasks_path(request))
    return json_response(200, {"message": message, **body}, headers)


OPERATIONS = {
    "deleteTask": delete, "deleteTaskSeed": delete_seed, "clearTasks": clear,
    "deleteListTask": delete, "clearListTasks": clear,
    "deleteList": list_routes.delete_list, "removeMember": list_routes.remove_member,
    "revokeInvitation": list_routes.revoke_invitation, **webhooks.DELETE,
}


def handler(event: dict[str, Any], context: Any) -> Response:
    return serve(event, context, OPERATIONS)
