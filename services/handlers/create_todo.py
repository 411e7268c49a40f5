"""createTodo: POST /todos (and the seed's POST /todo), POST /lists/{listId}/todos, and the
POST routes of lists and sharing (services/handlers/lists.py)."""

from typing import Any

from services.domain import fields, lists, tasks
from services.domain.fields import MOVE_FIELD
from services.domain.lists import Access
from services.edge import metrics
from services.edge.api import serve
from services.edge.http import Request, Response, idempotency_key
from services.edge.representation import task_response
from services.errors import FieldError, ValidationFailed
from services.handlers import lists as list_routes
from services.handlers import webhooks
from services.handlers.lists import task_list


def _seed_user_ids(body: dict[str, Any]) -> list[str]:
    """Take the seed's userId/userID out of the body: they may only name the caller."""
    claimed = [body.pop(name) for name in fields.SEED_USER_FIELDS if name in body]
    wrong = [FieldError("userId", "must be a string")] if any(
        not isinstance(value, str) for value in claimed
    ) else []
    if wrong:
        raise ValidationFailed("Invalid task", wrong)
    return claimed


def _same_list(body: dict[str, Any], access: Access) -> None:
    """A create may name its list, only the route's own (a move is an update)."""
    if MOVE_FIELD in body and body.pop(MOVE_FIELD) != access.list_id:
        raise ValidationFailed("Invalid task", [FieldError(
            MOVE_FIELD, "must be this route's list: create the task at /lists/{listId}/todos")])


def create(request: Request) -> Response:
    caller = request.caller()
    access = task_list(request, write=True)
    body = request.json_object()
    key = idempotency_key(request)
    sent = tasks.fingerprint(body)  # before the seed's user fields are taken out
    tasks.check_owner(caller, request.claimed_user_ids() + _seed_user_ids(body))
    _same_list(body, access)
    values = fields.parse_new_task(body)
    lists.check_assignee(access, values.get("assigneeId"))
    created = tasks.create_task(
        access.partition, values, idempotency_key=key, request_fingerprint=sent,
        actor=caller if access.shared else None,
    )
    response = task_response(request, created.task, status=201)
    if created.replayed:
        response["headers"]["Idempotent-Replayed"] = "true"
    else:
        metrics.count("TasksCreated")
        if created.task["completed"]:
            metrics.count("TasksCompleted")
    return response


OPERATIONS = {
    "createTask": create, "createTaskSeed": create, "createListTask": create,
    "createList": list_routes.create_list, "createInvitation": list_routes.create_invitation,
    "acceptInvitation": list_routes.accept_invitation, **webhooks.CREATE,
}


def handler(event: dict[str, Any], context: Any) -> Response:
    return serve(event, context, OPERATIONS)
