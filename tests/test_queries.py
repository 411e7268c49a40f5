"""The list views beyond creation order, over real HTTP: the due-date view (bounds, order,
paging, status), the tag filter, and checklists on tasks. Two users, never mixed."""

from datetime import UTC, date, datetime
from typing import Any
from urllib.parse import quote, urlsplit

import pytest

from tests.support import Api, HttpApi, LocalServer


@pytest.fixture
def http(local_server: LocalServer) -> Api:
    return HttpApi(local_server.url)


def walk(api: Api, user: str, path: str) -> tuple[list[dict[str, Any]], int]:
    """Every item of a list, following Link; and how many pages that took."""
    found: list[dict[str, Any]] = []
    pages = 0
    next_path: str | None = path
    while next_path:
        reply = api.request("GET", next_path, user=user)
        assert reply.status == 200, reply.body
        assert reply.headers.get("x-sync-token")
        found += reply.json()
        pages += 1
        link = reply.headers.get("link")
        if link:
            url = urlsplit(link[1:link.index(">")])
            next_path = f"{url.path}?{url.query}"
        else:
            next_path = None
    return found, pages


def moment(due: str) -> datetime:
    """When a due date falls, in UTC (a date: the start of its day; no offset: UTC)."""
    try:
        return datetime.combine(date.fromisoformat(due), datetime.min.time(), UTC)
    except ValueError:
        parsed = datetime.fromisoformat(due)
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


DUES = [
    "2026-12-31", "2026-12-30T23:30:00Z", "2027-01-01T01:00:00+02:00", None, "2026-12-29",
    "2026-12-31T12:00:00", "2027-03-01", None, "2026-12-31T08:00:00-05:00", "2026-12-29",
]


@pytest.fixture
def due_tasks(http: Api, user: str, other_user: str) -> list[dict[str, Any]]:
    made = []
    for i, due in enumerate(DUES):
        fields: dict[str, Any] = {"title": f"t{i}", "status": "completed" if i % 3 == 0
                                  else "pending", "tags": ["work"] if i % 2 else ["home"]}
        if due:
            fields["dueDate"] = due
        made.append(http.create(user, **fields))
    for due in ("2026-12-30", "2026-12-31T10:00:00Z"):  # another user's, never in ours
        http.create(other_user, title="not yours", dueDate=due)
    return made


def by_due(tasks: list[dict[str, Any]]) -> list[str]:
    """The order the view promises: due date, then creation (ids are time-ordered)."""
    dated = [t for t in tasks if t["dueDate"]]
    return [t["taskId"] for t in sorted(dated, key=lambda t: (moment(t["dueDate"]), t["taskId"]))]


def ids(tasks: list[dict[str, Any]]) -> list[str]:
    return [t["taskId"] for t in tasks]


def test_due_date_view_lists_only_dated_tasks_by_due_date_over_pages(
    http: Api, user: str, due_tasks: list[dict[str, Any]],
) -> None:
    listed, pages = walk(http, user, "/todos?sort=dueDate&limit=2")
    assert ids(listed) == by_due(due_tasks) and len(listed) == 8 and pages >= 4
    assert all(t["userId"] == user for t in listed)
    desc, _ = walk(http, user, "/todos?sort=dueDate&order=desc&limit=3")
    assert ids(desc) == list(reversed(by_due(due_tasks)))


@pytest.mark.parametrize(("after", "before"), [
    ("2026-12-30", "2027-01-01"),  # the 30th and 31st, whole days
    ("2026-12-31", None),
    (None, "2026-12-31"),
    ("2026-12-30T23:30:00Z", "2026-12-31T12:00:00Z"),  # inclusive start, exclusive end
    ("2026-12-31T00:00:00+01:00", "2026-12-31T13:00:00Z"),
])
def test_due_bounds_are_inclusive_then_exclusive(
    http: Api, user: str, due_tasks: list[dict[str, Any]], after: str | None,
    before: str | None,
) -> None:
    query = "&".join(f"{name}={quote(value)}" for name, value in
                     (("dueAfter", after), ("dueBefore", before)) if value)
    listed, _ = walk(http, user, f"/todos?{query}&limit=2")
    low = moment(after) if after else None
    high = moment(before) if before else None
    expected = [t for t in due_tasks if t["dueDate"]
                and (low is None or moment(t["dueDate"]) >= low)
                and (high is None or moment(t["dueDate"]) < high)]
    assert ids(listed) == by_due(expected) and expected
    completed, _ = walk(http, user, f"/todos?{query}&sort=dueDate&status=completed&limit=1")
    assert ids(completed) == by_due([t for t in expected if t["status"] == "completed"])


def test_changing_or_removing_a_due_date_moves_the_task_in_the_view(
    http: Api, user: str, due_tasks: list[dict[str, Any]],
) -> None:
    first, last = by_due(due_tasks)[0], by_due(due_tasks)[-1]
    assert http.request("PATCH", f"/todos/{first}", user=user,
                        json_body={"dueDate": "2030-01-01"}).status == 200
    assert http.request("PATCH", f"/todos/{last}", user=user,
                        json_body={"dueDate": None}).status == 200
    listed, _ = walk(http, user, "/todos?sort=dueDate&limit=4")
    assert ids(listed)[-1] == first and last not in ids(listed)
    assert http.request("DELETE", f"/todos/{first}", user=user).status == 200
    assert first not in ids(walk(http, user, "/todos?sort=dueDate")[0])


@pytest.mark.parametrize("query", [
    "dueAfter=tomorrow", "dueBefore=2026-13-01", "dueAfter=2027-01-01&dueBefore=2026-01-01",
    "sort=createdAt&dueAfter=2026-01-01", "sort=title", "tag=", "tag=" + "x" * 51,
    "dueAfter=0001-01-01T00:00:00%2B01:00",
])
def test_bad_view_parameters_are_400_naming_the_parameter(http: Api, user: str,
                                                          query: str) -> None:
    reply = http.request("GET", f"/todos?{query}", user=user)
    assert reply.status == 400 and reply.content_type == "application/problem+json"
    named = {e["field"] for e in reply.json()["errors"]}
    assert named & {part.split("=")[0] for part in query.split("&")}, reply.json()


def test_a_cursor_of_one_range_is_refused_in_another(
    http: Api, user: str, due_tasks: list[dict[str, Any]],
) -> None:
    reply = http.request("GET", "/todos?sort=dueDate&limit=1", user=user)
    cursor = reply.headers["x-next-cursor"]
    other = http.request("GET", f"/todos?dueAfter=2027-01-01&limit=1&cursor={cursor}", user=user)
    assert other.status == 400 and other.json()["errors"][0]["field"] == "cursor"


def test_tag_filter_lists_tasks_holding_the_tag_across_short_pages(
    http: Api, user: str, other_user: str,
) -> None:
    made = [http.create(user, title=f"t{i}", tags=["work", "x"] if i % 3 == 0 else ["home"],
                        status="completed" if i % 2 else "pending") for i in range(12)]
    http.create(other_user, title="theirs", tags=["work"])
    listed, pages = walk(http, user, "/todos?tag=work&limit=2")
    assert ids(listed) == [t["taskId"] for t in made if "work" in t["tags"]] and pages >= 3
    done, _ = walk(http, user, "/todos?tag=work&status=completed&limit=5")
    assert ids(done) == [t["taskId"] for t in made
                         if "work" in t["tags"] and t["status"] == "completed"]
    assert walk(http, user, "/todos?tag=wor")[0] == []  # a tag, not a substring
    cursor = http.request("GET", "/todos?tag=work&limit=1", user=user).headers["x-next-cursor"]
    for other in ("tag=home&", ""):  # a cursor belongs to its filter
        reply = http.request("GET", f"/todos?{other}limit=1&cursor={cursor}", user=user)
        assert reply.status == 400 and reply.json()["errors"][0]["field"] == "cursor"
    dated = http.create(user, title="dated", tags=["work"], dueDate="2026-05-01")
    http.create(user, title="dated, other tag", tags=["home"], dueDate="2026-04-01")
    assert ids(walk(http, user, "/todos?sort=dueDate&tag=work")[0]) == [dated["taskId"]]


def test_checklist_is_set_on_create_replaced_whole_and_removed(http: Api, user: str) -> None:
    items = [{"title": " buy milk ", "done": True}, {"title": "eggs"}]
    task = http.create(user, title="shopping", checklist=items)
    assert task["checklist"] == [{"title": "buy milk", "done": True},
                                 {"title": "eggs", "done": False}]
    path = f"/todos/{task['taskId']}"
    assert http.request("GET", path, user=user).json()["checklist"] == task["checklist"]
    patched = http.request("PATCH", path, user=user, json_body={"title": "groceries"}).json()
    assert patched["checklist"] == task["checklist"]
    replaced = http.request("PUT", path, user=user,
                            json_body={"checklist": [{"title": "bread", "done": False}]})
    assert replaced.json()["checklist"] == [{"title": "bread", "done": False}]
    removed = http.request("PATCH", path, user=user, json_body={"checklist": None})
    assert removed.json()["checklist"] == []
    assert http.create(user, title="plain")["checklist"] == []


@pytest.mark.parametrize("checklist", [
    "milk", [{"title": ""}], [{"title": "   "}], [{"done": True}], [{"title": "a", "x": 1}],
    [{"title": "a", "done": "yes"}], [{"title": "a" * 201}], [{"title": "a"}] * 51, ["milk"],
    [{"title": "tab\tin title"}],
])
def test_bad_checklists_are_400_and_change_nothing(http: Api, user: str,
                                                   checklist: Any) -> None:
    reply = http.request("POST", "/todos", user=user,
                         json_body={"title": "t", "checklist": checklist})
    assert reply.status == 400 and reply.json()["errors"][0]["field"] == "checklist"
    task = http.create(user, title="kept", checklist=[{"title": "a"}])
    patch = http.request("PATCH", f"/todos/{task['taskId']}", user=user,
                         json_body={"checklist": checklist})
    assert patch.status == 400 and patch.json()["errors"][0]["field"] == "checklist"
    assert http.request("GET", f"/todos/{task['taskId']}", user=user).json()["checklist"] == [
        {"title": "a", "done": False}]
