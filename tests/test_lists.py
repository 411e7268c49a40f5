"""Lists (docs/LISTS.md): the default list and the others, and tasks in them with every
parameter, header and rule of /todos; moves between lists."""

from typing import Any
from urllib.parse import urlsplit

import pytest

from models import TodoModel
from tests.sharing import create_list, join, list_tasks, new_user, ok, sync
from tests.support import Api, HttpApi, InProcessApi, LocalServer


@pytest.fixture
def http(local_server: LocalServer) -> HttpApi:
    return HttpApi(local_server.url)


def test_every_user_has_a_default_list_first(api: Api, user: str) -> None:
    lists = ok(api.request("GET", "/lists", user=user))
    assert lists == [{
        "listId": "default", "name": "Tasks", "ownerId": user, "role": "owner",
        "memberCount": 1, "createdAt": None, "updatedAt": None, "version": 0,
        "url": lists[0]["url"],
    }]
    assert urlsplit(lists[0]["url"]).path.endswith("/lists/default")
    assert ok(api.request("GET", "/lists/default", user=user)) == lists[0]


def test_create_get_rename_and_list(api: Api, user: str) -> None:
    reply = api.request("POST", "/lists", user=user, json_body={"name": "  Groceries "})
    made = ok(reply, 201)
    assert made["name"] == "Groceries" and made["role"] == "owner" and made["ownerId"] == user
    assert made["memberCount"] == 1 and made["version"] == 1
    assert reply.headers["location"] == made["url"] and reply.headers["etag"] == '"1"'
    path = f"/lists/{made['listId']}"
    assert urlsplit(made["url"]).path.endswith(path)
    assert ok(api.request("GET", path, user=user)) == made
    stale = api.request("PATCH", path, user=user, json_body={"name": "x"},
                        headers={"If-Match": '"7"'})
    assert stale.status == 412 and stale.headers["etag"] == '"1"'
    renamed = api.request("PATCH", path, user=user, json_body={"name": "Food"},
                          headers={"If-Match": '"1"'})
    assert ok(renamed)["name"] == "Food" and renamed.headers["etag"] == '"2"'
    listed = ok(api.request("GET", "/lists", user=user))
    assert [found["listId"] for found in listed] == ["default", made["listId"]]
    assert listed[1]["name"] == "Food" and listed[1]["version"] == 2


def test_the_default_list_is_renamed_but_never_shared_or_deleted(api: Api, user: str) -> None:
    renamed = api.request("PATCH", "/lists/default", user=user, json_body={"name": "Inbox"},
                          headers={"If-Match": '"0"'})
    assert ok(renamed)["name"] == "Inbox" and renamed.headers["etag"] == '"1"'
    assert api.request("PATCH", "/lists/default", user=user, json_body={"name": "x"},
                       headers={"If-Match": '"0"'}).status == 412
    assert ok(api.request("GET", "/lists", user=user))[0]["name"] == "Inbox"
    for method, path, body in (
        ("DELETE", "/lists/default", None),
        ("POST", "/lists/default/invitations", {"role": "viewer"}),
        ("GET", "/lists/default/invitations", None),
        ("PATCH", f"/lists/default/members/{user}", {"role": "viewer"}),
        ("DELETE", f"/lists/default/members/{user}", None),
    ):
        reply = api.request(method, path, user=user, json_body=body)
        assert reply.status == 403, (method, path, reply.body)
        assert reply.json()["type"].endswith(":forbidden")
    assert ok(api.request("GET", "/lists/default/members", user=user)) == [
        {"userId": user, "role": "owner", "joinedAt": None}]


def test_lists_page_with_the_default_first(api: Api, user: str) -> None:
    made = [create_list(api, user, f"list {i}")["listId"] for i in range(4)]
    seen: list[str] = []
    path = "/lists?limit=2"
    pages = 0
    while path:
        reply = api.request("GET", path, user=user)
        page = ok(reply)
        assert len(page) <= 2
        seen += [found["listId"] for found in page]
        pages += 1
        cursor = reply.headers.get("x-next-cursor")
        if cursor:
            assert reply.headers["link"].endswith('; rel="next"')
            assert "/lists?" in reply.headers["link"]
        path = f"/lists?limit=2&cursor={cursor}" if cursor else ""
    assert seen == ["default", *made] and pages == 3
    bad = api.request("GET", "/lists?cursor=bm90IG91cnM", user=user)
    assert bad.status == 400 and bad.json()["errors"][0]["field"] == "cursor"


@pytest.mark.parametrize("body", [{}, {"name": ""}, {"name": "   "}, {"name": "x" * 101},
                                  {"name": 5}, {"name": "a\x00b"}, {"name": "ok", "colour": 1}])
def test_bad_list_bodies_are_400_and_change_nothing(api: Api, user: str,
                                                    body: dict[str, Any]) -> None:
    reply = api.request("POST", "/lists", user=user, json_body=body)
    assert reply.status == 400 and reply.content_type == "application/problem+json"
    assert {e["field"] for e in reply.json()["errors"]} <= {"name", "colour"}
    assert len(ok(api.request("GET", "/lists", user=user))) == 1


def _tasks_path(api: Api, user: str, which: str) -> str:
    if which == "default":
        return "/lists/default/todos"
    return f"/lists/{create_list(api, user)['listId']}/todos"


@pytest.mark.parametrize("which", ["default", "shared"])
def test_a_list_has_every_rule_of_todos(http: HttpApi, user: str, which: str) -> None:
    """Create (Location, ETag, Idempotency-Key), get, If-Match, paging (Link), filters, the
    due-date view, delta sync with tombstones, and clear with a cursor: on the default list
    through /lists/default/todos and on another list."""
    base = _tasks_path(http, user, which)
    first = http.request("POST", base, user=user, json_body={"title": "a", "tags": ["x"]},
                         headers={"Idempotency-Key": "k1"})
    task = ok(first, 201)
    assert first.headers["location"] == task["url"] and first.headers["etag"] == '"1"'
    assert urlsplit(task["url"]).path == (f"/todos/{task['taskId']}" if which == "default"
                                         else f"{base}/{task['taskId']}")
    again = http.request("POST", base, user=user, json_body={"title": "a", "tags": ["x"]},
                         headers={"Idempotency-Key": "k1"})
    assert ok(again, 201) == task and again.headers["idempotent-replayed"] == "true"
    assert http.request("POST", base, user=user, json_body={"title": "b"},
                        headers={"Idempotency-Key": "k1"}).status == 422
    token = http.request("GET", base, user=user).headers["x-sync-token"]
    dated = [ok(http.request("POST", base, user=user, json_body={
        "title": f"d{i}", "dueDate": f"2026-12-0{i}", "status": "completed" if i % 2 else
        "pending"}), 201) for i in range(1, 6)]
    one = f"{base}/{task['taskId']}"
    assert ok(http.request("GET", one, user=user))["title"] == "a"
    assert http.request("PATCH", one, user=user, json_body={"title": "b"},
                        headers={"If-Match": '"9"'}).status == 412
    assert ok(http.request("PATCH", one, user=user, json_body={"title": "b"},
                           headers={"If-Match": '"1"'}))["version"] == 2
    page = http.request("GET", f"{base}?limit=2", user=user)
    assert len(ok(page)) == 2 and urlsplit(page.headers["link"][1:].split(">")[0]).path == base
    assert [t["title"] for t in ok(http.request("GET", f"{base}?tag=x", user=user))] == ["b"]
    assert len(ok(http.request("GET", f"{base}?status=completed", user=user))) == 3
    due = ok(http.request("GET", f"{base}?dueAfter=2026-12-02&dueBefore=2026-12-04", user=user))
    assert [t["taskId"] for t in due] == [dated[1]["taskId"], dated[2]["taskId"]]
    assert http.request("DELETE", f"{base}/{dated[0]['taskId']}", user=user).status == 200
    cleared = ok(http.request("DELETE", f"{base}?status=completed", user=user))
    assert cleared["deleted"] == 2 and cleared["more"] is False
    changes = ok(http.request("GET", f"{base}?since={token}", user=user))
    gone = {c["taskId"] for c in changes if c.get("deleted")}
    assert gone == {dated[0]["taskId"], dated[2]["taskId"], dated[4]["taskId"]}
    remaining = {t["taskId"] for t in ok(http.request("GET", f"{base}?limit=100", user=user))}
    assert remaining == {task["taskId"], dated[1]["taskId"], dated[3]["taskId"]}
    assert {c["taskId"] for c in changes if not c.get("deleted")} >= remaining - {
        task["taskId"]}


def test_the_default_list_is_todos(api: Api, user: str) -> None:
    task = api.create(user, title="one")
    via_list = ok(api.request("GET", f"/lists/default/todos/{task['taskId']}", user=user))
    assert via_list == task and task["listId"] == "default"
    assert ok(api.request("GET", "/lists/default/todos", user=user)) == [task]
    made = ok(api.request("POST", "/lists/default/todos", user=user,
                          json_body={"title": "two"}), 201)
    assert [t["taskId"] for t in api.tasks_of(user)] == [task["taskId"], made["taskId"]]
    # A sync token and a cursor of one are good on the other: the same list.
    token = api.request("GET", "/todos", user=user).headers["x-sync-token"]
    assert api.request("GET", f"/lists/default/todos?since={token}", user=user).status == 200
    assert "createdBy" not in task and task["assigneeId"] is None


def test_tasks_of_a_list_say_who_created_and_changed_them(api: Api, user: str) -> None:
    list_id = create_list(api, user)["listId"]
    editor = new_user("editor")
    join(api, user, list_id, editor, "editor")
    task = ok(api.request("POST", f"/lists/{list_id}/todos", user=user,
                          json_body={"title": "t"}), 201)
    assert task["createdBy"] == task["updatedBy"] == task["userId"] == user
    assert task["listId"] == list_id
    changed = ok(api.request("PATCH", f"/lists/{list_id}/todos/{task['taskId']}",
                             user=editor, json_body={"status": "completed"}))
    assert changed["createdBy"] == user and changed["updatedBy"] == editor
    # The list's tasks live apart from both users' own lists.
    assert api.tasks_of(user) == [] and api.tasks_of(editor) == []


def test_a_task_may_be_created_in_its_own_list_only(api: Api, user: str) -> None:
    list_id = create_list(api, user)["listId"]
    same = api.request("POST", f"/lists/{list_id}/todos", user=user,
                       json_body={"title": "t", "listId": list_id})
    assert ok(same, 201)["listId"] == list_id
    other = api.request("POST", f"/lists/{list_id}/todos", user=user,
                        json_body={"title": "t", "listId": "default"})
    assert other.status == 400 and other.json()["errors"][0]["field"] == "listId"
    assert len(list_tasks(api, user, list_id)) == 1


def test_assignees_are_members_and_filter_the_list(api: Api, user: str) -> None:
    list_id = create_list(api, user)["listId"]
    editor = new_user("editor")
    join(api, user, list_id, editor, "editor")
    base = f"/lists/{list_id}/todos"
    mine = ok(api.request("POST", base, user=user, json_body={"title": "a",
                                                              "assigneeId": user}), 201)
    theirs = ok(api.request("POST", base, user=user, json_body={"title": "b"}), 201)
    ok(api.request("PATCH", f"{base}/{theirs['taskId']}", user=user,
                   json_body={"assigneeId": editor}))
    for who, body in ((user, {"title": "c", "assigneeId": "nobody"}),):
        bad = api.request("POST", base, user=who, json_body=body)
        assert bad.status == 400 and bad.json()["errors"][0]["field"] == "assigneeId"
    bad = api.request("PATCH", f"{base}/{mine['taskId']}", user=user,
                      json_body={"assigneeId": new_user("stranger")})
    assert bad.status == 400 and bad.json()["errors"][0]["field"] == "assigneeId"
    assert [t["title"] for t in ok(api.request("GET", f"{base}?assignee=me",
                                               user=editor))] == ["b"]
    assert [t["title"] for t in ok(api.request("GET", f"{base}?assignee={user}",
                                               user=editor))] == ["a"]
    assert ok(api.request("PATCH", f"{base}/{mine['taskId']}", user=user,
                          json_body={"assigneeId": None}))["assigneeId"] is None
    # In the default list the only member, so the only assignee, is its owner.
    assert api.create(user, assigneeId=user)["assigneeId"] == user
    refused = api.request("POST", "/todos", user=user, json_body={"title": "x",
                                                                  "assigneeId": editor})
    assert refused.status == 400
    assert api.request("GET", "/todos?assignee=me&since=x", user=user).status == 400


def test_a_move_keeps_the_task_and_reports_it_in_both_syncs(http: HttpApi, user: str) -> None:
    source = create_list(http, user, "source")["listId"]
    target = create_list(http, user, "target")["listId"]
    task = ok(http.request("POST", f"/lists/{source}/todos", user=user,
                           json_body={"title": "moving", "dueDate": "2026-12-01"}), 201)
    tokens = {list_id: http.request("GET", f"/lists/{list_id}/todos", user=user)
              .headers["x-sync-token"] for list_id in (source, target)}
    moved = http.request("PATCH", f"/lists/{source}/todos/{task['taskId']}", user=user,
                         json_body={"listId": target, "title": "moved"},
                         headers={"If-Match": '"1"'})
    body = ok(moved)
    assert body["taskId"] == task["taskId"] and body["listId"] == target
    assert body["title"] == "moved" and body["version"] == 2 and moved.headers["etag"] == '"2"'
    assert body["createdAt"] == task["createdAt"] and body["createdBy"] == user
    assert urlsplit(body["url"]).path == f"/lists/{target}/todos/{task['taskId']}"
    assert list_tasks(http, user, source) == []
    assert list_tasks(http, user, target) == [body]
    due = ok(http.request("GET", f"/lists/{target}/todos?sort=dueDate", user=user))
    assert [t["taskId"] for t in due] == [task["taskId"]]
    source_changes, _ = sync(http, user, source, tokens[source])
    assert [(c["taskId"], c.get("deleted")) for c in source_changes] == [(task["taskId"], True)]
    target_changes, _ = sync(http, user, target, tokens[target])
    assert target_changes == [body]
    assert http.request("GET", f"/lists/{source}/todos/{task['taskId']}",
                        user=user).status == 404


def test_moves_to_and_from_the_default_list(http: HttpApi, user: str) -> None:
    list_id = create_list(http, user)["listId"]
    task = http.create(user, title="mine")
    moved = ok(http.request("PUT", f"/todos/{task['taskId']}", user=user,
                            json_body={"listId": list_id}))
    assert moved["listId"] == list_id and moved["createdBy"] == user
    assert http.tasks_of(user) == []
    back = ok(http.request("PATCH", f"/lists/{list_id}/todos/{task['taskId']}", user=user,
                           json_body={"listId": "default", "status": "completed"}))
    assert back["listId"] == "default" and back["userId"] == user and "createdBy" not in back
    assert back["completedAt"] is not None and back["version"] == 3
    assert http.tasks_of(user) == [back]
    # Naming the task's own list is no move.
    same = ok(http.request("PATCH", f"/todos/{task['taskId']}", user=user,
                           json_body={"listId": "default"}))
    assert same == back


def test_a_move_needs_write_access_to_both_lists_and_a_member_assignee(
    http: HttpApi, user: str,
) -> None:
    owner = new_user("owner")
    theirs = create_list(http, owner)["listId"]
    join(http, owner, theirs, user, "viewer")
    mine = create_list(http, user)["listId"]
    task = ok(http.request("POST", f"/lists/{mine}/todos", user=user,
                           json_body={"title": "t", "assigneeId": user}), 201)
    path = f"/lists/{mine}/todos/{task['taskId']}"
    assert http.request("PATCH", path, user=user, json_body={"listId": theirs}).status == 403
    stranger_list = create_list(http, new_user("other"))["listId"]
    for target in (stranger_list, "01234567-89ab-7def-8123-456789abcdef"):
        assert http.request("PATCH", path, user=user, json_body={"listId": target}).status == 404
    assert http.request("PATCH", path, user=user, json_body={"listId": "nope"}).status == 400
    ok(http.request("PATCH", f"/lists/{theirs}/members/{user}", user=owner,
                    json_body={"role": "editor"}))
    # The assignee (the mover) is a member of the target too: the move goes through;
    # a task assigned to someone who is not must be given a new assignee on the way.
    other = new_user("helper")
    join(http, user, mine, other, "editor")
    ok(http.request("PATCH", path, user=user, json_body={"assigneeId": other}))
    refused = http.request("PATCH", path, user=user, json_body={"listId": theirs})
    assert refused.status == 400 and refused.json()["errors"][0]["field"] == "assigneeId"
    moved = ok(http.request("PATCH", path, user=user,
                            json_body={"listId": theirs, "assigneeId": owner}))
    assert moved["assigneeId"] == owner and moved["listId"] == theirs
    assert list_tasks(http, user, mine) == []


def test_a_deleted_list_is_gone_for_every_member_at_once(http: HttpApi, user: str) -> None:
    list_id = create_list(http, user)["listId"]
    editor = new_user("editor")
    join(http, user, list_id, editor, "editor")
    task = ok(http.request("POST", f"/lists/{list_id}/todos", user=editor,
                           json_body={"title": "left behind"}), 201)
    assert http.request("DELETE", f"/lists/{list_id}", user=editor).status == 403
    assert http.request("DELETE", f"/lists/{list_id}", user=user,
                        headers={"If-Match": '"1"'}).status == 412  # the editor joined since
    assert ok(http.request("DELETE", f"/lists/{list_id}", user=user))
    for who in (user, editor):
        for path in (f"/lists/{list_id}", f"/lists/{list_id}/todos",
                     f"/lists/{list_id}/todos/{task['taskId']}", f"/lists/{list_id}/members"):
            reply = http.request("GET", path, user=who)
            assert reply.status == 404 and "left behind" not in reply.body.decode(), path
        assert [found["listId"] for found in ok(http.request("GET", "/lists", user=who))] == [
            "default"]
        assert http.tasks_of(who) == []


def test_where_a_task_lives_and_who_sees_it(gateway: Any, user: str, ddb: Any) -> None:
    """For code that reacts to the table's stream: a task's partition from its image, and the
    users who may see that partition's tasks."""
    from models.list import RECORD_KEY, record_partition
    from services.domain.lists import audience, partition_of

    api = InProcessApi(gateway)  # on the tests' own engine, which the test reads
    list_id = create_list(api, user)["listId"]
    editor = new_user("editor")
    join(api, user, list_id, editor, "editor")
    own = api.create(user, title="mine")
    shared = ok(api.request("POST", f"/lists/{list_id}/todos", user=user,
                            json_body={"title": "ours"}), 201)
    ok(api.request("DELETE", f"/lists/{list_id}/todos/{shared['taskId']}", user=user))
    table = TodoModel.Meta.table_name

    def image(partition: str, key: str) -> dict[str, Any]:
        found: dict[str, Any] = ddb.get_item(TableName=table, ConsistentRead=True, Key={
            "userID": {"S": partition}, "taskID": {"S": key}})["Item"]
        return found

    assert partition_of(image(user, own["taskId"])) == user
    tombstone = image(f"list#{list_id}#deleted", shared["taskId"])
    assert partition_of(tombstone) == f"list#{list_id}"
    assert partition_of({"userID": {"S": user}, "taskID": {"S": "x"}}) == user  # a seed task
    assert partition_of(image(record_partition(list_id), RECORD_KEY)) is None
    assert audience(user) == [user]
    assert audience(f"list#{list_id}") == sorted([user, editor])
    ok(api.request("DELETE", f"/lists/{list_id}", user=user))
    assert audience(f"list#{list_id}") == []


def test_a_move_plans_its_changes_as_an_update_does(http: HttpApi, user: str) -> None:
    """A repeating task in a time zone, completed on its way to another list: it arrives at
    its next occurrence, in the target's due-date view, with its zone and rule."""
    list_id = create_list(http, user)["listId"]
    task = http.create(user, title="standup", dueDate="2027-01-08T09:00:00",
                       timeZone="Europe/Paris", recurrence="FREQ=WEEKLY;BYDAY=MO,WE,FR")
    moved = ok(http.request("PATCH", f"/todos/{task['taskId']}", user=user,
                            json_body={"listId": list_id, "completed": True}))
    assert (moved["dueDate"], moved["dueAt"], moved["status"]) == (
        "2027-01-11T09:00:00", "2027-01-11T08:00:00Z", "pending")
    assert moved["timeZone"] == "Europe/Paris" and moved["recurrence"] == task["recurrence"]
    assert moved["lastCompletedAt"] == moved["updatedAt"] and moved["completedAt"] is None
    view = ok(http.request("GET", f"/lists/{list_id}/todos?dueAfter=2027-01-11&dueBefore="
                                  "2027-01-12", user=user))
    assert [t["taskId"] for t in view] == [task["taskId"]]
    assert ok(http.request("GET", f"/lists/{list_id}/todos/{task['taskId']}",
                           user=user)) == moved


def test_creating_a_list_with_an_idempotency_key_happens_once(api: Api, user: str) -> None:
    headers = {"Idempotency-Key": "list-1"}
    first = api.request("POST", "/lists", user=user, json_body={"name": "once"},
                        headers=headers)
    made = ok(first, 201)
    again = api.request("POST", "/lists", user=user, json_body={"name": "once"},
                        headers=headers)
    assert ok(again, 201) == made and again.headers["idempotent-replayed"] == "true"
    assert again.headers["location"] == first.headers["location"]
    other = api.request("POST", "/lists", user=user, json_body={"name": "another"},
                        headers=headers)
    assert other.status == 422
    # The same key on a task create is a key of its own.
    assert api.request("POST", "/todos", user=user, json_body={"title": "t"},
                       headers=headers).status == 201
    assert [found["name"] for found in ok(api.request("GET", "/lists", user=user))] == [
        "Tasks", "once"]


def test_every_read_of_lists_answers_304_while_unchanged(api: Api, user: str) -> None:
    list_id = create_list(api, user)["listId"]
    for path in ("/lists", f"/lists/{list_id}", "/lists/default", f"/lists/{list_id}/members",
                 f"/lists/{list_id}/invitations", f"/lists/{list_id}/todos"):
        first = api.request("GET", path, user=user)
        tag = first.headers["etag"]
        same = api.request("GET", path, user=user, headers={"If-None-Match": tag})
        assert same.status == 304 and same.body == b"" and same.headers["etag"] == tag, path
    before = api.request("GET", f"/lists/{list_id}", user=user).headers["etag"]
    ok(api.request("PATCH", f"/lists/{list_id}", user=user, json_body={"name": "renamed"}))
    after = api.request("GET", f"/lists/{list_id}", user=user, headers={"If-None-Match": before})
    assert ok(after)["name"] == "renamed" and after.headers["etag"] != before
