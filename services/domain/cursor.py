"""Opaque tokens: paging cursors (where the last page stopped, bound to the user and the
query) and sync tokens (a moment, bound to the user)."""

import base64
import binascii
import hashlib
import json
from typing import Any, NamedTuple

from services.domain.ids import is_task_id
from services.errors import FieldError, ValidationFailed

_MAX_LENGTH = 512


class Cursor(NamedTuple):
    task_id: str  # the last item read
    index_key: str | None  # its index sort key, when the list runs on an index
    tombstone: bool  # it is a tombstone (delta sync)
    started_ms: int | None  # when the listing's first page was read


def _seal(user_id: str, payload: str) -> str:
    # Not a secret: it only makes a token from another user or query (or a tampered one)
    # fail loudly. Even a forged cursor can only move within the caller's own partitions,
    # and the task logic checks that an index key lies inside the query's range.
    return hashlib.sha256(f"{user_id}\x00{payload}".encode()).hexdigest()[:16]


def _wrap(user_id: str, body: dict[str, Any]) -> str:
    payload = json.dumps(body, separators=(",", ":"))
    token = json.dumps({"p": payload, "s": _seal(user_id, payload)}, separators=(",", ":"))
    return base64.urlsafe_b64encode(token.encode()).decode().rstrip("=")


def _unwrap(user_id: str, token: str) -> dict[str, Any] | None:
    if len(token) > _MAX_LENGTH:
        return None
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        wrapper = json.loads(raw)
        payload = wrapper["p"]
        body = json.loads(payload)
        sealed = wrapper["s"] == _seal(user_id, payload)
    except (binascii.Error, ValueError, KeyError, TypeError):
        return None
    return body if sealed and isinstance(body, dict) else None


def encode(user_id: str, query: str, at: Cursor) -> str:
    body: dict[str, Any] = {"k": at.task_id, "q": query}
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
        body.get("q") != query
        or not isinstance(task_id, str) or not is_task_id(task_id)
        or not (index_key is None or (isinstance(index_key, str) and len(index_key) <= 100))
        or not (started is None or (isinstance(started, int) and started > 0))
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


def sync_time(user_id: str, token: str) -> int:
    """The moment (epoch ms) a sync token stands for; ValidationFailed if not ours."""
    at = (_unwrap(user_id, token) or {}).get("sync")
    if not isinstance(at, int) or isinstance(at, bool) or at <= 0:
        raise invalid("since", "is not an X-Sync-Token this API issued to you")
    return at
