"""Paging through 230 tasks: no duplicate, no gap, creation order both ways, Link and cursor."""

from urllib.parse import urlsplit

import pytest

from tests.support import Api


def _walk(api: Api, user: str, first: str) -> tuple[list[str], list[int]]:
    ids: list[str] = []
    sizes: list[int] = []
    path: str | None = first
    while path:
        reply = api.request("GET", path, user=user)
        assert reply.status == 200
        page = reply.json()
        sizes.append(len(page))
        ids += [task["taskId"] for task in page]
        link = reply.headers.get("link")
        cursor = reply.headers.get("x-next-cursor")
        assert (link is None) == (cursor is None)
        if link:
            assert link.endswith('>; rel="next"') and f"cursor={cursor}" in link
            url = urlsplit(link[1: link.index(">")])
            path = f"{url.path}?{url.query}"
        else:
            path = None
    return ids, sizes


@pytest.fixture(scope="module")
def many(request: pytest.FixtureRequest) -> tuple[str, list[str]]:
    from tests.support import InProcessApi

    api = InProcessApi(request.getfixturevalue("gateway"))
    user = "pager"
    created = [api.create(user, title=f"task {i}")["taskId"] for i in range(230)]
    return user, created


def test_pages_cover_every_task_once_in_creation_order(
    gateway: object, many: tuple[str, list[str]]
) -> None:
    from tests.support import InProcessApi

    api = InProcessApi(gateway)  # type: ignore[arg-type]
    user, created = many
    ids, sizes = _walk(api, user, "/todos?limit=50")
    assert ids == created
    assert sizes[:4] == [50, 50, 50, 50] and sum(sizes) == 230
    desc, _ = _walk(api, user, "/todos?limit=37&order=desc")
    assert desc == list(reversed(created))
    default, _ = _walk(api, user, "/todos")
    assert default == created


def test_paging_over_http(api: Api, user: str) -> None:
    created = [api.create(user, title=f"t{i}")["taskId"] for i in range(23)]
    ids, sizes = _walk(api, user, "/todos?limit=5")
    assert ids == created and sizes[:4] == [5, 5, 5, 5]
    desc, _ = _walk(api, user, "/todos?limit=4&order=desc")
    assert desc == list(reversed(created))


def test_status_filter_pages_never_mix_statuses(api: Api, user: str) -> None:
    made = [api.create(user, title=f"t{i}", status=("completed" if i % 3 == 0 else "pending"))
            for i in range(12)]
    ids, _ = _walk(api, user, "/todos?limit=4&status=completed")
    assert ids == [t["taskId"] for t in made if t["status"] == "completed"]
