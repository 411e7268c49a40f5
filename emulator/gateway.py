"""API Gateway (REST, Lambda proxy) played locally: the same routes, events and handlers.

The gateway's work is split in two so the HTTP server can answer before it reads a body:
`route()` needs the request line and headers only (routing, preflight, payload limit,
authorizer); `invoke()` then builds the proxy event and calls the function with the gateway's
integration timeout and Lambda's response limit. `handle()` does both, for in-process callers.
"""

import base64
import importlib
import json
import logging
import time
import uuid
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

from emulator.auth import Verifier
from emulator.exchange import HttpResponse, LocalSite
from services.edge.http import cors_headers
from services.edge.openapi import ALLOWED_HEADERS, GATEWAY_ERRORS
from services.edge.problems import problem
from services.edge.routes import FUNCTIONS, ROUTES, Route

MAX_GATEWAY_BODY = 10 * 1024 * 1024  # API Gateway's payload limit (10 MB)
MAX_LAMBDA_RESPONSE = 6 * 1024 * 1024  # Lambda's synchronous response limit (6 MB)
INTEGRATION_TIMEOUT = 29.0  # seconds: API Gateway's default (and usual maximum) for REST APIs
Handler = Callable[[dict[str, Any], Any], dict[str, Any]]

log = logging.getLogger("todo-api.gateway")
# requestContext.identity members that are null for a Cognito-authorized request.
_IDENTITY_NULLS = ("cognitoIdentityPoolId", "accountId", "cognitoIdentityId", "caller",
                   "apiKey", "principalOrgId", "accessKey", "cognitoAuthenticationType",
                   "cognitoAuthenticationProvider", "userArn", "user")


@dataclass
class LambdaContext:
    """The attributes of Lambda's context object that code commonly reads."""

    function_name: str
    deadline: float = field(default_factory=lambda: time.monotonic() + INTEGRATION_TIMEOUT)
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    memory_limit_in_mb: int = 512
    invoked_function_arn: str = ""
    log_group_name: str = ""
    log_stream_name: str = "local"

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self.deadline - time.monotonic()) * 1000))


@dataclass
class Routed:
    """A request that passed routing and the authorizer: what invoke() needs besides the body."""

    route: Route
    path: str
    query: str
    headers: list[tuple[str, str]]
    path_params: dict[str, str]
    claims: dict[str, str] | None
    request_id: str
    stage_prefix: str  # "/local" when the client used the stage's own path, else ""


def public_base(url: str) -> tuple[str, str, str, int]:
    """Scheme, host[:port], base path and port of a public URL, or ValueError saying why not."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"{url!r} is not an http(s) URL with a host")
    if parts.query or parts.fragment or parts.username or parts.password:
        raise ValueError(f"{url!r} must hold only scheme, host, port and path")
    if any(ord(c) < 0x21 or ord(c) > 0x7E for c in url):
        raise ValueError(f"{url!r} holds spaces, control or non-ASCII characters")
    port = parts.port or (443 if parts.scheme == "https" else 80)  # ValueError if bad
    return parts.scheme, parts.netloc, parts.path.rstrip("/"), port


def _split(path: str) -> list[str]:
    # Split before decoding, so an encoded "/" stays inside its segment, as in API Gateway.
    return [unquote(part) for part in path.strip("/").split("/")] if path.strip("/") else []


def _match(template: str, segments: list[str]) -> dict[str, str] | None:
    parts = _split(template)
    if len(parts) != len(segments):
        return None
    params: dict[str, str] = {}
    for part, segment in zip(parts, segments, strict=True):
        if part.startswith("{"):
            if not segment:
                return None
            params[part[1:-1]] = segment
        elif part != segment:
            return None
    return params


class Gateway:
    def __init__(
        self,
        verifier: Verifier,
        stage: str = "local",
        *,
        public_url: str = "http://localhost",
        timeout: float = INTEGRATION_TIMEOUT,
        binary_media_types: tuple[str, ...] = (),
        handlers: Mapping[str, Handler] | None = None,
        concurrency: int = 64,
        web: LocalSite | None = None,
    ) -> None:
        self.verifier = verifier
        self.web = web  # the web app's own paths (local only); everything else is the API's
        self.stage = stage
        self.timeout = timeout
        # The API declares none today (services/edge/openapi.py), so every body arrives as text.
        self.binary_media_types = binary_media_types
        self.set_public_url(public_url)
        self._handlers: dict[str, Handler] = dict(handlers or {})
        self.resources = sorted({r.path for r in ROUTES}, key=lambda p: p.count("{"))
        # Lambda's side: a function that overruns the timeout keeps its thread until it
        # returns (a thread cannot be stopped), as a Lambda runs on past the gateway's 504.
        self._functions = ThreadPoolExecutor(concurrency, thread_name_prefix="lambda")

    def set_public_url(self, url: str) -> None:
        """Where clients reach this API: every URL a handler builds starts with it."""
        self.scheme, self.domain, self.base_path, self.port = public_base(url)

    def handler(self, function: str) -> Handler:
        """Import a function's handler the way the image's command names it (once)."""
        if function not in self._handlers:
            module, name = FUNCTIONS[function].rsplit(".", 1)
            self._handlers[function] = getattr(importlib.import_module(module), name)
        return self._handlers[function]

    def _resolve(self, path: str) -> tuple[str, dict[str, str]] | None:
        segments = _split(path)
        for resource in self.resources:  # literal paths win over variables, as in API Gateway
            params = _match(resource, segments)
            if params is not None:
                return resource, params
        return None

    def handle(
        self,
        method: str,
        target: str,
        headers: list[tuple[str, str]],
        body: bytes,
        source_ip: str = "127.0.0.1",
    ) -> HttpResponse:
        page = self.web_page(method, target, headers, body)
        if page is not None:
            return page
        routed = self.route(method, target, headers, len(body))
        if isinstance(routed, HttpResponse):
            return routed
        return self.invoke(routed, body, source_ip)

    def web_page(
        self, method: str, target: str, headers: list[tuple[str, str]], body: bytes
    ) -> HttpResponse | None:
        """The local web app's answer for its own paths; None hands the request to the API."""
        if self.web is None:
            return None
        return self.web.handle(method, target.partition("?")[0], headers, body)

    def route(
        self, method: str, target: str, headers: list[tuple[str, str]], length: int | None
    ) -> Routed | HttpResponse:
        """Everything the gateway decides before it needs the body (length None: unknown)."""
        request_id = str(uuid.uuid4())
        path, _, query = target.partition("?")
        single = {k.lower(): v for k, v in headers}
        stage_prefix = ""
        if path == f"/{self.stage}" or path.startswith(f"/{self.stage}/"):
            # The stage's own path, as in https://{api}.execute-api.{region}.amazonaws.com/{stage}
            stage_prefix, path = f"/{self.stage}", path[len(self.stage) + 1:] or "/"
        resolved = self._resolve(path)
        if resolved is None:
            return self.gateway_error("MISSING_AUTHENTICATION_TOKEN", single, request_id)
        resource, path_params = resolved
        if method == "OPTIONS":
            return self.preflight(resource, single)
        route = next((r for r in ROUTES if r.path == resource and r.method == method), None)
        if route is None:
            return self.gateway_error("MISSING_AUTHENTICATION_TOKEN", single, request_id)
        if length is not None and length > MAX_GATEWAY_BODY:
            return self.gateway_error("REQUEST_TOO_LARGE", single, request_id)
        claims = None
        if route.authorized:
            claims = self.verifier.claims(single.get("authorization"))
            if claims is None:
                return self.gateway_error("UNAUTHORIZED", single, request_id)
        return Routed(route, path, query, headers, path_params, claims, request_id, stage_prefix)

    def invoke(self, routed: Routed, body: bytes, source_ip: str) -> HttpResponse:
        """Call the function as API Gateway does, and turn what it returns into HTTP."""
        single = {k.lower(): v for k, v in routed.headers}
        event = self.event(routed, body, source_ip)
        context = LambdaContext(routed.route.function, time.monotonic() + self.timeout)
        function = self.handler(routed.route.function)
        future = self._functions.submit(function, event, context)
        try:
            result = future.result(timeout=self.timeout)
        except FutureTimeout:
            log.error("integration timeout", extra={"function": routed.route.function,
                                                    "timeoutSeconds": self.timeout})
            return self.gateway_error("INTEGRATION_TIMEOUT", single, routed.request_id)
        except Exception:
            # Lambda reports an unhandled error; the gateway answers 502 and tells nothing.
            log.exception("function error", extra={"function": routed.route.function})
            return self._bad_gateway(single, routed.request_id)
        try:
            return self._to_http(result)
        except _MalformedResponse as error:
            log.error("malformed Lambda proxy response: %s", error,
                      extra={"function": routed.route.function})
            return self._bad_gateway(single, routed.request_id)

    def event(self, routed: Routed, body: bytes, source_ip: str) -> dict[str, Any]:
        """A REST API proxy event, shaped as API Gateway sends it."""
        route = routed.route
        # The client's Host is not trusted: the function sees the API's own domain, and
        # the forwarding headers API Gateway sets replace any the client sent.
        forwarded = {"host", "x-forwarded-proto", "x-forwarded-port", "x-forwarded-for"}
        client_for = [v for k, v in routed.headers if k.lower() == "x-forwarded-for"]
        added = [
            ("Host", self.domain),
            ("X-Forwarded-For", ", ".join([*client_for, source_ip])),
            ("X-Forwarded-Port", str(self.port)),
            ("X-Forwarded-Proto", self.scheme),
        ]
        multi_headers: dict[str, list[str]] = {}
        for name, value in [*added, *((k, v) for k, v in routed.headers
                                      if k.lower() not in forwarded)]:
            multi_headers.setdefault(name, []).append(value)
        multi_query: dict[str, list[str]] = {}
        for name, value in parse_qsl(routed.query, keep_blank_values=True):
            multi_query.setdefault(name, []).append(value)
        text, encoded = self._body(body, _header(routed.headers, "content-type"))
        now = time.time()
        return {
            "resource": route.path,
            "path": routed.path,
            "httpMethod": route.method,
            "headers": {k: v[-1] for k, v in multi_headers.items()},
            "multiValueHeaders": multi_headers,
            "queryStringParameters": {k: v[-1] for k, v in multi_query.items()} or None,
            "multiValueQueryStringParameters": multi_query or None,
            "pathParameters": routed.path_params or None,
            "stageVariables": None,
            "requestContext": {
                "resourceId": "local",
                "resourcePath": route.path,
                "httpMethod": route.method,
                "extendedRequestId": routed.request_id,
                "requestTime": time.strftime("%d/%b/%Y:%H:%M:%S +0000", time.gmtime(now)),
                # What the client asked for, base path (custom domain) and stage included.
                "path": f"{self.base_path}{routed.stage_prefix}{routed.path}",
                "accountId": "000000000000",
                "protocol": "HTTP/1.1",
                "stage": self.stage,
                "domainPrefix": self.domain.split(".")[0],
                "requestTimeEpoch": int(now * 1000),
                "requestId": routed.request_id,
                "identity": {
                    **dict.fromkeys(_IDENTITY_NULLS),
                    "sourceIp": source_ip,
                    "userAgent": _header(routed.headers, "user-agent"),
                },
                "domainName": self.domain,
                "apiId": "local",
                "authorizer": {"claims": routed.claims} if routed.claims is not None else None,
            },
            "body": text,
            "isBase64Encoded": encoded,
        }

    def _body(self, body: bytes, content_type: str | None) -> tuple[str | None, bool]:
        if not body:
            return None, False
        media = (content_type or "").split(";")[0].strip().lower()
        if any(_media_matches(media, pattern) for pattern in self.binary_media_types):
            return base64.b64encode(body).decode(), True
        try:
            return body.decode("utf-8"), False
        except UnicodeDecodeError:
            # API Gateway would pass these bytes on as (mangled) text; base64 keeps them
            # exact and tells the handler so. See docs/LOCAL.md's list of differences.
            return base64.b64encode(body).decode(), True

    @staticmethod
    def _to_http(result: Any) -> HttpResponse:
        """A Lambda proxy response as the gateway accepts it, or _MalformedResponse: 502."""
        try:
            size = len(json.dumps(result).encode("utf-8", "replace"))
        except (TypeError, ValueError) as error:
            raise _MalformedResponse("not JSON-serializable") from error
        if size > MAX_LAMBDA_RESPONSE:
            raise _MalformedResponse(f"{size} bytes, over Lambda's {MAX_LAMBDA_RESPONSE}")
        if not isinstance(result, dict) or not isinstance(result.get("statusCode"), int):
            raise _MalformedResponse("no integer statusCode")
        if not 100 <= result["statusCode"] <= 599:
            raise _MalformedResponse("statusCode out of range")
        headers: list[tuple[str, str]] = []
        for name, value in (result.get("headers") or {}).items():
            headers.append((str(name), str(value)))
        for name, values in (result.get("multiValueHeaders") or {}).items():
            headers += [(str(name), str(value)) for value in values]
        if any(_unsafe(n) or _unsafe(v) for n, v in headers):
            raise _MalformedResponse("a header holds a line break or control character")
        raw = result.get("body") or ""
        if not isinstance(raw, str):
            raise _MalformedResponse("body is not a string")
        if result.get("isBase64Encoded"):
            try:
                body = base64.b64decode(raw, validate=True)
            except ValueError as error:
                raise _MalformedResponse("body is not base64") from error
        else:
            # A lone surrogate (echoed from a request) cannot be UTF-8: it goes out as "?",
            # as the gateway's own string-to-UTF-8 conversion does.
            body = raw.encode("utf-8", "replace")
        return HttpResponse(result["statusCode"], headers, body)

    def gateway_error(
        self, kind: str, headers: dict[str, str], request_id: str | None = None,
        status: int | None = None, title: str | None = None,
    ) -> HttpResponse:
        """One of the gateway's own responses: problem+json with our CORS headers."""
        default_status, default_title, detail = GATEWAY_ERRORS[kind]
        code = status or default_status or 500
        heading = title or default_title or kind.replace("_", " ").title()
        response = problem(request_id or str(uuid.uuid4()), code, heading, detail or heading)
        response["headers"].update(cors_headers(headers))
        return self._to_http(response)

    def _bad_gateway(self, headers: dict[str, str], request_id: str) -> HttpResponse:
        # API Gateway's answer to a function error or a malformed/oversized proxy response:
        # 502, made from the DEFAULT_5XX gateway response.
        return self.gateway_error("DEFAULT_5XX", headers, request_id, 502, "Bad Gateway")

    def preflight(self, resource: str, headers: dict[str, str]) -> HttpResponse:
        methods = sorted({r.method for r in ROUTES if r.path == resource} | {"OPTIONS"})
        out = [
            ("Access-Control-Allow-Headers", ALLOWED_HEADERS),
            ("Access-Control-Allow-Methods", ",".join(methods)),
            ("Access-Control-Max-Age", "600"),
            *cors_headers(headers).items(),
        ]
        return HttpResponse(200, out, b"{}")


class _MalformedResponse(Exception):
    pass


def _unsafe(text: str) -> bool:
    return any((ord(c) < 0x20 and c != "\t") or ord(c) == 0x7F for c in text)


def _media_matches(media: str, pattern: str) -> bool:
    kind, _, sub = pattern.lower().partition("/")
    have_kind, _, have_sub = media.partition("/")
    return kind in ("*", have_kind) and sub in ("*", have_sub)


def _header(headers: list[tuple[str, str]], name: str) -> str | None:
    return next((v for k, v in headers if k.lower() == name), None)
