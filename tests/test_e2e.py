"""The e2e suite (e2e/) through `make e2e`: green against a real `todo-api serve` with two users'
tokens from `todo-api token`, red against a dead URL; and `todo-api e2e --stack` with its
throwaway Cognito users (moto's Cognito over HTTP)."""

import json
import os
import re
import subprocess
import sys
import uuid
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import boto3
import jwt
import pytest
import requests

from e2e.stack import e2e, throwaway_users
from tests.support import ROOT, LocalServer, free_port

TODO_API = Path(sys.executable).parent / "todo-api"


def _token(user: str) -> str:
    printed = subprocess.run([str(TODO_API), "token", user], capture_output=True, text=True,
                             check=True, timeout=60)
    return printed.stdout.strip()


def _make_e2e(**variables: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("API_URL", "TOKEN", "TOKEN2")}
    env.pop("MAKEFLAGS", None)
    command = ["make", "--no-print-directory", "e2e", *(f"{k}={v}" for k, v in variables.items())]
    return subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=600)


def _summary(result: subprocess.CompletedProcess[str]) -> str:
    lines = [line for line in result.stdout.splitlines() if line.strip()]
    return lines[-1] if lines else result.stderr


@pytest.fixture(scope="module")
def users() -> tuple[str, str]:
    suffix = uuid.uuid4().hex[:8]
    return _token(f"e2e-alice-{suffix}"), _token(f"e2e-bob-{suffix}")


def test_e2e_suite_passes_against_the_local_server(local_server: LocalServer,
                                                   users: tuple[str, str]) -> None:
    result = _make_e2e(API_URL=local_server.url, TOKEN=users[0], TOKEN2=users[1])
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    summary = _summary(result)
    passed = re.search(r"(\d+) passed", summary)
    assert passed and int(passed.group(1)) >= 20, summary
    assert not re.search(r"failed|error|skipped", summary), summary
    assert users[0] not in result.stdout + result.stderr  # make does not echo the tokens
    # It cleaned up after itself: both users are left with nothing (no task, no list).
    for token in users:
        left = requests.get(f"{local_server.url}/todos", timeout=30,
                            headers={"Authorization": f"Bearer {token}"})
        assert left.status_code == 200 and left.json() == []
        lists = requests.get(f"{local_server.url}/lists", timeout=30,
                             headers={"Authorization": f"Bearer {token}"})
        assert [found["listId"] for found in lists.json()] == ["default"]


def test_e2e_suite_fails_against_a_dead_url(users: tuple[str, str]) -> None:
    result = _make_e2e(API_URL=f"http://127.0.0.1:{free_port()}", TOKEN=users[0],
                       TOKEN2=users[1])
    assert result.returncode != 0
    summary = _summary(result)
    assert "passed" not in summary and re.search(r"\d+ error", summary), summary
    assert "cannot reach" in result.stdout


def test_e2e_suite_refuses_users_who_hold_tasks(local_server: LocalServer) -> None:
    """It deletes its users' tasks at the end, so it must not be given someone's real account."""
    token, token2 = _token(f"e2e-owner-{uuid.uuid4().hex[:8]}"), _token("e2e-other")
    headers = {"Authorization": f"Bearer {token}"}
    kept = requests.post(f"{local_server.url}/todos", json={"title": "precious"},
                         headers=headers, timeout=30)
    assert kept.status_code == 201
    result = _make_e2e(API_URL=local_server.url, TOKEN=token, TOKEN2=token2)
    assert result.returncode != 0 and "already has tasks" in result.stdout
    still = requests.get(f"{local_server.url}/todos", headers=headers, timeout=30).json()
    assert [t["taskId"] for t in still] == [kept.json()["taskId"]]


def test_e2e_suite_says_what_is_missing() -> None:
    result = _make_e2e(API_URL="http://127.0.0.1:1", TOKEN="a.b.c")
    assert result.returncode != 0 and "TOKEN2 not set" in result.stderr


# `todo-api e2e --stack`: throwaway users in the stack's Cognito pool.

@pytest.fixture
def pool(moto_endpoint: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
         request: pytest.FixtureRequest) -> dict[str, Any]:
    """A user pool and client on moto's server as a stack declares them (SRP sign-in; on
    "prod", TOTP MFA required, codes checked), and the stack outputs naming them."""
    monkeypatch.setenv("AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER", moto_endpoint)
    monkeypatch.setenv("MOTO_COGNITO_IDP_USER_POOL_ENABLE_TOTP", "true")
    cognito = boto3.client("cognito-idp", region_name="us-east-1")
    created = cognito.create_user_pool(PoolName=f"todo-api-e2e-{uuid.uuid4().hex[:6]}",
                                       UsernameAttributes=["email"])["UserPool"]
    if getattr(request, "param", "dev") == "prod":
        cognito.set_user_pool_mfa_config(UserPoolId=created["Id"], MfaConfiguration="ON",
                                         SoftwareTokenMfaConfiguration={"Enabled": True})
    client = cognito.create_user_pool_client(
        UserPoolId=created["Id"], ClientName="users",
        ExplicitAuthFlows=["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
    )["UserPoolClient"]
    outputs = {"apiUrl": f"http://127.0.0.1:{free_port()}", "userPoolId": created["Id"],
               "userPoolClientId": client["ClientId"], "region": "us-east-1"}
    file = tmp_path / "outputs.json"
    file.write_text(json.dumps(outputs))
    return {"cognito": cognito, "outputs": outputs, "file": file}


def _users_in(pool: dict[str, Any]) -> list[str]:
    listed = pool["cognito"].list_users(UserPoolId=pool["outputs"]["userPoolId"])
    return [u["Username"] for u in listed["Users"]]


@pytest.mark.moto(reason="Cognito user pool: DynamoDB Local has no Cognito")
@pytest.mark.parametrize("pool", ["dev", "prod"], indirect=True)
def test_stack_e2e_signs_in_two_throwaway_users_and_deletes_them(pool: dict[str, Any]) -> None:
    """On prod's pool (MFA required) each user's first SRP sign-in sets up a TOTP
    authenticator and answers with its code, which moto checks."""
    seen: dict[str, str] = {}

    def runner(env: Mapping[str, str], args: list[str]) -> int:
        seen.update(env)
        assert len(_users_in(pool)) == 2  # they exist while the suite runs
        return 0

    assert e2e("dev", pool["file"], [], runner=runner) == 0
    assert seen["API_URL"] == pool["outputs"]["apiUrl"]
    claims = [jwt.decode(seen[k], options={"verify_signature": False})
              for k in ("TOKEN", "TOKEN2")]
    assert {c["aud"] for c in claims} == {pool["outputs"]["userPoolClientId"]}
    assert all(c["token_use"] == "id" for c in claims)
    assert claims[0]["sub"] != claims[1]["sub"]
    assert _users_in(pool) == []


@pytest.mark.moto(reason="Cognito user pool: DynamoDB Local has no Cognito")
def test_stack_e2e_deletes_its_users_when_the_suite_fails(pool: dict[str, Any]) -> None:
    """The real CLI and the real suite, against the outputs' dead URL: red, and no user left."""
    result = subprocess.run(
        [str(TODO_API), "e2e", "--stack", "dev", "--outputs", str(pool["file"]), "--", "-x"],
        cwd=ROOT, capture_output=True, text=True, timeout=300, env=dict(os.environ))
    assert result.returncode == 1, result.stdout + result.stderr
    assert "cannot reach" in result.stdout
    assert _users_in(pool) == []

    def crash(env: Mapping[str, str], args: list[str]) -> int:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        e2e("dev", pool["file"], [], runner=crash)
    assert _users_in(pool) == []


@pytest.mark.moto(reason="Cognito user pool: DynamoDB Local has no Cognito")
def test_stack_e2e_needs_a_deployed_stack(pool: dict[str, Any], tmp_path: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    partial = tmp_path / "partial.json"
    partial.write_text(json.dumps({"region": "us-east-1"}))
    assert e2e("dev", partial, [], runner=lambda env, args: 0) == 2
    assert "no 'apiUrl' output" in capsys.readouterr().err
    with pytest.raises(Exception, match="userPoolId"), throwaway_users({"region": "us-east-1"}):
        pass
