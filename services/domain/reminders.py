"""Reminders: up to MAX_REMINDERS per task, each `{"before": "<ISO 8601 duration>"}` (before
the task's due instant) or `{"at": "<date-time with an offset>"}`. Parsing here (client
text), and the moment each one falls on; the dispatcher (services/events/) keeps a one-time
schedule per future moment and sends a task.reminder event when it comes."""

import re
from datetime import UTC, datetime, timedelta
from typing import Any

MAX_REMINDERS = 5
MAX_BEFORE = timedelta(days=366)
_DURATION = re.compile(
    r"^P(?:(?P<weeks>[0-9]{1,3})W|(?:(?P<days>[0-9]{1,3})D)?"
    r"(?:T(?:(?P<hours>[0-9]{1,4})H)?(?:(?P<minutes>[0-9]{1,6})M)?(?:(?P<seconds>[0-9]{1,8})S)?)?)\Z"
)
# RFC 3339: a date-time with seconds optional and an offset required.
_DATE_TIME = re.compile(
    r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]{1,6})?)?"
    r"(Z|[+-][0-9]{2}:[0-9]{2})\Z"
)
DURATION_PROBLEM = ("before must be an ISO 8601 duration in weeks, days, hours, minutes or "
                    f"seconds (PT15M, P1D, PT1H30M), at most {MAX_BEFORE.days} days")
AT_PROBLEM = "at must be a date-time with an offset (2026-12-31T17:00:00+01:00 or ...Z)"


def parse_duration(text: Any) -> timedelta:
    """An ISO 8601 duration without years or months (their length varies): ValueError if not."""
    if not isinstance(text, str) or len(text) > 40:
        raise ValueError("not a duration")
    match = _DURATION.match(text)
    if not match or text in ("P", "PT") or text.endswith("T"):
        raise ValueError("not a duration")
    parts = {name: int(value) for name, value in match.groupdict().items() if value}
    if not parts:
        raise ValueError("not a duration")
    length = timedelta(**parts)
    if length > MAX_BEFORE:
        raise ValueError("too long")
    return length


def parse_moment(text: Any) -> datetime:
    """A date-time with an offset, in UTC: ValueError if not (or outside years 1-9999)."""
    if not isinstance(text, str) or not _DATE_TIME.match(text):
        raise ValueError("not a date-time with an offset")
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    try:
        return moment.astimezone(UTC)
    except OverflowError:
        raise ValueError("out of range") from None


def parse(value: Any) -> tuple[list[dict[str, str]] | None, str | None]:
    """A reminders list as a client sent it: (the list, None) or (None, what is wrong)."""
    if not isinstance(value, list):
        return None, "must be a list of {before} or {at} reminders"
    if len(value) > MAX_REMINDERS:
        return None, f"must hold at most {MAX_REMINDERS} reminders"
    found: list[dict[str, str]] = []
    for index, entry in enumerate(value):
        if not isinstance(entry, dict) or len(entry) != 1 or not set(entry) <= {"before", "at"}:
            return None, f"item {index} must be an object with one member, before or at"
        ((kind, text),) = entry.items()
        try:
            parse_duration(text) if kind == "before" else parse_moment(text)
        except ValueError:
            return None, f"item {index}: {DURATION_PROBLEM if kind == 'before' else AT_PROBLEM}"
        if {kind: text} in found:
            return None, f"item {index} repeats an earlier reminder"
        found.append({kind: text})
    return found, None


def due_instant(task: dict[str, Any]) -> datetime | None:
    """The instant a task (its API view) is due, in UTC: its `dueAt`, derived from `dueDate`
    and `timeZone` (a date alone stands for the start of that day in the task's zone). A
    repeating task's `dueAt` is its current occurrence's, so its reminders follow it."""
    text = task.get("dueAt")
    if not isinstance(text, str) or not text:
        return None
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(UTC)
    except (ValueError, OverflowError):
        return None


def needs_due_time(reminders: list[dict[str, str]]) -> bool:
    return any("before" in reminder for reminder in reminders)


def moment(task: dict[str, Any], reminder: dict[str, str]) -> datetime | None:
    """When a reminder of this task (its API view) falls, or None if it has no moment
    (a `before` reminder of a task without a due time)."""
    if "at" in reminder:
        return parse_moment(reminder["at"])
    due = due_instant(task)
    if due is None:
        return None
    try:
        return due - parse_duration(reminder["before"])
    except OverflowError:
        return None


def moments(task: dict[str, Any] | None) -> dict[int, datetime]:
    """The moment of each of an open task's reminders, by index; none for a completed task
    (completing cancels them) or a missing one (deleting does)."""
    if task is None or task.get("completed"):
        return {}
    found = {}
    for index, reminder in enumerate(task.get("reminders") or []):
        when = moment(task, reminder)
        if when is not None:
            found[index] = when
    return found
