"""Concurrent clients over real HTTP: optimistic concurrency and idempotent create hold."""

from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from models import IdempotencyRecord
from models.idempotency import partition
from tests.support import Api, HttpApi, InProcessApi, LocalServer, Reply


@pytest.fixture
def http(local_server: LocalServer) -> HttpApi:
    return HttpApi(local_server.url)


def _parallel(count: int, call: Any) -> list[Reply]:
    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(call, range(count)))


def test_twenty_patches_with_one_if_match_have_one_winner(http: HttpApi, user: str) -> None:
    task = http.create(user, title="original")
    path = f"/todos/{task['taskId']}"

    def patch(i: int) -> Reply:
        return HttpApi(http.base_url).request("PATCH", path, user=user,
                                              json_body={"title": f"writer {i}"},
                                              headers={"If-Match": '"1"'})

    replies = _parallel(20, patch)
    statuses = sorted(r.status for r in replies)
    assert statuses == [200] + [412] * 19
    [winner] = [r.json() for r in replies if r.status == 200]
    now = http.request("GET", path, user=user).json()
    assert now["title"] == winner["title"] and now["version"] == 2


CHANGES: list[dict[str, Any]] = [
    {"title": "new title"}, {"description": "new description"}, {"status": "in_progress"},
    {"dueDate": "2027-01-01"}, {"priority": "urgent"}, {"tags": ["x", "y"]}, {"order": 42},
]


def test_twenty_patches_of_different_fields_all_land(http: HttpApi, user: str) -> None:
    task = http.create(user, title="original")
    path = f"/todos/{task['taskId']}"

    def patch(i: int) -> Reply:
        return HttpApi(http.base_url).request("PATCH", path, user=user,
                                              json_body=CHANGES[i % len(CHANGES)])

    assert {r.status for r in _parallel(20, patch)} == {200}
    now = http.request("GET", path, user=user).json()
    for change in CHANGES:
        for field, value in change.items():
            assert now[field] == value, field
    assert now["version"] == 21


def test_ten_concurrent_creates_with_one_key_make_one_task(http: HttpApi, user: str) -> None:
    def create(i: int) -> Reply:
        return HttpApi(http.base_url).request("POST", "/todos", user=user,
                                              json_body={"title": "once"},
                                              headers={"Idempotency-Key": "k-1"})

    replies = _parallel(10, create)
    tasks = http.tasks_of(user)
    assert len(tasks) == 1
    created = [r for r in replies if 200 <= r.status < 300]
    assert created, [r.body for r in replies]
    assert {r.json()["taskId"] for r in created} == {tasks[0]["taskId"]}
    assert all(r.status in (201, 409) for r in replies)


def test_retry_with_same_key_and_body_replays_the_first_answer(api: Api, user: str) -> None:
    headers = {"Idempotency-Key": "order-7"}
    first = api.request("POST", "/todos", user=user, json_body={"title": "pay"}, headers=headers)
    assert first.status == 201 and "idempotent-replayed" not in first.headers
    api.request("PATCH", f"/todos/{first.json()['taskId']}", user=user,
                json_body={"title": "changed since"})
    again = api.request("POST", "/todos", user=user, json_body={"title": "pay"}, headers=headers)
    assert again.status == 201 and again.headers["idempotent-replayed"] == "true"
    assert again.json() == first.json()
    assert again.headers["location"] == first.headers["location"]
    assert len(api.tasks_of(user)) == 1


def test_same_key_with_another_body_is_422_and_creates_nothing(api: Api, user: str) -> None:
    headers = {"Idempotency-Key": "k"}
    assert api.request("POST", "/todos", user=user, json_body={"title": "a"},
                       headers=headers).status == 201
    other = api.request("POST", "/todos", user=user, json_body={"title": "b"}, headers=headers)
    assert other.status == 422 and other.content_type == "application/problem+json"
    assert [t["title"] for t in api.tasks_of(user)] == ["a"]


def test_keys_belong_to_one_user(api: Api, user: str, other_user: str) -> None:
    headers = {"Idempotency-Key": "shared"}
    mine = api.request("POST", "/todos", user=user, json_body={"title": "a"}, headers=headers)
    theirs = api.request("POST", "/todos", user=other_user, json_body={"title": "a"},
                         headers=headers)
    assert mine.status == theirs.status == 201
    assert mine.json()["taskId"] != theirs.json()["taskId"]
    assert theirs.json()["userId"] == other_user


def test_an_expired_key_creates_again(gateway: Any, user: str) -> None:
    api = InProcessApi(gateway)
    headers = {"Idempotency-Key": "old"}
    first = api.request("POST", "/todos", user=user, json_body={"title": "a"}, headers=headers)
    record = IdempotencyRecord.get(partition(user), "old")
    record.update(actions=[IdempotencyRecord.expires_at.set(1)])  # TTL has not swept it yet
    second = api.request("POST", "/todos", user=user, json_body={"title": "a"}, headers=headers)
    assert second.status == 201 and "idempotent-replayed" not in second.headers
    assert second.json()["taskId"] != first.json()["taskId"]
    assert len(api.tasks_of(user)) == 2


@pytest.mark.parametrize("key", ["", "has space", "é", "x" * 256])
def test_invalid_keys_are_400(api: Api, user: str, key: str) -> None:
    reply = api.request("POST", "/todos", user=user, json_body={"title": "a"},
                        headers={"Idempotency-Key": key})
    assert reply.status == 400, reply.body
    assert api.tasks_of(user) == []


def test_idempotency_records_never_show_up_as_tasks(api: Api, user: str) -> None:
    api.request("POST", "/todos", user=user, json_body={"title": "a"},
                headers={"Idempotency-Key": "k"})
    assert len(api.tasks_of(user)) == 1
    hashed = api.request("GET", "/todos", user=f"{user}#idempotency")
    assert hashed.status == 401
