"""Time zones by IANA name, from the tz database the image ships: PyPI `tzdata`, pinned in the
lock. AWS's AL2023-minimal base may have no /usr/share/zoneinfo, and a system database would
differ from host to host anyway, so zones are read from that package only (never from the
system's files): the same names and rules in the tests, the local server and Lambda.

zoneinfo and the package are imported on first use: a request without a named zone pays for
neither (cold start)."""

import re
import threading
from datetime import UTC, tzinfo
from typing import Any

MAX_NAME = 64
# What an IANA name can hold ("America/Port-au-Prince", "Etc/GMT+5"): checked before the name
# goes near the package's files, so no other text (a path, "..", a NUL) ever does.
_NAME = re.compile(r"[A-Za-z0-9_+-]{1,30}(?:/[A-Za-z0-9_+-]{1,30}){0,2}\Z", re.ASCII)
_UTC_NAMES = frozenset({"UTC", "Etc/UTC"})

_lock = threading.Lock()
_names: frozenset[str] | None = None
_zones: dict[str, tzinfo] = {}


class UnknownZone(ValueError):
    """Not the name of a zone in the tz database."""


def database_version() -> str:
    """The IANA release the package carries (e.g. 2026f)."""
    import tzdata

    version: str = tzdata.IANA_VERSION
    return version


def _known_names() -> frozenset[str]:
    global _names
    if _names is None:
        from importlib.resources import files

        listed = files("tzdata").joinpath("zones").read_text(encoding="ascii").split()
        _names = frozenset(listed)
    return _names


def _load(name: str) -> tzinfo:
    from importlib.resources import files
    from zoneinfo import ZoneInfo

    *folders, leaf = name.split("/")
    with files(".".join(["tzdata", "zoneinfo", *folders])).joinpath(leaf).open("rb") as data:
        return ZoneInfo.from_file(data, key=name)


def zone(name: Any) -> tzinfo:
    """The zone of that IANA name (case as the database spells it); UnknownZone otherwise."""
    if not isinstance(name, str) or len(name) > MAX_NAME or not _NAME.match(name):
        raise UnknownZone("not an IANA time zone name")
    if name in _UTC_NAMES:
        return UTC
    found = _zones.get(name)
    if found is not None:
        return found
    with _lock:
        if name not in _known_names():
            raise UnknownZone("not a time zone of the tz database")
        found = _zones.get(name) or _load(name)
        _zones[name] = found  # at most one per name in the database
    return found
