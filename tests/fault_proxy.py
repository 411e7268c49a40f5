"""A DynamoDB endpoint that misbehaves on purpose: it forwards requests to a real engine over
HTTP, except those a rule tells it to throttle, fail, drop, slow down or cut off."""

import http.client
import json
import socket
import struct
import threading
import time
from collections import Counter
from dataclasses import dataclass
from http.server import ThreadingHTTPServer
from urllib.parse import urlsplit

from emulator.server import KeepAliveHandler

ERRORS = {
    "throttle": (400, "ProvisionedThroughputExceededException", "Rate of requests exceeds"),
    "error500": (500, "InternalServerError", "Internal server error"),
}


@dataclass
class Rule:
    operation: str  # X-Amz-Target's operation, e.g. PutItem
    fault: str  # throttle, error500, reset, lost_response, slow, hang
    times: int = 1_000_000
    delay: float = 0.0


class FaultProxy(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, upstream: str) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.upstream = urlsplit(upstream)
        self.rules: list[Rule] = []
        self.seen: Counter[str] = Counter()
        self.lock = threading.Lock()
        self.thread = threading.Thread(target=self.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def fault_for(self, operation: str) -> Rule | None:
        with self.lock:
            self.seen[operation] += 1
            for rule in self.rules:
                if rule.operation == operation and rule.times > 0:
                    rule.times -= 1
                    return rule
        return None

    def forward(self, body: bytes, headers: dict[str, str]) -> tuple[int, list[tuple[str, str]],
                                                                      bytes]:
        connection = http.client.HTTPConnection(self.upstream.hostname or "127.0.0.1",
                                                self.upstream.port, timeout=30)
        try:
            connection.request("POST", "/", body=body, headers=headers)
            response = connection.getresponse()
            return response.status, response.getheaders(), response.read()
        finally:
            connection.close()


class _Handler(KeepAliveHandler):
    server: FaultProxy

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        operation = (self.headers.get("X-Amz-Target") or "").rsplit(".", 1)[-1]
        rule = self.server.fault_for(operation)
        fault = rule.fault if rule else None
        if fault in ERRORS:
            status, kind, message = ERRORS[fault]
            payload = json.dumps({"__type": f"com.amazonaws.dynamodb.v20120810#{kind}",
                                  "message": message}).encode()
            self._send(status, [("Content-Type", "application/x-amz-json-1.0")], payload)
            return
        if fault in ("reset", "hang"):
            if rule and fault == "hang":
                time.sleep(rule.delay)
            self._cut()
            return
        if rule and fault == "slow":
            time.sleep(rule.delay)
        headers = {k: v for k, v in self.headers.items() if k.lower() != "host"}
        status, response_headers, payload = self.server.forward(body, headers)
        if fault == "lost_response":  # the write happened; its answer never arrives
            self._cut()
            return
        self._send(status, response_headers, payload)

    def _send(self, status: int, headers: list[tuple[str, str]], payload: bytes) -> None:
        try:
            self.send_response_only(status)
            for name, value in headers:
                if name.lower() not in ("content-length", "connection", "transfer-encoding"):
                    self.send_header(name, value)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)
        except OSError:
            self.close_connection = True  # the client gave up first (a slow answer)

    def _cut(self) -> None:
        """Close with a TCP reset: the client sees its connection die mid-request."""
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.close_connection = True
        self.connection.close()

    def log_message(self, format: str, *args: object) -> None:
        pass
