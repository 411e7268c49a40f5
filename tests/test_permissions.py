"""Least privilege, measured: the IAM actions each function's role allows
(infra/permissions.py) are exactly those its DynamoDB requests need, as recorded while every
route runs its ways (a transaction needs the action of each of its parts)."""

from collections.abc import Iterator
from typing import Any

import pytest

from infra.permissions import FUNCTION_ACTIONS
from models import ALL_MODELS
from services.edge.routes import ROUTES
from tests.sharing import accept, create_list, invite, new_user, ok, shared_list
from tests.support import InProcessApi

_PARTS = {"Put": "PutItem", "Update": "UpdateItem", "Delete": "DeleteItem",
          "ConditionCheck": "ConditionCheckItem", "Get": "GetItem"}


def actions(operation: str, params: dict[str, Any]) -> set[str]:
    if operation in ("TransactWriteItems", "TransactGetItems"):
        return {f"dynamodb:{_PARTS[kind]}" for item in params["TransactItems"] for kind in item}
    return {f"dynamodb:{operation}"}


class Recorder:
    def __init__(self) -> None:
        self.seen: set[str] = set()
        self.clients = {id(m._get_connection().connection.client):
                        m._get_connection().connection.client for m in ALL_MODELS}
        for client in self.clients.values():
            client.meta.events.register("before-parameter-build.dynamodb.*", self._call)

    def _call(self, params: dict[str, Any], model: Any, **_: Any) -> None:
        self.seen |= actions(model.name, params)

    def stop(self) -> None:
        for client in self.clients.values():
            client.meta.events.unregister("before-parameter-build.dynamodb.*", self._call)


@pytest.fixture
def recorder(dynamodb_endpoint: str) -> Iterator[Recorder]:
    recorder = Recorder()
    yield recorder
    recorder.stop()


def function_of(method: str, path: str) -> str:
    """The function that serves a request (literal path segments before variables)."""
    segments = path.partition("?")[0].strip("/").split("/")
    for route in sorted(ROUTES, key=lambda r: r.path.count("{")):
        template = route.path.strip("/").split("/")
        if route.method == method and len(template) == len(segments) and all(
                t.startswith("{") or t == s for t, s in zip(template, segments, strict=True)):
            return route.function
    raise AssertionError(f"no route for {method} {path}")


def test_each_function_may_do_exactly_what_its_requests_need(gateway: Any,
                                                             recorder: Recorder) -> None:
    api = InProcessApi(gateway)
    used: dict[str, set[str]] = {name: set() for name in FUNCTION_ACTIONS}
    shared = shared_list(api)
    owner, editor, list_id = shared.owner, shared.editor, shared.list_id
    other = create_list(api, owner, "other")["listId"]
    base = f"/lists/{list_id}/todos"

    def call(method: str, path: str, user: str, body: Any = None, **headers: str) -> Any:
        recorder.seen = set()
        reply = api.request(method, path, user=user, json_body=body, headers=headers)
        assert reply.status < 500, reply.body
        used[function_of(method, path)] |= recorder.seen
        return reply

    mine = call("POST", "/todos", owner, {"title": "t"}).json()
    call("POST", "/todo", owner, {"title": "seed", "userId": owner})
    call("POST", "/todos", owner, {"title": "k"}, **{"Idempotency-Key": "key"})
    call("POST", base, editor, {"title": "in the list"})
    token = call("GET", "/todos", owner).headers["x-sync-token"]
    for query in ("", "?sort=dueDate", f"?since={token}"):
        call("GET", f"/todos{query}", owner)
        call("GET", f"{base}{query}", editor)
    call("GET", f"/todos/{mine['taskId']}", owner)
    call("GET", f"{base}/{shared.task['taskId']}", editor)
    call("PUT", f"/todos/{mine['taskId']}", owner, {"title": "u"})
    call("PATCH", f"{base}/{shared.task['taskId']}", editor, {"title": "u"})
    call("PATCH", f"/todos/{mine['taskId']}", owner, {"listId": list_id})  # a move
    call("PATCH", f"{base}/{mine['taskId']}", owner, {"listId": other})
    call("PUT", f"/lists/{other}/todos/{mine['taskId']}", owner, {"listId": "default"})
    call("PATCH", f"/todos/{mine['taskId']}", owner, {"listId": "default"})  # no change
    call("DELETE", f"/todos/{mine['taskId']}", owner)
    seed = call("POST", "/todos", owner, {"title": "s"}).json()
    call("DELETE", f"/todos/{owner}/{seed['taskId']}", owner)
    call("DELETE", "/todos?status=all", owner)
    call("DELETE", f"{base}/{shared.task['taskId']}", editor)
    call("DELETE", f"{base}?status=all", editor)
    call("GET", "/lists", owner)
    call("GET", f"/lists/{list_id}", owner)
    call("GET", "/lists/default", owner)
    call("PATCH", f"/lists/{list_id}", owner, {"name": "n"})
    call("PATCH", "/lists/default", owner, {"name": "n"})
    call("GET", f"/lists/{list_id}/members", editor)
    call("PATCH", f"/lists/{list_id}/members/{editor}", owner, {"role": "viewer"})
    created = call("POST", f"/lists/{list_id}/invitations", owner, {"role": "viewer"}).json()
    call("GET", f"/lists/{list_id}/invitations", owner)
    call("POST", "/invitations/accept", new_user("guest"), {"token": created["token"]})
    spare = invite(api, owner, list_id)
    call("DELETE", f"/lists/{list_id}/invitations/{spare['invitationId']}", owner)
    call("DELETE", f"/lists/{list_id}/members/{editor}", owner)
    call("DELETE", f"/lists/{list_id}/members/{shared.viewer}", shared.viewer)
    call("DELETE", f"/lists/{list_id}", owner)
    ok(accept(api, new_user("late"), invite(api, owner, other)["token"]))
    for function, allowed in FUNCTION_ACTIONS.items():
        assert used[function] == set(allowed), function
