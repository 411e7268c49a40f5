"""The time fields of a task, kept consistent on every write: a write that sets `dueDate`,
`timeZone` or `recurrence` gets its derived `dueAt` (and due-date index key) and has its rule
checked against its due date; completing a repeating task moves it to its next occurrence
instead of closing it. `due_times` tells other code (reminders) when a task falls due.

A write's outcome may depend on fields the request does not carry (a new `timeZone` moves the
stored `dueDate`'s instant; completing depends on whether the task repeats). This module never
reads the table: it asks a `Stored` for those fields. The caller first lets a `Guess` answer
(every field it is asked for is absent, which is true of most tasks) and makes the write
conditional on exactly those fields being absent; if the condition fails, DynamoDB's answer
carries the stored task, and the plan is made again from it (tasks.update_task)."""

from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any, NamedTuple, Protocol

from services.domain import recurrence
from services.domain.due import (
    ALL_DAY,
    OFFSET,
    Due,
    at_text,
    clock,
    index_key,
    instant,
    parse,
    to_utc,
    to_wall,
    wall_time,
    written_like,
)
from services.domain.fields import ZONE_PROBLEM, Changes
from services.domain.zones import UnknownZone
from services.errors import FieldError, ValidationFailed

TIME_FIELDS = ("dueDate", "timeZone", "recurrence")
# What a plan may ask of the stored task (API names; the last two are never shown: which
# occurrence of its series the due date is, and of which rule, for COUNT).
STORED_FIELDS = ("dueDate", "timeZone", "recurrence", "status", "checklist", "occurrence",
                 "occurrenceRule")


class Stored(Protocol):
    def get(self, name: str) -> Any: ...


class Guess:
    """The stored task as a first write assumes it: every field asked about is absent."""

    def __init__(self) -> None:
        self.asked: set[str] = set()

    def get(self, name: str) -> Any:
        self.asked.add(name)
        return None


class Known:
    """The stored task as read (or none: a task being created)."""

    def __init__(self, values: Mapping[str, Any]) -> None:
        self.values = values

    def get(self, name: str) -> Any:
        return self.values.get(name)


NOTHING = Known({})


class Plan(NamedTuple):
    set: dict[str, Any]  # the request's fields, and what follows from them
    remove: frozenset[str]
    completions: int  # 1 when an occurrence of a repeating task was completed


def plan(changes: Changes, stored: Stored, *, task_id: str, now: str) -> Plan:
    """What a write of `changes` sets and removes, the derived fields included. `now` is the
    request's time (UTC, ISO 8601). ValidationFailed if the time fields do not fit together."""
    values = dict(changes.set)
    remove = set(changes.remove)

    def value(name: str) -> Any:
        if name in values:
            return values[name]
        return None if name in remove else stored.get(name)

    touched = [name for name in TIME_FIELDS if name in values or name in remove]
    completing = values.get("status") == "completed"
    if not touched and not completing:
        return Plan(values, frozenset(remove), 0)
    rule = value("recurrence")
    if touched:
        _settle(touched, values, remove, value, rule, task_id)
    completions = 0
    if completing and rule is not None and stored.get("status") != "completed":
        completions = 1
        _advance(values, value, stored, rule, task_id, now)
    return Plan(values, frozenset(remove), completions)


def _problem(field: str, detail: str) -> ValidationFailed:
    return ValidationFailed("Invalid task", [FieldError(field, detail)])


def _settle(touched: list[str], values: dict[str, Any], remove: set[str],
            value: Callable[[str], Any], rule: str | None, task_id: str) -> None:
    """dueAt and the index key after a change of the time fields; the rule checked."""
    moved = "dueDate" in touched or "timeZone" in touched
    due_text = value("dueDate") if rule is not None or moved else None
    if rule is not None and due_text is None:
        if "dueDate" in remove:
            raise _problem("dueDate", "cannot be removed from a repeating task (remove "
                           "recurrence with it)")
        raise _problem("recurrence", "needs a dueDate (the first occurrence)")
    if due_text is None:
        if "dueDate" in remove:
            remove.update(("dueAt", "dueKey"))
        return
    field = touched[0]  # the first of dueDate, timeZone, recurrence the request changes
    try:
        due = parse(due_text)
    except ValueError:  # written by the seed's functions, not by this API
        raise _problem(field, "the task's dueDate is not an ISO 8601 date or date-time: "
                       "set a new one") from None
    zone_name = value("timeZone") if due.kind != OFFSET or rule is not None else None
    try:
        if moved:
            moment = instant(due, zone_name)
            values["dueAt"] = at_text(moment)
            values["dueKey"] = due_index_key(moment, task_id)
        if rule is not None:
            _check_rule(rule, due, zone_name)
    except recurrence.RuleProblem as problem:
        raise _problem("recurrence", str(problem)) from None
    except UnknownZone:  # stored, and gone from a later tz database
        raise _problem("timeZone", ZONE_PROBLEM) from None
    except (ValueError, OverflowError):
        raise _problem(field, "falls outside the years 1 to 9999 in that time zone") from None


def _check_rule(text: str, due: Due, zone_name: str | None) -> None:
    rule = recurrence.parse(text)
    tz = clock(due, zone_name)
    recurrence.check(rule, wall_time(due, zone_name), _until(rule, tz))


def _until(rule: recurrence.Rule, tz: Any) -> datetime | None:
    return recurrence.until_on(rule, lambda moment: to_wall(moment.replace(tzinfo=UTC), tz))


def due_index_key(moment: datetime, task_id: str) -> str:
    """The due-date index's sort key: the instant, then the task id (unique, and the cursor's
    check that a key is that task's)."""
    return f"{index_key(moment)}#{task_id}"


class Next(NamedTuple):
    due_date: str  # written as the due date was
    at: datetime
    number: int  # of the series, from 0


def _next(due: Due, zone_name: str | None, rule: recurrence.Rule, position: int,
          now: datetime) -> Next | None:
    """The first occurrence after the due date that is also later than `now` (for an all-day
    task: on a later day than today, in its zone); None if the series ends before."""
    tz = clock(due, zone_name)
    now_wall = to_wall(now, tz)
    later: Callable[[datetime], bool]
    if due.kind == ALL_DAY:
        def later(moment: datetime) -> bool:
            return moment.date() > now_wall.date()
    else:
        def later(moment: datetime) -> bool:
            return to_utc(moment, tz) > now
    try:
        found = recurrence.following(
            rule, wall_time(due, zone_name), position, _until(rule, tz),
            not_before=now_wall - timedelta(days=1), later=later)
        if found is None:
            return None
        text = written_like(due, found[0], zone_name)
        return Next(text, instant(parse(text), zone_name), found[1])
    except (ValueError, OverflowError):  # next occurrence past the year 9999: none
        return None


def _advance(values: dict[str, Any], value: Callable[[str], Any], stored: Stored, rule: str,
             task_id: str, now: str) -> None:
    """Completing an occurrence of a repeating task: it stays open, due at the next
    occurrence, its checklist undone; or, when the series has ended, it completes."""
    moment = datetime.fromisoformat(now.replace("Z", "+00:00"))
    values["lastCompletedAt"] = now
    try:
        due = parse(value("dueDate"))
        parsed = recurrence.parse(rule)
        zone_name = value("timeZone")
        position = int(stored.get("occurrence") or 0) \
            if stored.get("occurrenceRule") == rule else 0
        found = _next(due, zone_name, parsed, position, moment)
    except (TypeError, ValueError, UnknownZone):  # a stored rule or date this API cannot read
        return
    if found is None:
        return
    values.update({
        "dueDate": found.due_date, "dueAt": at_text(found.at),
        "dueKey": due_index_key(found.at, task_id), "status": "pending",
        "occurrence": found.number, "occurrenceRule": rule,
    })
    checklist = value("checklist")
    if checklist:
        values["checklist"] = [{"title": item["title"], "done": False} for item in checklist]


class DueTimes(NamedTuple):
    at: datetime  # when the task falls due (UTC)
    following: datetime | None  # a repeating task's occurrence after that one (UTC)


def due_times(task: Mapping[str, Any]) -> DueTimes | None:
    """When a task falls due and, if it repeats and is open, when it would fall due next
    once that occurrence is completed (on time); None without a due date. `task` holds the
    API's names (a task as the API shows it, or `tasks.stored_fields(item)`, which adds the
    series position that a COUNT needs)."""
    due_text = task.get("dueDate")
    if not due_text:
        return None
    zone_name = task.get("timeZone")
    try:
        due = parse(due_text)
        at = instant(due, zone_name)
    except (ValueError, UnknownZone):
        return None
    rule = task.get("recurrence")
    if not rule or task.get("status") == "completed":
        return DueTimes(at, None)
    position = int(task.get("occurrence") or 0) if task.get("occurrenceRule") == rule else 0
    try:
        found = _next(due, zone_name, recurrence.parse(rule), position, at)
    except (ValueError, UnknownZone):
        found = None
    return DueTimes(at, found.at if found else None)
