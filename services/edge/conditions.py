"""Conditional requests (RFC 9110 section 13): If-Match and If-None-Match, parsed in one pass.

    If-Match      = "*" / #entity-tag
    If-None-Match = "*" / #entity-tag
    entity-tag    = [ "W/" ] DQUOTE *etagc DQUOTE
    etagc         = %x21 / %x23-7E / obs-text

A task's ETag is its version, `"3"`. If-Match uses the strong comparison: a weak tag
(`W/"3"`) never matches, nor does a tag this API never issues (`"x"`): both are 412. A
value that is not a list of entity tags is 400. If-None-Match uses the weak comparison."""

import re
from typing import NamedTuple

from services.errors import FieldError, ValidationFailed

# More tags than any client of this API needs; a longer list is refused rather than turned
# into a long DynamoDB condition.
MAX_TAGS = 32
ETAG_SYNTAX = '"*" or a comma-separated list of entity tags such as "3" or W/"3"'
# One list element and the separator after it. etagc excludes controls, space, DQUOTE and
# DEL; any other character at or above 0x80 stands for obs-text. No backtracking: the
# quotes delimit the tag and nothing inside may be a quote.
_ELEMENT = re.compile(r'[ \t]*(W/)?"([^\x00-\x20"\x7f]*)"[ \t]*(?:,|\Z)')
_EMPTY_ELEMENT = re.compile(r"[ \t]*,")
_REST_BLANK = re.compile(r"[ \t]*\Z")
_VERSION = re.compile(r"[0-9]{1,18}")  # ASCII digits only: "²" and "٣" are not versions


class EntityTag(NamedTuple):
    weak: bool
    opaque: str  # between the quotes


def parse(header: str, name: str) -> list[EntityTag] | None:
    """The entity tags of an If-Match or If-None-Match value; None for `*`; ValidationFailed
    (naming the header) for anything else."""
    if header.strip(" \t") == "*":
        return None
    tags: list[EntityTag] = []
    at, end = 0, len(header)
    while at < end:
        empty = _EMPTY_ELEMENT.match(header, at)
        if empty:  # RFC 9110 5.6.1.2: empty list elements are ignored
            at = empty.end()
            continue
        if _REST_BLANK.match(header, at):
            break
        element = _ELEMENT.match(header, at)
        if element is None:
            raise invalid(name)
        tags.append(EntityTag(element.group(1) is not None, element.group(2)))
        if len(tags) > MAX_TAGS:
            raise invalid(name, f"must list at most {MAX_TAGS} entity tags")
        at = element.end()
    if not tags:
        raise invalid(name)
    return tags


def invalid(name: str, detail: str = f"must be {ETAG_SYNTAX}") -> ValidationFailed:
    return ValidationFailed(f"Invalid {name}", [FieldError(name, detail, "header")])



def expected_versions(header: str | None) -> frozenset[int] | None:
    """What a conditional write requires of the task's version, from If-Match: None when
    there is no condition beyond the task existing (no header, or `*`); otherwise the
    versions that match under the strong comparison (empty when none can: a 412)."""
    if header is None:
        return None
    tags = parse(header, "If-Match")
    if tags is None:
        return None
    return frozenset(int(tag.opaque) for tag in tags
                     if not tag.weak and _VERSION.fullmatch(tag.opaque))


def none_match(header: str | None, current: str) -> bool:
    """Whether If-None-Match matches the current ETag (weak comparison): then a GET is 304."""
    if header is None:
        return False
    tags = parse(header, "If-None-Match")
    if tags is None:
        return True  # `*`: any current representation
    _, opaque = _split(current)
    return any(tag.opaque == opaque for tag in tags)


def _split(tag: str) -> tuple[bool, str]:
    weak = tag.startswith("W/")
    return weak, tag.removeprefix("W/").strip('"')
