"""Cursors and sync tokens nobody but the stack can mint: HMAC-SHA256 under the stack's
TOKEN_KEYS. A client-minted token (the old plain SHA-256 seal), one from another stack's key,
or an altered one is a 400; rotation keeps tokens of the previous key good."""

import base64
import hashlib
import json
import os
import secrets
import time
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from emulator.gateway import Gateway
from services.domain import cursor
from services.domain.cursor import Cursor
from services.errors import ValidationFailed
from tests.support import Api, InProcessApi
from tests.test_bad_input import assert_problem

TASK = "0190a6f2-0000-7000-8000-000000000001"


def sha256_sealed(user: str, body: dict[str, Any]) -> str:
    """A token as anyone could make one before: the seal was a plain SHA-256, no secret."""
    payload = json.dumps(body, separators=(",", ":"))
    seal = hashlib.sha256(f"{user}\x00{payload}".encode()).hexdigest()[:16]
    token = json.dumps({"p": payload, "s": seal}, separators=(",", ":"))
    return base64.urlsafe_b64encode(token.encode()).decode().rstrip("=")


@pytest.fixture
def keys() -> Iterator[None]:
    """Whatever a test does to TOKEN_KEYS is undone after it."""
    before = os.environ["TOKEN_KEYS"]
    yield
    os.environ["TOKEN_KEYS"] = before


def test_a_client_minted_cursor_or_sync_token_is_refused(api: Api, user: str) -> None:
    for _ in range(3):
        api.create(user)
    page = api.request("GET", "/todos?limit=1", user=user)
    assert page.status == 200
    now = int(time.time() * 1000)
    minted_cursor = sha256_sealed(user, {"k": page.json()[0]["taskId"], "q": "asc:", "t": now})
    assert_problem(api.request("GET", f"/todos?limit=1&cursor={minted_cursor}", user=user),
                   400, "cursor")
    minted_sync = sha256_sealed(user, {"sync": now - 60_000})
    assert_problem(api.request("GET", f"/todos?since={minted_sync}", user=user), 400, "since")
    minted_clear = sha256_sealed(user, {"k": TASK, "q": "clear:all"})
    assert_problem(api.request("DELETE", f"/todos?status=all&cursor={minted_clear}", user=user),
                   400, "cursor")
    assert len(api.tasks_of(user)) == 3


def test_a_filter_of_fifty_emoji_still_pages(api: Api, user: str) -> None:
    """A cursor holds a digest of its query: the whole query made it too long to accept."""
    tag = "\U0001f600" * 50
    for _ in range(3):
        api.create(user, tags=[tag])
    first = api.request("GET", f"/todos?limit=2&tag={tag}", user=user)
    assert first.status == 200 and len(first.json()) == 2
    rest = api.request("GET", f"/todos?limit=2&tag={tag}&cursor={first.headers['x-next-cursor']}",
                       user=user)
    assert rest.status == 200 and len(rest.json()) == 1


def test_a_token_sealed_under_another_stacks_key_is_refused(keys: None) -> None:
    os.environ["TOKEN_KEYS"] = secrets.token_hex(32)
    theirs = cursor.sync_token("u", 1_700_000_000_000)
    their_cursor = cursor.encode("u", "asc:", Cursor(TASK, None, False, 1_700_000_000_000))
    os.environ["TOKEN_KEYS"] = secrets.token_hex(32)
    with pytest.raises(ValidationFailed):
        cursor.sync_time("u", theirs, 1_800_000_000_000)
    with pytest.raises(ValidationFailed):
        cursor.decode("u", "asc:", their_cursor)


def test_an_altered_token_is_refused() -> None:
    token = cursor.sync_token("u", 1_700_000_000_000)
    payload, seal = token.split(".")
    other = base64.urlsafe_b64encode(b'{"sync":1700000000001}').decode().rstrip("=")
    # Every other spelling of the last digit: some decode to the same bytes (base64's spare
    # bits), and must be refused all the same.
    last = [f"{payload}.{seal[:-1]}{c}" for c in "ABCDEFGHIJKLMNOPQRSTUVWXYZ" if c != seal[-1]]
    for altered in (*last, f"{other}.{seal}", f"{payload}.", payload,
                    f"{payload}.{seal}.", token.upper()):
        with pytest.raises(ValidationFailed):
            cursor.sync_time("u", altered, 1_800_000_000_000)
    with pytest.raises(ValidationFailed):
        cursor.sync_time("v", token, 1_800_000_000_000)  # another user's
    assert cursor.sync_time("u", token, 1_800_000_000_000) == 1_700_000_000_000


def test_rotation_keeps_the_previous_keys_tokens_good_until_it_is_dropped(
    gateway: Gateway, user: str, keys: None,
) -> None:
    api = InProcessApi(gateway)  # the handlers in this process read the TOKEN_KEYS set here
    old_key, new_key = secrets.token_hex(32), secrets.token_hex(32)
    os.environ["TOKEN_KEYS"] = old_key
    for _ in range(3):
        api.create(user)
    old = api.request("GET", "/todos?limit=1", user=user)
    old_sync, old_cursor = old.headers["x-sync-token"], old.headers["x-next-cursor"]
    os.environ["TOKEN_KEYS"] = f"{new_key},{old_key}"  # the new key seals, the old verifies
    for path in (f"/todos?since={old_sync}", f"/todos?limit=1&cursor={old_cursor}"):
        reply = api.request("GET", path, user=user)
        assert reply.status == 200, reply.body
    fresh = api.request("GET", "/todos?limit=1", user=user).headers["x-sync-token"]
    os.environ["TOKEN_KEYS"] = new_key  # the old key dropped: its tokens go with it
    assert_problem(api.request("GET", f"/todos?since={old_sync}", user=user), 400, "since")
    assert_problem(api.request("GET", f"/todos?limit=1&cursor={old_cursor}", user=user), 400,
                   "cursor")
    assert api.request("GET", f"/todos?since={fresh}", user=user).status == 200


def test_missing_or_short_keys_are_a_deployment_error_not_a_token(keys: None) -> None:
    for value in ("", " , ", "short", f"{secrets.token_hex(32)},short"):
        os.environ["TOKEN_KEYS"] = value
        with pytest.raises(cursor.TokenKeysMissing):
            cursor.sync_token("u", 1)


# Property tests: any text as a cursor or a sync token, any user, any query: a 400 or (for a
# token this stack sealed) its own value back; never anything else.
_TEXT = st.text(max_size=600)


@settings(max_examples=400, deadline=None)
@given(_TEXT, _TEXT, st.text(max_size=40))
def test_any_text_is_refused_as_a_token(user: str, token: str, query: str) -> None:
    with pytest.raises(ValidationFailed):
        cursor.decode(user, query, token)
    with pytest.raises(ValidationFailed):
        cursor.sync_time(user, token, 1_800_000_000_000)


@settings(max_examples=300, deadline=None)
@given(st.text(min_size=1, max_size=128), st.text(max_size=60),
       st.one_of(st.none(), st.text(st.characters(max_codepoint=127), max_size=100)),
       st.booleans(),
       st.one_of(st.none(), st.integers(1, 253_402_300_799_999)))
def test_a_cursor_comes_back_for_its_user_and_query_only(
    user: str, query: str, index_key: str | None, tombstone: bool, started: int | None,
) -> None:
    at = Cursor(TASK, index_key, tombstone, started)
    token = cursor.encode(user, query, at)
    assert cursor.decode(user, query, token) == at
    with pytest.raises(ValidationFailed):
        cursor.decode(user + "x", query, token)
    with pytest.raises(ValidationFailed):
        cursor.decode(user, query + "x", token)


@settings(max_examples=300, deadline=None)
@given(st.text(min_size=1, max_size=128), st.integers(-(2**70), 2**70))
def test_a_sync_token_of_any_moment_is_its_moment_or_a_400(user: str, moment: int) -> None:
    now = 1_800_000_000_000
    token = cursor.sync_token(user, moment)
    try:
        assert cursor.sync_time(user, token, now) == moment
    except ValidationFailed:
        assert moment <= 0 or moment > now + 60_000
    else:
        assert 0 < moment <= now + 60_000
