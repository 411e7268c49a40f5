"""updateTodo: PUT /todos/{taskId} (partial, as the seed did) and PATCH (JSON merge patch),
the same of any list's task (with another listId: a move), and the PATCH routes of lists and
sharing (services/handlers/lists.py)."""

from typing import Any

from services.domain import fields, lists, moves, tasks
from services.edge import metrics
from services.edge.api import serve
from services.edge.http import Request, Response, if_match
from services.edge.representation import task_response
from services.handlers import lists as list_routes
from services.handlers import webhooks
from services.handlers.lists import task_list


def update(request: Request) -> Response:
    caller = request.caller()
    tasks.check_owner(caller, request.claimed_user_ids())
    access = task_list(request, write=True)
    expected = if_match(request)
    changes = fields.parse_changes(request.json_object())
    task_id = request.path_params["taskId"]
    if changes.list_id is not None and changes.list_id != access.list_id:
        task = moves.move_task(access, task_id, changes, expected_version=expected)
        return task_response(request, task)
    changes = changes._replace(list_id=None)
    if not changes.set and not changes.remove:  # only this task's own listId: no change
        return task_response(request, tasks.get_task(access.partition, task_id))
    if "assigneeId" in changes.set:
        lists.check_assignee(access, changes.set["assigneeId"])
    task = tasks.update_task(
        access.partition, task_id, changes, expected_version=expected,
        actor=caller if access.shared else None,
    )
    # Completed by this request, not before it (a repeating task completes an occurrence
    # and stays open).
    if (task["completed"] and task["completedAt"] == task["updatedAt"]) \
            or task["lastCompletedAt"] == task["updatedAt"]:
        metrics.count("TasksCompleted")
    return task_response(request, task)


OPERATIONS = {
    "updateTask": update, "patchTask": update, "updateListTask": update, "patchListTask": update,
    "renameList": list_routes.rename_list, "updateMember": list_routes.update_member,
    **webhooks.UPDATE,
}


def handler(event: dict[str, Any], context: Any) -> Response:
    return serve(event, context, OPERATIONS)
