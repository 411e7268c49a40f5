"""What can go wrong with a task request, in the task domain's words (no HTTP here)."""

from typing import NamedTuple


# NamedTuple rather than dataclass here and across services/: a dataclass costs about 1 ms
# to create at import, and every import lands in each function's cold start.
class FieldError(NamedTuple):
    field: str
    detail: str
    location: str = "body"  # or "query", "path", "header"


class TaskError(Exception):
    """Base of every expected failure; the HTTP layer maps each kind to a status."""


class ValidationFailed(TaskError):
    def __init__(self, detail: str, errors: list[FieldError] | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.errors = errors or []


class PayloadTooLarge(TaskError):
    def __init__(self, limit: int) -> None:
        super().__init__(f"request body is larger than {limit} bytes")
        self.limit = limit


class NotAuthenticated(TaskError):
    """No caller identity reached the function (the authorizer should have refused)."""


class NotOwner(TaskError):
    """The request names a user other than the caller."""


class TaskNotFound(TaskError):
    def __init__(self, user_id: str, task_id: str) -> None:
        # The task id comes from the path, as long as the client likes: quote its start only.
        shown = task_id if len(task_id) <= 64 else task_id[:63] + "\u2026"
        if "#" in user_id:  # a list's partition (user ids hold no "#"): name no partition
            super().__init__(f"Todo with taskID '{shown}' not found in this list")
        else:
            super().__init__(f"Todo with userID '{user_id}' and taskID '{shown}' not found")
        self.user_id = user_id
        self.task_id = task_id


class VersionMismatch(TaskError):
    def __init__(self, expected: frozenset[int], current: int | None) -> None:
        super().__init__("the task has changed since the version given in If-Match")
        self.expected = expected
        self.current = current


class StoreUnavailable(TaskError):
    """DynamoDB throttled or failed for longer than the bounded retries."""


class StoreTimedOut(StoreUnavailable):
    """DynamoDB took a request but did not answer in time: a write may have been applied."""


class IdempotencyKeyReused(TaskError):
    """The Idempotency-Key was first used with another request body."""


class IdempotencyInProgress(TaskError):
    """A request with the same Idempotency-Key is being processed right now."""


class SyncTokenExpired(TaskError):
    """The sync token is older than tombstone retention: deletions since may be forgotten."""


class WebhookNotFound(TaskError):
    def __init__(self, webhook_id: str) -> None:
        shown = webhook_id if len(webhook_id) <= 64 else webhook_id[:63] + "\u2026"
        super().__init__(f"No webhook '{shown}'")
        self.webhook_id = webhook_id


class TooManyWebhooks(TaskError):
    def __init__(self, limit: int) -> None:
        super().__init__(f"a user may have at most {limit} webhooks")
        self.limit = limit
class ListNotFound(TaskError):
    """No such list, or the caller is not a member of it: the same answer for both."""


class NotAllowed(TaskError):
    """The caller's role in the list does not allow this (or nobody may: the default list)."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class LimitReached(TaskError):
    def __init__(self, limit: str, detail: str) -> None:
        super().__init__(detail)
        self.limit = limit  # lists-owned, members or open-invitations
        self.detail = detail


class MemberNotFound(TaskError):
    """The list (which the caller may manage) has no such member."""


class InvitationNotFound(TaskError):
    """Unknown, revoked or used up: one answer for all three."""


class InvitationExpired(TaskError):
    pass


class EditConflict(TaskError):
    """A multi-item write lost a race it cannot settle alone (a move of a task changed
    meanwhile): nothing was written; the client may simply retry."""
