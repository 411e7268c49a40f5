"""DynamoDB requests per request on lists (docs/LISTS.md, "Requests per route"): the default
list's routes stay at one; any route of another list makes at most two (the access check and
the operation); a move at most three, writing in one transaction; a page reads at most its
limit however many tasks and members the list has."""

from collections.abc import Callable
from functools import partial
from typing import Any

import pytest

from emulator.dynamodb import RequestCounter
from models.list import tasks_partition
from tests.sharing import accept, create_list, invite, new_user, ok
from tests.support import InProcessApi, Reply
from tests.test_request_counts import remove_seeded, seed_tasks


@pytest.fixture
def api(gateway: Any) -> InProcessApi:
    return InProcessApi(gateway)


def count(counter: RequestCounter, call: Callable[[], Reply], status: int = 200) -> dict[str, int]:
    counter.reset()
    reply = call()
    assert reply.status == status, reply.body[:300]
    return dict(counter.requests)


def test_the_default_list_through_lists_default_is_one_request_a_route(
    api: InProcessApi, counter: RequestCounter, user: str,
) -> None:
    base = "/lists/default/todos"
    made: dict[str, Any] = {}

    def create() -> Reply:
        reply = api.request("POST", base, user=user, json_body={"title": "t"})
        made.update(reply.json())
        return reply

    assert count(counter, create, 201) == {"PutItem": 1}
    one = f"{base}/{made['taskId']}"
    assert count(counter, lambda: api.request("GET", one, user=user)) == {"GetItem": 1}
    for method in ("PUT", "PATCH"):
        assert count(counter, partial(api.request, method, one, user=user,
                                      json_body={"title": "x"})) == {"UpdateItem": 1}
    for query in ("", "?sort=dueDate", "?assignee=me", "?status=pending&tag=x"):
        assert count(counter, partial(api.request, "GET", base + query, user=user)) == {
            "Query": 1}
    assert count(counter, lambda: api.request("DELETE", one, user=user)) == {
        "TransactWriteItems": 1}
    assert count(counter, lambda: api.request("GET", "/lists/default", user=user)) == {
        "GetItem": 1}
    assert count(counter, lambda: api.request("PATCH", "/lists/default", user=user,
                                              json_body={"name": "Inbox"})) == {"UpdateItem": 1}
    assert count(counter, lambda: api.request("GET", "/lists/default/members", user=user)) == {}


def test_another_list_is_the_access_check_and_the_operation(
    api: InProcessApi, counter: RequestCounter, user: str,
) -> None:
    list_id = create_list(api, user)["listId"]
    base = f"/lists/{list_id}/todos"
    made: dict[str, Any] = {}

    def create() -> Reply:
        reply = api.request("POST", base, user=user, json_body={"title": "t"})
        made.update(reply.json())
        return reply

    assert count(counter, create, 201) == {"GetItem": 1, "PutItem": 1}
    keyed = count(counter, lambda: api.request("POST", base, user=user, json_body={
        "title": "k"}, headers={"Idempotency-Key": "k"}), 201)
    assert keyed == {"GetItem": 1, "TransactWriteItems": 1}
    one = f"{base}/{made['taskId']}"
    assert count(counter, lambda: api.request("GET", one, user=user)) == {"GetItem": 2}
    for method in ("PUT", "PATCH"):
        assert count(counter, partial(api.request, method, one, user=user,
                                      json_body={"title": "x"})) == {"GetItem": 1, "UpdateItem": 1}
    token = api.request("GET", base, user=user).headers["x-sync-token"]
    for query in ("", "?sort=dueDate", "?assignee=me", f"?since={token}"):
        assert count(counter, partial(api.request, "GET", base + query, user=user)) == {
            "GetItem": 1, "Query": 1}
    assert count(counter, lambda: api.request("DELETE", one, user=user)) == {
        "GetItem": 1, "TransactWriteItems": 1}
    cleared = count(counter, lambda: api.request("DELETE", f"{base}?status=all", user=user))
    assert cleared == {"GetItem": 1, "Query": 1, "TransactWriteItems": 1}


def test_a_move_is_at_most_three_requests_and_writes_once(
    api: InProcessApi, counter: RequestCounter, user: str,
) -> None:
    first, second = (create_list(api, user, n)["listId"] for n in ("first", "second"))
    task = api.create(user, title="travelling")

    def move(source: str, target: str) -> Callable[[], Reply]:
        path = (f"/todos/{task['taskId']}" if source == "default"
                else f"/lists/{source}/todos/{task['taskId']}")
        return lambda: api.request("PATCH", path, user=user, json_body={"listId": target})

    assert count(counter, move("default", first)) == {"TransactGetItems": 1,
                                                      "TransactWriteItems": 1}
    assert count(counter, move(first, second)) == {"GetItem": 1, "TransactGetItems": 1,
                                                   "TransactWriteItems": 1}
    assert count(counter, move(second, "default")) == {"GetItem": 1, "TransactGetItems": 1,
                                                       "TransactWriteItems": 1}


def test_lists_members_and_invitations(
    api: InProcessApi, counter: RequestCounter, user: str,
) -> None:
    made: dict[str, Any] = {}

    def create() -> Reply:
        reply = api.request("POST", "/lists", user=user, json_body={"name": "n"})
        made.update(reply.json())
        return reply

    assert count(counter, create, 201) == {"TransactWriteItems": 1}
    path = f"/lists/{made['listId']}"
    assert count(counter, lambda: api.request("GET", "/lists", user=user)) == {
        "Query": 1, "BatchGetItem": 1}
    for part in ("", "/members", "/invitations"):
        assert count(counter, partial(api.request, "GET", path + part, user=user)) == {
            "GetItem": 1}
    assert count(counter, lambda: api.request("PATCH", path, user=user, json_body={
        "name": "m"})) == {"GetItem": 1, "UpdateItem": 1}
    created: dict[str, Any] = {}

    def invitation() -> Reply:
        reply = api.request("POST", f"{path}/invitations", user=user,
                            json_body={"role": "viewer"})
        created.update(reply.json())
        return reply

    assert count(counter, invitation, 201) == {"GetItem": 1, "UpdateItem": 1}
    guest = new_user("guest")
    assert count(counter, lambda: accept(api, guest, created["token"])) == {
        "GetItem": 1, "TransactWriteItems": 1}
    assert count(counter, lambda: accept(api, guest, created["token"])) == {"GetItem": 1}
    assert count(counter, lambda: api.request("PATCH", f"{path}/members/{guest}", user=user,
                                              json_body={"role": "editor"})) == {
        "GetItem": 1, "TransactWriteItems": 1}
    assert count(counter, lambda: api.request("DELETE", f"{path}/members/{guest}",
                                              user=user)) == {"GetItem": 1,
                                                              "TransactWriteItems": 1}
    assert count(counter, lambda: api.request(
        "DELETE", f"{path}/invitations/{created['invitationId']}", user=user)) == {
        "GetItem": 1, "UpdateItem": 1}
    assert count(counter, lambda: api.request("DELETE", path, user=user)) == {
        "GetItem": 1, "TransactWriteItems": 1}


def test_a_page_of_a_big_shared_list_reads_at_most_its_limit(
    api: InProcessApi, counter: RequestCounter, user: str,
) -> None:
    """300 tasks and 50 members: a page of 5 reads the record and 5 tasks, one Query."""
    list_id = create_list(api, user)["listId"]
    token = invite(api, user, list_id, maxUses=50)["token"]
    for i in range(49):
        ok(accept(api, f"m{i}-{list_id[-6:]}", token))
    seed_tasks(tasks_partition(list_id), 300)
    seed_tasks(user, 50)  # the owner's own tasks are elsewhere
    member = f"m7-{list_id[-6:]}"
    for query in ("limit=5", "limit=5&status=completed", "limit=5&assignee=me"):
        page = partial(api.request, "GET", f"/lists/{list_id}/todos?{query}", user=member)
        assert count(counter, page) == {"GetItem": 1, "Query": 1}
        assert counter.items_read == 1 + 5
    remove_seeded(tasks_partition(list_id))
    remove_seeded(user)


def test_a_page_of_lists_reads_at_most_twice_its_limit(
    api: InProcessApi, counter: RequestCounter, user: str,
) -> None:
    """Memberships (one Query of at most `limit`), then their lists' records (one batch)."""
    for i in range(5):
        create_list(api, user, f"x{i}")
    path, seen = "/lists?limit=3", 0
    while path:
        counter.reset()
        reply = api.request("GET", path, user=user)
        page = ok(reply)
        shared = [found for found in page if found["listId"] != "default"]
        # (DynamoDB ends a full page with a LastEvaluatedKey: the last page may be empty.)
        assert counter.requests == ({"Query": 1, "BatchGetItem": 1} if shared
                                    else {"Query": 1})
        assert counter.items_read <= 2 * 3
        seen += len(page)
        cursor = reply.headers.get("x-next-cursor")
        path = f"/lists?limit=3&cursor={cursor}" if cursor else ""
    assert seen == 6
