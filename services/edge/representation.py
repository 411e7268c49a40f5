"""How a task or a list goes on the wire: its URL, its ETag, Location on create; a page's next
page."""

from typing import Any
from urllib.parse import urlencode

from services.edge.http import Request, Response, etag, json_response


def task_path(task: dict[str, Any]) -> str:
    """A task's own URL path: a default list's task keeps the seed's /todos/{taskId}."""
    list_id = task.get("listId", "default")
    prefix = "" if list_id == "default" else f"/lists/{list_id}"
    return f"{prefix}/todos/{task['taskId']}"


def with_url(request: Request, task: dict[str, Any]) -> dict[str, Any]:
    return {**task, "url": request.url_for(task_path(task))}


def task_response(request: Request, task: dict[str, Any], status: int = 200) -> Response:
    return _versioned(with_url(request, task), status)


def with_list_url(request: Request, found: dict[str, Any]) -> dict[str, Any]:
    return {**found, "url": request.url_for(f"/lists/{found['listId']}")}


def list_response(request: Request, found: dict[str, Any], status: int = 200) -> Response:
    return _versioned(with_list_url(request, found), status)


def _versioned(body: dict[str, Any], status: int) -> Response:
    headers = {"ETag": etag(body["version"])}
    if status == 201:
        headers["Location"] = body["url"]
    return json_response(status, body, headers)


def next_page_headers(request: Request, query: dict[str, Any], cursor: str,
                      path: str = "/todos") -> dict[str, str]:
    """The next page of a listing: its cursor, and its URL (the same query, with that
    cursor)."""
    url = f'{request.url_for(path)}?{urlencode({**query, "cursor": cursor})}'
    return {"X-Next-Cursor": cursor, "Link": f'<{url}>; rel="next"'}
