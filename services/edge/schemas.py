"""JSON Schemas of the bodies the API reads and writes, derived from the field declarations."""

from typing import Any

from services.domain.fields import FIELDS, MAX_CHECKLIST, MAX_ORDER, MAX_TAGS, Field
from services.domain.tasks import CLEAR_READ_LIMIT
from services.edge.problems import MAX_LISTED_ERRORS

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
    else:
        schema = {"type": "integer", "minimum": -MAX_ORDER, "maximum": MAX_ORDER}
    if field.default is not None:
        schema["default"] = field.default
    return {"description": field.description, **schema}


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
    update_props = {
        f.name: _nullable(_field_schema(f)) if f.removable else _field_schema(f) for f in FIELDS
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
    for name in ("description", "dueDate", "timeZone", "recurrence", "order"):
        task_props[name] = _nullable(task_props[name])
    task_props = _after(task_props, "timeZone", "dueAt", {
        "type": "string", "format": "date-time", "nullable": True, "readOnly": True,
        "description": "The instant dueDate stands for, in UTC (a date: the start of that day "
                       "in timeZone). The due-date views order and filter by it."})
    task_props["title"] = {"type": "string", "maxLength": 200}
    return {
        "Task": {
            "type": "object",
            "required": list(task_props),
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
            },
        },
        "TaskUpdate": {
            "type": "object",
            "minProperties": 1,
            "additionalProperties": False,
            "description": "Fields to change; null removes an optional field (RFC 7396).",
            "properties": update_props,
        },
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
    }
