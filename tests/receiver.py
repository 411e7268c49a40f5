"""A webhook receiver on loopback, for the events tests: it verifies every delivery with the
`standardwebhooks` library, as a receiver would, and answers as the test scripts it
(a status per request, or hanging, or not listening at all)."""

import json
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from standardwebhooks import Webhook

HANG = -1  # a scripted "status": accept the request and never answer


@dataclass
class Delivery:
    headers: dict[str, str]
    body: bytes
    arrived: float  # epoch seconds
    event: dict[str, Any] | None  # the verified event, None if verification failed
    problem: str | None = None

    @property
    def webhook_id(self) -> str:
        return self.headers["webhook-id"]


@dataclass
class Receiver:
    """Answers `statuses` in turn (then `then`); records what it received."""

    statuses: list[int] = field(default_factory=list)
    then: int = 200
    secret: str | None = None
    deliveries: list[Delivery] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self._release = threading.Event()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                body = self.rfile.read(length)
                status = receiver._record({k.lower(): v for k, v in self.headers.items()}, body)
                if status == HANG:
                    receiver._release.wait(60)
                    return
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_port}/hook"

    def _record(self, headers: dict[str, str], body: bytes) -> int:
        event = None
        problem = None
        try:
            assert self.secret is not None, "no secret yet"
            event = Webhook(self.secret).verify(body, headers)
        except Exception as error:
            problem = f"{type(error).__name__}: {error}"
        with self._lock:
            self.deliveries.append(Delivery(headers, body, time.time(), event, problem))
            return self.statuses.pop(0) if self.statuses else self.then

    def events(self) -> list[dict[str, Any]]:
        with self._lock:
            found = list(self.deliveries)
        problems = [d.problem for d in found if d.problem]
        assert not problems, problems  # every delivery verifies
        return [d.event for d in found if d.event is not None]

    def wait_for(self, count: int, timeout: float = 15,
                 where: Callable[[dict[str, Any]], bool] = lambda e: True) -> list[dict[str, Any]]:
        """At least `count` verified events matching `where`, waiting up to `timeout`."""
        deadline = time.monotonic() + timeout
        while True:
            found = [e for e in self.events() if where(e)]
            if len(found) >= count or time.monotonic() > deadline:
                return found
            time.sleep(0.05)

    def stop(self) -> None:
        self._release.set()
        self.server.shutdown()
        self.server.server_close()


class Silent:
    """A receiver that accepts connections and never says a word (nor reads)."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.connections: list[socket.socket] = []
        self._stopping = False
        threading.Thread(target=self._accept, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.sock.getsockname()[1]}/hook"

    def _accept(self) -> None:
        while not self._stopping:
            try:
                connection, _ = self.sock.accept()
            except OSError:
                return
            self.connections.append(connection)

    def stop(self) -> None:
        self._stopping = True
        self.sock.close()
        for connection in self.connections:
            connection.close()


def closed_port_url() -> str:
    """A loopback URL nobody listens on: connections are refused."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/hook"


def event_types(events: list[dict[str, Any]]) -> list[str]:
    return sorted(e["type"] for e in events)


def dumps(value: Any) -> str:
    return json.dumps(value, indent=1, sort_keys=True)
