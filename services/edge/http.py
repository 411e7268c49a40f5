"""The HTTP edge shared by the handlers: proxy event in, proxy response out."""

import base64
import binascii
import json
import os
import re
from typing import Any

from services.edge import conditions, json_body
from services.edge.routes import IDEMPOTENCY_KEY_PATTERN, Route
from services.errors import FieldError, NotAuthenticated, ValidationFailed

_DIGITS = re.compile(r"[0-9]{1,6}")  # ASCII only: int() would take "٣" too, and fail on "²"
# A caller id (the token's `sub`) is a partition key and part of others (`<id>#deleted`):
# Cognito's are UUIDs and user names at most 128 characters. Anything longer, or holding a
# control character, a lone surrogate or "#", is no usable identity (401), never a 500.
MAX_CALLER_ID = 128
_CALLER_ID = re.compile(rf"[^\x00-\x1f\x7f#\ud800-\udfff]{{1,{MAX_CALLER_ID}}}")
EXPOSED_HEADERS = "ETag, Location, Link, X-Next-Cursor, X-Sync-Token, X-Request-Id, Retry-After"

Response = dict[str, Any]


class Request:
    """What a handler needs from an API Gateway REST proxy event."""

    __slots__ = ("base_url", "body", "caller_id", "duplicate_params", "headers", "method",
                 "params", "path_params", "query", "request_id", "resource")

    def __init__(
        self,
        *,
        method: str,
        resource: str,
        path_params: dict[str, str],
        query: dict[str, str],
        headers: dict[str, str],
        caller_id: str,
        request_id: str,
        base_url: str,
        body: bytes | None,
        duplicate_params: list[str],
    ) -> None:
        self.method = method
        self.resource = resource
        self.path_params = path_params
        self.query = query
        self.headers = headers
        self.caller_id = caller_id
        self.request_id = request_id
        self.base_url = base_url
        self.body = body
        self.duplicate_params = duplicate_params
        self.params: dict[str, Any] = {}  # the query string, validated against the route

    @classmethod
    def from_event(cls, event: dict[str, Any], request_id: str) -> "Request":
        context = event.get("requestContext") or {}
        headers = {k.lower(): v for k, v in (event.get("headers") or {}).items() if v is not None}
        multi = event.get("multiValueQueryStringParameters") or {}
        duplicates = sorted(k for k, values in multi.items() if values and len(values) > 1)
        claims = (context.get("authorizer") or {}).get("claims") or {}
        return cls(
            method=str(event.get("httpMethod", "")).upper(),
            resource=str(event.get("resource", "")),
            path_params=dict(event.get("pathParameters") or {}),
            query=dict(event.get("queryStringParameters") or {}),
            headers=headers,
            caller_id=str(claims.get("sub") or ""),
            request_id=request_id,
            base_url=_base_url(event, headers),
            body=_raw_body(event),
            duplicate_params=duplicates,
        )

    def caller(self) -> str:
        # Cognito subs never hold "#"; refusing it keeps a user id from naming another
        # user's bookkeeping partition (models/idempotency.py).
        if not _CALLER_ID.fullmatch(self.caller_id):
            raise NotAuthenticated("no usable caller identity in the request context")
        return self.caller_id

    def claimed_user_ids(self) -> list[str]:
        return [self.params[k] for k in ("userId", "userID") if k in self.params]

    def parse_params(self, route: Route) -> None:
        """Validate the query string against the route's declared parameters."""
        errors = [FieldError(n, "must be given only once", "query") for n in self.duplicate_params]
        declared = {p.name for p in route.params}
        errors += [
            FieldError(name, "is not a parameter of this route", "query")
            for name in sorted(self.query) if name not in declared
        ]
        for param in route.params:
            raw = self.query.get(param.name)
            if raw is None:
                if param.required:
                    errors.append(FieldError(param.name, "is required", "query"))
                elif param.default is not None:
                    self.params[param.name] = param.default
            elif param.kind == "integer":
                if _DIGITS.fullmatch(raw) and param.minimum <= int(raw) <= param.maximum:
                    self.params[param.name] = int(raw)
                else:
                    errors.append(FieldError(
                        param.name,
                        f"must be an integer from {param.minimum} to {param.maximum}", "query",
                    ))
            elif param.choices and raw not in param.choices:
                errors.append(
                    FieldError(param.name, "must be one of " + ", ".join(param.choices), "query")
                )
            elif not param.choices and not 0 < len(raw) <= param.max_length:
                errors.append(FieldError(
                    param.name, f"must be 1 to {param.max_length} characters", "query",
                ))
            else:
                self.params[param.name] = raw
        if errors:
            raise ValidationFailed("Invalid query parameters", errors)

    def json_object(self) -> dict[str, Any]:
        """The body as a JSON object, or a ValidationFailed / PayloadTooLarge saying why not."""
        return json_body.parse_object(self.body)

    def url_for(self, path: str) -> str:
        return f"{self.base_url}{path}"


def _raw_body(event: dict[str, Any]) -> bytes | None:
    body = event.get("body")
    if body is None:
        return None
    if event.get("isBase64Encoded"):
        try:
            return base64.b64decode(body, validate=True)
        except (binascii.Error, ValueError):
            return b"\xff"  # undecodable: reported as invalid UTF-8 downstream
    return str(body).encode("utf-8", "surrogatepass")


def _base_url(event: dict[str, Any], headers: dict[str, str]) -> str:
    """Scheme, host and base path (the stage, or a custom domain's mapping) of this API."""
    context = event.get("requestContext") or {}
    host = context.get("domainName") or headers.get("host") or "localhost"
    scheme = headers.get("x-forwarded-proto", "https").split(",")[0].strip()
    full_path = str(context.get("path") or event.get("path") or "")
    path = str(event.get("path") or "")
    prefix = full_path[: len(full_path) - len(path)] if path and full_path.endswith(path) else ""
    return f"{scheme}://{host}{prefix}"


def json_response(status: int, body: Any, headers: dict[str, str] | None = None) -> Response:
    return {
        "statusCode": status,
        "headers": {"Content-Type": "application/json", **(headers or {})},
        "body": json.dumps(body, ensure_ascii=False, separators=(",", ":")),
    }


def etag(version: int) -> str:
    return f'"{version}"'


_IDEMPOTENCY_KEY = re.compile(IDEMPOTENCY_KEY_PATTERN)


def idempotency_key(request: Request) -> str | None:
    """The Idempotency-Key of a create, or None; 400 when it is not one."""
    key = request.headers.get("idempotency-key")
    if key is not None and not _IDEMPOTENCY_KEY.fullmatch(key):  # ($ passes a trailing "\n")
        raise ValidationFailed("Invalid Idempotency-Key", [FieldError(
            "Idempotency-Key", "must be 1 to 255 visible ASCII characters", "header")])
    return key


def if_match(request: Request) -> frozenset[int] | None:
    """The versions a conditional write accepts, from If-Match (None: no condition)."""
    return conditions.expected_versions(request.headers.get("if-match"))


def cors_headers(request_headers: dict[str, str]) -> dict[str, str]:
    """CORS for the actual response; allowed origins come from the stack's config."""
    origin = request_headers.get("origin")
    allowed = [o.strip() for o in os.environ.get("CORS_ALLOWED_ORIGINS", "*").split(",")]
    if "*" in allowed:
        allow = "*"
    elif origin and origin in allowed:
        allow = origin
    else:
        return {"Vary": "Origin"}
    return {
        "Access-Control-Allow-Origin": allow,
        "Access-Control-Expose-Headers": EXPOSED_HEADERS,
        "Vary": "Origin",
    }
