"""API Gateway (REST, Lambda proxy) played locally: the same routes, events and handlers."""

import base64
import importlib
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, unquote

from emulator.auth import Verifier
from services.http import cors_headers
from services.openapi import ALLOWED_HEADERS, GATEWAY_ERRORS
from services.problems import problem
from services.routes import FUNCTIONS, ROUTES, Route

if TYPE_CHECKING:
    from emulator.webapp import WebApp

MAX_GATEWAY_BODY = 10 * 1024 * 1024  # API Gateway's own payload limit
Handler = Callable[[dict[str, Any], Any], dict[str, Any]]


@dataclass
class HttpResponse:
    status: int
    headers: list[tuple[str, str]]
    body: bytes


@dataclass
class LambdaContext:
    """The attributes of Lambda's context object that code commonly reads."""

    function_name: str
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    memory_limit_in_mb: int = 512
    invoked_function_arn: str = ""
    log_group_name: str = ""
    log_stream_name: str = "local"

    def get_remaining_time_in_millis(self) -> int:
        return 29_000


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
        self, verifier: Verifier, stage: str = "local", web: "WebApp | None" = None
    ) -> None:
        self.verifier = verifier
        self.web = web  # the web app's own paths (local only); everything else is the API's
        self.stage = stage
        self._handlers: dict[str, Handler] = {}
        self.resources = sorted({r.path for r in ROUTES}, key=lambda p: p.count("{"))

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
        path, _, query = target.partition("?")
        if self.web and (page := self.web.handle(method, path, headers, body)) is not None:
            return page
        single = {k.lower(): v for k, v in headers}
        resolved = self._resolve(path)
        if resolved is None:
            return self.gateway_error("MISSING_AUTHENTICATION_TOKEN", single)
        resource, path_params = resolved
        if method == "OPTIONS":
            return self.preflight(resource, single)
        route = next((r for r in ROUTES if r.path == resource and r.method == method), None)
        if route is None:
            return self.gateway_error("MISSING_AUTHENTICATION_TOKEN", single)
        if len(body) > MAX_GATEWAY_BODY:
            return self.gateway_error("REQUEST_TOO_LARGE", single)
        claims = None
        if route.authorized:
            claims = self.verifier.claims(single.get("authorization"))
            if claims is None:
                return self.gateway_error("UNAUTHORIZED", single)
        event = self.event(route, path, query, headers, body, path_params, claims, source_ip)
        context = LambdaContext(route.function)
        result = self.handler(route.function)(event, context)
        return self._to_http(result)

    def event(
        self,
        route: Route,
        path: str,
        query: str,
        headers: list[tuple[str, str]],
        body: bytes,
        path_params: dict[str, str],
        claims: dict[str, str] | None,
        source_ip: str,
    ) -> dict[str, Any]:
        """A REST API proxy event, shaped as API Gateway sends it."""
        multi_headers: dict[str, list[str]] = {}
        for name, value in [*headers, ("X-Forwarded-Proto", "http")]:
            multi_headers.setdefault(name, []).append(value)
        multi_query: dict[str, list[str]] = {}
        for name, value in parse_qsl(query, keep_blank_values=True):
            multi_query.setdefault(name, []).append(value)
        try:
            text: str | None = body.decode("utf-8") if body else None
            encoded = False
        except UnicodeDecodeError:
            text, encoded = base64.b64encode(body).decode(), True
        host = next((v for k, v in headers if k.lower() == "host"), "127.0.0.1")
        now = time.time()
        request_id = str(uuid.uuid4())
        return {
            "resource": route.path,
            "path": path,
            "httpMethod": route.method,
            "headers": {k: v[-1] for k, v in multi_headers.items()},
            "multiValueHeaders": multi_headers,
            "queryStringParameters": {k: v[-1] for k, v in multi_query.items()} or None,
            "multiValueQueryStringParameters": multi_query or None,
            "pathParameters": path_params or None,
            "stageVariables": None,
            "requestContext": {
                "resourceId": "local",
                "resourcePath": route.path,
                "httpMethod": route.method,
                "extendedRequestId": request_id,
                "requestTime": time.strftime("%d/%b/%Y:%H:%M:%S +0000", time.gmtime(now)),
                "path": path,
                "accountId": "000000000000",
                "protocol": "HTTP/1.1",
                "stage": self.stage,
                "domainPrefix": host.split(".")[0],
                "requestTimeEpoch": int(now * 1000),
                "requestId": request_id,
                "identity": {"sourceIp": source_ip, "userAgent": _header(headers, "user-agent")},
                "domainName": host,
                "apiId": "local",
                "authorizer": {"claims": claims} if claims is not None else None,
            },
            "body": text,
            "isBase64Encoded": encoded,
        }

    @staticmethod
    def _to_http(result: dict[str, Any]) -> HttpResponse:
        headers = list((result.get("headers") or {}).items())
        for name, values in (result.get("multiValueHeaders") or {}).items():
            headers += [(name, value) for value in values]
        raw = result.get("body") or ""
        body = base64.b64decode(raw) if result.get("isBase64Encoded") else raw.encode("utf-8")
        return HttpResponse(int(result["statusCode"]), headers, body)

    def gateway_error(self, kind: str, headers: dict[str, str]) -> HttpResponse:
        status, title, detail = GATEWAY_ERRORS[kind]
        heading = title or kind.replace("_", " ").title()
        response = problem(str(uuid.uuid4()), status or 400, heading, detail or heading)
        response["headers"].update(cors_headers(headers))
        return self._to_http(response)

    def preflight(self, resource: str, headers: dict[str, str]) -> HttpResponse:
        methods = sorted({r.method for r in ROUTES if r.path == resource} | {"OPTIONS"})
        out = [
            ("Access-Control-Allow-Headers", ALLOWED_HEADERS),
            ("Access-Control-Allow-Methods", ",".join(methods)),
            ("Access-Control-Max-Age", "600"),
            *cors_headers(headers).items(),
        ]
        return HttpResponse(200, out, b"{}")


def _header(headers: list[tuple[str, str]], name: str) -> str | None:
    return next((v for k, v in headers if k.lower() == name), None)
