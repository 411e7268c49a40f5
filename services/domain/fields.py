"""The writable fields of a task, declared once: validation and the JSON Schemas both read this."""

import re
from typing import Any, NamedTuple

from services.domain import due, recurrence, reminders, zones
from services.domain.ids import is_task_id
from services.errors import FieldError, ValidationFailed

STATUSES = ("pending", "in_progress", "completed")
PRIORITIES = ("low", "normal", "high", "urgent")
READ_ONLY = ("userId", "taskId", "dueAt", "createdAt", "updatedAt", "completedAt",
             "completedCount", "lastCompletedAt", "version", "url", "createdBy", "updatedBy")
MOVE_FIELD = "listId"  # in an update: move the task to that list
SEED_USER_FIELDS = ("userId", "userID")
MAX_TAGS = 20
MAX_CHECKLIST = 50
MAX_ORDER = 2**53 - 1  # largest integer every JSON client reads exactly

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_CONTROL_BUT_WHITESPACE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class Field(NamedTuple):
    name: str
    # "text", "choice", "boolean", "date", "zone", "rule", "tags", "checklist", "reminders"
    # or "integer"
    kind: str
    description: str
    min_length: int = 0
    max_length: int = 0
    choices: tuple[str, ...] = ()
    default: Any = None
    required: bool = False  # on create
    removable: bool = False  # `null` in a merge patch removes it
    multiline: bool = False
    trimmed: bool = False  # leading and trailing white space dropped before the checks


FIELDS: tuple[Field, ...] = (
    Field("title", "text", "What to do (trimmed).", 1, 200, required=True, trimmed=True),
    Field("description", "text", "Details.", 0, 4000, removable=True, multiline=True),
    Field("status", "choice", "Progress of the task.", choices=STATUSES, default="pending"),
    Field("completed", "boolean", "Shortcut: true sets status completed, false pending."),
    Field("dueDate", "date", "ISO 8601: a date (all day), a date-time with an offset (an "
          "instant), or a date-time without one (wall-clock time in timeZone; UTC without "
          "it). Stored as written; dueAt is the instant it stands for.", removable=True),
    Field("timeZone", "zone", "IANA time zone name (Europe/Paris) the dueDate's wall-clock "
          "time and day, and a recurrence, are in.", 1, zones.MAX_NAME, removable=True),
    Field("recurrence", "rule", "RFC 5545 RRULE (FREQ=DAILY|WEEKLY|MONTHLY|YEARLY; INTERVAL, "
          "BYDAY, BYMONTHDAY, BYMONTH, COUNT, UNTIL). Needs a dueDate, its first occurrence. "
          "Completing the task moves dueDate to the next occurrence.", 1,
          recurrence.MAX_LENGTH, removable=True),
    Field("priority", "choice", "Priority.", choices=PRIORITIES, default="normal"),
    Field("tags", "tags", f"Up to {MAX_TAGS} distinct tags (each trimmed).", 1, 50,
          removable=True, trimmed=True),
    Field("order", "integer", "Manual position in a list.", removable=True),
    Field("checklist", "checklist",
          f"Up to {MAX_CHECKLIST} items {{title, done}}; an update replaces it whole.",
          1, 200, removable=True),
    Field("reminders", "reminders",
          f"Up to {reminders.MAX_REMINDERS} reminders, each {{\"before\": \"PT15M\"}} (an ISO "
          "8601 duration before the due time) or {\"at\": \"<date-time with offset>\"}: a "
          "task.reminder event is sent to your webhooks at that moment. Replaced whole on update.",
          removable=True),
    Field("assigneeId", "text", "The user id of a member of the task's list (in the default "
          "list: its owner), or null.", 1, 128, removable=True),
)
BY_NAME = {f.name: f for f in FIELDS}


def _text(field: Field, value: Any) -> tuple[Any, str | None]:
    if not isinstance(value, str):
        return None, "must be a string"
    if field.trimmed:
        value = value.strip()
    bad = _CONTROL_BUT_WHITESPACE if field.multiline else _CONTROL
    if bad.search(value):
        return None, "must not contain control characters"
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return None, "must be valid Unicode text"
    if len(value) < field.min_length:
        return None, "must not be empty"
    if len(value) > field.max_length:
        return None, f"must be at most {field.max_length} characters"
    return value, None


DATE_PROBLEM = "must be an ISO 8601 date (2026-12-31) or date-time (2026-12-31T17:00:00Z)"
ZONE_PROBLEM = "must be an IANA time zone name of the tz database (e.g. Europe/Paris)"


def _date(value: Any) -> tuple[Any, str | None]:
    """A date or date-time whose instant, read as UTC, is within the years 1 to 9999 (its
    zone, perhaps stored, is checked when the write is planned: services.domain.schedule)."""
    if not isinstance(value, str):
        return None, DATE_PROBLEM
    try:
        due.instant(due.parse(value), None)
    except ValueError:
        return None, DATE_PROBLEM
    return value, None


def _zone(value: Any) -> tuple[Any, str | None]:
    try:
        zones.zone(value)
    except zones.UnknownZone:
        return None, ZONE_PROBLEM
    return value, None


def _rule(value: Any) -> tuple[Any, str | None]:
    """Stored as written; parsed again wherever it is evaluated."""
    try:
        recurrence.parse(value)
    except recurrence.RuleProblem as problem:
        return None, str(problem)
    return value, None


def _checklist(field: Field, value: Any) -> tuple[Any, str | None]:
    if not isinstance(value, list):
        return None, "must be a list of {title, done} items"
    if len(value) > MAX_CHECKLIST:
        return None, f"must hold at most {MAX_CHECKLIST} items"
    items: list[dict[str, Any]] = []
    for index, item in enumerate(value):
        if not isinstance(item, dict) or set(item) - {"title", "done"} or "title" not in item:
            return None, f"item {index} must be an object with a title and, optionally, done"
        raw = item["title"]
        title, problem = _text(field, raw.strip() if isinstance(raw, str) else raw)
        if problem:
            return None, f"item {index}: title {problem} (1 to {field.max_length} characters)"
        done = item.get("done", False)
        if not isinstance(done, bool):
            return None, f"item {index}: done must be true or false"
        items.append({"title": title, "done": done})
    return items, None


def _tags(field: Field, value: Any) -> tuple[Any, str | None]:
    if not isinstance(value, list):
        return None, "must be a list of strings"
    if len(value) > MAX_TAGS:
        return None, f"must hold at most {MAX_TAGS} tags"
    tags: list[str] = []
    for tag in value:
        clean, problem = _text(field, tag)
        if problem:
            return None, f"each tag {problem} (1 to {field.max_length} characters)"
        if clean in tags:
            return None, f"must not repeat a tag ({clean!r}, after trimming)"
        tags.append(clean)
    return tags, None


def _check(field: Field, value: Any) -> tuple[Any, str | None]:
    if field.kind == "text":
        return _text(field, value)
    if field.kind == "choice":
        if isinstance(value, str) and value in field.choices:
            return value, None
        return None, "must be one of " + ", ".join(field.choices)
    if field.kind == "boolean":
        return (value, None) if isinstance(value, bool) else (None, "must be true or false")
    if field.kind == "date":
        return _date(value)
    if field.kind == "zone":
        return _zone(value)
    if field.kind == "rule":
        return _rule(value)
    if field.kind == "tags":
        return _tags(field, value)
    if field.kind == "checklist":
        return _checklist(field, value)
    if field.kind == "reminders":
        return reminders.parse(value)
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) <= MAX_ORDER:
        return value, None
    return None, f"must be an integer between -{MAX_ORDER} and {MAX_ORDER}"


def _unknown(name: str) -> str:
    return "is read-only" if name in READ_ONLY else "is not a field of a task"


def _reconcile_completed(values: dict[str, Any], errors: list[FieldError]) -> None:
    """`completed` is a shortcut for status; both may be given only when they agree."""
    if "completed" not in values:
        return
    completed = values.pop("completed")
    implied = "completed" if completed else "pending"
    status = values.get("status")
    if status is not None and (status == "completed") != completed:
        errors.append(FieldError("completed", f"contradicts status {status!r}"))
    elif status is None:
        values["status"] = implied


def _accept(field: Field, raw: Any, values: dict[str, Any], errors: list[FieldError]) -> None:
    clean, problem = _check(field, raw)
    if problem:
        errors.append(FieldError(field.name, problem))
    else:
        values[field.name] = clean


def _reminders_have_a_due_time(values: dict[str, Any], errors: list[FieldError]) -> None:
    """A `before` reminder counts back from the due time: a body that sets reminders and the
    due date (or creates a task) must give one (an update that sets only reminders relies on
    the task's; a task without one keeps them, and they never fire)."""
    if reminders.needs_due_time(values.get("reminders") or []) and not values.get("dueDate"):
        errors.append(FieldError("reminders", "may hold a before reminder only when the task "
                                 "has a dueDate"))


def parse_new_task(body: dict[str, Any]) -> dict[str, Any]:
    """Validate a create body (seed user fields already taken out); defaults filled in."""
    errors: list[FieldError] = []
    values: dict[str, Any] = {}
    for name, raw in body.items():
        field = BY_NAME.get(name)
        if field is None:
            errors.append(FieldError(name, _unknown(name)))
        elif raw is not None or field.required:
            _accept(field, raw, values, errors)
    missing = [f.name for f in FIELDS if f.required and f.name not in body]
    errors.extend(FieldError(name, "is required") for name in missing)
    _reconcile_completed(values, errors)
    _reminders_have_a_due_time(values, errors)
    if errors:
        raise ValidationFailed("Missing required fields" if missing else "Invalid task", errors)
    for field in FIELDS:
        if field.default is not None:
            values.setdefault(field.name, field.default)
    return values


class Changes(NamedTuple):
    set: dict[str, Any]
    remove: frozenset[str]
    list_id: str | None = None  # move the task to this list


def list_id_value(raw: Any) -> tuple[str | None, str | None]:
    """A list id as a body gives it: `default` or a list's UUID; (value, problem)."""
    if isinstance(raw, str) and (raw == "default" or is_task_id(raw)):
        return raw, None
    return None, "must be a list id: default, or the listId of one of your lists"


def parse_changes(body: dict[str, Any]) -> Changes:
    """Validate an update body as a JSON merge patch: `null` removes an optional field."""
    errors: list[FieldError] = []
    values: dict[str, Any] = {}
    remove: set[str] = set()
    list_id = None
    if MOVE_FIELD in body:
        body = dict(body)
        list_id, problem = list_id_value(body.pop(MOVE_FIELD))
        if problem:
            errors.append(FieldError(MOVE_FIELD, problem))
    for name, raw in body.items():
        field = BY_NAME.get(name)
        if field is None:
            errors.append(FieldError(name, _unknown(name)))
        elif raw is None:
            if field.removable:
                remove.add(name)
            else:
                errors.append(FieldError(name, "cannot be null (it is not optional)"))
        else:
            _accept(field, raw, values, errors)
    _reconcile_completed(values, errors)
    if "dueDate" in values or "dueDate" in remove:  # else the task's own due time counts
        _reminders_have_a_due_time(values, errors)
    if errors:
        raise ValidationFailed("Invalid task update", errors)
    if not values and not remove and list_id is None:
        raise ValidationFailed("No valid fields to update")
    return Changes(values, frozenset(remove), list_id)


def check_value(field: Field, value: Any) -> tuple[Any, str | None]:
    """One value checked against a field declaration (also for bodies other than a task's):
    the clean value, or a problem."""
    return _check(field, value)
