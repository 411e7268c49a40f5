"""The emulator's HTTP server over raw sockets: framing, limits, timeouts and public URLs
(issue 9, item 8). Each test runs a real server in this process on a free loopback port."""

import json
import subprocess
import sys
import time
from typing import Any

import pytest

from emulator.auth import Verifier, issue_token
from emulator.gateway import MAX_GATEWAY_BODY, Gateway
from emulator.server import Limits, LocalApiServer
from tests.raw_http import closed_by_server, connect, read_response, request, running
from tests.support import ROOT, HttpApi, LocalServer


@pytest.fixture
def live_gateway(dynamodb_endpoint: str) -> Gateway:
    return Gateway(Verifier())


def _auth(user: str) -> dict[str, str]:
    return {"Host": "127.0.0.1", "Authorization": f"Bearer {issue_token(user)}"}


def _create(server: LocalApiServer, user: str, title: str = "task") -> dict[str, Any]:
    with connect(server) as sock:
        body = json.dumps({"title": title}).encode()
        sock.sendall(request("POST", "/todos", {**_auth(user),
                                                "Content-Type": "application/json"}, body))
        status, _, reply = read_response(sock)
    assert status == 201, reply
    task: dict[str, Any] = json.loads(reply)
    return task


def _get(server: LocalApiServer, user: str, path: str) -> tuple[int, dict[str, str], bytes]:
    with connect(server) as sock:
        sock.sendall(request("GET", path, _auth(user)))
        return read_response(sock)


def test_a_chunked_body_is_read_as_the_request_body(live_gateway: Gateway, user: str) -> None:
    body = b'{"title": "sent in chunks"}'
    chunked = b"".join(b"%x\r\n%s\r\n" % (len(part), part) for part in (body[:10], body[10:]))
    with running(live_gateway) as server, connect(server) as sock:
        sock.sendall(request("POST", "/todos", {**_auth(user), "Transfer-Encoding": "chunked",
                                                "Content-Type": "application/json"})
                     + chunked + b"0\r\n\r\n")
        status, _, reply = read_response(sock)
        assert status == 201, reply
        assert json.loads(reply)["title"] == "sent in chunks"
        # Nothing of the body was taken for a second request: the connection is still in sync.
        sock.sendall(request("GET", "/todos", _auth(user)))
        status, _, reply = read_response(sock)
        assert status == 200 and [t["title"] for t in json.loads(reply)] == ["sent in chunks"]


def test_content_length_with_transfer_encoding_is_refused_and_closed(
        live_gateway: Gateway, user: str) -> None:
    with running(live_gateway) as server, connect(server) as sock:
        sock.sendall(request("POST", "/todos", {**_auth(user), "Content-Length": "4",
                                                "Transfer-Encoding": "chunked"}, b"0\r\n\r\n"))
        status, headers, _ = read_response(sock)
        assert status == 400
        assert headers.get("connection") == "close" and closed_by_server(sock, 5)
        assert _get(server, user, "/todos")[2] == b"[]"


@pytest.mark.parametrize("length", ["-1", "-42", "abc", "1e3", "0x10", "+5", "5, 6"])
def test_a_bad_content_length_gets_an_answer_and_smuggles_nothing(
        live_gateway: Gateway, user: str, length: str) -> None:
    with running(live_gateway) as server:
        task = _create(server, user)
        smuggled = request("DELETE", f"/todos/{task['taskId']}", _auth(user))
        with connect(server) as sock:
            sock.sendall(request("POST", "/todos", {**_auth(user), "Content-Length": length,
                                                    "Content-Type": "application/json"})
                         + smuggled)
            status, _, _ = read_response(sock)
            assert status == 400
            assert closed_by_server(sock, 5)  # the rest is never read as a request
        status, _, reply = _get(server, user, f"/todos/{task['taskId']}")
        assert status == 200 and json.loads(reply)["taskId"] == task["taskId"]


def test_slow_clients_hold_nothing_and_are_cut_off(live_gateway: Gateway) -> None:
    limits = Limits(idle_timeout=1.0)
    with running(live_gateway, limits=limits) as server:
        slow = [connect(server) for _ in range(300)]
        try:
            for sock in slow:
                sock.sendall(b"G")  # one byte of a request line, then nothing
            started = time.monotonic()
            with connect(server) as sock:
                sock.sendall(request("GET", "/openapi.json", {"Host": "127.0.0.1"}))
                status, _, _ = read_response(sock)
            assert status == 200 and time.monotonic() - started < 2
            time.sleep(limits.idle_timeout)
            assert all(closed_by_server(sock, 3) for sock in slow)
        finally:
            for sock in slow:
                sock.close()


def test_an_idle_keep_alive_connection_is_closed(live_gateway: Gateway) -> None:
    with running(live_gateway, limits=Limits(idle_timeout=0.5)) as server, \
            connect(server) as sock:
        sock.sendall(request("GET", "/openapi.json", {"Host": "127.0.0.1"}))
        assert read_response(sock)[0] == 200
        assert closed_by_server(sock, 3)


def test_a_body_that_does_not_arrive_in_time_is_answered_408(
        live_gateway: Gateway, user: str) -> None:
    with running(live_gateway, limits=Limits(body_timeout=1.0)) as server, \
            connect(server) as sock:
        started = time.monotonic()
        sock.sendall(request("POST", "/todos", {**_auth(user), "Content-Length": "100"},
                             b'{"title": '))
        status, headers, _ = read_response(sock)
        assert status == 408
        # Within the body timeout, not after waiting for the same body a second time.
        assert time.monotonic() - started < 1.8
        assert headers["content-type"] == "application/problem+json"
        assert headers["connection"] == "close"
        assert _get(server, user, "/todos")[2] == b"[]"


def test_the_token_is_checked_before_a_large_body_is_read(live_gateway: Gateway) -> None:
    with running(live_gateway) as server, connect(server, timeout=3) as sock:
        # 9 MiB announced, none sent: the 401 must come without waiting for it.
        sock.sendall(request("POST", "/todos", {"Host": "127.0.0.1", "Authorization": "Bearer nope",
                                                "Content-Length": str(9 * 1024 * 1024)}))
        status, _, body = read_response(sock)
        assert status == 401 and json.loads(body)["status"] == 401


def test_a_body_over_the_gateway_limit_is_refused_before_it_is_read(
        live_gateway: Gateway, user: str) -> None:
    with running(live_gateway) as server, connect(server, timeout=3) as sock:
        sock.sendall(request("POST", "/todos", {**_auth(user), "Origin": "https://app.test",
                                                "Content-Length": str(MAX_GATEWAY_BODY + 1)}))
        status, headers, body = read_response(sock)
        assert status == 413 and json.loads(body)["status"] == 413
        assert headers["access-control-allow-origin"] == "*"


def test_a_chunked_body_over_the_gateway_limit_is_cut_at_the_limit(
        live_gateway: Gateway, user: str) -> None:
    chunk = b"x" * (1024 * 1024)
    with running(live_gateway) as server, connect(server, timeout=10) as sock:
        sock.sendall(request("POST", "/todos", {**_auth(user), "Transfer-Encoding": "chunked"}))
        sent = 0
        try:
            while sent <= MAX_GATEWAY_BODY + len(chunk):
                sock.sendall(b"%x\r\n%s\r\n" % (len(chunk), chunk))
                sent += len(chunk)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server stopped reading at its limit, as it should
        assert read_response(sock)[0] == 413
        assert sent < MAX_GATEWAY_BODY + 8 * len(chunk)


def test_a_field_name_holding_a_lone_surrogate_gets_a_400(
        live_gateway: Gateway, user: str) -> None:
    with running(live_gateway) as server, connect(server) as sock:
        sock.sendall(request("POST", "/todos", {**_auth(user),
                                                "Content-Type": "application/json"},
                             b'{"title": "x", "\\ud800": 1}'))
        status, _, body = read_response(sock)
        assert status == 400
        assert json.loads(body.decode("utf-8"))["status"] == 400  # valid UTF-8, valid JSON
        assert _get(server, user, "/todos")[2] == b"[]"


# (A Host that is not one of the server's names is refused: tests/test_local_neighbour.py.)
def test_urls_start_with_the_public_url_whatever_the_host_header(
        live_gateway: Gateway, user: str) -> None:
    public = "https://todo.example.com/api"
    with running(live_gateway, public_url=public) as server:
        with connect(server) as sock:
            sock.sendall(request("POST", "/todos", {**_auth(user), "Host": "localhost:1",
                                                    "Content-Type": "application/json"},
                                 b'{"title": "a"}'))
            status, headers, body = read_response(sock)
        assert status == 201
        task = json.loads(body)
        assert headers["location"] == task["url"] == f"{public}/todos/{task['taskId']}"
        _create(server, user, "b")
        with connect(server) as sock:
            sock.sendall(request("GET", "/todos?limit=1", {**_auth(user), "Host": "localhost:1",
                                                           "X-Forwarded-Proto": "gopher"}))
            status, headers, _ = read_response(sock)
        assert status == 200 and headers["link"].startswith(f"<{public}/todos?")
        with connect(server) as sock:
            sock.sendall(request("GET", "/openapi.json", {"Host": "localhost:1"}))
            status, _, body = read_response(sock)
        assert json.loads(body)["servers"] == [{"url": public}]


def test_urls_default_to_the_listening_address(live_gateway: Gateway, user: str) -> None:
    with running(live_gateway) as server, connect(server) as sock:
        sock.sendall(request("POST", "/todos", {**_auth(user), "Host": "localhost:1",
                                                "Content-Type": "application/json"},
                             b'{"title": "a"}'))
        status, headers, _ = read_response(sock)
        assert status == 201
        assert headers["location"].startswith(f"http://127.0.0.1:{server.server_address[1]}/todos/")


def test_a_folded_host_header_never_reaches_a_response_header(
        live_gateway: Gateway, user: str) -> None:
    with running(live_gateway) as server, connect(server) as sock:
        token = issue_token(user).encode()
        sock.sendall(b"POST /todos HTTP/1.1\r\nHost: evil.example\r\n X-Injected: yes\r\n"
                     b"Authorization: Bearer " + token + b"\r\nContent-Length: 14\r\n"
                     b"Content-Type: application/json\r\n\r\n" b'{"title": "a"}')
        raw = b""
        while b"\r\n\r\n" not in raw:
            raw += sock.recv(65536)
        head = raw.partition(b"\r\n\r\n")[0]
        assert b"X-Injected" not in head and b"evil" not in head


@pytest.mark.parametrize("url", ["ftp://x", "http://", "http://a b", "http://x?q=1",
                                 "http://x:99999", "http://x\r\nSet-Cookie: a=b"])
def test_a_bad_public_url_is_refused(url: str) -> None:
    with pytest.raises(ValueError):
        Gateway(Verifier(), public_url=url)


def test_a_header_block_that_keeps_growing_is_refused(live_gateway: Gateway) -> None:
    with running(live_gateway) as server, connect(server) as sock:
        sock.sendall(b"GET /todos HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        for _ in range(40):  # 40 KiB of headers that never end
            try:
                sock.sendall(b"X-Big: " + b"a" * 1024 + b"\r\n")
            except (BrokenPipeError, ConnectionResetError):
                break
            time.sleep(0.005)
        assert read_response(sock)[0] == 431
        assert closed_by_server(sock, 5)


def test_serve_takes_a_public_url(user: str) -> None:
    server = LocalServer("--public-url", "https://todo.example.com").wait_ready()
    try:
        reply = HttpApi(server.url).request("POST", "/todos", user=user,
                                            json_body={"title": "a"},
                                            headers={"Host": "localhost:1"})
        assert reply.status == 201
        assert reply.headers["location"].startswith("https://todo.example.com/todos/")
    finally:
        server.stop()
    refused = subprocess.run(
        [sys.executable, "-m", "cli.main", "serve", "--port", "0",
         "--public-url", "http://x\r\nSet-Cookie: a=b"],
        capture_output=True, text=True, timeout=60, cwd=ROOT)
    assert refused.returncode == 2 and "--public-url" in refused.stderr


def test_an_early_answer_keeps_the_connection_when_the_body_is_in(
        live_gateway: Gateway, user: str) -> None:
    with running(live_gateway) as server, connect(server) as sock:
        sock.sendall(request("POST", "/todos", {"Host": "127.0.0.1",
                                                "Authorization": "Bearer nope"},
                             b'{"title": "not stored"}'))
        assert read_response(sock)[0] == 401
        sock.sendall(request("GET", "/todos", _auth(user)))
        assert read_response(sock)[:3:2] == (200, b"[]")


def test_an_early_answer_to_a_long_chunked_body_closes_the_connection(
        live_gateway: Gateway) -> None:
    with running(live_gateway) as server, connect(server) as sock:
        sock.sendall(request("POST", "/todos", {"Host": "127.0.0.1", "Authorization": "Bearer nope",
                                                "Transfer-Encoding": "chunked"}))
        try:
            for _ in range(200):
                sock.sendall(b"400\r\n" + b"x" * 1024 + b"\r\n")
        except (BrokenPipeError, ConnectionResetError):
            pass
        assert read_response(sock)[0] == 401
        assert closed_by_server(sock, 5)


def test_an_early_answer_waits_for_a_small_body_so_keep_alive_survives(
    live_gateway: Gateway,
) -> None:
    # A client reusing its connection after a 401 must not find it closed under it: the
    # answer is decided from the headers, but a small body is taken before it goes out.
    body = json.dumps({"title": "x"}).encode()
    head = request("POST", "/todos", {"Host": "127.0.0.1", "Content-Type": "application/json",
                                      "Content-Length": str(len(body))})
    with running(live_gateway) as server, connect(server) as sock:
        for _ in range(3):
            sock.sendall(head)
            time.sleep(0.2)  # the gateway has answered by now; the body is still to come
            sock.sendall(body)
            status, headers, _ = read_response(sock)
            assert status == 401
            assert headers.get("connection", "").lower() != "close"


@pytest.mark.parametrize("bad", [b"No-Colon-Here", b"If-Match: \"1\x00\"", b"Content-Length: abc"])
def test_a_request_that_is_not_valid_http_gets_a_problem_and_a_close(
        live_gateway: Gateway, bad: bytes) -> None:
    with running(live_gateway) as server, connect(server) as sock:
        sock.sendall(b"GET /todos HTTP/1.1\r\nHost: 127.0.0.1\r\n" + bad + b"\r\n\r\n")
        status, headers, reply = read_response(sock)
        assert status == 400
        assert headers["content-type"] == "application/problem+json"
        assert json.loads(reply)["detail"] == "The request is not valid HTTP/1.1"
        assert headers["connection"] == "close" and closed_by_server(sock, 5)
