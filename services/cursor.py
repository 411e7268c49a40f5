"""Opaque paging cursors: where the last page stopped, bound to the user and the query."""

import base64
import binascii
import hashlib
import json

from services.errors import FieldError, ValidationFailed
from services.ids import is_task_id


def _seal(user_id: str, payload: str) -> str:
    # Not a secret: it only makes a cursor from another user or query (or a tampered one)
    # fail loudly. Even a forged cursor can only move within the caller's own partition.
    return hashlib.sha256(f"{user_id}\x00{payload}".encode()).hexdigest()[:16]


def encode(user_id: str, query: str, last_task_id: str) -> str:
    payload = json.dumps({"k": last_task_id, "q": query}, separators=(",", ":"))
    token = json.dumps({"p": payload, "s": _seal(user_id, payload)}, separators=(",", ":"))
    return base64.urlsafe_b64encode(token.encode()).decode().rstrip("=")


def decode(user_id: str, query: str, cursor: str) -> str:
    """The task id to resume after; ValidationFailed for anything this API did not issue."""
    bad = ValidationFailed(
        "Invalid cursor",
        [FieldError("cursor", "is not one this list issued; start again without it", "query")],
    )
    if len(cursor) > 512:
        raise bad
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        token = json.loads(raw)
        payload = token["p"]
        body = json.loads(payload)
        sealed = token["s"] == _seal(user_id, payload)
        last_task_id = body["k"]
        same_query = body["q"] == query
    except (binascii.Error, ValueError, KeyError, TypeError):
        raise bad from None
    if not (sealed and same_query and isinstance(last_task_id, str) and is_task_id(last_task_id)):
        raise bad
    return last_task_id
