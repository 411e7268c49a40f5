"""deleteTodo: DELETE /todos/{taskId}, the seed's /todos/{userId}/{taskId}, and clearing."""

from typing import Any

from services.domain import tasks
from services.edge import metrics
from services.edge.api import serve
from services.edge.http import Request, Response, if_match, json_response
from services.edge.representation import next_page_headers


def _delete(request: Request, task_id: str, claimed: list[str]) -> Response:
    caller = request.caller()
    tasks.check_owner(caller, request.claimed_user_ids() + claimed)
    tasks.delete_task(caller, task_id, expected_version=if_match(request))
    metrics.count("TasksDeleted")
    message = f"Todo '{task_id}' deleted successfully for user '{caller}'"
    return json_response(200, {"message": message})


def delete(request: Request) -> Response:
    return _delete(request, request.path_params["taskId"], [])


def delete_seed(request: Request) -> Response:
    # The gateway names the first level {taskId}; on this route it holds the user id.
    user_id = request.path_params["taskId"]
    return _delete(request, request.path_params["seedTaskId"], [user_id])


def clear(request: Request) -> Response:
    caller = request.caller()
    tasks.check_owner(caller, request.claimed_user_ids())
    which = request.params["status"]
    cleared = tasks.clear_tasks(caller, status=None if which == "all" else which,
                                after=request.params.get("cursor"))
    metrics.count("TasksDeleted", cleared.deleted)
    kind = "" if which == "all" else f" {which}"
    message = f"Deleted {cleared.deleted}{kind} todos for user '{caller}'"
    body: dict[str, Any] = {"deleted": cleared.deleted, "more": cleared.more}
    headers: dict[str, str] = {}
    if cleared.next_cursor:
        message += "; more may remain: repeat the request with the cursor given"
        body["cursor"] = cleared.next_cursor
        headers |= next_page_headers(request, {"status": which}, cleared.next_cursor)
    return json_response(200, {"message": message, **body}, headers)


OPERATIONS = {"deleteTask": delete, "deleteTaskSeed": delete_seed, "clearTasks": clear}


def handler(event: dict[str, Any], context: Any) -> Response:
    return serve(event, context, OPERATIONS)
