"""DynamoDB requests per API request, counted from the client's own request events: one per
create, get, update and delete; at most two for an idempotent retry; one per list page, and
a page reads at most its limit, however many tasks the user has."""

from collections.abc import Iterator
from typing import Any

import pytest

from emulator.dynamodb import RequestCounter
from models import ALL_MODELS
from tests.support import InProcessApi


@pytest.fixture
def counter(dynamodb_endpoint: str) -> Iterator[RequestCounter]:
    counter = RequestCounter([m._get_connection().connection.client for m in ALL_MODELS])
    yield counter
    counter.reset()


@pytest.fixture
def api(gateway: Any) -> InProcessApi:
    return InProcessApi(gateway)


def count(counter: RequestCounter, call: Any) -> dict[str, int]:
    counter.reset()
    call()
    return dict(counter.requests)


def test_one_request_per_single_task_route(api: InProcessApi, counter: RequestCounter,
                                           user: str) -> None:
    created: dict[str, Any] = {}

    def create() -> None:
        created.update(api.create(user, title="counted"))

    assert count(counter, create) == {"PutItem": 1}
    path = f"/todos/{created['taskId']}"
    assert count(counter, lambda: api.request("GET", path, user=user)) == {"GetItem": 1}
    assert count(counter, lambda: api.request("PUT", path, user=user,
                                              json_body={"title": "x"})) == {"UpdateItem": 1}
    assert count(counter, lambda: api.request("PATCH", path, user=user,
                                              json_body={"title": "y"})) == {"UpdateItem": 1}
    stale = count(counter, lambda: api.request("PATCH", path, user=user, json_body={"title": "z"},
                                                headers={"If-Match": '"1"'}))
    assert stale == {"UpdateItem": 1}  # the 412 comes from the failed condition's own answer
    assert count(counter, lambda: api.request("DELETE", path, user=user)) == {"DeleteItem": 1}
    assert count(counter, lambda: api.request("DELETE", path, user=user)) == {"DeleteItem": 1}


def test_idempotent_create_and_its_retry(api: InProcessApi, counter: RequestCounter,
                                         user: str) -> None:
    def send() -> None:
        api.request("POST", "/todos", user=user, json_body={"title": "a"},
                    headers={"Idempotency-Key": "count-me"})

    assert count(counter, send) == {"TransactWriteItems": 1}
    assert count(counter, send) == {"TransactWriteItems": 1}  # the answer carries the record


def test_a_list_page_is_one_query_that_reads_at_most_the_limit(
    api: InProcessApi, counter: RequestCounter, user: str, other_user: str,
) -> None:
    for i in range(12):
        api.create(user, title=f"t{i}")
    reads = {}
    for who, n in ((other_user, 3), (user, 12)):
        for i in range(3 if who == other_user else 0):
            api.create(who, title=f"o{i}")
        assert count(counter, lambda w=who: api.request("GET", "/todos?limit=5", user=w)) == {
            "Query": 1}
        reads[n] = counter.items_read
    assert reads == {3: 3, 12: 5}
    page = count(counter, lambda: api.request("GET", "/todos?limit=5&status=completed",
                                              user=user))
    assert page == {"Query": 1} and counter.items_read == 5
