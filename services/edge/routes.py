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
# The events dispatcher: a fifth function from the same image, not behind API Gateway.
EVENT_FUNCTIONS: dict[str, str] = {"dispatchEvents": "services.handlers.dispatch.handler"}


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
    description: str = ""  # what a client developer reads beside the summary
    tag: str = "Tasks"  # a key of TAGS
    # The path as clients read it (/openapi.json) when it differs from the gateway's: API
    # Gateway allows one variable name per resource level, clients want each named for what
    # it holds. Same shape; only variable names may differ.
    client_path: str | None = None

    @property
    def path_params(self) -> list[str]:
        return path_variables(self.path)

    @property
    def document_path(self) -> str:
        return self.client_path or self.path


def path_variables(path: str) -> list[str]:
    """The names of a resource path's {variables}, in order."""
    return [part[1:-1] for part in path.split("/") if part.startswith("{")]


# The tags of the client's document, each with what it groups.
TAGS: dict[str, str] = {
    "Tasks": "The signed-in user's tasks: create, read, list, update, delete, sync; in the "
             "default list (/todos) or any list the user is a member of (/lists/{listId}/todos).",
    "Lists": "Lists beyond the default, their members and roles, and invitations to them.",
    "Meta": "About this API itself.",
    "Webhooks": "Signed events pushed to your URLs when tasks change, and reminders.",
}
# Every path variable, as clients read it: what it holds.
PATH_VARIABLES: dict[str, str] = {
    "taskId": "The task's id (its `taskId`, a UUID).",
    "userId": "The signed-in user's id (the token's `sub`): the seed's path names it; any "
              "other user's id is 403.",
    "webhookId": "The webhook's id (its `webhookId`, a UUID).",
    "listId": "`default` (the user's own list, the same as /todos), or a list's `listId`.",
    "memberId": "A member's user id, as GET /lists/{listId}/members lists it.",
    "invitationId": "An invitation's `invitationId` (not its token).",
}

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
          request_body="TaskCreate", status=201,
          description="Creates a task for the signed-in user; fields left out take their "
          "defaults (status pending, priority normal). Answers 201 with the task, its URL in "
          "Location and its version in ETag. With an Idempotency-Key, a retry of the same "
          "request returns the first answer and creates nothing."),
    Route("POST", "/todo", "createTodo", "createTaskSeed",
          "Create a task (the seed tutorial's path)", params=SEED_USER,
          request_body="TaskCreate", status=201, deprecated=True,
          description="The same as POST /todos, on the path of the tutorial this API grew "
          "from. Use POST /todos."),
    Route("GET", "/todos", "getTodos", "listTasks",
          "List the caller's tasks (by creation or due date), or what changed since a sync "
          "token", params=(*LIST_VIEWS, *SEED_USER),
          response="TaskList", problems=(("410", "The sync token is older than 30 days: "
                                          "list everything again"),),
          description="A page of the signed-in user's tasks (limit, then the cursor from "
          "X-Next-Cursor or the Link header for the next page), by creation or, with sort="
          "dueDate, dueAfter or dueBefore, by due date; filtered by status and tag. With "
          "since, what changed after an X-Sync-Token, tombstones of deleted tasks included. "
          "Every page is one DynamoDB Query. The page's ETag changes with its content: send it "
          "back in If-None-Match to get a 304 while nothing on the page changed."),
    Route("GET", "/todos/{taskId}", "getTodos", "getTask", "Get one task", params=SEED_USER,
          description="The task, with its version in ETag; 404 if the signed-in user has no "
          "task with this id. With If-None-Match holding the current ETag: 304, no body."),
    Route("PUT", "/todos/{taskId}", "updateTodo", "updateTask",
          "Update a task (partial, as the seed did)", params=SEED_USER,
          request_body="TaskUpdate",
          description="Changes the fields sent and nothing else (the seed's partial PUT); "
          "null removes an optional field. 404 if there is no such task (never an upsert). "
          "With If-Match, only if the task is still at that version (else 412)."),
    Route("PATCH", "/todos/{taskId}", "updateTodo", "patchTask",
          "Update a task with a JSON merge patch (RFC 7396)", params=SEED_USER,
          request_body="TaskUpdate",
          description="A JSON merge patch: the fields sent change, null removes an optional "
          "field, fields not sent stay as they are. With If-Match, only if the task is still "
          "at that version (else 412, with the current ETag)."),
    Route("DELETE", "/todos/{taskId}", "deleteTodo", "deleteTask", "Delete a task",
          params=SEED_USER, response="Message",
          description="Deletes the task (a delta sync reports it as a tombstone). With "
          "If-Match, only if the task is still at that version (else 412)."),
    # API Gateway allows one variable name per level, so the gateway knows the seed's
    # /todos/{userId}/{taskId} as /todos/{taskId}/{seedTaskId} (the first segment carries the
    # user id); clients read it under its own names.
    Route("DELETE", "/todos/{taskId}/{seedTaskId}", "deleteTodo", "deleteTaskSeed",
          "Delete a task (the seed tutorial's path)", params=SEED_USER,
          response="Message", deprecated=True, client_path="/todos/{userId}/{taskId}",
          description="The same as DELETE /todos/{taskId}, on the tutorial's path, which also "
          "names the user: it must be the signed-in user (else 403)."),
    Route("DELETE", "/todos", "deleteTodo", "clearTasks",
          "Delete the caller's tasks of a status (or all), a bounded batch per request",
          params=(CLEAR_STATUS, CLEAR_CURSOR, *SEED_USER),
          response="ClearResult",
          description="Deletes the signed-in user's tasks of one status (or all) among the "
          "next 250 it reads; when it stops before the end it answers more: true and a cursor: "
          "repeat the request with it."),
    Route("GET", "/openapi.json", "getTodos", "getOpenApi", "This API's OpenAPI document",
          response="OpenApi", authorized=False, tag="Meta",
          description="This document, with the server's own URL. No token needed."),
    # Lists and sharing (docs/LISTS.md). /lists/default/todos... is /todos...
    Route("GET", "/lists", "getTodos", "listLists",
          "The caller's lists: the default first, then the others by creation",
          params=(LISTS_LIMIT, CURSOR), response="ListList", tag="Lists",
          description="A page of the lists the signed-in user is a member of: the default "
          "list first, then those it owns or that are shared with it, each with the caller's "
          "role and the member count. Paged like GET /todos."),
    Route("POST", "/lists", "createTodo", "createList", "Create a list (the caller owns it)",
          request_body="ListCreate", status=201, response="List", problems=LIMITS,
          tag="Lists", description="Creates a list the signed-in user owns (at most 100 per "
          "user: then 409). Answers 201 with the list, its URL in Location, its version in "
          "ETag."),
    Route("GET", "/lists/{listId}", "getTodos", "getList", "One list, as the caller sees it",
          response="List", problems=ON_A_LIST, tag="Lists",
          description="The list with the caller's role; 404 if there is no such list or the "
          "caller is not a member of it (the same answer)."),
    Route("PATCH", "/lists/{listId}", "updateTodo", "renameList", "Rename a list (owner)",
          request_body="ListUpdate", response="List", problems=ON_A_LIST, tag="Lists",
          description="Renames the list (the default list too). Only its owner may (else "
          "403). With If-Match, only if the list is still at that version (else 412)."),
    Route("DELETE", "/lists/{listId}", "deleteTodo", "deleteList",
          "Delete a list and its tasks, for every member at once (owner)", response="Message",
          problems=ON_A_LIST, tag="Lists",
          description="Deletes the list: from the next request on it is 404 for every member, "
          "and its tasks never appear again. Only its owner may; the default list cannot be "
          "deleted (403)."),
    Route("POST", "/lists/{listId}/todos", "createTodo", "createListTask",
          "Create a task in a list (owner, editor)", request_body="TaskCreate", status=201,
          problems=ON_A_LIST, description="As POST /todos, in this list; the task carries "
          "listId, createdBy and updatedBy. A viewer may not (403)."),
    Route("GET", "/lists/{listId}/todos", "getTodos", "listListTasks",
          "A list's tasks (by creation or due date), or what changed since a sync token",
          params=LIST_VIEWS, response="TaskList",
          problems=(*ON_A_LIST, ("410", "The sync token is older than 30 days: list "
                                        "everything again")),
          description="As GET /todos, for this list: every parameter and header, one DynamoDB "
          "Query per page after the access check."),
    Route("DELETE", "/lists/{listId}/todos", "deleteTodo", "clearListTasks",
          "Delete a list's tasks of a status (or all), a bounded batch per request (owner, "
          "editor)", params=(CLEAR_STATUS, CLEAR_CURSOR), response="ClearResult",
          problems=ON_A_LIST, description="As DELETE /todos?status=..., for this list."),
    Route("GET", "/lists/{listId}/todos/{taskId}", "getTodos", "getListTask",
          "One task of a list", problems=ON_A_LIST,
          description="As GET /todos/{taskId}, for a task of this list."),
    Route("PUT", "/lists/{listId}/todos/{taskId}", "updateTodo", "updateListTask",
          "Update a task of a list (partial); with another listId, move it (owner, editor)",
          request_body="TaskUpdate", problems=ON_A_LIST,
          description="As PUT /todos/{taskId}, for a task of this list. With another listId, "
          "moves the task there (the caller must be owner or editor of both lists)."),
    Route("PATCH", "/lists/{listId}/todos/{taskId}", "updateTodo", "patchListTask",
          "Update a task of a list with a JSON merge patch; with another listId, move it "
          "(owner, editor)", request_body="TaskUpdate", problems=ON_A_LIST,
          description="As PATCH /todos/{taskId}, for a task of this list. With another "
          "listId, moves the task there (the caller must be owner or editor of both lists)."),
    Route("DELETE", "/lists/{listId}/todos/{taskId}", "deleteTodo", "deleteListTask",
          "Delete a task of a list (owner, editor)", response="Message", problems=ON_A_LIST,
          description="As DELETE /todos/{taskId}, for a task of this list."),
    Route("GET", "/lists/{listId}/members", "getTodos", "listMembers",
          "A list's members and their roles (any member)", response="MemberList",
          problems=ON_A_LIST, tag="Lists",
          description="Every member with its role and when it joined, the owner first."),
    Route("PATCH", "/lists/{listId}/members/{memberId}", "updateTodo", "updateMember",
          "Make a member an editor or a viewer (owner)", request_body="MemberUpdate",
          response="Member", problems=ON_A_LIST, tag="Lists",
          description="Only the owner may (else 403); the owner's own role never changes. "
          "With If-Match, only if the list is still at that version (else 412)."),
    Route("DELETE", "/lists/{listId}/members/{memberId}", "deleteTodo", "removeMember",
          "Remove a member (owner), or leave (a member, itself)", response="Message",
          problems=ON_A_LIST, tag="Lists",
          description="The owner removes a member; a member removes itself to leave (the "
          "owner cannot leave). The member loses access on its very next request."),
    Route("GET", "/lists/{listId}/invitations", "getTodos", "listInvitations",
          "The invitations a list remembers, without their tokens (owner)",
          response="InvitationList", problems=ON_A_LIST, tag="Lists",
          description="Open, expired and used-up invitations the list still remembers (at "
          "most 20), without their tokens. Only the owner may (else 403)."),
    Route("POST", "/lists/{listId}/invitations", "createTodo", "createInvitation",
          "Invite to a list by link: the token is shown this once (owner)",
          request_body="InvitationCreate", status=201, response="NewInvitation",
          problems=(*ON_A_LIST, *LIMITS), tag="Lists",
          description="A new invitation and its token: shown in this answer only (the API "
          "keeps its SHA-256). Give the token to whom you invite; they accept it with POST "
          "/invitations/accept. At most 20 open invitations per list (then 409)."),
    Route("DELETE", "/lists/{listId}/invitations/{invitationId}", "deleteTodo",
          "revokeInvitation", "Revoke an invitation (owner)", response="Message",
          problems=ON_A_LIST, tag="Lists",
          description="Its token opens nothing from now on (404). Members who joined with it "
          "stay."),
    Route("POST", "/invitations/accept", "createTodo", "acceptInvitation",
          "Join the list an invitation's token invites to (the token travels in the body, "
          "never in a URL)", request_body="InvitationAccept", response="List",
          problems=(("404", "Unknown, revoked or used-up invitation"),
                    ("410", "The invitation has expired"), *LIMITS), tag="Lists",
          description="Makes the signed-in user a member of the list with the invitation's "
          "role and answers the list as the new member sees it. Accepting a list one is "
          "already a member of changes nothing and answers 200 too."),
    # Webhooks (services/handlers/webhooks.py), each on the function of its verb.
    Route("POST", "/webhooks", "createTodo", "createWebhook",
          "Subscribe a URL to task events (the signing secret is shown only in this answer)",
          request_body="WebhookCreate", status=201, response="WebhookCreated",
          problems=(("409", "The caller has 10 webhooks already"),), tag="Webhooks",
          description="The URL must be https to a host whose every address is public "
          "(checked now and before every delivery). Events are signed as Standard Webhooks "
          "say, with the `secret` of this answer; it is never shown again."),
    Route("GET", "/webhooks", "getTodos", "listWebhooks", "The caller's webhooks",
          response="WebhookList", tag="Webhooks",
          description="At most 10, oldest first, never with their secrets."),
    Route("GET", "/webhooks/{webhookId}", "getTodos", "getWebhook", "One webhook",
          response="Webhook", tag="Webhooks",
          description="Another user's webhook is 404, as a missing one."),
    Route("PATCH", "/webhooks/{webhookId}", "updateTodo", "updateWebhook",
          "Change a webhook's url, events, description or active (a JSON merge patch)",
          request_body="WebhookUpdate", response="Webhook", tag="Webhooks",
          description="`active: true` turns a webhook that was switched off back on."),
    Route("DELETE", "/webhooks/{webhookId}", "deleteTodo", "deleteWebhook",
          "Delete a webhook", response="Message", tag="Webhooks",
          description="Its secret goes with it; deliveries under way are dropped."),
    Route("POST", "/webhooks/{webhookId}/test", "createTodo", "testWebhook",
          "Send a webhook.test event to the webhook now", status=202, response="TestEvent",
          tag="Webhooks",
          description="Sent even to an inactive webhook; follow it in the deliveries list."),
    Route("GET", "/webhooks/{webhookId}/deliveries", "getTodos", "listDeliveries",
          "The webhook's last 50 deliveries, newest first", response="DeliveryList",
          tag="Webhooks",
          description="Each with its attempts, the last status or error, and when the next "
          "attempt is due; `failed` once given up."),
)



def find(method: str, resource: str) -> Route | None:
    for route in ROUTES:
        if route.method == method and route.path == resource:
            return route
    return None


def resources() -> list[str]:
    return sorted({route.path for route in ROUTES})
