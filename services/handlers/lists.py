"""The operations of /lists, members, invitations and accepting them (docs/LISTS.md): thin
HTTP adapters that the four entry points register by verb (create_todo: POST, get_todos:
GET, update_todo: PATCH, delete_todo: DELETE). Also the access check the task routes share."""

from typing import Any

from services.domain import list_input, lists, sharing, tasks
from services.domain.lists import DEFAULT_LIST, Access
from services.edge.http import Request, Response, idempotency_key, if_match, json_response
from services.edge.representation import (
    list_response,
    next_page_headers,
    page_etag,
    unless_not_modified,
    with_list_url,
)


def list_of(request: Request) -> str:
    """The list a route names: its {listId}, or the default list for /todos..."""
    return request.path_params.get("listId", DEFAULT_LIST)


def tasks_path(request: Request) -> str:
    """Where the route's list keeps its tasks, as a URL path (for Link headers)."""
    return "/todos" if "listId" not in request.path_params else f"/lists/{list_of(request)}/todos"


def task_list(request: Request, *, write: bool = False) -> Access:
    """The access check every task route starts with (no request for the default list)."""
    return lists.open_list(request.caller(), list_of(request), write=write)


def list_lists(request: Request) -> Response:
    page = lists.list_lists(request.caller(), limit=request.params["limit"],
                            after=request.params.get("cursor"))
    headers: dict[str, str] = {}
    if page.next_cursor:
        headers = next_page_headers(request, {"limit": request.params["limit"]},
                                    page.next_cursor, path="/lists")
    return _page(request, [with_list_url(request, found) for found in page.lists], headers)


def _page(request: Request, body: list[dict[str, Any]],
          headers: dict[str, str] | None = None) -> Response:
    """A GET's array answer, with its digest as ETag (If-None-Match: 304 while unchanged)."""
    response = json_response(200, body, headers)
    response["headers"]["ETag"] = page_etag(response)
    return unless_not_modified(request, response)


def create_list(request: Request) -> Response:
    caller = request.caller()
    body = request.json_object()
    key = idempotency_key(request)
    name = list_input.parse_list(body)
    created = lists.create_list(caller, name, idempotency_key=key,
                                request_fingerprint=tasks.fingerprint(body))
    response = list_response(request, created.view, status=201)
    if created.replayed:
        response["headers"]["Idempotent-Replayed"] = "true"
    return response


def _list(request: Request) -> Access:
    """The access check of a list route (the default list's needs no request)."""
    return lists.open_list(request.caller(), list_of(request))


def get_list(request: Request) -> Response:
    return unless_not_modified(request, list_response(request, lists.get_list(_list(request))))


def rename_list(request: Request) -> Response:
    expected = if_match(request)
    access = _list(request)
    name = list_input.parse_list(request.json_object())
    return list_response(request, lists.rename_list(access, name, expected_version=expected))


def delete_list(request: Request) -> Response:
    expected = if_match(request)
    lists.delete_list(_list(request), expected_version=expected)
    return json_response(200, {"message": f"List '{list_of(request)}' deleted"})


def list_members(request: Request) -> Response:
    return _page(request, sharing.members(_list(request)))


def update_member(request: Request) -> Response:
    expected = if_match(request)
    access = _list(request)
    role = list_input.parse_role(request.json_object())
    member = sharing.set_role(access, request.path_params["memberId"], role,
                              expected_version=expected)
    return json_response(200, member)


def remove_member(request: Request) -> Response:
    expected = if_match(request)
    access = _list(request)
    user_id = request.path_params["memberId"]
    sharing.remove_member(access, user_id, expected_version=expected)
    left = "You left" if user_id == access.caller else f"Member '{user_id}' removed from"
    return json_response(200, {"message": f"{left} list '{access.list_id}'"})


def list_invitations(request: Request) -> Response:
    return _page(request, sharing.invitations(_list(request)))


def create_invitation(request: Request) -> Response:
    access = _list(request)
    spec = list_input.parse_invitation(request.json_object())
    created: dict[str, Any] = sharing.create_invitation(access, spec)
    where = request.url_for(f"/lists/{access.list_id}/invitations/{created['invitationId']}")
    return json_response(201, created, {"Location": where})


def revoke_invitation(request: Request) -> Response:
    expected = if_match(request)
    sharing.revoke_invitation(_list(request), request.path_params["invitationId"],
                              expected_version=expected)
    return json_response(200, {"message": "Invitation revoked"})


def accept_invitation(request: Request) -> Response:
    caller = request.caller()
    token = list_input.parse_accept(request.json_object())
    return list_response(request, sharing.accept(caller, token))
