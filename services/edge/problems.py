"""RFC 9457 problem details, and the one place where a domain failure becomes an HTTP status."""

from typing import Any

from services.edge.http import Response, etag, json_response
from services.errors import (
    EditConflict,
    FieldError,
    IdempotencyInProgress,
    IdempotencyKeyReused,
    InvitationExpired,
    InvitationNotFound,
    LimitReached,
    ListNotFound,
    MemberNotFound,
    NotAllowed,
    NotAuthenticated,
    NotOwner,
    PayloadTooLarge,
    StoreTimedOut,
    StoreUnavailable,
    SyncTokenExpired,
    TaskError,
    TaskNotFound,
    TooManyWebhooks,
    ValidationFailed,
    VersionMismatch,
    WebhookNotFound,
)

PROBLEM_TYPE = "urn:todo-api:problem:"
RETRY_AFTER_SECONDS = 2
# What a problem repeats back from the request is capped: 5,000 unknown query parameters
# once made a 403 kB body, and a 60 kB path segment came back twice.
MAX_LISTED_ERRORS = 20  # per-field errors listed; `errorCount` tells how many there were
MAX_ECHOED_CHARS = 64  # of a field name taken from the request
MAX_DETAIL_CHARS = 300  # of any detail, whatever it quotes


def shorten(text: str, limit: int) -> str:
    """The text cut to `limit` characters, an ellipsis marking the cut."""
    return text if len(text) <= limit else text[: limit - 1] + "\u2026"


def _pointer(name: str) -> str:
    # RFC 6901: "~" and "/" inside a member name are escaped.
    return "/" + name.replace("~", "~0").replace("/", "~1")


def _listed(error: FieldError) -> dict[str, Any]:
    name = shorten(error.field, MAX_ECHOED_CHARS)
    entry = {"field": name, "in": error.location,
             "detail": shorten(f"{name} {error.detail}", MAX_DETAIL_CHARS)}
    if error.location == "body" and name == error.field:  # a cut name would point nowhere
        entry["pointer"] = _pointer(name)
    return entry


def problem(
    request_id: str,
    status: int,
    title: str,
    detail: str,
    *,
    kind: str = "",
    errors: list[FieldError] | None = None,
    headers: dict[str, str] | None = None,
    extra: dict[str, Any] | None = None,
) -> Response:
    """RFC 9457 problem details; `message` repeats `detail` for clients written for the seed;
    `extra`: members of this problem type."""
    detail = shorten(detail, MAX_DETAIL_CHARS)
    body: dict[str, Any] = {
        "type": PROBLEM_TYPE + kind if kind else "about:blank",
        "title": title,
        "status": status,
        "detail": detail,
        "message": detail,
        "requestId": request_id,
    }
    if errors:
        body["errors"] = [_listed(e) for e in errors[:MAX_LISTED_ERRORS]]
        body["errorCount"] = len(errors)
    body |= extra or {}
    response = json_response(status, body, headers)
    response["headers"]["Content-Type"] = "application/problem+json"
    return response


def problem_for(error: TaskError, request_id: str) -> Response:
    """The one place where a domain failure becomes an HTTP status."""
    if isinstance(error, ValidationFailed):
        return problem(
            request_id, 400, "Bad Request", error.detail, kind="validation-error",
            errors=error.errors,
        )
    if isinstance(error, PayloadTooLarge):
        return problem(
            request_id, 413, "Content Too Large",
            f"The request body must not exceed {error.limit} bytes", kind="payload-too-large",
        )
    if isinstance(error, NotAuthenticated):
        return problem(request_id, 401, "Unauthorized", "Sign in and send the ID token")
    if isinstance(error, NotOwner):
        return problem(
            request_id, 403, "Forbidden",
            "The userId in the request does not match the signed-in user", kind="not-owner",
        )
    if isinstance(error, TaskNotFound):
        return problem(request_id, 404, "Not Found", str(error), kind="task-not-found")
    if isinstance(error, WebhookNotFound):
        return problem(request_id, 404, "Not Found", str(error), kind="webhook-not-found")
    if isinstance(error, TooManyWebhooks):
        return problem(request_id, 409, "Conflict", f"You have {error.limit} webhooks, the "
                       "most a user may have: delete one first", kind="too-many-webhooks")
    if isinstance(error, VersionMismatch):
        return problem(
            request_id, 412, "Precondition Failed",
            "The task has changed since you read it: fetch it again and retry with its ETag",
            kind="version-mismatch", headers=_etag_header(error.current),
        )
    if isinstance(error, IdempotencyKeyReused):
        return problem(
            request_id, 422, "Unprocessable Content",
            "This Idempotency-Key was already used with a different request body",
            kind="idempotency-key-reused",
        )
    if isinstance(error, IdempotencyInProgress):
        return problem(
            request_id, 409, "Conflict",
            "A request with this Idempotency-Key is in progress; retry shortly",
            kind="idempotency-in-progress", headers={"Retry-After": "1"},
        )
    if isinstance(error, SyncTokenExpired):
        return problem(
            request_id, 410, "Gone",
            "This sync token is older than deletions are remembered (30 days): list every "
            "task again without `since` and keep the new X-Sync-Token",
            kind="sync-token-expired",
        )
    sharing = _sharing_problem(error, request_id)
    if sharing is not None:
        return sharing
    if isinstance(error, StoreTimedOut):
        return problem(
            request_id, 504, "Gateway Timeout",
            "The task store did not answer in time, so a change this request asked for may or "
            "may not have been made: read it back before trying again (a create retried with "
            "the same Idempotency-Key is never made twice)",
            kind="store-timeout", headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
        )
    if isinstance(error, StoreUnavailable):
        return problem(
            request_id, 503, "Service Unavailable",
            "The task store is busy; retry after the time in Retry-After",
            kind="store-unavailable", headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
        )
    return internal_error(request_id)


def _sharing_problem(error: TaskError, request_id: str) -> Response | None:
    """Lists and sharing (docs/LISTS.md)."""
    if isinstance(error, ListNotFound):
        return problem(request_id, 404, "Not Found",
                       "No such list, or you are not a member of it", kind="list-not-found")
    if isinstance(error, NotAllowed):
        return problem(request_id, 403, "Forbidden", error.detail, kind="forbidden")
    if isinstance(error, LimitReached):
        return problem(request_id, 409, "Conflict", error.detail, kind="limit-reached",
                       extra={"limit": error.limit})
    if isinstance(error, MemberNotFound):
        return problem(request_id, 404, "Not Found", "No such member in this list",
                       kind="member-not-found")
    if isinstance(error, InvitationNotFound):
        return problem(request_id, 404, "Not Found",
                       "No such invitation: unknown, revoked or used up",
                       kind="invitation-not-found")
    if isinstance(error, InvitationExpired):
        return problem(request_id, 410, "Gone", "This invitation has expired: ask for a new "
                       "one", kind="invitation-expired")
    if isinstance(error, EditConflict):
        return problem(request_id, 409, "Conflict", "What you changed was changed by someone "
                       "else at the same moment; nothing was written: retry",
                       kind="edit-conflict", headers={"Retry-After": "1"})
    return None


def internal_error(request_id: str) -> Response:
    return problem(
        request_id, 500, "Internal Server Error",
        "Something went wrong on our side; quote the request id if you report it",
    )


def _etag_header(version: int | None) -> dict[str, str]:
    return {"ETag": etag(version)} if version is not None else {}
