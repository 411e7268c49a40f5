"""The HTTP side of the emulator: a threaded stdlib server handing each request to the gateway."""

import logging
import socket
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from emulator.gateway import MAX_GATEWAY_BODY, Gateway, HttpResponse

access_log = logging.getLogger("todo-api.access")


class KeepAliveHandler(BaseHTTPRequestHandler):
    """HTTP/1.1 keep-alive without Nagle stalls, for every local server of the project."""

    protocol_version = "HTTP/1.1"

    def setup(self) -> None:
        super().setup()
        # Headers and body go out in two writes; without this, Nagle's algorithm holds the
        # body for the client's delayed ACK: 40 ms on every keep-alive request.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


class _RequestHandler(KeepAliveHandler):
    server: "LocalApiServer"

    def _serve(self) -> None:
        started = time.perf_counter()
        length = int(self.headers.get("Content-Length") or 0)
        gateway = self.server.gateway
        if length > MAX_GATEWAY_BODY:
            self.close_connection = True
            response = gateway.gateway_error("REQUEST_TOO_LARGE", {})
        else:
            body = self.rfile.read(length) if length > 0 else b""
            response = gateway.handle(
                self.command, self.path, list(self.headers.items()), body, self.client_address[0]
            )
        self._write(response)
        access_log.info(
            "access",
            extra={
                "method": self.command,
                "path": self.path.split("?")[0],
                "status": response.status,
                "latencyMs": round((time.perf_counter() - started) * 1000, 2),
                "sourceIp": self.client_address[0],
            },
        )

    def _write(self, response: HttpResponse) -> None:
        self.send_response_only(response.status)
        names = {name.lower() for name, _ in response.headers}
        for name, value in response.headers:
            if name.lower() not in ("content-length", "connection"):
                self.send_header(name, value)
        if "date" not in names:
            self.send_header("Date", self.date_time_string())
        self.send_header("Content-Length", str(len(response.body)))
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(response.body)

    def __getattr__(self, name: str) -> Any:
        # Every method reaches the gateway, which answers an undeclared one as API Gateway
        # does (no such route) instead of the stdlib's 501.
        if name.startswith("do_"):
            return self._serve
        raise AttributeError(name)

    def log_message(self, format: str, *args: object) -> None:
        pass  # the JSON access line above replaces the stdlib's


class LocalApiServer(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128  # the stdlib's 5 drops bursts of concurrent clients' connects

    def __init__(self, host: str, port: int, gateway: Gateway) -> None:
        self.gateway = gateway
        super().__init__((host, port), _RequestHandler)
