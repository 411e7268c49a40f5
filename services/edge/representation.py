"""How a task or a list goes on the wire: its URL, its ETag, Location on create; a page's next
page."""

import hashlib
from typing import Any
from urllib.parse import urlencode

from services.edge import conditions
from services.edge.http import Request, Response, etag, json_response


def task_path(task: dict[str, Any]) -> str:
    """A task's own URL path: a default list's task keeps the seed's /todos/{taskId}."""
    list_id = task.get("listId", "default")
    prefix = "" if list_id == "default" else f"/lists/{list_id}"
    return f"{prefix}/todos/{task['taskId']}"


def list_path(found: dict[str, Any]) -> str:
    return f"/lists/{found['listId']}"


def with_url(request: Request, task: dict[str, Any]) -> dict[str, Any]:
    return {**task, "url": request.url_for(task_path(task))}


def task_response(request: Request, task: dict[str, Any], status: int = 200) -> Response:
    return _versioned(with_url(request, task), status)


def with_list_url(request: Request, found: dict[str, Any]) -> dict[str, Any]:
    return {**found, "url": request.url_for(list_path(found))}


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


def page_etag(response: Response) -> str:
    """A list page's ETag: a digest of its body, so it changes exactly when a task on the
    page (any field, its version, its URL) or the page's membership does. Headers such as
    X-Sync-Token and X-Next-Cursor are not part of it: they move with the clock."""
    return f'"{hashlib.sha256(response["body"].encode("utf-8", "surrogatepass")).hexdigest()[:32]}"'


def unless_not_modified(request: Request, response: Response) -> Response:
    """A GET's 200 whose ETag matches If-None-Match (weak comparison, RFC 9110 13.1.2)
    becomes a 304 with the same headers and no body."""
    tag = response["headers"].get("ETag")
    header = request.headers.get("if-none-match")
    if response["statusCode"] != 200 or tag is None or not conditions.none_match(header, tag):
        return response
    headers = {k: v for k, v in response["headers"].items() if k != "Content-Type"}
    return {"statusCode": 304, "headers": headers, "body": ""}
