"""Webhooks as the API shows them: validation of what a client sends, the per-user limit,
the secret (shown once), test events and the deliveries list. No HTTP here."""

import base64
import os
from collections.abc import Callable
from typing import Any

from models import Delivery, Webhook, WebhookSecret
from models.webhook import partition, secret_partition
from services.data import webhooks as data
from services.domain import targets
from services.domain.ids import is_task_id, uuid7
from services.domain.tasks import now_iso
from services.errors import FieldError, ValidationFailed, WebhookNotFound

MAX_WEBHOOKS = 10
MAX_DELIVERIES_LISTED = 50
MAX_DESCRIPTION = 500
SECRET_BYTES = 32  # Standard Webhooks asks for 24 to 64
TASK_EVENTS = ("task.created", "task.updated", "task.completed", "task.deleted",
               "task.reminder")
# A list's: created, renamed, deleted; a member added, given another role, removed (or left).
LIST_EVENTS = ("list.created", "list.updated", "list.deleted", "list.member_added",
               "list.member_updated", "list.member_removed")
EVENT_TYPES = TASK_EVENTS + LIST_EVENTS  # what a webhook may subscribe to
TEST_EVENT = "webhook.test"  # sent by POST /webhooks/{id}/test, whatever the subscription
WRITABLE = ("url", "events", "description", "active")


def new_secret() -> str:
    """`whsec_` + base64 of random bytes: the form the Standard Webhooks libraries take."""
    return "whsec_" + base64.b64encode(os.urandom(SECRET_BYTES)).decode()


def view(item: Webhook) -> dict[str, Any]:
    """A webhook as the API shows it: never the secret (it lives in another item)."""
    return {
        "webhookId": item.webhook_id,
        "url": item.url,
        "events": list(item.events),
        "description": item.description,
        "active": bool(item.active),
        "createdAt": item.created_at,
        "updatedAt": item.updated_at,
    }


def delivery_view(item: Delivery) -> dict[str, Any]:
    return {
        "eventId": item.event_id,
        "type": item.type,
        "state": item.state,
        "attempts": int(item.attempts),
        "lastStatus": int(item.last_status) if item.last_status is not None else None,
        "lastError": item.last_error,
        "nextAttemptAt": item.next_attempt_at,
        "deliveredAt": item.delivered_at,
        "createdAt": item.created_at,
    }


def _events(value: Any) -> tuple[list[str] | None, str | None]:
    if not isinstance(value, list) or not value:
        return None, "must be a non-empty list of event types"
    if len(value) > len(EVENT_TYPES):
        return None, f"must hold at most {len(EVENT_TYPES)} event types"
    found: list[str] = []
    for name in value:
        if not isinstance(name, str) or name not in EVENT_TYPES:
            return None, "each must be one of " + ", ".join(EVENT_TYPES)
        if name in found:
            return None, f"must not repeat {name}"
        found.append(name)
    return found, None


def _description(value: Any) -> tuple[str | None, str | None]:
    if not isinstance(value, str):
        return None, "must be a string"
    if len(value) > MAX_DESCRIPTION:
        return None, f"must be at most {MAX_DESCRIPTION} characters"
    if any(ord(c) < 0x20 or ord(c) == 0x7F for c in value):
        return None, "must not contain control characters"
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return None, "must be valid Unicode text"
    return value, None


def _url(value: Any, errors: list[FieldError]) -> str | None:
    """Checked as a delivery would be: the text, then every address its host resolves to."""
    try:
        target, _ = targets.check(value)
    except targets.TargetRefused as refused:
        errors.append(FieldError("url", str(refused)))
        return None
    return target.url


def _active(value: Any) -> tuple[bool | None, str | None]:
    return (value, None) if isinstance(value, bool) else (None, "must be true or false")


# Field -> its check: (the value to store, None) or (None, what is wrong).
_CHECKS: dict[str, Callable[[Any], tuple[Any, str | None]]] = {
    "events": _events, "description": _description, "active": _active}


def _parse(body: dict[str, Any], *, patch: bool) -> tuple[dict[str, Any], frozenset[str]]:
    errors: list[FieldError] = []
    values: dict[str, Any] = {}
    remove: set[str] = set()
    allowed = WRITABLE if patch else ("url", "events", "description")
    for name, raw in body.items():
        if name not in allowed:
            detail = "is read-only" if name in ("webhookId", "secret", "createdAt",
                                                "updatedAt") else "is not a field of a webhook"
            if name == "active" and not patch:
                detail = "is set by PATCH (a new webhook is active)"
            errors.append(FieldError(name, detail))
        elif raw is None and name == "description":
            remove.add(name)
        elif name == "url":
            url = _url(raw, errors)
            if url is not None:
                values["url"] = url
        else:
            value, problem = _CHECKS[name](raw)
            if problem:
                errors.append(FieldError(name, problem))
            else:
                values[name] = value
    if not patch:
        errors += [FieldError(name, "is required") for name in ("url", "events")
                   if name not in body]
    if errors:
        raise ValidationFailed("Invalid webhook" if not patch else "Invalid webhook update",
                               errors)
    if patch and not values and not remove:
        raise ValidationFailed("No valid fields to update")
    return values, frozenset(remove)


def create(user_id: str, body: dict[str, Any]) -> dict[str, Any]:
    """A new webhook, active, with a fresh secret: the view with `secret` (its only showing)."""
    values, _ = _parse(body, patch=False)
    now = now_iso()
    webhook_id = uuid7()
    item = Webhook(partition(user_id), webhook_id, url=values["url"], events=values["events"],
                   description=values.get("description"), active=True, created_at=now,
                   updated_at=now)
    secret = new_secret()
    data.create(item, WebhookSecret(secret_partition(user_id), webhook_id, secret=secret),
                user_id, MAX_WEBHOOKS)
    return {**view(item), "secret": secret}


def _known(webhook_id: str) -> None:
    if not is_task_id(webhook_id):
        raise WebhookNotFound(webhook_id)


def get(user_id: str, webhook_id: str) -> dict[str, Any]:
    _known(webhook_id)
    item = data.get(user_id, webhook_id)
    if item is None:
        raise WebhookNotFound(webhook_id)
    return view(item)


def list_all(user_id: str) -> list[dict[str, Any]]:
    return [view(item) for item in data.list_all(user_id)]


def update(user_id: str, webhook_id: str, body: dict[str, Any]) -> dict[str, Any]:
    """A merge patch of url, events, description (null removes it) and active; setting
    active true also starts the failing streak afresh."""
    _known(webhook_id)
    values, remove = _parse(body, patch=True)
    values["updatedAt"] = now_iso()
    if values.get("active") is True:
        remove |= {"failingSince"}
    return view(data.update(user_id, webhook_id, values, remove))


def delete(user_id: str, webhook_id: str) -> None:
    _known(webhook_id)
    data.delete(user_id, webhook_id)


def request_test(user_id: str, webhook_id: str) -> str:
    """Ask for a webhook.test event now; its event id. The write is all the API does: the
    dispatcher sees it on the table's stream and sends the event."""
    _known(webhook_id)
    event_id = uuid7()
    data.request_test(user_id, webhook_id, event_id)
    return event_id


def deliveries(user_id: str, webhook_id: str) -> list[dict[str, Any]]:
    """The webhook's last MAX_DELIVERIES_LISTED deliveries, newest first."""
    get(user_id, webhook_id)  # another user's (or no) webhook: 404, not an empty list
    return [delivery_view(item)
            for item in data.deliveries(user_id, webhook_id, MAX_DELIVERIES_LISTED)]
