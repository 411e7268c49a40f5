"""A thin HTTP client for one user of the API under test: requests and JSON, nothing else."""

import json
from typing import Any
from urllib.parse import urljoin

import requests

TIMEOUT = 30  # seconds; API Gateway itself gives up after 29


class Reply:
    def __init__(self, response: requests.Response) -> None:
        self.status = response.status_code
        self.headers = response.headers  # case-insensitive
        self.body = response.content

    def json(self) -> Any:
        return json.loads(self.body)

    @property
    def content_type(self) -> str:
        return str(self.headers.get("Content-Type", ""))

    def __repr__(self) -> str:
        return f"<{self.status} {self.body[:300]!r}>"


class Client:
    """One signed-in user: every call carries their token."""

    def __init__(self, base_url: str, token: str, session: requests.Session) -> None:
        self.base_url = base_url.rstrip("/")
        self.token = token
        self.session = session

    def url(self, path: str) -> str:
        return self.base_url + path

    def request(self, method: str, path: str, *, json_body: Any = None, body: bytes | None = None,
                headers: dict[str, str] | None = None, token: str | None = None) -> Reply:
        sent = {"Authorization": f"Bearer {self.token if token is None else token}"}
        if token == "":  # an anonymous call
            sent = {}
        if json_body is not None:
            body = json.dumps(json_body).encode()
            sent["Content-Type"] = "application/json"
        sent.update(headers or {})
        response = self.session.request(method, self.url(path), data=body, headers=sent,
                                        timeout=TIMEOUT, allow_redirects=False)
        return Reply(response)

    def follow(self, link: str) -> Reply:
        """GET a URL the API handed out (a Link header), relative or absolute."""
        response = self.session.get(urljoin(self.base_url + "/", link), timeout=TIMEOUT,
                                    headers={"Authorization": f"Bearer {self.token}"})
        return Reply(response)

    def create(self, **fields: Any) -> dict[str, Any]:
        reply = self.request("POST", "/todos", json_body={"title": "e2e task", **fields})
        assert reply.status == 201, reply
        task: dict[str, Any] = reply.json()
        return task

    def tasks(self) -> list[dict[str, Any]]:
        """Every task of this user, page by page."""
        return self.every("/todos")

    def every(self, collection: str) -> list[dict[str, Any]]:
        """Every item of a paged collection (/todos, /lists), following the cursors."""
        found: list[dict[str, Any]] = []
        path = f"{collection}?limit=100"
        while True:
            reply = self.request("GET", path)
            assert reply.status == 200, reply
            found += reply.json()
            cursor = reply.headers.get("X-Next-Cursor")
            if not cursor:
                return found
            path = f"{collection}?limit=100&cursor={cursor}"

    def clear(self) -> None:
        """Delete every task of this user (the clear route works in batches: repeat on `more`),
        every list it owns (with their tasks), and leave every list shared with it."""
        for found in self.lists()[1:]:
            if found["role"] == "owner":
                reply = self.request("DELETE", f"/lists/{found['listId']}")
            else:
                reply = self.request("DELETE", f"/lists/{found['listId']}/members/"
                                     f"{self.user_id()}")
            assert reply.status in (200, 404), reply  # (404: its owner deleted it meanwhile)
        for _ in range(100):
            reply = self.request("DELETE", "/todos?status=all")
            assert reply.status == 200, reply
            if not reply.json().get("more"):
                return
        raise AssertionError("the user's tasks could not be cleared")

    def lists(self) -> list[dict[str, Any]]:
        """Every list of this user (the default first), page by page."""
        return self.every("/lists")

    def user_id(self) -> str:
        """The id the API knows this user by (the default list's owner)."""
        reply = self.request("GET", "/lists/default")
        assert reply.status == 200, reply
        owner: str = reply.json()["ownerId"]
        return owner
