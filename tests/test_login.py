"""`todo-api login` against a Cognito user pool served by moto over HTTP: SRP sign-in (the only
password flow prod's client allows), and the TOTP challenge of a pool that requires MFA.

moto plays Cognito's SRP exchange but does not check the password proof (any proof passes),
so a wrong password is not tested here; pycognito computes the proof as real Cognito checks it.
moto does check TOTP codes when MOTO_COGNITO_IDP_USER_POOL_ENABLE_TOTP is true."""

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import boto3
import jwt
import pytest

from e2e.login import id_token, totp_code
from tests.support import ROOT

PASSWORD = "Correct-Horse-1"
USER = "maria@example.com"


def _login(outputs: Path, endpoint: str, username: str, password: str,
           *extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "cli.main", "login", "--stack", "dev", "--outputs",
         str(outputs), "--username", username, "--password-stdin", *extra],
        input=password + "\n", capture_output=True, text=True, cwd=ROOT, timeout=60,
        env={**os.environ, "AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER": endpoint},
    )


def _pool(endpoint: str, tmp_path: Path, *, mfa: bool) -> tuple[Any, dict[str, Any], Path]:
    """A pool as the stack declares it (SRP and refresh only; TOTP required where `mfa`), one
    user in it, and the stack outputs naming them."""
    cognito = boto3.client("cognito-idp", region_name="us-east-1", endpoint_url=endpoint)
    pool = cognito.create_user_pool(PoolName="todo-api-prod" if mfa else "todo-api-dev",
                                    UsernameAttributes=["email"])["UserPool"]
    if mfa:
        cognito.set_user_pool_mfa_config(UserPoolId=pool["Id"], MfaConfiguration="ON",
                                         SoftwareTokenMfaConfiguration={"Enabled": True})
    client = cognito.create_user_pool_client(
        UserPoolId=pool["Id"], ClientName="users",
        ExplicitAuthFlows=["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
    )["UserPoolClient"]
    cognito.admin_create_user(UserPoolId=pool["Id"], Username=USER, MessageAction="SUPPRESS")
    cognito.admin_set_user_password(UserPoolId=pool["Id"], Username=USER, Password=PASSWORD,
                                    Permanent=True)
    outputs = {"apiUrl": "https://api123.execute-api.us-east-1.amazonaws.com/dev",
               "userPoolClientId": client["ClientId"], "userPoolId": pool["Id"],
               "region": "us-east-1"}
    file = tmp_path / "outputs.json"
    file.write_text(json.dumps(outputs))
    return cognito, outputs, file


def _claims(token: str) -> dict[str, Any]:
    claims: dict[str, Any] = jwt.decode(token, options={"verify_signature": False})
    return claims


@pytest.mark.moto(reason="Cognito user pool: DynamoDB Local has no Cognito")
def test_login_signs_in_with_srp_and_prints_the_users_id_token(moto_endpoint: str,
                                                                tmp_path: Path) -> None:
    _, outputs, file = _pool(moto_endpoint, tmp_path, mfa=False)
    result = _login(file, moto_endpoint, USER, PASSWORD)
    assert result.returncode == 0, result.stderr
    claims = _claims(result.stdout.strip())
    assert claims["token_use"] == "id" and claims["aud"] == outputs["userPoolClientId"]
    assert "/dev" in result.stderr

    nobody = _login(file, moto_endpoint, "nobody@example.com", PASSWORD)
    assert nobody.returncode == 1 and "wrong user name or password" in nobody.stderr
    assert nobody.stdout == ""


@pytest.mark.moto(reason="Cognito user pool: DynamoDB Local has no Cognito")
def test_login_answers_the_totp_challenge_of_a_pool_that_requires_mfa(
    moto_endpoint: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("MOTO_COGNITO_IDP_USER_POOL_ENABLE_TOTP", "true")  # codes are checked
    monkeypatch.setenv("AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER", moto_endpoint)
    _, outputs, file = _pool(moto_endpoint, tmp_path, mfa=True)
    # A user without an authenticator is told how to get one; `login` does not set one up.
    first = _login(file, moto_endpoint, USER, PASSWORD)
    assert first.returncode == 1 and "no authenticator yet" in first.stderr
    # The web app's first sign-in sets one up (here: the same Cognito calls, from Python).
    secrets: list[str] = []

    def enroll(secret: str) -> str:
        secrets.append(secret)
        return totp_code(secret)

    assert _claims(id_token(outputs, USER, PASSWORD, enroll=enroll))["token_use"] == "id"
    [secret] = secrets

    without = _login(file, moto_endpoint, USER, PASSWORD)
    assert without.returncode == 1 and "--mfa-code" in without.stderr
    # moto takes the current window's code only: each code leaves 10 s for the CLI to start.
    wrong = _login(file, moto_endpoint, USER, PASSWORD, "--mfa-code",
                   f"{(int(totp_code(secret, 10)) + 1) % 10**6:06d}")
    assert wrong.returncode == 1 and "authenticator code was not accepted" in wrong.stderr
    right = _login(file, moto_endpoint, USER, PASSWORD, "--mfa-code", totp_code(secret, 10))
    assert right.returncode == 0, right.stderr
    assert _claims(right.stdout.strip())["aud"] == outputs["userPoolClientId"]
