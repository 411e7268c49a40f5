"""The operations of /lists, members, invitations and accepting them (docs/LISTS.md): thin
HTTP adapters that the four entry points register by verb (create_todo: POST, get_todos:
GET, update_todo: PATCH, delete_todo: DELETE). Also the access check the task routes share."""

from typing import Any

from services.domain import list_input, lists, sharing
from services.domain.lists import DEFAULT_LIST, Access
from services.edge.http import Request, Response, if_match, json_response
from services.edge.representation import list_response, next_page_headers, with_list_url


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
    return json_response(200, [with_list_url(request, found) for found in page.lists], headers)


def create_list(request: Request) -> Response:
    caller = request.caller()
    name = list_input.parse_list(request.json_object())
    return list_response(request, lists.create_list(caller, name), status=201)


def _list(request: Request) -> Access:
    """The access check of a list route (the default list's needs no request)."""
    return lists.open_list(request.caller(), list_of(request))


def get_list(request: Request) -> Response:
    return list_response(request, lists.get_list(_list(request)))


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
    return json_response(200, sharing.members(_list(request)))


def update_member(request: Request) -> Response:
    access = _list(request)
    role = list_input.parse_role(request.json_object())
    return json_response(200, sharing.set_role(access, request.path_params["userId"], role))


def remove_member(request: Request) -> Response:
    access = _list(request)
    user_id = request.path_params["userId"]
    sharing.remove_member(access, user_id)
    left = "You left" if user_id == access.caller else f"Member '{user_id}' removed from"
    return json_response(200, {"message": f"{left} list '{access.list_id}'"})


def list_invitations(request: Request) -> Response:
    return json_response(200, sharing.invitations(_list(request)))


def create_invitation(request: Request) -> Response:
    access = _list(request)
    spec = list_input.parse_invitation(request.json_object())
    created: dict[str, Any] = sharing.create_invitation(access, spec)
    where = request.url_for(f"/lists/{access.list_id}/invitations/{created['invitationId']}")
    return json_response(201, created, {"Location": where})


def revoke_invitation(request: Request) -> Response:
    sharing.revoke_invitation(_list(request), request.path_params["invitationId"])
    return json_response(200, {"message": "Invitation revoked"})


def accept_invitation(request: Request) -> Response:
    caller = request.caller()
    token = list_input.parse_accept(request.json_object())
    return list_response(request, sharing.accept(caller, token))
