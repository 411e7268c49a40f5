"""`todo-api login` against a Cognito user pool served by moto over HTTP."""

import json
import os
import subprocess
import sys
from pathlib import Path

import boto3
import jwt
import pytest

from tests.support import ROOT


def _login(
    outputs: Path, endpoint: str, username: str, password: str
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "cli.main", "login", "--stack", "dev", "--outputs",
         str(outputs), "--username", username, "--password-stdin"],
        input=password + "\n", capture_output=True, text=True, cwd=ROOT, timeout=60,
        env={**os.environ, "AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER": endpoint},
    )


@pytest.mark.moto(reason="Cognito user pool: DynamoDB Local has no Cognito")
def test_login_prints_the_users_id_token(moto_endpoint: str, tmp_path: Path) -> None:
    cognito = boto3.client("cognito-idp", region_name="us-east-1", endpoint_url=moto_endpoint)
    pool = cognito.create_user_pool(PoolName="todo-api-dev",
                                    UsernameAttributes=["email"])["UserPool"]
    client = cognito.create_user_pool_client(
        UserPoolId=pool["Id"], ClientName="users",
        ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
    )["UserPoolClient"]
    cognito.admin_create_user(UserPoolId=pool["Id"], Username="maria@example.com",
                              MessageAction="SUPPRESS")
    cognito.admin_set_user_password(UserPoolId=pool["Id"], Username="maria@example.com",
                                    Password="Correct-Horse-1", Permanent=True)
    outputs = tmp_path / "outputs.json"
    outputs.write_text(json.dumps({
        "apiUrl": "https://api123.execute-api.us-east-1.amazonaws.com/dev",
        "userPoolClientId": client["ClientId"], "userPoolId": pool["Id"],
        "region": "us-east-1"}))

    result = _login(outputs, moto_endpoint, "maria@example.com", "Correct-Horse-1")
    assert result.returncode == 0, result.stderr
    claims = jwt.decode(result.stdout.strip(), options={"verify_signature": False})
    assert claims["token_use"] == "id" and claims["aud"] == client["ClientId"]
    assert "/dev" in result.stderr

    wrong = _login(outputs, moto_endpoint, "maria@example.com", "nope")
    assert wrong.returncode == 1 and "wrong user name or password" in wrong.stderr
    assert wrong.stdout == ""
