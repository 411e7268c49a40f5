"""Repeating tasks: the RFC 5545 RRULE subset the API takes, read by a strict parser of our
own, and a rule's occurrences, computed by python-dateutil's rrule on wall-clock time.

The subset: FREQ=DAILY|WEEKLY|MONTHLY|YEARLY, INTERVAL, BYDAY (ordinals such as 1MO or -1FR
with MONTHLY and YEARLY), BYMONTHDAY (negative counts from the month's end), BYMONTH, COUNT
and UNTIL; anything else is refused, naming what is not supported. Names and values are
ASCII, case-insensitive (RFC 5545 section 3.1); an `RRULE:` prefix is allowed.

Bounded work. dateutil's rrule checks UNTIL and COUNT only on days that match the rule, and
otherwise walks on to the year 9999: a rule that never matches (BYMONTHDAY=31;BYMONTH=2)
or stops matching can keep it busy for seconds. So:
- the parser refuses rules that match no day of any month (the day, its weekday ordinal and
  the month cannot meet), before anything is evaluated;
- every search looks at most HORIZON_YEARS ahead of where it starts: UNTIL is capped there,
  and the search is moved by whole 400-year Gregorian cycles (which repeat weekdays and leap
  years exactly) to where the year 9999, dateutil's own end, is at most 400 years further:
  a search that finds nothing ends there, never later;
- a repeating task is followed from the occurrence being completed, or (without COUNT) from
  the rule's period around the present: never from a due date long past, day by day.
"""

import re
from collections.abc import Callable, Iterator
from datetime import MAXYEAR, datetime, time, timedelta
from typing import Any, NamedTuple, TypeVar

FREQUENCIES = ("DAILY", "WEEKLY", "MONTHLY", "YEARLY")
SUPPORTED = ("FREQ", "INTERVAL", "BYDAY", "BYMONTHDAY", "BYMONTH", "COUNT", "UNTIL")
# The rest of RFC 5545's rule parts and frequencies: named as unsupported, not as unknown.
_OTHER_PARTS = ("BYSECOND", "BYMINUTE", "BYHOUR", "BYYEARDAY", "BYWEEKNO", "BYSETPOS", "WKST")
_OTHER_FREQUENCIES = ("SECONDLY", "MINUTELY", "HOURLY")
WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
MAX_LENGTH = 500
MAX_COUNT = MAX_INTERVAL = 1000
HORIZON_YEARS = 100
_CYCLE_YEARS = 400  # the Gregorian calendar repeats itself exactly every 400 years

_NUMBER = re.compile(r"[0-9]{1,4}\Z")
_MONTH = re.compile(r"[0-9]{1,2}\Z")
_MONTH_DAY = re.compile(r"([+-]?)([0-9]{1,2})\Z")
_WEEKDAY = re.compile(r"(?:([+-]?)([0-9]{1,2}))?(MO|TU|WE|TH|FR|SA|SU)\Z")
_UNTIL = re.compile(r"([0-9]{8})(?:T([0-9]{6})(Z?))?\Z")
_NAME = re.compile(r"[A-Z][A-Z0-9-]{0,19}\Z")
_T = TypeVar("_T")
_MONTH_LENGTHS = ((31,), (28, 29), (31,), (30,), (31,), (30,), (31,), (31,), (30,), (31,),
                  (30,), (31,))

UNTIL_DATE, UNTIL_LOCAL, UNTIL_UTC = "date", "local", "utc"


class Until(NamedTuple):
    moment: datetime  # as written (a date at 00:00), without zone
    kind: str  # UNTIL_DATE, UNTIL_LOCAL (floating) or UNTIL_UTC (Z)


class Rule(NamedTuple):
    freq: str
    interval: int = 1
    by_day: tuple[tuple[int, int], ...] = ()  # (ordinal, 0 for none; weekday, 0 = Monday)
    by_month_day: tuple[int, ...] = ()
    by_month: tuple[int, ...] = ()
    total: int | None = None  # COUNT: occurrences in the series, the first included
    until: Until | None = None


class RuleProblem(ValueError):
    """What is wrong with a rule, in words fit for a client (it repeats no client text but
    rule part names)."""


def parse(text: Any) -> Rule:
    if not isinstance(text, str):
        raise RuleProblem("must be a string")
    if len(text) > MAX_LENGTH:
        raise RuleProblem(f"must be at most {MAX_LENGTH} characters")
    if not text.isascii():
        raise RuleProblem("must be ASCII text (an RFC 5545 RRULE such as FREQ=WEEKLY;BYDAY=MO)")
    body = text.upper()
    body = body.removeprefix("RRULE:")
    if not body:
        raise RuleProblem("must not be empty (e.g. FREQ=DAILY)")
    parts: dict[str, str] = {}
    for part in body.split(";"):
        name, equals, value = part.partition("=")
        if not equals or not name or not value:
            raise RuleProblem("must be NAME=VALUE parts separated by ';' (e.g. "
                              "FREQ=MONTHLY;BYMONTHDAY=-1)")
        if name not in SUPPORTED:
            shown = name if _NAME.match(name) else "a part"
            raise RuleProblem(f"{shown} is not supported (supported: {', '.join(SUPPORTED)})")
        if name in parts:
            raise RuleProblem(f"{name} is given twice")
        parts[name] = value
    if "FREQ" not in parts:
        raise RuleProblem("FREQ is required")
    rule = Rule(
        freq=_frequency(parts["FREQ"]),
        interval=_number("INTERVAL", parts.get("INTERVAL"), MAX_INTERVAL) or 1,
        by_month=_list("BYMONTH", parts.get("BYMONTH"), _month),
        by_month_day=_list("BYMONTHDAY", parts.get("BYMONTHDAY"), _month_day),
        by_day=_list("BYDAY", parts.get("BYDAY"), _weekday),
        total=_number("COUNT", parts.get("COUNT"), MAX_COUNT),
        until=_until(parts["UNTIL"]) if "UNTIL" in parts else None,
    )
    _check_combination(rule)
    return rule


def _frequency(value: str) -> str:
    if value in FREQUENCIES:
        return value
    if value in _OTHER_FREQUENCIES:
        raise RuleProblem(f"FREQ={value} is not supported (DAILY, WEEKLY, MONTHLY or YEARLY)")
    raise RuleProblem("FREQ must be DAILY, WEEKLY, MONTHLY or YEARLY")


def _number(name: str, value: str | None, most: int) -> int | None:
    if value is None:
        return None
    if not _NUMBER.match(value) or not 1 <= int(value) <= most:
        raise RuleProblem(f"{name} must be a whole number from 1 to {most}")
    return int(value)


def _list(name: str, value: str | None, item: Callable[[str], _T | None]) -> tuple[_T, ...]:
    if value is None:
        return ()
    found: list[_T] = []
    for entry in value.split(","):
        parsed = item(entry)
        if parsed is None:
            raise RuleProblem(f"{name} has a value that is not {_EXPECTED[name]}")
        if parsed in found:
            raise RuleProblem(f"{name} repeats a value")
        found.append(parsed)
    return tuple(found)


_EXPECTED = {
    "BYMONTH": "a month from 1 to 12",
    "BYMONTHDAY": "a day from 1 to 31 or -31 to -1",
    "BYDAY": "a weekday (MO to SU), optionally after an ordinal from 1 to 53 or -53 to -1",
}


def _month(entry: str) -> int | None:
    return int(entry) if _MONTH.match(entry) and 1 <= int(entry) <= 12 else None


def _month_day(entry: str) -> int | None:
    found = _MONTH_DAY.match(entry)
    if not found or not 1 <= int(found.group(2)) <= 31:
        return None
    return -int(found.group(2)) if found.group(1) == "-" else int(found.group(2))


def _weekday(entry: str) -> tuple[int, int] | None:
    found = _WEEKDAY.match(entry)
    if not found:
        return None
    sign, digits, day = found.groups()
    if digits is None:
        return (0, WEEKDAYS.index(day)) if not sign else None
    if not 1 <= int(digits) <= 53:
        return None
    return (-int(digits) if sign == "-" else int(digits), WEEKDAYS.index(day))


def _until(value: str) -> Until:
    found = _UNTIL.match(value)
    problem = RuleProblem("UNTIL must be a date (20261231) or a date-time (20261231T170000Z)")
    if not found:
        raise problem
    day, clock, utc = found.groups()
    try:
        moment = datetime.strptime(day + (clock or "000000"), "%Y%m%d%H%M%S")
    except ValueError:
        raise problem from None
    kind = UNTIL_DATE if clock is None else UNTIL_UTC if utc else UNTIL_LOCAL
    return Until(moment, kind)


def _check_combination(rule: Rule) -> None:
    """RFC 5545's rules on which parts go together, and that some day can match at all."""
    if rule.total is not None and rule.until is not None:
        raise RuleProblem("COUNT and UNTIL cannot both be given")
    ordinals = [n for n, _ in rule.by_day if n]
    if ordinals and rule.freq not in ("MONTHLY", "YEARLY"):
        raise RuleProblem("BYDAY ordinals (such as 1MO) need FREQ=MONTHLY or YEARLY")
    in_month = rule.freq == "MONTHLY" or bool(rule.by_month)
    if in_month and any(abs(n) > 5 for n in ordinals):
        raise RuleProblem("BYDAY ordinals within a month go from 1 to 5 (or -5 to -1)")
    if rule.by_month_day and rule.freq == "WEEKLY":
        raise RuleProblem("BYMONTHDAY cannot be used with FREQ=WEEKLY")
    if not _some_day_matches(rule, in_month and len(ordinals) == len(rule.by_day)):
        raise RuleProblem("never occurs: no month has a day that BYMONTH, BYMONTHDAY and BYDAY "
                          "all allow")


def _some_day_matches(rule: Rule, only_ordinals: bool) -> bool:
    """Some month of BYMONTH, in a year of either length, has a day that BYMONTHDAY allows
    and, when BYDAY holds only ordinals within the month, that such a weekday can fall on.
    (A plain weekday falls on every day of the month in some year.)"""
    for month in rule.by_month or range(1, 13):
        for length in _MONTH_LENGTHS[month - 1]:
            days = set(range(1, length + 1))
            if rule.by_month_day:
                days &= {d if d > 0 else length + 1 + d for d in rule.by_month_day}
            if only_ordinals and rule.by_day:
                days &= {day for n, _ in rule.by_day for day in _ordinal_days(n, length)}
            if days:
                return True
    return False


def _ordinal_days(n: int, length: int) -> range:
    """The days of a month on which its n-th (or, negative, n-th last) weekday can fall."""
    if n > 0:
        return range(7 * (n - 1) + 1, 7 * n + 1)
    return range(length + 1 + 7 * n, length + 1 + 7 * (n + 1))


def _dateutil_rule(rule: Rule, anchor: datetime, start: datetime,
                   until: datetime | None) -> Any:
    """dateutil's rrule for `rule` with its series anchored at `anchor` (whose day, month and
    weekday fill in what the rule leaves out, as RFC 5545 says) but starting at `start`, a
    period of the same lattice (a search needs not walk from the anchor)."""
    from dateutil import rrule as du

    by_month: tuple[int, ...] = rule.by_month
    by_month_day: tuple[int, ...] = rule.by_month_day
    by_weekday: list[Any] = [du.weekdays[day](n) if n else du.weekdays[day]
                             for n, day in rule.by_day]
    if not by_month_day and not by_weekday:
        if rule.freq == "YEARLY":
            by_month = by_month or (anchor.month,)
            by_month_day = (anchor.day,)
        elif rule.freq == "MONTHLY":
            by_month_day = (anchor.day,)
        elif rule.freq == "WEEKLY":
            by_weekday = [du.weekdays[anchor.weekday()]]
    return du.rrule(
        getattr(du, rule.freq), dtstart=start, interval=rule.interval,
        bymonth=by_month or None, bymonthday=by_month_day or None,
        byweekday=by_weekday or None, until=until, cache=False,
    )


def _years_later(moment: datetime, years: int) -> datetime | None:
    if moment.year + years > MAXYEAR:
        return None
    return moment.replace(year=moment.year + years, month=1, day=1)


def _matches(rule: Rule, anchor: datetime, start: datetime,
             until: datetime | None) -> Iterator[datetime]:
    """The days the rule matches from `start` on, in order, up to `until` and never more
    than HORIZON_YEARS (+ at most one 400-year cycle) past `start`."""
    window_end = _years_later(start, HORIZON_YEARS + 1)
    if window_end is not None and (until is None or until > window_end):
        until = window_end
    # Moved by whole cycles so that dateutil's walk ends at the year 9999 within
    # HORIZON_YEARS + 400 years of `start`, even if nothing ever matches again.
    cycles = max(0, (MAXYEAR - HORIZON_YEARS - start.year) // _CYCLE_YEARS)
    shift = cycles * _CYCLE_YEARS
    shifted_until = None
    if until is not None and until.year + shift <= MAXYEAR:
        shifted_until = until.replace(year=until.year + shift)
    found = iter(_dateutil_rule(rule, anchor, start.replace(year=start.year + shift),
                                shifted_until))
    while True:
        try:
            moment = next(found)
        except (StopIteration, ValueError, OverflowError):  # dateutil's end: year 9999
            return
        # dateutil counts whole seconds: the anchor's fraction is put back.
        moment = moment.replace(year=moment.year - shift, microsecond=anchor.microsecond)
        if until is not None and moment > until:
            return
        yield moment


def check(rule: Rule, first: datetime, until: datetime | None) -> None:
    """A rule for a series whose first occurrence (the due date) is `first`, on the same
    clock as `until` (UNTIL on that clock): RuleProblem if UNTIL is before it, or if the rule
    matches nothing from there on (within HORIZON_YEARS)."""
    if until is not None and until < first:
        raise RuleProblem("UNTIL is before the first occurrence (the dueDate)")
    for _ in _matches(rule, first, first, until):
        return
    raise RuleProblem(f"yields no occurrence in the {HORIZON_YEARS} years from the dueDate")


def following(
    rule: Rule, anchor: datetime, position: int, until: datetime | None, *,
    not_before: datetime, later: Callable[[datetime], bool],
) -> tuple[datetime, int] | None:
    """The first occurrence after `anchor` (the occurrence being completed, number
    `position` of its series, from 0) for which `later` holds, and its number; None when the
    series ends first (COUNT, UNTIL, or nothing within HORIZON_YEARS). `not_before` is a
    wall-clock time no later than the first occurrence `later` accepts: without COUNT the
    search starts in the rule's period around it, not at the anchor."""
    if rule.total is not None:
        number = position
        for moment in _matches(rule, anchor, anchor, until):
            if moment <= anchor:
                continue
            number += 1
            if number >= rule.total:
                return None
            if later(moment):
                return moment, number
        return None
    start = _period_start(rule, anchor, not_before)
    for moment in _matches(rule, anchor, start, until):
        if moment > anchor and later(moment):
            return moment, position + 1
    return None


def _period_start(rule: Rule, anchor: datetime, target: datetime) -> datetime:
    """The start of the latest period of the rule's lattice (the anchor's period, then every
    INTERVAL-th) that begins no later than `target`'s period; the anchor if that is later."""
    if target <= anchor:
        return anchor
    step = rule.interval
    clock = anchor.time()
    if rule.freq == "DAILY":
        days = (target.date() - anchor.date()).days // step * step
        start = datetime.combine(anchor.date() + timedelta(days=days), clock)
    elif rule.freq == "WEEKLY":
        first = anchor.date() - timedelta(days=anchor.weekday())
        weeks = (target.date() - first).days // 7 // step * step
        start = datetime.combine(first + timedelta(weeks=weeks), clock)
    elif rule.freq == "MONTHLY":
        months = ((target.year - anchor.year) * 12 + target.month - anchor.month) // step * step
        index = anchor.year * 12 + anchor.month - 1 + months
        start = datetime.combine(datetime(index // 12, index % 12 + 1, 1), clock)
    else:
        years = (target.year - anchor.year) // step * step
        start = datetime.combine(datetime(anchor.year + years, 1, 1), clock)
    return max(start, anchor)


def until_on(rule: Rule, to_wall: Callable[[datetime], datetime]) -> datetime | None:
    """UNTIL on the series' clock: a date through its last moment, a floating date-time as
    it is, a UTC one through `to_wall` (UTC instant, naive, to wall-clock time)."""
    if rule.until is None:
        return None
    moment, kind = rule.until
    if kind == UNTIL_DATE:
        return datetime.combine(moment.date(), time.max)
    if kind == UNTIL_LOCAL:
        return moment
    try:
        return to_wall(moment)
    except OverflowError:  # beyond the calendar's ends: the far end bounds nothing
        return None if moment.year > 1 else datetime.min
