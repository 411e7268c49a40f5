"""A request body as a JSON object, within limits, in time linear in its size.

The API's bodies and the local server's development sign-in both read JSON through here, so
they share the same size and nesting limits and the same 400s."""

import json
import re
from typing import Any

from services.errors import PayloadTooLarge, ValidationFailed

MAX_BODY_BYTES = 16 * 1024
MAX_JSON_DEPTH = 32
# What the nesting scan stops at: quotes, backslashes and brackets. Everything else is
# skipped by the regex engine in one pass.
_SIGNIFICANT = re.compile(r'["\\\[\]{}]')


def parse_object(body: bytes | None, *, max_bytes: int = MAX_BODY_BYTES) -> dict[str, Any]:
    """The body as a JSON object, or a ValidationFailed / PayloadTooLarge saying why not."""
    if not body:
        raise ValidationFailed("Request body is missing")
    if len(body) > max_bytes:
        raise PayloadTooLarge(max_bytes)
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise ValidationFailed("Request body is not valid UTF-8") from None
    if too_deep(text):
        raise ValidationFailed(
            f"Request body is nested too deeply (more than {MAX_JSON_DEPTH} levels)")
    try:
        value = json.loads(text, object_pairs_hook=_no_duplicate_keys, parse_constant=_reject)
    except RecursionError:  # unreachable after too_deep; kept so it can never be a 500
        raise ValidationFailed("Request body is nested too deeply") from None
    except ValueError as error:
        raise ValidationFailed(f"Request body is not valid JSON: {_reason(error)}") from None
    if not isinstance(value, dict):
        raise ValidationFailed("Request body must be a JSON object")
    return value


def too_deep(text: str, limit: int = MAX_JSON_DEPTH) -> bool:
    """Whether the raw text nests arrays and objects more than `limit` levels.

    Checked on the text, before json.loads, without recursion (json.loads recurses once per
    level: a deep body overflowed the stack) and in one pass: each quote, backslash or
    bracket is looked at once. (A regex that cut out the strings first was quadratic on an
    unterminated string full of escaped quotes: 1.3 s of CPU for 16 KiB.) Brackets inside
    strings do not count; for malformed text the answer only decides which 400 it gets."""
    if text.count("[") + text.count("{") <= limit:
        return False  # the common case: not even enough brackets to be too deep
    depth = 0
    in_string = False
    escaped_at = -1  # the index of the character a backslash escapes
    for match in _SIGNIFICANT.finditer(text):
        at = match.start()
        if at == escaped_at:
            continue
        char = match.group()
        if in_string:
            if char == "\\":
                escaped_at = at + 1
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            if depth > limit:
                return True
        elif char in "]}":
            depth -= 1
    return False


class _DuplicateKey(ValueError):
    pass


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise _DuplicateKey(f"duplicate key {key!r}")
        result[key] = value
    return result


def _reject(constant: str) -> Any:
    raise ValueError(f"{constant} is not a JSON number")


def _reason(error: ValueError) -> str:
    if isinstance(error, _DuplicateKey):
        return str(error)
    if isinstance(error, json.JSONDecodeError):
        return f"syntax error at line {error.lineno}, column {error.colno}"
    if "digits" in str(error):  # int() refuses a number of more than 4,300 digits
        return "a number has too many digits"
    return "NaN and Infinity are not JSON numbers"
