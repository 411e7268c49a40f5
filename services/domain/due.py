"""A task's due date in the three forms a client may write it, and the instant it stands for.

- a date (`2026-12-01`): all day; it falls due at the start of that day in the task's zone;
- a date-time with an offset (`2026-12-01T09:00:00+01:00`, `…Z`): that instant;
- a date-time without one (`2026-12-01T09:00:00`): that wall-clock time in the task's
  `timeZone` (UTC without one).

What the client wrote is stored and shown unchanged; the instant (`dueAt`, UTC) is derived
from it and indexed. A wall-clock time that a daylight-saving change skips (02:30 on the
spring day in Paris) is read with the offset in force before the change, as RFC 5545
(section 3.3.5) says: 02:30 CET is 03:30 CEST. One that happens twice (the autumn day) is the
first of the two."""

import re
from datetime import UTC, date, datetime, time, timedelta, timezone, tzinfo
from typing import NamedTuple

from services.domain import zones

ALL_DAY, LOCAL, OFFSET = "date", "local", "offset"
MAX_LENGTH = 40
# The time part as written, to give a moved due date the same precision.
_TIME = re.compile(r"\d\d:\d\d(:\d\d(\.\d+)?)?")


class Due(NamedTuple):
    kind: str  # ALL_DAY, LOCAL or OFFSET
    wall: datetime  # as written, without its offset (00:00 for a date)
    offset: timedelta | None  # OFFSET only
    text: str


def parse(value: str) -> Due:
    """ValueError unless an ISO 8601 date or date-time (what Python's fromisoformat takes)."""
    if len(value) > MAX_LENGTH:
        raise ValueError("too long")
    try:
        day = date.fromisoformat(value)
    except ValueError:
        moment = datetime.fromisoformat(value)
        offset = moment.utcoffset()
        if offset is None:
            return Due(LOCAL, moment, None, value)
        return Due(OFFSET, moment.replace(tzinfo=None), offset, value)
    return Due(ALL_DAY, datetime.combine(day, time()), None, value)


def clock(due: Due, zone_name: str | None) -> tzinfo:
    """The clock the due date's wall-clock time runs on: its zone, else its own offset, else
    UTC."""
    if zone_name:
        return zones.zone(zone_name)
    if due.offset is not None:
        return timezone(due.offset)
    return UTC


def to_utc(wall: datetime, tz: tzinfo) -> datetime:
    """A wall-clock time on that clock as an instant (fold 0: in a gap, the offset before it;
    in an overlap, the first). OverflowError past the years 1 to 9999."""
    return wall.replace(tzinfo=tz, fold=0).astimezone(UTC)


def to_wall(moment: datetime, tz: tzinfo) -> datetime:
    """An instant as the wall-clock time of that clock."""
    return moment.astimezone(tz).replace(tzinfo=None)


def instant(due: Due, zone_name: str | None) -> datetime:
    """When it falls due (UTC). ValueError if that leaves the years 1 to 9999."""
    try:
        if due.offset is not None:
            return due.wall.replace(tzinfo=timezone(due.offset)).astimezone(UTC)
        return to_utc(due.wall, clock(due, zone_name))
    except OverflowError:
        raise ValueError("out of range") from None


def wall_time(due: Due, zone_name: str | None) -> datetime:
    """Its wall-clock time on its clock (an instant written with an offset, seen in the
    task's zone): what a repeating rule counts in."""
    if due.offset is not None and zone_name:
        return to_wall(instant(due, None), zones.zone(zone_name))
    return due.wall


def written_like(due: Due, wall: datetime, zone_name: str | None) -> str:
    """Another wall-clock time on the due date's clock, written in the due date's form: a
    date stays a date, a local time a local time, a time with an offset gets the offset in
    force then (`Z` stays `Z`), with the same precision."""
    if due.kind == ALL_DAY:
        return wall.date().isoformat()
    spec = _timespec(due.text)
    if due.kind == LOCAL:
        return wall.isoformat(timespec=spec)
    tz = clock(due, zone_name)
    moment = to_utc(wall, tz)
    if due.text[-1:] in ("Z", "z"):
        return moment.replace(tzinfo=None).isoformat(timespec=spec) + "Z"
    return moment.astimezone(tz).isoformat(timespec=spec)


def _timespec(text: str) -> str:
    found = _TIME.search(text)
    if found is None or found.group(1) is None:
        return "minutes" if found else "seconds"
    digits = len(found.group(2) or "") - 1
    return "seconds" if digits <= 0 else "milliseconds" if digits <= 3 else "microseconds"


def at_text(moment: datetime) -> str:
    """`dueAt` as shown: UTC, `Z`, fractions only when there are any."""
    naive = moment.astimezone(UTC).replace(tzinfo=None)
    return naive.isoformat(timespec="microseconds" if naive.microsecond else "seconds") + "Z"


def index_key(moment: datetime) -> str:
    """An instant as it sorts in the due-date index: fixed width, to the microsecond."""
    return moment.astimezone(UTC).replace(tzinfo=None).isoformat(timespec="microseconds") + "Z"


def bound_key(value: str) -> str:
    """A due-date view's bound (dueAfter, dueBefore) as an index key. Bounds are UTC: a date
    is the start of its day, a date-time without offset is UTC. Midnight is the bare date,
    which sorts before every key of that day: keys written before `dueAt` existed hold an
    all-day date as `YYYY-MM-DD`, and compare with it as they should."""
    moment = instant(parse(value), None)
    if moment.time() == time():
        return moment.date().isoformat()
    return index_key(moment)


def derived_at(due_date: str | None, zone_name: str | None) -> str | None:
    """`dueAt` for a task stored before it existed (or None when the date is not one this
    API takes)."""
    if not due_date:
        return None
    try:
        return at_text(instant(parse(due_date), zone_name))
    except (ValueError, zones.UnknownZone):
        return None
