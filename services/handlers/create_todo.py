"""createTodo: POST /todos (and the seed's POST /todo)."""

import re
from typing import Any

from services.domain import fields, tasks
from services.edge import metrics
from services.edge.api import serve
from services.edge.http import Request, Response
from services.edge.representation import task_response
from services.edge.routes import IDEMPOTENCY_KEY_PATTERN
from services.errors import FieldError, ValidationFailed

_KEY = re.compile(IDEMPOTENCY_KEY_PATTERN)


def _seed_user_ids(body: dict[str, Any]) -> list[str]:
    """Take the seed's userId/userID out of the body: they may only name the caller."""
    claimed = [body.pop(name) for name in fields.SEED_USER_FIELDS if name in body]
    wrong = [FieldError("userId", "must be a string")] if any(
        not isinstance(value, str) for value in claimed
    ) else []
    if wrong:
        raise ValidationFailed("Invalid task", wrong)
    return claimed


def _idempotency_key(request: Request) -> str | None:
    key = request.headers.get("idempotency-key")
    if key is not None and not _KEY.match(key):
        raise ValidationFailed("Invalid Idempotency-Key", [FieldError(
            "Idempotency-Key", "must be 1 to 255 visible ASCII characters", "header")])
    return key


def create(request: Request) -> Response:
    caller = request.caller()
    body = request.json_object()
    key = _idempotency_key(request)
    sent = tasks.fingerprint(body)  # before the seed's user fields are taken out
    tasks.check_owner(caller, request.claimed_user_ids() + _seed_user_ids(body))
    created = tasks.create_task(
        caller, fields.parse_new_task(body), idempotency_key=key, request_fingerprint=sent
    )
    response = task_response(request, created.task, status=201)
    if created.replayed:
        response["headers"]["Idempotent-Replayed"] = "true"
    else:
        metrics.count("TasksCreated")
        if created.task["completed"]:
            metrics.count("TasksCompleted")
    return response


OPERATIONS = {"createTask": create, "createTaskSeed": create}


def handler(event: dict[str, Any], context: Any) -> Response:
    return serve(event, context, OPERATIONS)
