"""How a task goes on the wire: its URL, its ETag, Location on create; a list's next page."""

from typing import Any
from urllib.parse import urlencode

from services.edge.http import Request, Response, etag, json_response


def with_url(request: Request, task: dict[str, Any]) -> dict[str, Any]:
    return {**task, "url": request.url_for(f"/todos/{task['taskId']}")}


def task_response(request: Request, task: dict[str, Any], status: int = 200) -> Response:
    body = with_url(request, task)
    headers = {"ETag": etag(task["version"])}
    if status == 201:
        headers["Location"] = body["url"]
    return json_response(status, body, headers)


def next_page_headers(request: Request, query: dict[str, Any], cursor: str) -> dict[str, str]:
    """The next page of /todos: its cursor, and its URL (the same query, with that cursor)."""
    url = f'{request.url_for("/todos")}?{urlencode({**query, "cursor": cursor})}'
    return {"X-Next-Cursor": cursor, "Link": f'<{url}>; rel="next"'}
