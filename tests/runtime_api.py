"""A small Lambda Runtime API (the 2018-06-01 interface the runtime client polls), to run the
handlers the way the image runs them: `python -m awslambdaric <image_config.command>`."""

import json
import queue
import threading
import uuid
from http.server import ThreadingHTTPServer
from typing import Any

from emulator.server import KeepAliveHandler

PREFIX = "/2018-06-01/runtime"


class RuntimeApi(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.events: queue.Queue[tuple[str, dict[str, Any]]] = queue.Queue()
        self.results: queue.Queue[tuple[str, str, Any]] = queue.Queue()
        self.thread = threading.Thread(target=self.serve_forever, daemon=True)

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.server_address[1]}"

    def __enter__(self) -> "RuntimeApi":
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.shutdown()
        self.server_close()

    def invoke(self, event: dict[str, Any], timeout: float = 60) -> tuple[str, Any]:
        """Queue an event; wait for the runtime's answer: ("response" or "error", payload)."""
        request_id = str(uuid.uuid4())
        self.events.put((request_id, event))
        answered_id, kind, payload = self.results.get(timeout=timeout)
        assert answered_id == request_id
        return kind, payload


class _Handler(KeepAliveHandler):
    server: RuntimeApi

    def _reply(self, status: int, body: bytes, headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        if self.path != f"{PREFIX}/invocation/next":
            self._reply(404, b"{}")
            return
        request_id, event = self.server.events.get()  # long poll, as Lambda does
        self._reply(200, json.dumps(event).encode(), {
            "Lambda-Runtime-Aws-Request-Id": request_id,
            "Lambda-Runtime-Deadline-Ms": "9999999999999",
            "Lambda-Runtime-Invoked-Function-Arn":
                "arn:aws:lambda:us-east-1:123456789012:function:local",
            "Lambda-Runtime-Trace-Id": "Root=1-00000000-000000000000000000000000;Sampled=0",
        })

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        parts = self.path.removeprefix(PREFIX).strip("/").split("/")
        if parts[:1] == ["invocation"] and len(parts) == 3:
            payload = json.loads(body) if body else None
            self.server.results.put((parts[1], parts[2], payload))
        elif parts == ["init", "error"]:
            self.server.results.put(("init", "error", body.decode()))
        self._reply(202, b"{}")

    def log_message(self, format: str, *args: object) -> None:
        pass
