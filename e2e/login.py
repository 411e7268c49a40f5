"""`todo-api login`: an ID token for a deployed stack, from its outputs and Cognito's
USER_PASSWORD_AUTH flow."""

import getpass
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import boto3
from botocore.exceptions import BotoCoreError


class LoginError(Exception):
    pass


def stack_outputs(stack: str, outputs_file: Path | None) -> dict[str, Any]:
    if outputs_file is not None:
        outputs: dict[str, Any] = json.loads(outputs_file.read_text())
        return outputs
    try:
        result = subprocess.run(
            ["pulumi", "stack", "output", "--json", "--stack", stack],
            capture_output=True, text=True, check=True,
        )
    except FileNotFoundError:
        raise LoginError("the pulumi CLI is not installed; pass --outputs FILE instead") from None
    except subprocess.CalledProcessError as error:
        raise LoginError(f"pulumi stack output failed: {error.stderr.strip()}") from None
    parsed: dict[str, Any] = json.loads(result.stdout)
    return parsed


def id_token(outputs: dict[str, Any], username: str, password: str) -> str:
    for key in ("userPoolClientId", "region"):
        if not outputs.get(key):
            raise LoginError(f"the stack has no '{key}' output; has it been deployed?")
    cognito = boto3.client("cognito-idp", region_name=outputs["region"])
    try:
        answer = cognito.initiate_auth(
            AuthFlow="USER_PASSWORD_AUTH",
            ClientId=outputs["userPoolClientId"],
            AuthParameters={"USERNAME": username, "PASSWORD": password},
        )
    except cognito.exceptions.NotAuthorizedException:
        raise LoginError("wrong user name or password") from None
    except cognito.exceptions.UserNotConfirmedException:
        raise LoginError("this user has not been confirmed yet") from None
    except BotoCoreError as error:
        raise LoginError(f"could not reach Cognito in {outputs['region']}: {error}") from None
    if "AuthenticationResult" not in answer:
        challenge = answer.get("ChallengeName", "unknown")
        raise LoginError(f"Cognito asks for the {challenge} challenge; complete it first "
                         "(for NEW_PASSWORD_REQUIRED: aws cognito-idp admin-set-user-password "
                         "--permanent)")
    token: str = answer["AuthenticationResult"]["IdToken"]
    return token


def login(stack: str, username: str | None, password_stdin: bool,
          outputs_file: Path | None) -> int:
    try:
        outputs = stack_outputs(stack, outputs_file)
        user = username or input("E-mail: ")
        password = sys.stdin.readline().rstrip("\n") if password_stdin else getpass.getpass()
        token = id_token(outputs, user, password)
    except LoginError as error:
        print(f"todo-api login: {error}", file=sys.stderr)
        return 1
    if outputs.get("apiUrl"):
        print(f"# API: {outputs['apiUrl']}", file=sys.stderr)
    print(token)
    return 0
