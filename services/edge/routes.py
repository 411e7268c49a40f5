"""Every route of the API, declared once: the handlers, the local emulator, the OpenAPI
document and the Pulumi program all read this table."""

from typing import Any, NamedTuple

from services.domain.fields import STATUSES

# Function name -> image command (module.function) that serves its routes.
FUNCTIONS: dict[str, str] = {
    "createTodo": "services.handlers.create_todo.handler",
    "getTodos": "services.handlers.get_todos.handler",
    "updateTodo": "services.handlers.update_todo.handler",
    "deleteTodo": "services.handlers.delete_todo.handler",
}


class Param(NamedTuple):
    name: str
    description: str
    kind: str = "string"  # or "integer"
    choices: tuple[str, ...] = ()
    minimum: int = 0
    maximum: int = 0
    max_length: int = 512
    default: str | int | None = None
    required: bool = False
    formats: tuple[str, ...] = ()  # string formats, any of which it may take

    def schema(self) -> dict[str, Any]:
        if self.kind == "integer":
            schema: dict[str, Any] = {
                "type": "integer", "minimum": self.minimum, "maximum": self.maximum,
            }
        elif self.choices:
            schema = {"type": "string", "enum": list(self.choices)}
        else:
            schema = {"type": "string", "minLength": 1, "maxLength": self.max_length}
        if self.formats:
            schema["anyOf"] = [{"format": name} for name in self.formats]
        if self.default is not None:
            schema["default"] = self.default
        return schema


class Route(NamedTuple):
    method: str
    path: str
    function: str
    operation_id: str
    summary: str
    params: tuple[Param, ...] = ()
    request_body: str | None = None  # name of a component schema
    status: int = 200
    response: str = "Task"  # name of a component schema
    authorized: bool = True
    deprecated: bool = False
    problems: tuple[tuple[str, str], ...] = ()  # statuses of this route only: (code, meaning)

    @property
    def path_params(self) -> list[str]:
        return path_variables(self.path)


def path_variables(path: str) -> list[str]:
    """The names of a resource path's {variables}, in order."""
    return [part[1:-1] for part in path.split("/") if part.startswith("{")]


# Idempotency-Key: what createTodo accepts, and what the OpenAPI document says it accepts.
IDEMPOTENCY_KEY_PATTERN = r"^[\x21-\x7e]{1,255}$"

# The seed sent the user id in the query; still accepted, and must name the caller.
SEED_USER = (
    Param("userId", "Seed compatibility: must be the signed-in user's id.", max_length=128),
    Param("userID", "Seed compatibility: must be the signed-in user's id.", max_length=128),
)
LIMIT = Param("limit", "Tasks per page.", kind="integer", minimum=1, maximum=100, default=50)
CURSOR = Param("cursor", "Opaque cursor from X-Next-Cursor or the Link header.")
ORDER = Param("order", "Ascending or descending (by creation, or by due date with "
              "sort=dueDate).", choices=("asc", "desc"), default="asc")
STATUS = Param("status", "Only tasks with this status.", choices=STATUSES)
TAG = Param("tag", "Only tasks holding this tag (a filter: a page may be short, the cursor "
            "goes on).", max_length=50)
SORT = Param(
    "sort", "createdAt (the default) or dueDate: the due-date view, which lists only tasks "
    "that have a due date, by dueAt (the instant, whatever the task's time zone) then "
    "creation. dueAfter/dueBefore imply it.",
    choices=("createdAt", "dueDate"),
)
DUE_AFTER = Param(
    "dueAfter", "Due-date view: tasks whose dueAt is at or after this ISO 8601 date or "
    "date-time (UTC: a date stands for the start of its day in UTC, a date-time without "
    "offset is UTC).", max_length=40,
    formats=("date", "date-time"),
)
DUE_BEFORE = Param(
    "dueBefore", "Due-date view: tasks whose dueAt is before this date or date-time "
    "(exclusive; read as dueAfter is).",
    max_length=40, formats=("date", "date-time"),
)
SINCE = Param(
    "since", "Delta sync: an X-Sync-Token from an earlier list. Lists every task created or "
    "changed since then and a tombstone {taskId, deleted: true, deletedAt} for every task "
    "deleted since then, oldest change first, in pages; the last page carries a fresh "
    "X-Sync-Token. A token stands for a minute before its listing began, so a change may "
    "come twice but none is missed. A token older than 30 days is 410. Not combinable with "
    "status, tag, sort, dueAfter, dueBefore or order=desc.",
)
CLEAR_STATUS = Param(
    "status", "Which tasks to delete: one status, or all.", choices=(*STATUSES, "all"),
    required=True,
)
CLEAR_CURSOR = Param(
    "cursor", "From the previous clear's `cursor` (or X-Next-Cursor): go on where it stopped.",
)
ASSIGNEE = Param(
    "assignee", "Only tasks assigned to this user: `me`, or a member's user id (a filter: a "
    "page may be short, the cursor goes on).", max_length=128,
)
LIST_VIEWS = (LIMIT, CURSOR, STATUS, TAG, ORDER, SORT, DUE_AFTER, DUE_BEFORE, SINCE, ASSIGNEE)
LISTS_LIMIT = Param("limit", "Lists per page.", kind="integer", minimum=1, maximum=100,
                    default=50)
# Statuses the routes of a list add, or say more precisely than for /todos.
ON_A_LIST = (
    ("403", "Your role in the list does not allow this (or nobody may: the default list)"),
    ("404", "No such list, or you are not a member of it (the same answer); or no such task"),
)
LIMITS = (("409", "A limit is reached: the problem's `limit` names it"),)

ROUTES: tuple[Route, ...] = (
    Route("POST", "/todos", "createTodo", "createTask", "Create a task", params=SEED_USER,
          request_body="TaskCreate", status=201),
    Route("POST", "/todo", "createTodo", "createTaskSeed",
          "Create a task (the seed tutorial's path)", params=SEED_USER,
          request_body="TaskCreate", status=201, deprecated=True),
    Route("GET", "/todos", "getTodos", "listTasks",
          "List the caller's tasks (by creation or due date), or what changed since a sync "
          "token", params=(*LIST_VIEWS, *SEED_USER),
          response="TaskList", problems=(("410", "The sync token is older than 30 days: "
                                          "list everything again"),)),
    Route("GET", "/todos/{taskId}", "getTodos", "getTask", "Get one task", params=SEED_USER),
    Route("PUT", "/todos/{taskId}", "updateTodo", "updateTask",
          "Update a task (partial, as the seed did)", params=SEED_USER,
          request_body="TaskUpdate"),
    Route("PATCH", "/todos/{taskId}", "updateTodo", "patchTask",
          "Update a task with a JSON merge patch (RFC 7396)", params=SEED_USER,
          request_body="TaskUpdate"),
    Route("DELETE", "/todos/{taskId}", "deleteTodo", "deleteTask", "Delete a task",
          params=SEED_USER, response="Message"),
    # API Gateway allows one variable name per level, so the seed's /todos/{userId}/{taskId}
    # is declared as /todos/{taskId}/{seedTaskId}: the first segment carries the user id.
    Route("DELETE", "/todos/{taskId}/{seedTaskId}", "deleteTodo", "deleteTaskSeed",
          "Delete a task (the seed's path: /todos/{userId}/{taskId})", params=SEED_USER,
          response="Message", deprecated=True),
    Route("DELETE", "/todos", "deleteTodo", "clearTasks",
          "Delete the caller's tasks of a status (or all), a bounded batch per request",
          params=(CLEAR_STATUS, CLEAR_CURSOR, *SEED_USER),
          response="ClearResult"),
    Route("GET", "/openapi.json", "getTodos", "getOpenApi", "This API's OpenAPI document",
          response="OpenApi", authorized=False),
    # Lists and sharing (docs/LISTS.md). /lists/default/todos... is /todos...
    Route("GET", "/lists", "getTodos", "listLists",
          "The caller's lists: the default first, then the others by creation",
          params=(LISTS_LIMIT, CURSOR), response="ListList"),
    Route("POST", "/lists", "createTodo", "createList", "Create a list (the caller owns it)",
          request_body="ListCreate", status=201, response="List", problems=LIMITS),
    Route("GET", "/lists/{listId}", "getTodos", "getList", "One list, as the caller sees it",
          response="List", problems=ON_A_LIST),
    Route("PATCH", "/lists/{listId}", "updateTodo", "renameList", "Rename a list (owner)",
          request_body="ListUpdate", response="List", problems=ON_A_LIST),
    Route("DELETE", "/lists/{listId}", "deleteTodo", "deleteList",
          "Delete a list and its tasks, for every member at once (owner)", response="Message",
          problems=ON_A_LIST),
    Route("POST", "/lists/{listId}/todos", "createTodo", "createListTask",
          "Create a task in a list (owner, editor)", request_body="TaskCreate", status=201,
          problems=ON_A_LIST),
    Route("GET", "/lists/{listId}/todos", "getTodos", "listListTasks",
          "A list's tasks (by creation or due date), or what changed since a sync token",
          params=LIST_VIEWS, response="TaskList",
          problems=(*ON_A_LIST, ("410", "The sync token is older than 30 days: list "
                                        "everything again"))),
    Route("DELETE", "/lists/{listId}/todos", "deleteTodo", "clearListTasks",
          "Delete a list's tasks of a status (or all), a bounded batch per request (owner, "
          "editor)", params=(CLEAR_STATUS, CLEAR_CURSOR), response="ClearResult",
          problems=ON_A_LIST),
    Route("GET", "/lists/{listId}/todos/{taskId}", "getTodos", "getListTask",
          "One task of a list", problems=ON_A_LIST),
    Route("PUT", "/lists/{listId}/todos/{taskId}", "updateTodo", "updateListTask",
          "Update a task of a list (partial); with another listId, move it (owner, editor)",
          request_body="TaskUpdate", problems=ON_A_LIST),
    Route("PATCH", "/lists/{listId}/todos/{taskId}", "updateTodo", "patchListTask",
          "Update a task of a list with a JSON merge patch; with another listId, move it "
          "(owner, editor)", request_body="TaskUpdate", problems=ON_A_LIST),
    Route("DELETE", "/lists/{listId}/todos/{taskId}", "deleteTodo", "deleteListTask",
          "Delete a task of a list (owner, editor)", response="Message", problems=ON_A_LIST),
    Route("GET", "/lists/{listId}/members", "getTodos", "listMembers",
          "A list's members and their roles (any member)", response="MemberList",
          problems=ON_A_LIST),
    Route("PATCH", "/lists/{listId}/members/{userId}", "updateTodo", "updateMember",
          "Make a member an editor or a viewer (owner)", request_body="MemberUpdate",
          response="Member", problems=ON_A_LIST),
    Route("DELETE", "/lists/{listId}/members/{userId}", "deleteTodo", "removeMember",
          "Remove a member (owner), or leave (a member, itself)", response="Message",
          problems=ON_A_LIST),
    Route("GET", "/lists/{listId}/invitations", "getTodos", "listInvitations",
          "The invitations a list remembers, without their tokens (owner)",
          response="InvitationList", problems=ON_A_LIST),
    Route("POST", "/lists/{listId}/invitations", "createTodo", "createInvitation",
          "Invite to a list by link: the token is shown this once (owner)",
          request_body="InvitationCreate", status=201, response="NewInvitation",
          problems=(*ON_A_LIST, *LIMITS)),
    Route("DELETE", "/lists/{listId}/invitations/{invitationId}", "deleteTodo",
          "revokeInvitation", "Revoke an invitation (owner)", response="Message",
          problems=ON_A_LIST),
    Route("POST", "/invitations/accept", "createTodo", "acceptInvitation",
          "Join the list an invitation's token invites to (the token travels in the body, "
          "never in a URL)", request_body="InvitationAccept", response="List",
          problems=(("404", "Unknown, revoked or used-up invitation"),
                    ("410", "The invitation has expired"), *LIMITS)),
)



def find(method: str, resource: str) -> Route | None:
    for route in ROUTES:
        if route.method == method and route.path == resource:
            return route
    return None


def resources() -> list[str]:
    return sorted({route.path for route in ROUTES})
