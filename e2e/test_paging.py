"""Pages: limit, the next page's cursor and Link, order and the status filter."""

import re

from e2e.client import Client

NEXT = re.compile(r'<([^>]+)>;\s*rel="next"')


def test_pages_cover_every_task_once_in_creation_order(alice: Client) -> None:
    created = [alice.create(title=f"task {i}")["taskId"] for i in range(5)]
    seen: list[str] = []
    reply = alice.request("GET", "/todos?limit=2")
    pages = 0
    while True:
        assert reply.status == 200, reply
        page = reply.json()
        assert len(page) <= 2
        seen += [t["taskId"] for t in page]
        pages += 1
        link = reply.headers.get("Link")
        if not link:
            assert not reply.headers.get("X-Next-Cursor")
            break
        match = NEXT.search(link)
        assert match, link
        assert f"cursor={reply.headers['X-Next-Cursor']}" in match.group(1)
        reply = alice.follow(match.group(1))
    assert seen == created
    assert pages in (3, 4)  # 2 + 2 + 1, perhaps with a last empty page

    newest_first = alice.request("GET", "/todos?order=desc&limit=100")
    assert [t["taskId"] for t in newest_first.json()] == created[::-1]


def test_status_filter(alice: Client) -> None:
    tasks = [alice.create(title=f"task {i}") for i in range(4)]
    for task in tasks[1::2]:
        done = alice.request("PATCH", f"/todos/{task['taskId']}", json_body={"completed": True})
        assert done.status == 200, done
    completed = alice.request("GET", "/todos?status=completed")
    assert completed.status == 200, completed
    assert [t["taskId"] for t in completed.json()] == [t["taskId"] for t in tasks[1::2]]
    pending = alice.request("GET", "/todos?status=pending").json()
    assert [t["taskId"] for t in pending] == [t["taskId"] for t in tasks[0::2]]


def test_bad_paging_parameters_are_refused(alice: Client) -> None:
    for query in ("limit=0", "limit=101", "limit=ten", "order=sideways", "status=done",
                  "cursor=not-a-cursor"):
        reply = alice.request("GET", f"/todos?{query}")
        assert reply.status == 400, (query, reply)
        assert reply.content_type.startswith("application/problem+json"), query
