"""updateTodo: PUT /todos/{taskId} (partial, as the seed did) and PATCH (JSON merge patch)."""

from typing import Any

from services.domain import fields, tasks
from services.edge import metrics
from services.edge.api import serve
from services.edge.http import Request, Response, if_match
from services.edge.representation import task_response


def update(request: Request) -> Response:
    caller = request.caller()
    tasks.check_owner(caller, request.claimed_user_ids())
    changes = fields.parse_changes(request.json_object())
    task = tasks.update_task(
        caller, request.path_params["taskId"], changes, expected_version=if_match(request)
    )
    # Completed by this request, not before it (a repeating task completes an occurrence
    # and stays open).
    if (task["completed"] and task["completedAt"] == task["updatedAt"]) \
            or task["lastCompletedAt"] == task["updatedAt"]:
        metrics.count("TasksCompleted")
    return task_response(request, task)


OPERATIONS = {"updateTask": update, "patchTask": update}


def handler(event: dict[str, Any], context: Any) -> Response:
    return serve(event, context, OPERATIONS)
