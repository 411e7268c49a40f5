"""Test helpers: two ways to call the API (in-process gateway, real HTTP) and a local server."""

import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import requests

from emulator.auth import issue_token
from emulator.gateway import Gateway

ROOT = Path(__file__).resolve().parent.parent


@dataclass
class Reply:
    status: int
    headers: dict[str, str]  # lower-case names
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "")


class Api:
    """Calls the API as a user; subclasses decide how the request travels."""

    def request(
        self,
        method: str,
        path: str,
        *,
        user: str | None = None,
        token: str | None = None,
        json_body: Any = None,
        body: bytes | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> Reply:
        all_headers = dict(headers or {})
        if user is not None:
            token = token or issue_token(user)
        if token is not None:
            all_headers.setdefault("Authorization", f"Bearer {token}")
        if json_body is not None:
            body = json.dumps(json_body).encode()
            all_headers.setdefault("Content-Type", "application/json")
        return self.send(method, path, all_headers, body or b"")

    def send(self, method: str, path: str, headers: dict[str, str], body: bytes) -> Reply:
        raise NotImplementedError

    # Shortcuts for the common calls.
    def create(self, user: str, **fields: Any) -> dict[str, Any]:
        reply = self.request("POST", "/todos", user=user, json_body={"title": "task", **fields})
        assert reply.status == 201, reply.body
        task: dict[str, Any] = reply.json()
        return task

    def tasks_of(self, user: str, query: str = "", limit: int = 100) -> list[dict[str, Any]]:
        """Every task of the user (of a view or filter: `query`), following the pages."""
        found: list[dict[str, Any]] = []
        first = f"/todos?limit={limit}" + (f"&{query}" if query else "")
        path = first
        while True:
            reply = self.request("GET", path, user=user)
            assert reply.status == 200, reply.body
            found += reply.json()
            cursor = reply.headers.get("x-next-cursor")
            if not cursor:
                return found
            path = f"{first}&cursor={cursor}"


class InProcessApi(Api):
    """The emulator's gateway called directly: real proxy events, real JWT checks, no socket."""

    def __init__(self, gateway: Gateway) -> None:
        self.gateway = gateway

    def send(self, method: str, path: str, headers: dict[str, str], body: bytes) -> Reply:
        headers = {"Host": "api.test", **headers}
        if body:
            headers["Content-Length"] = str(len(body))
        response = self.gateway.handle(method, path, list(headers.items()), body)
        merged: dict[str, str] = {}
        for name, value in response.headers:
            merged[name.lower()] = value
        return Reply(response.status, merged, response.body)


class HttpApi(Api):
    """Real HTTP to a running local server."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.session = requests.Session()

    def send(self, method: str, path: str, headers: dict[str, str], body: bytes) -> Reply:
        # Header values beyond Latin-1 go out as their UTF-8 bytes, as a browser sends them.
        raw = {k: v.encode() if not v.isascii() else v for k, v in headers.items()}
        prepared = self.session.prepare_request(
            requests.Request(method, self.base_url + path, headers=raw, data=body or None)
        )
        # The path as written: requests resolves dot segments ("/todos/.." would become "/",
        # the web app) before sending; quoting stays as requests does it.
        prepared.url = requests.utils.requote_uri(self.base_url + path)
        response = self.session.send(prepared, timeout=30)
        return Reply(
            response.status_code,
            {k.lower(): v for k, v in response.headers.items()},
            response.content,
        )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class LocalServer:
    """`todo-api serve` in a child process on 127.0.0.1, stopped by the test that started it."""

    def __init__(self, *args: str, env: Mapping[str, str] | None = None,
                 log_format: str = "json") -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        # JSON by default: the tests read the lines a deployed function writes.
        command = [sys.executable, "-m", "cli.main", "serve", "--port", str(self.port),
                   "--log-format", log_format, *args]
        # Output goes to files: a pipe nobody reads would fill and stall the server.
        self.out = tempfile.NamedTemporaryFile(mode="w+", suffix=".out")  # noqa: SIM115
        self.log = tempfile.TemporaryFile(mode="w+")  # noqa: SIM115
        self.process = subprocess.Popen(
            command,
            cwd=ROOT,
            env={**os.environ, **(env or {})},
            stdout=self.out,
            stderr=self.log,
            text=True,
        )
        self.banner = ""

    def wait_ready(self, timeout: float = 60) -> "LocalServer":
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            printed = Path(self.out.name).read_text()
            if "Press Ctrl-C" in printed:
                self.banner = printed
                return self
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited: {self.stop()}")
            time.sleep(0.05)
        raise TimeoutError("server did not start")

    def stop(self, sig: int = signal.SIGTERM) -> str:
        """Stop the server with a signal; returns what it printed after the banner."""
        if self.process.poll() is None:
            self.process.send_signal(sig)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        return self.stdout() + self.logs()

    def stdout(self) -> str:
        return Path(self.out.name).read_text()

    def logs(self) -> str:
        self.log.seek(0)
        return self.log.read()


def proxy_event(method: str, resource: str, path: str, *, user: str | None = "maria123",
          body: Any = None, query: dict[str, str] | None = None,
          path_params: dict[str, str] | None = None) -> dict[str, Any]:
    """Shaped like the sample event in the API Gateway docs, behind a `dev` stage."""
    return {
        "resource": resource,
        "path": path,
        "httpMethod": method,
        "headers": {"Host": "abc123.execute-api.us-east-1.amazonaws.com",
                    "X-Forwarded-Proto": "https", "Content-Type": "application/json"},
        "multiValueHeaders": {},
        "queryStringParameters": query,
        "multiValueQueryStringParameters": {k: [v] for k, v in (query or {}).items()} or None,
        "pathParameters": path_params,
        "stageVariables": None,
        "requestContext": {
            "resourcePath": resource,
            "httpMethod": method,
            "path": f"/dev{path}",
            "stage": "dev",
            "requestId": "c6af9ac6-7b61-11e6-9a41-93e8deadbeef",
            "domainName": "abc123.execute-api.us-east-1.amazonaws.com",
            "authorizer": {"claims": {"sub": user, "token_use": "id"}} if user else None,
        },
        "body": json.dumps(body) if body is not None else None,
        "isBase64Encoded": False,
    }


def write_state_file(path: Path, tasks_per_user: Mapping[str, int]) -> None:
    """A `--state` snapshot holding that many tasks for each user, serialized by the model
    itself (as a server that had created them would have saved them)."""
    from models import TodoModel
    from services.domain.ids import uuid7

    items = []
    for user, count in tasks_per_user.items():
        for index in range(count):
            task = TodoModel(user, uuid7(), title=f"preloaded {index}", status="pending",
                             priority="normal", created_at="2026-01-01T00:00:00.000Z",
                             updated_at="2026-01-01T00:00:00.000Z", version=1)
            items.append(task.serialize())
    path.write_text(json.dumps({"table": "todos", "items": items}))


def rss_mb(pid: int) -> float:
    """Resident memory of a process, from /proc (Linux)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for {pid}")
