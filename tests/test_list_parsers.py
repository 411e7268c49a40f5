"""Property tests of what clients send about lists, over all of Unicode and sizes past the
limits: list ids (path and body), invitation tokens, roles, names and invitation bodies. A
parser returns a clean value or a ValidationFailed naming the field; a request through the
API answers 2xx, 400 or 404, never a 5xx, and writes nothing it refused."""

import os
import uuid
from typing import Any
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from services.domain import fields, list_input, lists, sharing
from services.domain.ids import is_task_id
from services.errors import ListNotFound, ValidationFailed
from tests.sharing import create_list, new_user
from tests.support import InProcessApi

EXAMPLES = int(os.environ.get("PROPERTY_EXAMPLES", "150"))
QUICK = settings(max_examples=EXAMPLES, deadline=None, derandomize=True,
                 suppress_health_check=list(HealthCheck))
# Any text: every code point (surrogates included, as a JSON body may hold them).
TEXT = st.text(st.characters(), max_size=300)
JSON = st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False)
                    | TEXT, lambda inner: st.lists(inner, max_size=4)
                    | st.dictionaries(TEXT, inner, max_size=4), max_leaves=8)


@QUICK
@given(TEXT)
def test_a_list_id_is_default_or_a_uuid(text: str) -> None:
    assert lists.is_list_id(text) == (text == "default" or is_task_id(text))
    value, problem = fields.list_id_value(text)
    assert (value is None) == (problem is not None) == (not lists.is_list_id(text))


@QUICK
@given(JSON)
def test_a_list_id_in_a_body_is_a_string_list_id_or_a_problem(raw: Any) -> None:
    value, problem = fields.list_id_value(raw)
    if problem is None:
        assert isinstance(raw, str) and lists.is_list_id(raw) and value == raw


@QUICK
@given(TEXT)
def test_a_malformed_list_id_is_no_list_and_reads_nothing(text: str) -> None:
    if lists.is_list_id(text):
        return
    with pytest.raises(ListNotFound):
        lists.open_list("someone", text)


@QUICK
@given(TEXT)
def test_parse_token_names_ids_only_for_well_formed_tokens(text: str) -> None:
    found = sharing.parse_token(text)
    if found is not None:
        assert text.startswith(sharing.TOKEN_PREFIX) and len(text) == sharing.TOKEN_LENGTH
        assert all(is_task_id(part) for part in found)


@QUICK
@given(st.uuids(), st.uuids(), st.integers(0, 89), st.characters())
def test_a_token_round_trips_and_any_other_spelling_is_refused(
    list_uuid: uuid.UUID, invitation_uuid: uuid.UUID, at: int, char: str,
) -> None:
    list_id, invitation_id = str(list_uuid), str(invitation_uuid)
    token = sharing.make_token(list_id, invitation_id)
    assert sharing.parse_token(token) == (list_id, invitation_id)
    changed = token[:at] + char + token[at + 1:]
    found = sharing.parse_token(changed)
    if changed != token and found is not None:
        # Another valid token (another id or secret): its hash differs, so it opens nothing.
        assert sharing.token_hash(changed) != sharing.token_hash(token)


@QUICK
@given(st.dictionaries(st.sampled_from(["role", "token", "name", "x"]), JSON, max_size=3)
       | st.fixed_dictionaries({"role": JSON}))
def test_roles(body: dict[str, Any]) -> None:
    try:
        role = list_input.parse_role(body)
    except ValidationFailed as error:
        assert error.errors and all(e.field in body or e.field == "role" for e in error.errors)
    else:
        assert role in ("editor", "viewer") and set(body) == {"role"}


@QUICK
@given(st.dictionaries(st.sampled_from(["name", "title"]), JSON, max_size=2)
       | st.fixed_dictionaries({"name": TEXT}))
def test_names(body: dict[str, Any]) -> None:
    try:
        name = list_input.parse_list(body)
    except ValidationFailed as error:
        assert error.errors
    else:
        assert 1 <= len(name) <= 100 and name == name.strip() and set(body) == {"name"}
        assert not any(ord(c) < 32 or ord(c) == 127 for c in name)
        name.encode("utf-8")


@QUICK
@given(st.dictionaries(st.sampled_from(["role", "expiresIn", "maxUses", "other"]),
                       JSON | st.integers(-10**12, 10**12), max_size=4))
def test_invitation_bodies(body: dict[str, Any]) -> None:
    try:
        spec = list_input.parse_invitation(body)
    except ValidationFailed as error:
        assert error.errors
    else:
        assert spec.role in ("editor", "viewer")
        assert 3600 <= spec.expires_in <= 2592000 and 1 <= spec.max_uses <= 50


@QUICK
@given(JSON)
def test_accept_bodies(token: Any) -> None:
    try:
        found = list_input.parse_accept({"token": token})
    except ValidationFailed as error:
        assert [e.field for e in error.errors] == ["token"]
    else:
        assert found == token and 0 < len(found) <= list_input.TOKEN_MAX_LENGTH


def test_through_the_api(gateway: Any) -> None:
    """Arbitrary list ids in paths and bodies, tokens and roles, sent through the gateway:
    never a 5xx, and the list is as it was."""
    api = InProcessApi(gateway)
    owner = new_user("owner")
    list_id = create_list(api, owner)["listId"]
    task = api.request("POST", f"/lists/{list_id}/todos", user=owner,
                       json_body={"title": "t"}).json()

    @settings(QUICK, max_examples=max(10, EXAMPLES // 6))  # 7 requests each
    @given(TEXT, JSON)
    def send(text: str, value: Any) -> None:
        segment = quote(text, safe="") or "x"
        for method, path, body in (
            ("GET", f"/lists/{segment}", None),
            ("GET", f"/lists/{segment}/todos", None),
            ("PATCH", f"/lists/{list_id}/todos/{task['taskId']}", {"listId": value}),
            ("POST", "/invitations/accept", {"token": value}),
            ("POST", "/invitations/accept", {"token": text}),
            ("PATCH", f"/lists/{list_id}/members/{segment}", {"role": value}),
            ("POST", f"/lists/{list_id}/invitations", {"role": value, "maxUses": value}),
        ):
            try:
                reply = api.request(method, path, user=owner, json_body=body)
            except (UnicodeEncodeError, ValueError):
                continue  # the client cannot even send it (a lone surrogate)
            assert reply.status < 500, (method, path, body, reply.body[:200])

    send()
    listed = api.request("GET", f"/lists/{list_id}/todos", user=owner).json()
    assert [t["taskId"] for t in listed] == [task["taskId"]]
    members = api.request("GET", f"/lists/{list_id}/members", user=owner).json()
    assert [m["userId"] for m in members] == [owner]
