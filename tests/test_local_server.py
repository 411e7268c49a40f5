"""`todo-api serve` and `todo-api token` as a user runs them: banner, tokens, state, signals."""

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import jwt
import pytest
import requests

from emulator.auth import AUDIENCE, ISSUER, issue_token
from tests.support import ROOT, HttpApi, LocalServer


def test_banner_names_url_token_and_a_curl_that_works(local_server: LocalServer) -> None:
    banner = local_server.banner
    assert local_server.url in banner
    curl = next(line.strip() for line in banner.splitlines() if line.strip().startswith("curl"))
    result = subprocess.run(curl, shell=True, capture_output=True, text=True, timeout=30,  # noqa: S602
                            check=True)
    task = json.loads(result.stdout)
    assert task["title"] == "Buy groceries" and task["userId"] == "maria123"


def test_token_command_prints_a_token_the_server_accepts(local_server: LocalServer) -> None:
    result = subprocess.run([sys.executable, "-m", "cli.main", "token", "alice"],
                            capture_output=True, text=True, check=True, cwd=ROOT)
    token = result.stdout.strip()
    claims = jwt.decode(token, options={"verify_signature": False})
    assert claims["sub"] == "alice" and claims["iss"] == ISSUER and claims["aud"] == AUDIENCE
    reply = requests.get(f"{local_server.url}/todos", timeout=10,
                         headers={"Authorization": token})  # the bare token works too
    assert reply.status_code == 200 and reply.json() == []


def _forged(**changes: object) -> str:
    token = issue_token("mallory")
    header, _, signature = token.split(".")
    claims = jwt.decode(token, options={"verify_signature": False}) | changes
    body = jwt.utils.base64url_encode(json.dumps(claims).encode()).decode()
    return f"{header}.{body}.{signature}"


@pytest.mark.parametrize(
    "token",
    [
        _forged(sub="maria123"),  # signature no longer matches
        issue_token("mallory", ttl=-60),  # expired
        jwt.encode({"sub": "x", "iss": ISSUER, "aud": AUDIENCE, "exp": time.time() + 60,
                    "token_use": "id"}, "s" * 32, algorithm="HS256"),  # wrong key and algorithm
        "eyJhbGciOiJub25lIn0.eyJzdWIiOiJtYXJpYTEyMyJ9.",  # alg none
    ],
    ids=["tampered", "expired", "hs256", "none"],
)
def test_invalid_tokens_are_401(local_server: LocalServer, token: str) -> None:
    reply = HttpApi(local_server.url).request("GET", "/todos", token=token)
    assert reply.status == 401


def test_wrong_issuer_or_audience_is_401(local_server: LocalServer) -> None:
    from emulator.auth import _private_key

    for claims in ({"iss": "https://elsewhere"}, {"aud": "another-client"},
                   {"token_use": "access"}):
        base = {"sub": "x", "iss": ISSUER, "aud": AUDIENCE, "token_use": "id",
                "exp": int(time.time()) + 60} | claims
        token = jwt.encode(base, _private_key(), algorithm="RS256")
        assert HttpApi(local_server.url).request("GET", "/todos", token=token).status == 401


@pytest.mark.moto(reason="the state file belongs to the embedded engine of `make run`")
@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_state_file_survives_a_restart(tmp_path: Path, sig: int) -> None:
    state = tmp_path / "state.json"
    server = LocalServer("--state", str(state)).wait_ready()
    try:
        api = HttpApi(server.url)
        made = [api.create("maria123", title=f"keep {i}") for i in range(3)]
    finally:
        output = server.stop(sig)
    assert "Saved 3 items" in output
    assert len(json.loads(state.read_text())["items"]) == 3
    again = LocalServer("--state", str(state)).wait_ready()
    try:
        assert "Restored 3 items" in again.banner
        tasks = HttpApi(again.url).tasks_of("maria123")
        assert [t["taskId"] for t in tasks] == [t["taskId"] for t in made]
        assert [t["title"] for t in tasks] == ["keep 0", "keep 1", "keep 2"]
    finally:
        again.stop()


@pytest.mark.moto(reason="the state file belongs to the embedded engine of `make run`")
def test_corrupt_state_file_stops_the_server_with_a_clear_message(tmp_path: Path) -> None:
    state = tmp_path / "state.json"
    state.write_text('{"table": "t", "items": [')
    server = LocalServer("--state", str(state))
    code = server.process.wait(timeout=60)
    output = server.stop()
    assert code == 1
    assert "corrupt" in output and str(state) in output
    assert state.read_text() == '{"table": "t", "items": ['  # left for the user to fix


def test_state_file_needs_the_embedded_engine() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "cli.main", "serve", "--state", "x.json",
         "--dynamodb-endpoint", "http://127.0.0.1:9"],
        capture_output=True, text=True, cwd=ROOT, timeout=60,
    )
    assert result.returncode == 2 and "embedded" in result.stderr


def test_dynamodb_endpoint_override_uses_that_engine(dynamodb_endpoint: str, ddb: object) -> None:
    server = LocalServer("--dynamodb-endpoint", dynamodb_endpoint, "--table", "override-test")
    server.wait_ready()
    try:
        task = HttpApi(server.url).create("maria123", title="in the shared engine")
    finally:
        server.stop()
    item = ddb.get_item(  # type: ignore[attr-defined]
        TableName="override-test",
        Key={"userID": {"S": "maria123"}, "taskID": {"S": task["taskId"]}},
    )["Item"]
    assert item["title"] == {"S": "in the shared engine"}


def test_server_logs_one_json_line_per_request_and_an_access_line(
    local_server: LocalServer,
) -> None:
    api = HttpApi(local_server.url)
    reply = api.request("GET", "/todos", user="logger-check")
    request_id = reply.headers["x-request-id"]
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and request_id not in local_server.logs():
        time.sleep(0.05)
    lines = [json.loads(line) for line in local_server.logs().splitlines()
             if line.startswith("{")]
    request_line = next(line for line in lines if line.get("apiRequestId") == request_id)
    assert request_line["route"] == "GET /todos" and request_line["status"] == 200
    assert "latencyMs" in request_line and "coldStart" in request_line
    assert any(line.get("message") == "access" and line.get("status") == 200 for line in lines)
    assert "Bearer" not in local_server.logs()


def test_cors_allows_only_configured_origins(engine_args: list[str]) -> None:
    server = LocalServer("--cors-origins", "https://app.example", *engine_args).wait_ready()
    try:
        api = HttpApi(server.url)
        allowed = api.request("GET", "/todos", user="cors", headers={"Origin": "https://app.example"})
        assert allowed.headers["access-control-allow-origin"] == "https://app.example"
        other = api.request("GET", "/todos", user="cors", headers={"Origin": "https://evil.example"})
        assert other.status == 200 and "access-control-allow-origin" not in other.headers
        preflight = api.request("OPTIONS", "/todos", headers={
            "Origin": "https://evil.example", "Access-Control-Request-Method": "POST"})
        assert "access-control-allow-origin" not in preflight.headers
        refused = api.request("GET", "/todos", headers={"Origin": "https://app.example"})
        assert refused.status == 401
        assert refused.headers["access-control-allow-origin"] == "https://app.example"
    finally:
        server.stop()
