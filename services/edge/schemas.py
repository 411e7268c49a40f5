"""JSON Schemas of the bodies the API reads and writes, derived from the field declarations."""

from typing import Any

from services.domain.fields import FIELDS, MAX_CHECKLIST, MAX_ORDER, MAX_TAGS, MOVE_FIELD, Field
from services.domain.list_input import ASSIGNABLE_ROLES, EXPIRES_IN, MAX_USES, NAME
from services.domain.lists import ROLES
from services.domain.reminders import MAX_REMINDERS
from services.domain.tasks import CLEAR_READ_LIMIT
from services.edge.problems import MAX_LISTED_ERRORS
from services.edge.webhook_schemas import components as webhook_components

# No control characters (a description may hold tabs and line breaks).
_TEXT = "^[^\\u0000-\\u001f\\u007f]*$"
_TEXT_MULTILINE = "^[^\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f\\u007f]*$"
# An IANA zone name's characters (the name must also be in the tz database).
_ZONE = "^[A-Za-z0-9_+-]+(/[A-Za-z0-9_+-]+)*$"


def _field_schema(field: Field) -> dict[str, Any]:
    schema: dict[str, Any]
    if field.kind == "text":
        schema = {"type": "string", "minLength": field.min_length, "maxLength": field.max_length,
                  "pattern": _TEXT_MULTILINE if field.multiline else _TEXT}
    elif field.kind == "choice":
        schema = {"type": "string", "enum": list(field.choices)}
    elif field.kind == "boolean":
        schema = {"type": "boolean"}
    elif field.kind == "date":
        schema = {"type": "string", "anyOf": [{"format": "date"}, {"format": "date-time"}],
                  "example": "2026-12-31"}
    elif field.kind == "zone":
        schema = {"type": "string", "minLength": 1, "maxLength": field.max_length,
                  "pattern": _ZONE, "example": "Europe/Paris"}
    elif field.kind == "rule":
        schema = {"type": "string", "minLength": 1, "maxLength": field.max_length,
                  "pattern": "^[\\x20-\\x7e]*$", "example": "FREQ=WEEKLY;BYDAY=MO,WE,FR"}
    elif field.kind == "tags":
        schema = {
            "type": "array", "maxItems": MAX_TAGS, "uniqueItems": True,
            "items": {"type": "string", "minLength": 1, "maxLength": field.max_length,
                      "pattern": _TEXT},
        }
    elif field.kind == "checklist":
        schema = {
            "type": "array", "maxItems": MAX_CHECKLIST,
            "items": {
                "type": "object", "required": ["title"], "additionalProperties": False,
                "properties": {
                    "title": {"type": "string", "minLength": 1, "maxLength": field.max_length,
                              "pattern": _TEXT, "description": "Trimmed."},
                    "done": {"type": "boolean", "default": False},
                },
            },
        }
    elif field.kind == "reminders":
        schema = {
            "type": "array", "maxItems": MAX_REMINDERS,
            "example": [{"at": "2026-12-31T16:45:00Z"}],
            "items": {
                "type": "object", "minProperties": 1, "maxProperties": 1,
                "additionalProperties": False,
                "properties": {
                    "before": {"type": "string", "maxLength": 40, "example": "PT15M",
                               "description": "ISO 8601 duration (weeks, days, hours, "
                               "minutes, seconds) before the due time; needs a dueDate with "
                               "a time"},
                    "at": {"type": "string", "format": "date-time", "maxLength": 40,
                           "example": "2026-12-31T16:45:00Z",
                           "description": "A date-time with an offset"},
                },
            },
        }
    else:
        schema = {"type": "integer", "minimum": -MAX_ORDER, "maximum": MAX_ORDER}
    if field.default is not None:
        schema["default"] = field.default
    return {"description": field.description, **schema}


def without_defaults(schema: Any) -> Any:
    """The schema with every `default` taken out, at any depth."""
    if isinstance(schema, dict):
        return {k: without_defaults(v) for k, v in schema.items() if k != "default"}
    if isinstance(schema, list):
        return [without_defaults(item) for item in schema]
    return schema


def _after(properties: dict[str, Any], name: str, new: str,
           schema: dict[str, Any]) -> dict[str, Any]:
    """The properties with `new` placed after `name` (the order the API shows them in)."""
    placed: dict[str, Any] = {}
    for key, value in properties.items():
        placed[key] = value
        if key == name:
            placed[new] = schema
    return placed


def _seed_user_id() -> dict[str, Any]:
    return {"type": "string", "deprecated": True,
            "description": "Seed compatibility: must be the signed-in user's id."}


def _nullable(schema: dict[str, Any]) -> dict[str, Any]:
    return {**schema, "nullable": True}


def components() -> dict[str, Any]:
    create_props = {f.name: _field_schema(f) for f in FIELDS}
    # No default in an update: a generated client would send it with every partial update
    # and reset the field (status, priority) to it.
    update_props = {
        f.name: without_defaults(_nullable(_field_schema(f)) if f.removable else _field_schema(f))
        for f in FIELDS
    }
    task_props: dict[str, Any] = {
        "userId": {"type": "string", "readOnly": True},
        "taskId": {"type": "string", "format": "uuid", "readOnly": True},
        **{f.name: _field_schema(f) for f in FIELDS},
        "createdAt": {"type": "string", "format": "date-time", "readOnly": True},
        "updatedAt": {"type": "string", "format": "date-time", "readOnly": True},
        "completedAt": {"type": "string", "format": "date-time", "nullable": True,
                        "readOnly": True},
        "completedCount": {"type": "integer", "minimum": 0, "readOnly": True,
                           "description": "Occurrences of a repeating task completed."},
        "lastCompletedAt": {"type": "string", "format": "date-time", "nullable": True,
                            "readOnly": True,
                            "description": "When an occurrence of a repeating task was last "
                                           "completed."},
        "version": {"type": "integer", "minimum": 0, "readOnly": True},
        "url": {"type": "string", "format": "uri", "readOnly": True},
    }
    for name in ("description", "dueDate", "timeZone", "recurrence", "order", "assigneeId"):
        task_props[name] = _nullable(task_props[name])
    task_props = _after(task_props, "timeZone", "dueAt", {
        "type": "string", "format": "date-time", "nullable": True, "readOnly": True,
        "description": "The instant dueDate stands for, in UTC (a date: the start of that day "
                       "in timeZone). The due-date views order and filter by it."})
    task_props["title"] = {"type": "string", "maxLength": 200}
    task_props["listId"] = {"type": "string", "readOnly": True, "description": (
        "The task's list: `default` or a list's id. Writable by an update only: another "
        "list's id moves the task there.")}
    required = list(task_props)
    task_props |= {name: {"type": "string", "readOnly": True, "description": (
        f"Who {verb} the task (tasks of lists other than the default only).")}
        for name, verb in (("createdBy", "created"), ("updatedBy", "last changed"))}
    return {
        "Task": {
            "type": "object",
            "required": required,
            "properties": task_props,
        },
        "TaskList": {
            "type": "array",
            "description": "Tasks; with `since`, tombstones of deleted tasks too.",
            "items": {"anyOf": [{"$ref": "#/components/schemas/Task"},
                                {"$ref": "#/components/schemas/Tombstone"}]},
        },
        "Tombstone": {
            "type": "object",
            "description": "A task deleted since the sync token (only in `since` lists).",
            "required": ["taskId", "deleted", "deletedAt"],
            "additionalProperties": False,
            "properties": {
                "taskId": {"type": "string", "format": "uuid"},
                "deleted": {"type": "boolean", "enum": [True]},
                "deletedAt": {"type": "string", "format": "date-time"},
            },
        },
        "TaskCreate": {
            "type": "object",
            "required": ["title"],
            "additionalProperties": False,
            "properties": {
                **create_props, "userId": _seed_user_id(), "userID": _seed_user_id(),
                MOVE_FIELD: {**_LIST_ID, "description": "The list of the route, if given."},
            },
        },
        "TaskUpdate": {
            "type": "object",
            "minProperties": 1,
            "additionalProperties": False,
            "description": "Fields to change; null removes an optional field (RFC 7396).",
            "properties": {**update_props, MOVE_FIELD: {**_LIST_ID, "description": (
                "Move the task to this list (you must be owner or editor of both)")}},
        },
        **_list_components(),
        "Message": {
            "type": "object", "required": ["message"],
            "properties": {"message": {"type": "string"}},
        },
        "ClearResult": {
            "type": "object", "required": ["message", "deleted", "more"],
            "properties": {
                "message": {"type": "string"},
                "deleted": {"type": "integer", "minimum": 0},
                "more": {"type": "boolean", "description": (
                    f"true: this request stopped at its bound (it reads at most "
                    f"{CLEAR_READ_LIMIT} tasks); "
                    "repeat it with `cursor` to go on")},
                "cursor": {"type": "string", "description": "Present when `more` is true."},
            },
        },
        "Problem": {
            "type": "object",
            "description": "RFC 9457 problem details.",
            "required": ["type", "title"],
            "properties": {
                "type": {"type": "string"},
                "title": {"type": "string"},
                "status": {"type": "integer"},
                "detail": {"type": "string"},
                "message": {"type": "string", "description": "Same as detail (seed clients)."},
                "requestId": {"type": "string"},
                "limit": {"type": "string", "description": "The limit a 409 reached: "
                          "lists-owned, members or open-invitations."},
                "errorCount": {"type": "integer", "minimum": 1,
                               "description": "How many errors were found; `errors` lists the "
                               f"first {MAX_LISTED_ERRORS}."},
                "errors": {
                    "type": "array",
                    "maxItems": MAX_LISTED_ERRORS,
                    "items": {
                        "type": "object",
                        "required": ["field", "detail"],
                        "properties": {
                            "field": {"type": "string"},
                            "in": {"type": "string", "enum": ["body", "query", "path", "header"]},
                            "pointer": {"type": "string"},
                            "detail": {"type": "string"},
                        },
                    },
                },
            },
        },
        "OpenApi": {"type": "object"},
        **webhook_components(),
    }


_LIST_ID = {"type": "string", "minLength": 1, "maxLength": 36}
_WHEN = {"type": "string", "format": "date-time"}


def _object(properties: dict[str, Any], required: list[str] | None = None,
            **extra: Any) -> dict[str, Any]:
    return {"type": "object", "required": list(properties) if required is None else required,
            "properties": properties, **extra}


def _input(properties: dict[str, Any], required: list[str]) -> dict[str, Any]:
    return _object(properties, required, additionalProperties=False)


def _list_components() -> dict[str, Any]:
    """Lists, members and invitations (docs/LISTS.md)."""
    name = _field_schema(NAME)
    assignable = {"type": "string", "enum": list(ASSIGNABLE_ROLES)}
    invitation = {
        "invitationId": {"type": "string", "format": "uuid"},
        "role": assignable,
        "createdAt": _WHEN,
        "expiresAt": _WHEN,
        "maxUses": {"type": "integer", "minimum": MAX_USES[0], "maximum": MAX_USES[1]},
        "uses": {"type": "integer", "minimum": 0},
        "status": {"type": "string", "enum": ["open", "expired", "used"]},
    }
    return {
        "List": _object({
            "listId": {"type": "string", "description": "`default`, or the list's id"},
            "name": {"type": "string", "maxLength": NAME.max_length},
            "ownerId": {"type": "string"},
            "role": {"type": "string", "enum": list(ROLES),
                     "description": "The caller's role in the list"},
            "memberCount": {"type": "integer", "minimum": 1},
            "createdAt": {**_WHEN, "nullable": True,
                          "description": "null for the default list until it is renamed"},
            "updatedAt": {**_WHEN, "nullable": True},
            "version": {"type": "integer", "minimum": 0, "description": "Also the ETag"},
            "url": {"type": "string", "format": "uri"},
        }),
        "ListList": {"type": "array", "items": {"$ref": "#/components/schemas/List"}},
        "ListCreate": _input({"name": name}, ["name"]),
        "ListUpdate": _input({"name": name}, ["name"]),
        "Member": _object({
            "userId": {"type": "string"},
            "role": {"type": "string", "enum": list(ROLES)},
            "joinedAt": {**_WHEN, "nullable": True},
        }),
        "MemberList": {"type": "array", "items": {"$ref": "#/components/schemas/Member"}},
        "MemberUpdate": _input({"role": assignable}, ["role"]),
        "Invitation": _object(invitation),
        "InvitationList": {"type": "array",
                           "items": {"$ref": "#/components/schemas/Invitation"}},
        "NewInvitation": _object({**invitation, "token": {
            "type": "string", "description": "Shown this once: give it to whom you invite. "
            "It is stored only as its hash."}}),
        "InvitationCreate": _input({
            "role": assignable,
            "expiresIn": {"type": "integer", "minimum": EXPIRES_IN[0], "maximum": EXPIRES_IN[1],
                          "default": EXPIRES_IN[2], "description": "Seconds"},
            "maxUses": {"type": "integer", "minimum": MAX_USES[0], "maximum": MAX_USES[1],
                        "default": MAX_USES[2]},
        }, ["role"]),
        "InvitationAccept": _input({"token": {"type": "string", "minLength": 1,
                                              "maxLength": 200}}, ["token"]),
    }
