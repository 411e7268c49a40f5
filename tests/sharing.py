"""Helpers for the tests of lists and sharing: a shared list with members of every role, made
through the API itself (docs/LISTS.md)."""

import uuid
from dataclasses import dataclass, field
from typing import Any

from tests.support import Api, Reply


def ok(reply: Reply, status: int = 200) -> Any:
    assert reply.status == status, (reply.status, reply.body[:400])
    return reply.json()


def new_user(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def create_list(api: Api, owner: str, name: str = "Shared") -> dict[str, Any]:
    found: dict[str, Any] = ok(api.request("POST", "/lists", user=owner,
                                           json_body={"name": name}), 201)
    return found


def invite(api: Api, owner: str, list_id: str, role: str = "editor",
           **extra: Any) -> dict[str, Any]:
    created: dict[str, Any] = ok(api.request(
        "POST", f"/lists/{list_id}/invitations", user=owner,
        json_body={"role": role, **extra}), 201)
    return created


def accept(api: Api, user: str, token: str) -> Reply:
    return api.request("POST", "/invitations/accept", user=user, json_body={"token": token})


def join(api: Api, owner: str, list_id: str, user: str, role: str) -> None:
    ok(accept(api, user, invite(api, owner, list_id, role)["token"]))


def _pages(api: Api, user: str, query: str) -> tuple[list[dict[str, Any]], Reply]:
    """Every item a listing gives, following the cursors; and its last page."""
    found: list[dict[str, Any]] = []
    path = query
    while True:
        reply = api.request("GET", path, user=user)
        found += ok(reply)
        cursor = reply.headers.get("x-next-cursor")
        if not cursor:
            return found, reply
        path = f"{query}&cursor={cursor}"


def list_tasks(api: Api, user: str, list_id: str) -> list[dict[str, Any]]:
    """Every task of a list, following the pages."""
    return _pages(api, user, f"/lists/{list_id}/todos?limit=100")[0]


def sync(api: Api, user: str, list_id: str, token: str) -> tuple[list[dict[str, Any]], str]:
    """Every change since `token` (all pages), and the token to keep."""
    changes, last = _pages(api, user, f"/lists/{list_id}/todos?since={token}")
    return changes, last.headers["x-sync-token"]


@dataclass
class Shared:
    """A list owned by `owner`, with an editor, a viewer, a member removed since and a user
    who never was a member; one task in it."""

    list_id: str
    owner: str
    editor: str
    viewer: str
    removed: str
    stranger: str
    task: dict[str, Any] = field(default_factory=dict)

    @property
    def roles(self) -> dict[str, str]:
        return {"owner": self.owner, "editor": self.editor, "viewer": self.viewer,
                "removed": self.removed, "stranger": self.stranger}


def shared_list(api: Api) -> Shared:
    owner, editor, viewer = new_user("owner"), new_user("editor"), new_user("viewer")
    removed, stranger = new_user("removed"), new_user("stranger")
    list_id = create_list(api, owner, "Household")["listId"]
    join(api, owner, list_id, editor, "editor")
    join(api, owner, list_id, viewer, "viewer")
    join(api, owner, list_id, removed, "editor")
    ok(api.request("DELETE", f"/lists/{list_id}/members/{removed}", user=owner))
    task = ok(api.request("POST", f"/lists/{list_id}/todos", user=owner,
                          json_body={"title": "secret task", "description": "private"}), 201)
    return Shared(list_id, owner, editor, viewer, removed, stranger, task)
