"""What clients send about lists, checked: list bodies, roles, invitations, tokens. Every
function takes a decoded JSON object and returns clean values or raises ValidationFailed
naming each bad field (the same rules for text as a task's: services/domain/fields.py)."""

from typing import Any

from services.domain.fields import Field, check_value
from services.domain.lists import EDITOR, VIEWER
from services.domain.sharing import NewInvitation
from services.errors import FieldError, ValidationFailed

NAME = Field("name", "text", "The list's name (trimmed).", 1, 100, required=True, trimmed=True)
ASSIGNABLE_ROLES = (EDITOR, VIEWER)  # the owner is the one who created the list
ROLE = Field("role", "choice", "What the member may do.", choices=ASSIGNABLE_ROLES,
             required=True)
EXPIRES_IN = (3600, 30 * 24 * 3600, 7 * 24 * 3600)  # minimum, maximum, default (seconds)
MAX_USES = (1, 50, 1)
TOKEN_MAX_LENGTH = 200  # far above a real token's length: anything longer is no token


def _only(body: dict[str, Any], allowed: tuple[str, ...], errors: list[FieldError]) -> None:
    errors.extend(FieldError(name, "is not a field of this request") for name in body
                  if name not in allowed)


def _required(field: Field, body: dict[str, Any], errors: list[FieldError]) -> Any:
    if field.name not in body:
        errors.append(FieldError(field.name, "is required"))
        return None
    value, problem = check_value(field, body[field.name])
    if problem:
        errors.append(FieldError(field.name, problem))
    return value


def _integer(name: str, bounds: tuple[int, int, int], body: dict[str, Any],
             errors: list[FieldError]) -> int:
    low, high, default = bounds
    value = body.get(name, default)
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        errors.append(FieldError(name, f"must be an integer from {low} to {high}"))
        return default
    return value


def _raise(title: str, errors: list[FieldError]) -> None:
    if errors:
        raise ValidationFailed(title, errors)


def _single(body: dict[str, Any], field: Field, title: str) -> str:
    """A body of one required field."""
    errors: list[FieldError] = []
    _only(body, (field.name,), errors)
    value = _required(field, body, errors)
    _raise(title, errors)
    return str(value)


def parse_list(body: dict[str, Any]) -> str:
    """A new list or a rename: {"name"}."""
    return _single(body, NAME, "Invalid list")


def parse_role(body: dict[str, Any]) -> str:
    """A member's new role: {"role": "editor" | "viewer"}."""
    return _single(body, ROLE, "Invalid member")


def parse_invitation(body: dict[str, Any]) -> NewInvitation:
    """{"role", "expiresIn" (seconds), "maxUses"}."""
    errors: list[FieldError] = []
    _only(body, ("role", "expiresIn", "maxUses"), errors)
    role = _required(ROLE, body, errors)
    expires_in = _integer("expiresIn", EXPIRES_IN, body, errors)
    max_uses = _integer("maxUses", MAX_USES, body, errors)
    _raise("Invalid invitation", errors)
    return NewInvitation(str(role), expires_in, max_uses)


def parse_accept(body: dict[str, Any]) -> str:
    """{"token"}: a string; whether it is a token this API issued is for the invitation to say
    (404 when not)."""
    errors: list[FieldError] = []
    _only(body, ("token",), errors)
    token = body.get("token")
    if not isinstance(token, str) or not 0 < len(token) <= TOKEN_MAX_LENGTH:
        errors.append(FieldError("token", "is required: the invitation's token, as given"))
    _raise("Invalid invitation", errors)
    return str(token)
