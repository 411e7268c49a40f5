"""Opaque tokens: paging cursors (where the last page stopped, bound to the user and the
query) and sync tokens (a moment, bound to the user), sealed so that only this stack can
mint them.

A token is `<payload>.<seal>`, both base64url: the payload is JSON, the seal the first 16
bytes of HMAC-SHA256 over the user id and the payload under the stack's token key. The keys
come from TOKEN_KEYS (comma-separated, newest first): tokens are sealed with the first and
accepted under any, so a new key can be put first while tokens sealed with the previous one
stay good until it is dropped. On AWS, Pulumi generates the keys (infra/token_keys.py);
locally `todo-api serve` keeps one beside the sign-in key (emulator/token_key.py).
"""

import base64
import binascii
import functools
import hashlib
import hmac
import json
import os
from typing import Any, NamedTuple

from services.domain.ids import is_task_id
from services.errors import FieldError, ValidationFailed

_MAX_LENGTH = 512
_SEAL_BYTES = 16
MIN_KEY_LENGTH = 32  # characters of a key (Pulumi's are 64 hex digits)


class Cursor(NamedTuple):
    task_id: str  # the last item read
    index_key: str | None  # its index sort key, when the list runs on an index
    tombstone: bool  # it is a tombstone (delta sync)
    started_ms: int | None  # when the listing's first page was read


class TokenKeysMissing(RuntimeError):
    """TOKEN_KEYS is unset or holds a key too short to be one: a deployment error."""


def keys() -> tuple[bytes, ...]:
    """The stack's token keys, newest (the one that seals) first."""
    return _parse_keys(os.environ.get("TOKEN_KEYS", ""))


@functools.cache
def _parse_keys(value: str) -> tuple[bytes, ...]:
    found = tuple(key.strip().encode() for key in value.split(",") if key.strip())
    if not found or any(len(key) < MIN_KEY_LENGTH for key in found):
        raise TokenKeysMissing(
            f"TOKEN_KEYS must hold one or more keys of at least {MIN_KEY_LENGTH} characters")
    return found


def _seal(key: bytes, user_id: str, payload: bytes) -> bytes:
    message = user_id.encode("utf-8", "surrogatepass") + b"\x00" + payload
    return hmac.new(key, message, hashlib.sha256).digest()[:_SEAL_BYTES]


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _wrap(user_id: str, body: dict[str, Any]) -> str:
    payload = json.dumps(body, separators=(",", ":")).encode()
    return f"{_b64(payload)}.{_b64(_seal(keys()[0], user_id, payload))}"


def _unwrap(user_id: str, token: str) -> dict[str, Any] | None:
    """The token's payload if one of the stack's keys sealed it for this user, else None.
    The seal is checked before the payload is parsed: nothing unsealed is ever read."""
    if len(token) > _MAX_LENGTH or not token.isascii():
        return None
    payload_text, dot, seal_text = token.partition(".")
    if not dot:
        return None
    try:
        payload, seal = _unb64(payload_text), _unb64(seal_text)
    except (binascii.Error, ValueError):
        return None
    if _b64(payload) != payload_text or _b64(seal) != seal_text:
        return None  # only the one spelling we issue: base64 leaves spare bits in a last digit
    if not any(hmac.compare_digest(seal, _seal(key, user_id, payload)) for key in keys()):
        return None
    try:
        body = json.loads(payload)
    except ValueError:
        return None
    return body if isinstance(body, dict) else None


def _digest(query: str) -> str:
    """What a cursor holds of its query: a digest, so that a filter of 50 emoji does not
    push the cursor past its length limit."""
    return hashlib.sha256(query.encode("utf-8", "surrogatepass")).hexdigest()[:32]


def encode(user_id: str, query: str, at: Cursor) -> str:
    body: dict[str, Any] = {"k": at.task_id, "q": _digest(query)}
    if at.index_key is not None:
        body["i"] = at.index_key
    if at.tombstone:
        body["d"] = 1
    if at.started_ms is not None:
        body["t"] = at.started_ms
    return _wrap(user_id, body)


def decode(user_id: str, query: str, cursor: str) -> Cursor:
    """Where to go on; ValidationFailed for anything this API did not issue for this query."""
    body = _unwrap(user_id, cursor) or {}
    task_id, index_key, started = body.get("k"), body.get("i"), body.get("t")
    if (
        body.get("q") != _digest(query)
        or not isinstance(task_id, str) or not is_task_id(task_id)
        or not (index_key is None
                or (isinstance(index_key, str) and index_key.isascii() and len(index_key) <= 100))
        or not (started is None or (isinstance(started, int) and not isinstance(started, bool)
                                    and 0 < started < _MAX_MS))
    ):
        raise not_issued()
    return Cursor(task_id, index_key, body.get("d") == 1, started)


def invalid(param: str, detail: str) -> ValidationFailed:
    return ValidationFailed(f"Invalid {param}", [FieldError(param, detail, "query")])


def not_issued() -> ValidationFailed:
    """A cursor that is well formed but belongs to another listing (or was tampered with)."""
    return invalid("cursor", "is not one this list issued; start again without it")


def sync_token(user_id: str, at_ms: int) -> str:
    return _wrap(user_id, {"sync": at_ms})


def sync_time(user_id: str, token: str, now_ms: int) -> int:
    """The moment (epoch ms) a sync token stands for; ValidationFailed if not ours, or if it
    stands for a moment after now (no token of ours can: a clock gone wrong, never a 500)."""
    at = (_unwrap(user_id, token) or {}).get("sync")
    if not isinstance(at, int) or isinstance(at, bool) or not 0 < at <= now_ms + _SKEW_MS:
        raise invalid("since", "is not an X-Sync-Token this API issued to you")
    return at


_SKEW_MS = 60_000  # clocks of two functions may differ a little
_MAX_MS = 253_402_300_800_000  # 10000-01-01: past it, no date arithmetic holds
