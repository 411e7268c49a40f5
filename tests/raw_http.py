"""Raw HTTP/1.1 over sockets against an emulator server run in the test's own process."""

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

from emulator.gateway import Gateway
from emulator.server import Limits, LocalApiServer


@contextmanager
def running(gateway: Gateway, *, public_url: str | None = None,
            limits: Limits | None = None) -> Iterator[LocalApiServer]:
    server = LocalApiServer("127.0.0.1", 0, gateway, public_url=public_url, limits=limits)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while True:  # ready when it answers
        try:
            with socket.create_connection(server.server_address, timeout=1) as probe:
                probe.sendall(b"GET /nowhere HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                              b"Connection: close\r\n\r\n")
                if probe.recv(12).startswith(b"HTTP/1.1"):
                    break
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)
    try:
        yield server
    finally:
        server.shutdown()
        thread.join(10)
        server.server_close()


def connect(server: LocalApiServer, timeout: float = 5) -> socket.socket:
    return socket.create_connection(server.server_address, timeout=timeout)


def read_response(sock: socket.socket) -> tuple[int, dict[str, str], bytes]:
    """One response off the socket (Content-Length framing, as every answer here has)."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError(f"closed before a full response: {data!r}")
        data += chunk
    head, _, rest = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ")[1])
    headers: dict[str, str] = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    length = int(headers.get("content-length", "0"))
    while len(rest) < length:
        chunk = sock.recv(65536)
        if not chunk:
            break
        rest += chunk
    return status, headers, rest[:length]


def closed_by_server(sock: socket.socket, within: float) -> bool:
    sock.settimeout(within)
    try:
        while True:
            chunk = sock.recv(65536)
            if not chunk:
                return True
    except TimeoutError:
        return False
    except ConnectionResetError:
        return True


def request(method: str, path: str, headers: dict[str, str], body: bytes = b"") -> bytes:
    lines = [f"{method} {path} HTTP/1.1", *(f"{k}: {v}" for k, v in headers.items())]
    if body and "Content-Length" not in headers and "Transfer-Encoding" not in headers:
        lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body
