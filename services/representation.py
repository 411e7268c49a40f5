"""How a task goes on the wire: its URL, its ETag, Location on create."""

from typing import Any

from services.http import Request, Response, etag, json_response


def with_url(request: Request, task: dict[str, Any]) -> dict[str, Any]:
    return {**task, "url": request.url_for(f"/todos/{task['taskId']}")}


def task_response(request: Request, task: dict[str, Any], status: int = 200) -> Response:
    body = with_url(request, task)
    headers = {"ETag": etag(task["version"])}
    if status == 201:
        headers["Location"] = body["url"]
    return json_response(status, body, headers)
