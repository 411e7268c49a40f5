"""JSON Schemas of the webhook routes' bodies and of the events a webhook receives."""

from typing import Any

from models.delivery import STATES
from services.domain.reminders import MAX_REMINDERS
from services.domain.targets import MAX_URL_LENGTH
from services.domain.webhooks import (
    EVENT_TYPES,
    MAX_DELIVERIES_LISTED,
    MAX_DESCRIPTION,
    MAX_WEBHOOKS,
    TEST_EVENT,
)

_URL = {"type": "string", "format": "uri", "maxLength": MAX_URL_LENGTH,
        "description": "https, to a host whose every address is public (checked on save and "
        "before every delivery); the local server also takes http://127.0.0.1 and "
        "http://localhost", "example": "https://hooks.example.com/todo"}
_EVENTS = {"type": "array", "minItems": 1, "maxItems": len(EVENT_TYPES), "uniqueItems": True,
           "items": {"type": "string", "enum": list(EVENT_TYPES)},
           "example": ["task.created", "task.completed"]}
_DESCRIPTION = {"type": "string", "maxLength": MAX_DESCRIPTION,
                "pattern": "^[^\\u0000-\\u001f\\u007f]*$"}
_TIME = {"type": "string", "format": "date-time"}


def _ref(name: str) -> dict[str, Any]:
    return {"$ref": f"#/components/schemas/{name}"}


def components() -> dict[str, Any]:
    webhook = {
        "webhookId": {"type": "string", "format": "uuid", "readOnly": True},
        "url": _URL,
        "events": _EVENTS,
        "description": {**_DESCRIPTION, "nullable": True},
        "active": {"type": "boolean", "description": "false: no events are sent (set by "
                   "PATCH, or by the dispatcher after 3 days of failed deliveries)"},
        "createdAt": {**_TIME, "readOnly": True},
        "updatedAt": {**_TIME, "readOnly": True},
    }
    return {
        "Webhook": {"type": "object", "required": list(webhook), "properties": webhook},
        "WebhookCreated": {
            "type": "object", "required": [*webhook, "secret"],
            "properties": {**webhook, "secret": {
                "type": "string", "pattern": "^whsec_[A-Za-z0-9+/=]+$",
                "description": "The signing secret (Standard Webhooks): shown only here"}},
        },
        "WebhookList": {"type": "array", "maxItems": MAX_WEBHOOKS, "items": _ref("Webhook")},
        "WebhookCreate": {
            "type": "object", "required": ["url", "events"], "additionalProperties": False,
            "properties": {"url": _URL, "events": _EVENTS, "description": _DESCRIPTION},
        },
        "WebhookUpdate": {
            "type": "object", "minProperties": 1, "additionalProperties": False,
            "description": "Fields to change; null removes the description (RFC 7396).",
            "properties": {"url": _URL, "events": _EVENTS,
                           "description": {**_DESCRIPTION, "nullable": True},
                           "active": {"type": "boolean"}},
        },
        "TestEvent": {
            "type": "object", "required": ["eventId", "type"],
            "properties": {"eventId": {"type": "string", "format": "uuid"},
                           "type": {"type": "string", "enum": [TEST_EVENT]}},
        },
        "Delivery": {
            "type": "object",
            "required": ["eventId", "type", "state", "attempts", "lastStatus", "lastError",
                         "nextAttemptAt", "deliveredAt", "createdAt"],
            "properties": {
                "eventId": {"type": "string", "format": "uuid"},
                "type": {"type": "string", "enum": [*EVENT_TYPES, TEST_EVENT]},
                "state": {"type": "string", "enum": list(STATES)},
                "attempts": {"type": "integer", "minimum": 0},
                "lastStatus": {"type": "integer", "nullable": True,
                               "description": "The receiver's HTTP status at the last attempt"},
                "lastError": {"type": "string", "nullable": True},
                "nextAttemptAt": {**_TIME, "nullable": True},
                "deliveredAt": {**_TIME, "nullable": True},
                "createdAt": _TIME,
            },
        },
        "DeliveryList": {"type": "array", "maxItems": MAX_DELIVERIES_LISTED,
                         "items": _ref("Delivery")},
        "Event": {
            "type": "object",
            "description": "What a webhook receives (POST, JSON, signed as Standard Webhooks "
            "say: headers webhook-id = eventId, webhook-timestamp, webhook-signature).",
            "required": ["type", "eventId", "timestamp", "userId", "data"],
            "properties": {
                "type": {"type": "string", "enum": [*EVENT_TYPES, TEST_EVENT]},
                "eventId": {"type": "string", "format": "uuid",
                            "description": "The same on every retry: drop duplicates by it"},
                "timestamp": _TIME,
                "userId": {"type": "string", "description": "The webhook's owner"},
                "data": {"type": "object", "properties": {
                    "task": _ref("Task"),
                    "list": {"allOf": [_ref("List")], "description": "list.* events: the list "
                             "as the receiving user sees it (as it was, for list.deleted and "
                             "for the member a list.member_removed is about)"},
                    "member": {"allOf": [_ref("Member")], "description": "list.member_added, "
                               "list.member_updated and list.member_removed: which member"},
                    "changed": {"type": "array", "items": {"type": "string"},
                                "description": "task.updated, task.completed and list.updated: "
                                "the fields that changed"},
                    "reminder": {"type": "object", "description": (
                        f"task.reminder: which of the task's (up to {MAX_REMINDERS}) "
                        "reminders fired: its index, as set, and its moment"),
                        "properties": {"index": {"type": "integer"}, "at": _TIME,
                                       "before": {"type": "string"}}},
                }},
            },
        },
    }


def callbacks(response: str) -> dict[str, Any] | None:
    """What a new webhook will be sent (OpenAPI 3.0 callbacks: POST to the URL in the
    request's body), for the operation that creates one."""
    if response != "WebhookCreated":
        return None
    signed = [
        ("webhook-id", "The event id, the same on every retry"),
        ("webhook-timestamp", "Unix seconds of this attempt"),
        ("webhook-signature", "v1, then base64 of HMAC-SHA256 keyed with the secret's bytes "
                              "over {webhook-id}.{webhook-timestamp}.{body}"),
    ]
    return {"event": {"{$request.body#/url}": {"post": {
        "summary": "An event, signed (Standard Webhooks)",
        "description": "Delivered at least once: drop an eventId you have handled. A 2xx "
                       "within 10 s is success; anything else is retried with backoff.",
        "parameters": [{"name": name, "in": "header", "required": True,
                        "description": text, "schema": {"type": "string"}}
                       for name, text in signed],
        "requestBody": {"required": True,
                        "content": {"application/json": {"schema": _ref("Event")}}},
        "responses": {"2XX": {"description": "Received"},
                      "4XX": {"description": "Refused: retried with backoff, as any answer "
                                             "but a 2XX (a 5XX, none within 10 s)"}},
        # The receiver checks the signature, not a token of this API.
        "security": [],
    }}}}
