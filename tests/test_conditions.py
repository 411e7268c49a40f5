"""Conditional requests by RFC 9110: If-Match (strong comparison, 412), If-None-Match (weak
comparison, 304 on a task and on a list page), and the parser of both over all of Unicode."""

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from services.edge import conditions
from services.edge.conditions import MAX_TAGS, EntityTag
from services.errors import ValidationFailed
from tests.support import Api
from tests.test_bad_input import assert_problem

# Entity tags that are well formed but that this API never issues, or weak: never a match
# under If-Match's strong comparison. The digits are Unicode digits int() would take ("٣",
# "\U0001d7d7", a bold nine) or that str.isdigit takes and int() refuses ("²": this one was a 500).
NEVER_MATCHING = ['"²"', '"٣"', '"\U0001d7d7"', '"¹²"', '"x"', '"-1"', '"1.0"', '"01x"', 'W/"1"',
                  '"2", W/"1"', '"999999999999999999999"', '""']


@pytest.mark.parametrize("header", NEVER_MATCHING)
def test_if_match_that_cannot_match_is_412_and_changes_nothing(
    api: Api, user: str, header: str,
) -> None:
    task = api.create(user)
    path = f"/todos/{task['taskId']}"
    for method, body in (("PATCH", {"title": "x"}), ("PUT", {"title": "x"}), ("DELETE", None)):
        reply = api.request(method, path, user=user, json_body=body, headers={"If-Match": header})
        assert_problem(reply, 412)
        assert reply.headers["etag"] == '"1"'
    assert api.tasks_of(user) == [task]


def test_if_match_on_a_missing_task_is_404(api: Api, user: str) -> None:
    path = "/todos/0190a6f2-0000-7000-8000-000000000000"
    for header in ('"1"', 'W/"1"', '"x"', "*"):
        reply = api.request("PATCH", path, user=user, json_body={"title": "x"},
                            headers={"If-Match": header})
        assert_problem(reply, 404)


@pytest.mark.parametrize("header", ['"1"', '"7", "1"', '"x",,"1" , W/"2"', "*", '*\t',
                                    '"1",'])
def test_if_match_listing_the_current_version_writes(api: Api, user: str, header: str) -> None:
    task = api.create(user)
    reply = api.request("PATCH", f"/todos/{task['taskId']}", user=user,
                        json_body={"title": "new"}, headers={"If-Match": header})
    assert reply.status == 200, reply.body
    assert reply.json()["title"] == "new" and reply.headers["etag"] == '"2"'


def test_if_none_match_on_a_task_is_304_while_unchanged(api: Api, user: str) -> None:
    task = api.create(user)
    path = f"/todos/{task['taskId']}"
    for header in ('"1"', 'W/"1"', '"5", "1"', "*"):
        reply = api.request("GET", path, user=user, headers={"If-None-Match": header})
        assert reply.status == 304, (header, reply.body)
        assert reply.body == b"" and reply.headers["etag"] == '"1"'
    assert api.request("GET", path, user=user, headers={"If-None-Match": '"2"'}).status == 200
    api.request("PATCH", path, user=user, json_body={"title": "v2"})
    changed = api.request("GET", path, user=user, headers={"If-None-Match": '"1"'})
    assert changed.status == 200 and changed.json()["title"] == "v2"
    assert changed.headers["etag"] == '"2"'
    malformed = api.request("GET", path, user=user, headers={"If-None-Match": "1"})
    assert_problem(malformed, 400, "If-None-Match")


def test_if_none_match_on_a_list_page_is_304_while_unchanged(api: Api, user: str) -> None:
    first = api.create(user)
    api.create(user)
    path = "/todos?limit=1"
    page = api.request("GET", path, user=user)
    tag = page.headers["etag"]
    assert tag.startswith('"') and page.headers["x-next-cursor"]
    again = api.request("GET", path, user=user, headers={"If-None-Match": tag})
    assert again.status == 304 and again.body == b""
    assert again.headers["etag"] == tag and again.headers["x-sync-token"]
    weak = api.request("GET", path, user=user, headers={"If-None-Match": f"W/{tag}"})
    assert weak.status == 304
    # Another page, another query: another body, another ETag.
    other = api.request("GET", "/todos?limit=2", user=user, headers={"If-None-Match": tag})
    assert other.status == 200 and len(other.json()) == 2
    api.request("PATCH", f"/todos/{first['taskId']}", user=user, json_body={"title": "v2"})
    changed = api.request("GET", path, user=user, headers={"If-None-Match": tag})
    assert changed.status == 200 and changed.json()[0]["title"] == "v2"
    assert changed.headers["etag"] != tag


# The parser, over all of Unicode, up to the header sizes the local server admits (16 KiB).
_ETAGC = st.characters(min_codepoint=0x21, exclude_characters='"\x7f').filter(
    lambda c: not 0xD800 <= ord(c) <= 0xDFFF)
_OWS = st.text(alphabet=" \t", max_size=3)


@st.composite
def _entity_tag_lists(draw: Any) -> tuple[str, list[EntityTag]]:
    tags = draw(st.lists(st.builds(EntityTag, st.booleans(), st.text(_ETAGC, max_size=40)),
                         min_size=1, max_size=MAX_TAGS))
    parts = []
    for tag in tags:
        parts += [draw(_OWS) + "," for _ in range(draw(st.integers(0, 2)))]  # empty elements
        parts.append(draw(_OWS) + ("W/" if tag.weak else "") + f'"{tag.opaque}"' + draw(_OWS))
        parts.append(",")
    if draw(st.booleans()):
        parts.pop()
    return "".join(parts), tags


@settings(max_examples=300, deadline=None)
@given(_entity_tag_lists())
def test_every_list_of_entity_tags_parses_to_its_tags(case: tuple[str, list[EntityTag]]) -> None:
    header, tags = case
    assert conditions.parse(header, "If-Match") == tags
    versions = conditions.expected_versions(header)
    assert versions == frozenset(int(t.opaque) for t in tags
                        if not t.weak and t.opaque.isascii() and t.opaque.isdigit()
                        and len(t.opaque) <= 18)
    for tag in tags:  # weak comparison: W/ or not, the same opaque tag matches
        assert conditions.none_match(header, f'"{tag.opaque}"')
        assert conditions.none_match(header, f'W/"{tag.opaque}"')


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(max_size=200), st.text(max_size=16 * 1024),
                 st.text(alphabet='W/", \t*0123456789²٣\U0001d7d7x', max_size=16 * 1024)))
def test_any_text_parses_or_is_a_400_naming_the_header(header: str) -> None:
    for name in ("If-Match", "If-None-Match"):
        try:
            tags = conditions.parse(header, name)
        except ValidationFailed as error:
            assert [e.field for e in error.errors] == [name]
            continue
        assert tags is None or 1 <= len(tags) <= MAX_TAGS
    try:
        versions = conditions.expected_versions(header)
    except ValidationFailed:
        return
    assert versions is None or all(0 <= v < 10**18 for v in versions)


def test_too_many_entity_tags_is_a_400() -> None:
    header = ", ".join(f'"{n}"' for n in range(MAX_TAGS + 1))
    with pytest.raises(ValidationFailed) as raised:
        conditions.parse(header, "If-Match")
    assert "at most" in raised.value.errors[0].detail
