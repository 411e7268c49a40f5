"""The HTTP side of the emulator: Hypercorn (h11) does the framing, limits and timeouts; each
request goes to the gateway, which answers before the body is read when it can."""

import asyncio
import contextlib
import ipaddress
import logging
import re
import signal
import socket
import threading
import time
import uuid
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler
from typing import Any, cast
from urllib.parse import urlsplit

import h11
from hypercorn.asyncio import serve
from hypercorn.config import Config
from hypercorn.protocol.h11 import H11Protocol
from hypercorn.typing import ASGIFramework

from emulator.exchange import HttpResponse
from emulator.gateway import MAX_GATEWAY_BODY, Gateway
from emulator.webapp import WEB_BODY_LIMIT
from services.edge.problems import problem

# An early answer (401, 404, 413) to a request whose body is at most this long waits for the
# body first, so the client's keep-alive connection survives it.
EARLY_DRAIN_LIMIT = 64 * 1024


async def _unparsable_request(self: H11Protocol, status_code: int) -> None:
    """What h11 cannot parse (a malformed header line, a control character in a value, a bad
    Content-Length) never reaches the gateway; Hypercorn answers it with an empty body. Give it
    a problem document like every other error instead, and close the connection, as before."""
    answer = problem(str(uuid.uuid4()), status_code, "Bad Request",
                     "The request is not valid HTTP/1.1")
    body = answer["body"].encode()
    headers = [(b"content-type", answer["headers"]["Content-Type"].encode()),
               (b"content-length", str(len(body)).encode()), (b"connection", b"close"),
               *self.config.response_headers("h11")]
    await self._send_h11_event(h11.Response(status_code=status_code, headers=headers))
    await self._send_h11_event(h11.Data(data=body))
    await self._send_h11_event(h11.EndOfMessage())


H11Protocol._send_error_response = _unparsable_request  # type: ignore[method-assign]

access_log = logging.getLogger("todo-api.access")

Scope = dict[str, Any]
Message = dict[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

class KeepAliveHandler(BaseHTTPRequestHandler):
    """HTTP/1.1 keep-alive without Nagle stalls, for the test suite's small stdlib servers."""

    protocol_version = "HTTP/1.1"

    def setup(self) -> None:
        super().setup()
        # Headers and body go out in two writes; without this, Nagle's algorithm holds the
        # body for the client's delayed ACK: 40 ms on every keep-alive request.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


@dataclass(frozen=True)
class Limits:
    """What one client may take of the server (seconds and bytes)."""

    # A new connection must send its request headers within this, and a kept-alive one is
    # closed after this long idle: a client trickling bytes holds no thread and not for long.
    idle_timeout: float = 5.0
    # The whole body must arrive within this once the headers are in.
    body_timeout: float = 30.0
    max_header_bytes: int = 16 * 1024
    backlog: int = 128
    # Threads that wait on functions (the gateway has its own pool running them).
    workers: int = 64


class LocalApiServer:
    """Serves a Gateway on host:port until shutdown(); socketserver's interface, Hypercorn's
    HTTP/1.1 underneath."""

    def __init__(
        self,
        host: str,
        port: int,
        gateway: Gateway,
        *,
        public_url: str | None = None,
        limits: Limits | None = None,
    ) -> None:
        self.gateway = gateway
        self.limits = limits or Limits()
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        self.socket = socket.create_server((host, port), family=family,
                                           backlog=self.limits.backlog)
        address = self.socket.getsockname()
        self.server_address: tuple[str, int] = (str(address[0]), int(address[1]))
        shown = f"[{address[0]}]" if family == socket.AF_INET6 else address[0]
        self.url = f"http://{shown}:{address[1]}"
        # URLs in responses start with the public URL, never with the client's Host header.
        gateway.set_public_url(public_url or self.url)
        self.hosts = OwnNames(host, public_url)
        self._pool = ThreadPoolExecutor(self.limits.workers, thread_name_prefix="gateway")
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._stopping = False
        self._signalled = False

    def _config(self) -> Config:
        config = Config()
        # Hypercorn owns the listening socket from here on (detach: no double close).
        config.bind = [f"fd://{self.socket.detach()}"]
        config.keep_alive_timeout = self.limits.idle_timeout
        config.h11_max_incomplete_size = self.limits.max_header_bytes
        config.h11_pass_raw_headers = True  # header names reach the event as the client sent them
        config.backlog = self.limits.backlog
        config.graceful_timeout = 5.0
        config.include_server_header = False
        config.accesslog = None  # the JSON access line below replaces it
        errors = logging.getLogger("hypercorn.error")
        errors.setLevel(logging.WARNING)  # its "Running on" line repeats our banner
        config.errorlog = errors
        return config

    def serve_forever(self) -> None:
        """Serve until shutdown() (then return) or, in the main thread, SIGINT or SIGTERM:
        then stop accepting, let requests in flight finish (up to `graceful_timeout`) and
        raise KeyboardInterrupt, as the stdlib servers do on Ctrl-C."""
        self._signalled = False
        asyncio.run(self._serve())
        if self._signalled:
            raise KeyboardInterrupt

    async def _serve(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._stop = asyncio.Event()
        if self._stopping:
            self._stop.set()
        previous: dict[signal.Signals, Any] = {}
        if threading.current_thread() is threading.main_thread():
            for number in (signal.SIGINT, signal.SIGTERM):
                previous[number] = signal.getsignal(number)
                self._loop.add_signal_handler(number, self._on_signal)
        try:
            # Our own loose ASGI types: the app reads only what every ASGI server sends.
            app = cast(ASGIFramework, self._app)
            await serve(app, self._config(), shutdown_trigger=self._stop.wait, mode="asgi")
        finally:
            self._pool.shutdown(wait=False, cancel_futures=True)
            for number, handler in previous.items():  # the caller's handlers again
                self._loop.remove_signal_handler(number)
                signal.signal(number, handler)

    def _on_signal(self) -> None:
        self._signalled = True
        if self._stop is not None:
            self._stop.set()

    def shutdown(self) -> None:
        """Ask serve_forever() to return (from any thread)."""
        self._stopping = True
        if self._loop is not None and self._stop is not None:
            self._loop.call_soon_threadsafe(self._stop.set)

    def server_close(self) -> None:
        if self.socket.fileno() != -1:  # never served: still ours to close
            self.socket.close()

    async def _app(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            while True:
                message = await receive()
                if message["type"] == "lifespan.startup":
                    await send({"type": "lifespan.startup.complete"})
                elif message["type"] == "lifespan.shutdown":
                    await send({"type": "lifespan.shutdown.complete"})
                    return
        elif scope["type"] == "websocket":
            await receive()
            await send({"type": "websocket.close", "code": 1008})
        elif scope["type"] == "http":
            await self._http(scope, receive, send)

    async def _http(self, scope: Scope, receive: Receive, send: Send) -> None:
        started = time.perf_counter()
        method: str = scope["method"]
        headers = [(k.decode("latin-1"), v.decode("latin-1")) for k, v in scope["headers"]]
        target = scope["raw_path"].decode("latin-1")
        if scope["query_string"]:
            target += "?" + scope["query_string"].decode("latin-1")
        source_ip = scope["client"][0] if scope.get("client") else "127.0.0.1"
        length = _declared_length(headers)
        gateway = self.gateway
        single = {k.lower(): v for k, v in headers}
        if "content-length" in single and "transfer-encoding" in single:
            # RFC 9112 6.3: a likely smuggling attempt; answer and close rather than guess.
            response = gateway.gateway_error("DEFAULT_4XX", single, None, 400, "Bad Request")
            response.headers.append(("Connection", "close"))
            await self._write(send, method, response, receive)
            return
        body_done = length == 0
        if scope.get("http_version") not in ("1.0", "1.1"):
            # HTTP/2 with prior knowledge ("PRI * HTTP/2.0"): refused, like h2c upgrades
            # (ignored, see _http1_only), so every connection has HTTP/1.1's limits.
            response = _refusal(505, "HTTP Version Not Supported",
                                "This server speaks HTTP/1.1 only")
            await self._write(send, method, response, None)
            return
        if not self.hosts.admits(single.get("host")):
            # DNS rebinding: a page whose name now points at this machine sends its own name
            # as Host. Nothing is answered to a name that is not this server's, on any path.
            response = _refusal(421, "Misdirected Request",
                                "This server answers only to its own names (its address, "
                                "localhost, or the host of PUBLIC_URL)")
            await self._write(send, method, response, None if body_done else receive, length)
            return
        try:
            page, read = await self._web_page(method, target, headers, receive)
            body_done = body_done or read
            routed = page or gateway.route(method, target, headers, length)
            if isinstance(routed, HttpResponse):
                response = routed  # answered before reading the body
            else:
                body = await self._read_body(receive, MAX_GATEWAY_BODY)
                if body is None:
                    length = None  # it did not come in time: no waiting for it again, close
                    response = gateway.gateway_error(
                        "DEFAULT_4XX", single, routed.request_id, 408, "Request Timeout")
                elif len(body) > MAX_GATEWAY_BODY:
                    response = gateway.gateway_error(
                        "REQUEST_TOO_LARGE", single, routed.request_id)
                else:
                    body_done = True
                    loop = asyncio.get_running_loop()
                    response = await loop.run_in_executor(
                        self._pool, gateway.invoke, routed, body, source_ip)
        except _Disconnected:
            return
        except Exception:
            logging.getLogger("todo-api.gateway").exception("emulator error")
            response = gateway.gateway_error(
                "DEFAULT_5XX", single, None, 500, "Internal Server Error")
        await self._write(send, method, response, None if body_done else receive, length)
        access_log.info(
            "access",
            extra={
                "method": method,
                "path": target.split("?")[0],
                "status": response.status,
                "latencyMs": round((time.perf_counter() - started) * 1000, 2),
                "sourceIp": source_ip,
            },
        )

    async def _web_page(self, method: str, target: str, headers: list[tuple[str, str]],
                        receive: Receive) -> tuple[HttpResponse | None, bool]:
        """The local web app's answer for its own paths, and whether the whole body was read
        (only its sign-in takes one, a small one)."""
        web = self.gateway.web
        if web is None or not web.takes_body(method, target.partition("?")[0]):
            return self.gateway.web_page(method, target, headers, b""), False
        body = await self._read_body(receive, WEB_BODY_LIMIT)
        whole = body is not None and len(body) <= WEB_BODY_LIMIT
        return self.gateway.web_page(method, target, headers, body or b""), whole

    async def _read_body(self, receive: Receive, limit: int) -> bytes | None:
        """The body, or as much as passes `limit` (then the caller answers 413), or None when
        it did not arrive in time; _Disconnected when the client left."""
        body = bytearray()
        deadline = time.monotonic() + self.limits.body_timeout
        while True:
            try:
                message = await asyncio.wait_for(receive(), deadline - time.monotonic())
            except TimeoutError:
                return None
            if message["type"] == "http.disconnect":
                raise _Disconnected
            body += message.get("body", b"")
            if len(body) > limit or not message.get("more_body", False):
                return bytes(body)

    async def _write(self, send: Send, method: str, response: HttpResponse,
                     unread: Receive | None, length: int | None = None) -> None:
        """Send the response; with `unread`, the rest of the body is discarded meanwhile: a
        body already received leaves the connection usable, one still coming closes it."""
        if unread is not None and length is not None and length <= EARLY_DRAIN_LIMIT:
            # A small body is in or nearly: take it before answering, so the connection stays
            # usable. Answering first would close it under a client that already reuses it.
            try:
                await asyncio.wait_for(_discard(unread), self.limits.body_timeout)
                unread = None
            except TimeoutError:
                pass
        closing = any(n.lower() == "connection" for n, _ in response.headers)
        if unread is not None and not closing:
            # The body may never come whole: say the connection ends with this answer.
            response.headers.append(("Connection", "close"))
        # Hypercorn queues body parts for the app and waits for room; nobody reading them
        # would stall the connection after the answer instead of closing it.
        drain = asyncio.create_task(_discard(unread)) if unread is not None else None
        try:
            await self._send(send, method, response)
        finally:
            if drain is not None:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(drain, self.limits.body_timeout)

    @staticmethod
    async def _send(send: Send, method: str, response: HttpResponse) -> None:
        raw = [
            (name.encode("latin-1", "replace"), value.encode("utf-8"))
            for name, value in response.headers
            if name.lower() not in ("content-length", "transfer-encoding")
        ]
        if response.status != 304:  # a 304 has no body, and no length of its own to tell
            raw.append((b"content-length", str(len(response.body)).encode()))
        await send({"type": "http.response.start", "status": response.status, "headers": raw})
        body = b"" if method == "HEAD" else response.body
        await send({"type": "http.response.body", "body": body, "more_body": False})


class _Disconnected(Exception):
    pass


class OwnNames:
    """The names this server answers to (RFC 9110 7.4: others are 421): the host of the
    public URL, the address it listens on, and, on a loopback or wildcard address,
    localhost, 127.0.0.1 and ::1. Listening on every address (0.0.0.0, ::), any IP address
    is its own too: a rebinding attack needs a name, which an address is not."""

    def __init__(self, bind_host: str, public_url: str | None) -> None:
        names = {_normal(bind_host)}
        if public_url:
            names.add(_normal(urlsplit(public_url).hostname or ""))
        address = _ip(bind_host)
        self.any_address = address is not None and address.is_unspecified
        if bind_host == "localhost" or self.any_address or (address and address.is_loopback):
            names |= {"localhost", "127.0.0.1", "::1"}
        self.names = frozenset(names)

    def admits(self, host: str | None) -> bool:
        found = _HOST.fullmatch(host or "")
        if found is None:
            return False
        name = _normal(found.group(1))
        return name in self.names or (self.any_address and _ip(name) is not None)


# Host = uri-host [ ":" port ]: a bracketed IPv6 address or a name without userinfo.
_HOST = re.compile(r"(\[[0-9A-Fa-f:.]{2,45}\]|[A-Za-z0-9._~%!$&'()*+,;=-]{1,253})(?::[0-9]{1,5})?")


def _normal(name: str) -> str:
    return name.strip("[]").lower().removesuffix(".")


def _ip(name: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(name.strip("[]"))
    except ValueError:
        return None


def _refusal(status: int, title: str, detail: str) -> HttpResponse:
    """A problem the server answers itself, before any route, and closes the connection."""
    answer = problem(str(uuid.uuid4()), status, title, detail)
    return HttpResponse(status, [*answer["headers"].items(), ("Connection", "close")],
                        answer["body"].encode())


async def _http1_only(self: H11Protocol, event: h11.Request) -> None:
    """Hypercorn switches a connection to HTTP/2 on an `Upgrade: h2c` request or on HTTP/2's
    preface. Neither happens here: an upgrade request is answered in HTTP/1.1 (RFC 9110 7.8
    lets a server ignore Upgrade) and the preface gets a 505 (LocalApiServer._http), so the
    idle, header and body limits of HTTP/1.1 hold for every connection."""


H11Protocol._check_protocol = _http1_only  # type: ignore[method-assign]


async def _discard(receive: Receive) -> None:
    while True:
        message = await receive()
        if message["type"] == "http.disconnect" or not message.get("more_body", False):
            return


def _declared_length(headers: list[tuple[str, str]]) -> int | None:
    """Content-Length when the client declared one (h11 has checked it), 0 without a body,
    None for a chunked body of unknown length."""
    for name, value in headers:
        if name.lower() == "content-length":
            return int(value)
    if any(name.lower() == "transfer-encoding" for name, _ in headers):
        return None
    return 0
