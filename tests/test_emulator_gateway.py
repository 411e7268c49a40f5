"""What the emulator shares with API Gateway (REST API, Lambda proxy), over a real socket
(issue 14, items 2 and 3): the proxy event's shape, the payload and response limits, the
integration timeout and the gateway's own 502/504 answers."""

import base64
import calendar
import json
import os
import signal
import threading
import time
import uuid
from collections.abc import Callable
from typing import Any

import jwt
import pytest
import requests

from emulator import auth
from emulator.auth import AUDIENCE, ISSUER, Verifier, claim_string, issue_token
from emulator.gateway import MAX_GATEWAY_BODY, MAX_LAMBDA_RESPONSE, Gateway, Handler
from emulator.server import LocalApiServer
from services.edge.routes import FUNCTIONS
from services.handlers import create_todo, delete_todo, get_todos, update_todo
from tests.raw_http import connect, read_response, request, running
from tests.support import proxy_event

ORIGIN = {"Origin": "https://app.test"}


def _json(body: Any, status: int = 200) -> dict[str, Any]:
    return {"statusCode": status, "headers": {"Content-Type": "application/json"},
            "body": json.dumps(body)}


def echo(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return _json(event)


def gateway_with(handler: Handler, **options: Any) -> Gateway:
    """A gateway whose every function is `handler` (same routing, authorizer and limits)."""
    return Gateway(Verifier(), handlers=dict.fromkeys(FUNCTIONS, handler), **options)


def bearer(user: str = "maria123") -> dict[str, str]:
    return {"Authorization": f"Bearer {issue_token(user)}"}


def event_for(gateway: Gateway, method: str, path: str, headers: Any = None,
              body: bytes | None = None, public_url: str | None = None) -> dict[str, Any]:
    with running(gateway, public_url=public_url) as server:
        reply = requests.request(method, server.url + path, headers=headers or bearer(),
                                 data=body, timeout=10)
    assert reply.status_code == 200, reply.text
    event: dict[str, Any] = reply.json()
    return event


def test_headers_and_query_arrive_in_both_shapes_with_their_case() -> None:
    headers = [("Authorization", bearer()["Authorization"]), ("X-Tag", "a"), ("X-Tag", "b"),
               ("x-MiXed-Case", "c"), ("Host", "localhost:1"), ("X-Forwarded-Proto", "gopher")]
    with running(gateway_with(echo)) as server:
        port = server.server_address[1]
        # requests would merge the repeated header: send it as raw HTTP.
        with connect(server) as sock:
            lines = [f"{k}: {v}" for k, v in headers]
            sock.sendall(("GET /todos?a=1&a=2&b=&c=%20x HTTP/1.1\r\n" + "\r\n".join(lines)
                          + "\r\n\r\n").encode())
            status, _, body = read_response(sock)
            assert status == 200
            event = json.loads(body)
            sock.sendall(request("GET", "/todos", {"Host": "127.0.0.1", **bearer()}))
            plain = json.loads(read_response(sock)[2])
    assert event["multiValueHeaders"]["X-Tag"] == ["a", "b"]
    assert event["headers"]["X-Tag"] == "b"
    assert event["headers"]["x-MiXed-Case"] == "c"  # as the client spelled it
    assert event["headers"]["Host"] == f"127.0.0.1:{port}"  # the API's own domain
    assert event["headers"]["X-Forwarded-Proto"] == "http"
    assert event["headers"]["X-Forwarded-Port"] == str(port)
    assert event["headers"]["X-Forwarded-For"] == "127.0.0.1"
    assert event["multiValueQueryStringParameters"] == {"a": ["1", "2"], "b": [""], "c": [" x"]}
    assert event["queryStringParameters"] == {"a": "2", "b": "", "c": " x"}
    assert plain["queryStringParameters"] is None
    assert plain["multiValueQueryStringParameters"] is None


def test_request_context_names_the_stage_request_and_caller() -> None:
    gateway = gateway_with(echo)
    staged = event_for(gateway, "GET", "/local/todos/abc%2Fd")
    assert staged["resource"] == "/todos/{taskId}"
    assert staged["path"] == "/todos/abc%2Fd"
    assert staged["pathParameters"] == {"taskId": "abc/d"}
    context = staged["requestContext"]
    assert context["path"] == "/local/todos/abc%2Fd"  # with the stage, as the client asked
    assert context["stage"] == "local"
    assert context["resourcePath"] == "/todos/{taskId}"
    assert context["httpMethod"] == "GET"
    assert str(uuid.UUID(context["requestId"])) == context["requestId"]
    assert context["identity"]["sourceIp"] == "127.0.0.1"
    assert context["identity"]["cognitoIdentityId"] is None  # as for a user-pool caller
    assert context["authorizer"]["claims"]["sub"] == "maria123"
    again = event_for(gateway, "GET", "/todos/abc")
    assert again["requestContext"]["path"] == "/todos/abc"  # the stage mapped at the root
    assert again["requestContext"]["requestId"] != context["requestId"]
    behind = event_for(gateway, "GET", "/todos/abc", public_url="https://todo.example/v1")
    assert behind["requestContext"]["path"] == "/v1/todos/abc"
    assert behind["requestContext"]["domainName"] == "todo.example"
    assert behind["headers"]["X-Forwarded-Proto"] == "https"


def test_every_claim_reaches_the_function_as_a_string() -> None:
    now = int(time.time())
    claims = {"sub": "maria123", "iss": ISSUER, "aud": AUDIENCE, "token_use": "id",
              "exp": 1893456000, "iat": now, "auth_time": now, "email_verified": True,
              "custom:quota": 12, "cognito:groups": ["admins", "users"]}
    token = jwt.encode(claims, auth._private_key(), algorithm="RS256")
    event = event_for(gateway_with(echo), "GET", "/todos",
                      headers={"Authorization": f"Bearer {token}"})
    passed = event["requestContext"]["authorizer"]["claims"]
    assert all(isinstance(value, str) for value in passed.values())
    assert passed["exp"] == "Tue Jan 01 00:00:00 UTC 2030"
    assert passed["iat"] == time.strftime("%a %b %d %H:%M:%S UTC %Y", time.gmtime(now))
    assert passed["auth_time"] == str(now)
    assert passed["email_verified"] == "true"
    assert passed["custom:quota"] == "12"
    assert passed["cognito:groups"] == "admins,users"


def test_claim_dates_are_written_as_the_authorizer_writes_them() -> None:
    moment = calendar.timegm((2026, 11, 29, 23, 40, 0))
    assert claim_string("exp", moment) == "Sun Nov 29 23:40:00 UTC 2026"
    assert claim_string("iat", calendar.timegm((2027, 3, 5, 7, 8, 9))) == \
        "Fri Mar 05 07:08:09 UTC 2027"
    assert claim_string("auth_time", moment) == str(moment)
    assert claim_string("email_verified", False) == "false"


def test_binary_bodies_arrive_base64_encoded() -> None:
    raw = b"\x89PNG\r\n\x1a\n\xff\x00"
    binary = event_for(gateway_with(echo), "POST", "/todos",
                       headers={**bearer(), "Content-Type": "image/png"}, body=raw)
    assert binary["isBase64Encoded"] is True
    assert base64.b64decode(binary["body"]) == raw
    text = event_for(gateway_with(echo), "POST", "/todos",
                     headers={**bearer(), "Content-Type": "application/json"},
                     body='{"title": "é"}'.encode())
    assert text["isBase64Encoded"] is False and text["body"] == '{"title": "é"}'
    # A declared binary media type is base64 whatever its bytes.
    declared = event_for(gateway_with(echo, binary_media_types=("image/*",)), "POST",
                         "/todos", headers={**bearer(), "Content-Type": "image/svg+xml"},
                         body=b"<svg/>")
    assert declared["isBase64Encoded"] is True
    assert base64.b64decode(declared["body"]) == b"<svg/>"
    empty = event_for(gateway_with(echo), "GET", "/todos")
    assert empty["body"] is None and empty["isBase64Encoded"] is False


def _size(event: dict[str, Any], context: Any) -> dict[str, Any]:
    body = event["body"] or ""
    raw = base64.b64decode(body) if event["isBase64Encoded"] else body.encode()
    return _json({"received": len(raw)})


def test_a_body_at_the_payload_limit_reaches_the_function() -> None:
    with running(gateway_with(_size)) as server:
        reply = requests.post(server.url + "/todos", headers=bearer(),
                              data=b"x" * MAX_GATEWAY_BODY, timeout=30)
        assert reply.status_code == 200 and reply.json() == {"received": MAX_GATEWAY_BODY}
        over = requests.post(server.url + "/todos", headers={**bearer(), **ORIGIN},
                             data=b"x" * (MAX_GATEWAY_BODY + 1), timeout=30)
    assert over.status_code == 413
    assert over.headers["Content-Type"] == "application/problem+json"
    assert over.headers["Access-Control-Allow-Origin"] == "*"


def _gateway_error(reply: requests.Response, status: int) -> dict[str, Any]:
    """A gateway response: the status, problem+json, CORS headers and nothing of the cause."""
    assert reply.status_code == status, reply.text
    assert reply.headers["Content-Type"] == "application/problem+json"
    assert reply.headers["Access-Control-Allow-Origin"] == "*"
    assert "ETag" in reply.headers["Access-Control-Expose-Headers"]
    problem: dict[str, Any] = reply.json()
    assert problem["status"] == status
    return problem


def _call(handler: Handler, **options: Any) -> requests.Response:
    with running(gateway_with(handler, **options)) as server:
        return requests.get(server.url + "/todos", headers={**bearer(), **ORIGIN}, timeout=30)


def test_a_function_past_the_integration_timeout_gets_the_gateways_504() -> None:
    def slow(event: dict[str, Any], context: Any) -> dict[str, Any]:
        time.sleep(3)
        return _json({})

    started = time.monotonic()
    reply = _call(slow, timeout=0.5)
    assert time.monotonic() - started < 2.5
    _gateway_error(reply, 504)


def test_the_function_sees_the_time_left_before_the_timeout() -> None:
    def remaining(event: dict[str, Any], context: Any) -> dict[str, Any]:
        return _json({"left": context.get_remaining_time_in_millis()})

    assert 0 < _call(remaining, timeout=2).json()["left"] <= 2000
    assert 28_000 < _call(remaining).json()["left"] <= 29_000  # the default: 29 s


def test_a_function_error_becomes_the_gateways_502_and_tells_nothing() -> None:
    def broken(event: dict[str, Any], context: Any) -> dict[str, Any]:
        raise RuntimeError("secret internals at /var/task/services/x.py")

    problem = _gateway_error(_call(broken), 502)
    assert "secret" not in json.dumps(problem)


@pytest.mark.parametrize("result", [
    {"body": "no status"},
    {"statusCode": "200", "body": ""},
    {"statusCode": 200, "body": {"not": "a string"}},
    {"statusCode": 200, "headers": {"X-A": "b\r\nSet-Cookie: x=y"}, "body": ""},
    {"statusCode": 200, "isBase64Encoded": True, "body": "not base64!"},
    "just a string",
])
def test_a_malformed_proxy_response_becomes_a_502(result: Any) -> None:
    _gateway_error(_call(lambda event, context: result), 502)


def _of_size(size: int) -> Callable[[dict[str, Any], Any], dict[str, Any]]:
    def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
        response = {"statusCode": 200, "headers": {"Content-Type": "text/plain"}, "body": ""}
        response["body"] = "x" * (size - len(json.dumps(response)))
        return response
    return handler


def test_a_response_over_six_megabytes_becomes_a_502() -> None:
    at_limit = _call(_of_size(MAX_LAMBDA_RESPONSE))
    assert at_limit.status_code == 200 and len(at_limit.content) > MAX_LAMBDA_RESPONSE - 100
    _gateway_error(_call(_of_size(MAX_LAMBDA_RESPONSE + 1)), 502)


def test_sigterm_lets_a_request_in_flight_finish() -> None:
    def slow(event: dict[str, Any], context: Any) -> dict[str, Any]:
        time.sleep(1)
        return _json({"done": True})

    server = LocalApiServer("127.0.0.1", 0, gateway_with(slow))
    replies: list[requests.Response] = []

    def client() -> None:
        time.sleep(0.3)
        pending = threading.Thread(target=lambda: replies.append(
            requests.get(server.url + "/todos", headers=bearer(), timeout=10)))
        pending.start()
        time.sleep(0.3)  # the request is in the function now
        os.kill(os.getpid(), signal.SIGTERM)
        pending.join()

    caller = signal.getsignal(signal.SIGTERM)
    clients = threading.Thread(target=client)
    clients.start()
    with pytest.raises(KeyboardInterrupt):
        server.serve_forever()  # in the main thread, as `todo-api serve` runs it
    server.server_close()
    clients.join(10)
    assert [r.status_code for r in replies] == [200] and replies[0].json() == {"done": True}
    assert signal.getsignal(signal.SIGTERM) is caller  # handed back


# Handlers fed events shaped exactly as the REST API's Cognito authorizer shapes them.

def _authorized(method: str, resource: str, path: str, **options: Any) -> dict[str, Any]:
    event = proxy_event(method, resource, path, **options)
    event["requestContext"]["authorizer"] = {"claims": {
        "sub": options.get("user", "maria123"),
        "aud": AUDIENCE,
        "email_verified": "true",
        "token_use": "id",
        "auth_time": "1796079600",
        "iss": ISSUER,
        "cognito:username": "maria",
        "exp": "Sun Nov 29 23:40:00 UTC 2026",
        "iat": "Sun Nov 29 22:40:00 UTC 2026",
        "email": "maria@example.com",
    }}
    return event


def test_handlers_serve_events_whose_claims_are_all_strings(
        dynamodb_endpoint: str, user: str) -> None:
    created = create_todo.handler(
        _authorized("POST", "/todos", "/todos", user=user, body={"title": "string claims"}),
        None)
    assert created["statusCode"] == 201, created["body"]
    task_id = json.loads(created["body"])["taskId"]
    params = {"taskId": task_id}
    one = get_todos.handler(_authorized("GET", "/todos/{taskId}", f"/todos/{task_id}",
                                        user=user, path_params=params), None)
    assert one["statusCode"] == 200 and json.loads(one["body"])["userId"] == user
    listed = get_todos.handler(_authorized("GET", "/todos", "/todos", user=user), None)
    assert [t["taskId"] for t in json.loads(listed["body"])] == [task_id]
    patched = update_todo.handler(_authorized("PATCH", "/todos/{taskId}", f"/todos/{task_id}",
                                              user=user, path_params=params,
                                              body={"status": "completed"}), None)
    assert patched["statusCode"] == 200 and json.loads(patched["body"])["completed"] is True
    deleted = delete_todo.handler(_authorized("DELETE", "/todos/{taskId}", f"/todos/{task_id}",
                                              user=user, path_params=params), None)
    assert deleted["statusCode"] == 200
