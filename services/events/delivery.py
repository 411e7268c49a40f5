"""One delivery attempt: POST the signed event to the address that was checked, within the
time limit, and tell what came back.

The connection goes to the checked address itself (not to the host name, which could
resolve elsewhere by now); the request still names the host (`Host`, and TLS's SNI and
certificate check for https). The time limit covers everything, connecting, TLS, sending and
waiting for the status line: a timer shuts the socket at the deadline, so a receiver that
trickles bytes cannot hold the attempt past it. Only the status matters; the body of the
answer is not read, and redirects are not followed (a 3xx is a failure)."""

import contextlib
import http.client
import socket
import ssl
import threading
import time
from typing import NamedTuple

from services.domain.targets import IPAddress, Target

USER_AGENT = "todo-api-webhooks/1"
_tls: ssl.SSLContext | None = None


class Outcome(NamedTuple):
    status: int | None  # the receiver's HTTP status, if it answered
    error: str | None  # why the attempt failed, for the deliveries list (None: delivered)
    latency_ms: float = 0.0

    @property
    def delivered(self) -> bool:
        return self.error is None


def _tls_context() -> ssl.SSLContext:
    global _tls
    if _tls is None:
        _tls = ssl.create_default_context()  # the system's CA bundle, certificates checked
    return _tls


def _cut(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)


def post(target: Target, address: IPAddress, body: bytes, headers: dict[str, str],
         timeout: float) -> Outcome:
    started = time.monotonic()
    deadline = started + timeout

    def failed(reason: str, status: int | None = None) -> Outcome:
        return Outcome(status, reason, round((time.monotonic() - started) * 1000, 1))

    late = f"no answer within {timeout:g} s"
    try:
        sock = socket.create_connection((str(address), target.port), timeout=timeout)
    except TimeoutError:
        return failed(late)
    except OSError as error:
        return failed(f"could not connect ({error.strerror or type(error).__name__})")
    timer = threading.Timer(max(0.0, deadline - time.monotonic()), _cut, (sock,))
    timer.daemon = True
    timer.start()
    try:
        if target.scheme == "https":
            sock = _tls_context().wrap_socket(sock, server_hostname=target.host)
        connection = http.client.HTTPConnection(target.host, target.port, timeout=timeout)
        connection.sock = sock  # already connected to the checked address
        connection.putrequest("POST", target.path, skip_host=True, skip_accept_encoding=True)
        all_headers = {"Host": target.host_header, "User-Agent": USER_AGENT,
                       "Content-Type": "application/json", "Content-Length": str(len(body)),
                       "Connection": "close", **headers}
        for name, value in all_headers.items():
            connection.putheader(name, value)
        connection.endheaders(body)
        status = connection.getresponse().status
    except ssl.SSLError as error:
        return failed(f"TLS failed ({error.reason or 'handshake'})")
    except (OSError, http.client.HTTPException) as error:
        if time.monotonic() >= deadline - 0.01 or isinstance(error, TimeoutError):
            return failed(late)
        return failed(f"connection failed ({type(error).__name__})")
    finally:
        timer.cancel()
        sock.close()
    if 200 <= status < 300:
        return Outcome(status, None, round((time.monotonic() - started) * 1000, 1))
    return failed(f"HTTP {status}", status)
