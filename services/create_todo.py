"""createTodo: POST /todos (and the seed's POST /todo)."""

from typing import Any

from services import fields, tasks
from services.api import serve
from services.errors import FieldError, ValidationFailed
from services.http import Request, Response
from services.representation import task_response


def _seed_user_ids(body: dict[str, Any]) -> list[str]:
    """Take the seed's userId/userID out of the body: they may only name the caller."""
    claimed = [body.pop(name) for name in fields.SEED_USER_FIELDS if name in body]
    wrong = [FieldError("userId", "must be a string")] if any(
        not isinstance(value, str) for value in claimed
    ) else []
    if wrong:
        raise ValidationFailed("Invalid task", wrong)
    return claimed


def create(request: Request) -> Response:
    caller = request.caller()
    body = request.json_object()
    tasks.check_owner(caller, request.claimed_user_ids() + _seed_user_ids(body))
    task = tasks.create_task(caller, fields.parse_new_task(body))
    return task_response(request, task, status=201)


OPERATIONS = {"createTask": create, "createTaskSeed": create}


def handler(event: dict[str, Any], context: Any) -> Response:
    return serve(event, context, OPERATIONS)
