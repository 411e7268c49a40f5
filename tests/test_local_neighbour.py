"""The local server as a neighbour on a laptop: the development sign-in has the API's body
limits, a request to any name but the server's own is refused (DNS rebinding), and HTTP/2
cleartext is refused so every connection keeps HTTP/1.1's limits. Over raw sockets."""

import json
import time
from collections.abc import Iterator

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from emulator.auth import Verifier, issue_token
from emulator.gateway import Gateway
from emulator.server import LocalApiServer, OwnNames
from emulator.webapp import SIGN_IN_PATH, WEB_BODY_LIMIT, WebApp
from services.edge import json_body
from services.errors import PayloadTooLarge, ValidationFailed
from tests.raw_http import closed_by_server, connect, read_response, request, running


@pytest.fixture
def server(dynamodb_endpoint: str) -> Iterator[LocalApiServer]:
    with running(Gateway(Verifier(), web=WebApp())) as served:
        yield served


def _ask(server: LocalApiServer, method: str, path: str, headers: dict[str, str],
         body: bytes = b"") -> tuple[int, dict[str, str], bytes, float]:
    started = time.monotonic()
    with connect(server, timeout=10) as sock:
        sock.sendall(request(method, path, headers, body))
        status, answer_headers, answer = read_response(sock)
    return status, answer_headers, answer, time.monotonic() - started


def _sign_in(server: LocalApiServer, body: bytes) -> tuple[int, bytes, float]:
    status, _, answer, took = _ask(server, "POST", SIGN_IN_PATH, {
        "Host": "127.0.0.1", "Content-Type": "application/json"}, body)
    return status, answer, took


# The sign-in: the API's parser, the sign-in's own 4 KB.
@pytest.mark.parametrize("body", [
    b'{"userName": ' + b"[" * 2000 + b"]" * 2000 + b"}",  # nested: was a 500 after a stall
    b'{"userName": ' + b'{"a":' * 600 + b"0" + b"}" * 600 + b"}",
    b"[" * 33 + b'"' + b'\\"' * 1900,
    b'{"userName": "me", "userName": "you"}',
    b'{"userName": "me"',
])
def test_a_sign_in_body_that_is_not_a_plain_object_is_a_prompt_400(
    server: LocalApiServer, body: bytes,
) -> None:
    assert len(body) <= WEB_BODY_LIMIT
    status, answer, took = _sign_in(server, body)
    assert status == 400, answer
    assert "idToken" not in answer.decode() and took < 2


@pytest.mark.parametrize("size", [WEB_BODY_LIMIT + 1, 20_000])
def test_a_sign_in_body_over_its_limit_is_a_prompt_413(server: LocalApiServer, size: int) -> None:
    name = b"a" * (size - len(b'{"userName": ""}'))
    body = b'{"userName": "' + name + b'"}'
    assert len(body) == size
    status, answer, took = _sign_in(server, body)
    assert status == 413, answer  # (20 KB passed the 4 KB limit before)
    assert "idToken" not in answer.decode() and took < 2
    assert _sign_in(server, b'{"userName": "me"}')[0] == 200


# DNS rebinding: every route, the web app's included, refuses a name not the server's own.
def _routes(task: str) -> list[tuple[str, str, bytes]]:
    return [("GET", "/", b""), ("GET", "/config.json", b""), ("GET", "/js/main.js", b""),
            ("POST", SIGN_IN_PATH, b'{"userName": "victim"}'), ("GET", "/openapi.json", b""),
            ("GET", "/todos", b""), ("POST", "/todos", b'{"title": "planted"}'),
            ("GET", f"/todos/{task}", b""), ("PATCH", f"/todos/{task}", b'{"title": "x"}'),
            ("DELETE", f"/todos/{task}", b""), ("OPTIONS", "/todos", b""),
            ("GET", "/nowhere", b""), ("GET", "/local/todos", b"")]


@pytest.mark.parametrize("host", ["attacker.example", "attacker.example:{port}",
                                  "127.0.0.1.attacker.example", "localhost.attacker.example",
                                  "evil@127.0.0.1:{port}", "127.0.0.2:{port}", "[::2]:{port}",
                                  "", "127.0.0.1:{port}/x"])
def test_a_request_to_another_name_is_refused_on_every_route(
    server: LocalApiServer, user: str, host: str,
) -> None:
    port = server.server_address[1]
    own = {"Host": f"127.0.0.1:{port}", "Authorization": f"Bearer {issue_token(user)}",
           "Content-Type": "application/json"}
    status, _, created, _ = _ask(server, "POST", "/todos", own, b'{"title": "mine"}')
    assert status == 201
    task = json.loads(created)
    for method, path, body in _routes(task["taskId"]):
        status, headers, answer, _ = _ask(server, method, path,
                                          {**own, "Host": host.format(port=port)}, body)
        assert status == 421, (method, path, status)
        assert headers["content-type"] == "application/problem+json"
        assert b"idToken" not in answer and b"planted" not in answer and b"mine" not in answer
    status, _, listed, _ = _ask(server, "GET", "/todos", own)
    assert [t["title"] for t in json.loads(listed)] == ["mine"]  # nothing planted or changed


def test_a_request_without_a_host_is_refused(server: LocalApiServer) -> None:
    with connect(server) as sock:
        sock.sendall(b"GET /openapi.json HTTP/1.0\r\n\r\n")
        assert read_response(sock)[0] == 421


@pytest.mark.parametrize("host", ["127.0.0.1:{port}", "127.0.0.1", "localhost:{port}",
                                  "LOCALHOST", "localhost.:{port}", "[::1]:{port}",
                                  "todo.example.com"])
def test_the_servers_own_names_are_served(dynamodb_endpoint: str, host: str) -> None:
    gateway = Gateway(Verifier(), web=WebApp())
    with running(gateway, public_url="https://todo.example.com") as served:
        port = served.server_address[1]
        status, _, _, _ = _ask(served, "GET", "/openapi.json", {"Host": host.format(port=port)})
        assert status == 200


def test_own_names_follow_the_bind_address_and_the_public_url() -> None:
    loopback = OwnNames("127.0.0.1", None)
    assert loopback.admits("localhost:3000") and loopback.admits("[::1]")
    assert not loopback.admits("10.0.0.5:3000") and not loopback.admits("laptop.local")
    named = OwnNames("127.0.0.1", "https://todo.example.com:8443/api")
    assert named.admits("todo.example.com") and named.admits("todo.example.com:8443")
    assert not named.admits("example.com")
    everywhere = OwnNames("0.0.0.0", None)  # an address is never a rebinding target
    assert everywhere.admits("10.0.0.5:3000") and everywhere.admits("[fe80::1]:3000")
    assert everywhere.admits("localhost") and not everywhere.admits("laptop.attacker.example")
    lan = OwnNames("192.168.1.20", None)
    assert lan.admits("192.168.1.20:3000") and not lan.admits("localhost")


@settings(max_examples=500, deadline=None)
@given(st.text(max_size=300))
def test_any_host_is_admitted_only_when_it_is_an_own_name(host: str) -> None:
    names = OwnNames("127.0.0.1", "https://todo.example.com")
    if names.admits(host):
        name = host.rsplit(":", 1)[0] if not host.endswith("]") else host
        assert name.strip("[]").lower().removesuffix(".") in names.names


# HTTP/2 cleartext: refused, so HTTP/1.1's idle, header and body limits hold everywhere.
def test_an_h2c_upgrade_is_answered_in_http1(server: LocalApiServer) -> None:
    with connect(server) as sock:
        sock.sendall(request("GET", "/openapi.json", {
            "Host": "127.0.0.1", "Connection": "Upgrade, HTTP2-Settings", "Upgrade": "h2c",
            "HTTP2-Settings": "AAMAAABkAARAAAAAAAIAAAAA"}))
        status, headers, body = read_response(sock)
        assert status == 200 and "upgrade" not in headers
        assert json.loads(body)["openapi"].startswith("3.")
        # Still HTTP/1.1 on the same connection.
        sock.sendall(request("GET", "/openapi.json", {"Host": "127.0.0.1"}))
        assert read_response(sock)[0] == 200


def test_http2_prior_knowledge_is_refused_and_closed(server: LocalApiServer) -> None:
    with connect(server) as sock:
        sock.sendall(b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n" + b"\x00\x00\x00\x04\x00\x00\x00\x00\x00")
        status, _, body = read_response(sock)
        assert status == 505 and b"HTTP/1.1" in body
        assert closed_by_server(sock, 5)


def test_an_idle_connection_after_the_preface_is_not_kept(server: LocalApiServer) -> None:
    """Before, HTTP/2 with prior knowledge kept a silent connection open with no timeout."""
    with connect(server) as sock:
        sock.sendall(b"PRI * HTTP/2.0\r\n\r\n")
        assert closed_by_server(sock, 10)


# The shared JSON body parser, over all of Unicode and sizes up to its limits.
_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner,
                                                                max_size=3),
    max_leaves=60,
)


def _depth(value: object) -> int:
    if isinstance(value, list):
        return 1 + max((_depth(v) for v in value), default=0)
    if isinstance(value, dict):
        return 1 + max((_depth(v) for v in value.values()), default=0)
    return 0


@settings(max_examples=400, deadline=None)
@given(_JSON)
def test_the_nesting_scan_counts_as_json_does(value: object) -> None:
    text = json.dumps(value)
    assert json_body.too_deep(text, 3) == (_depth(value) > 3)
    assert json_body.too_deep(json.dumps(value, ensure_ascii=False), 3) == (_depth(value) > 3)


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.binary(max_size=17 * 1024), st.text(max_size=16 * 1024).map(str.encode),
                 st.text(alphabet='[]{}"\\:,0123456789 ', max_size=16 * 1024).map(str.encode)))
def test_any_body_is_an_object_or_a_400_or_413(body: bytes) -> None:
    try:
        value = json_body.parse_object(body)
    except (ValidationFailed, PayloadTooLarge):
        return
    assert isinstance(value, dict)
