"""`todo-api e2e --stack NAME`: the e2e suite against a deployed stack, signed in as two
throwaway Cognito users that are created for the run and deleted after it (admin API)."""

import os
import secrets
import subprocess
import sys
import uuid
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import boto3

from e2e.login import LoginError, id_token, stack_outputs, totp_code

ROOT = Path(__file__).resolve().parent.parent

# Runs the suite with API_URL, TOKEN and TOKEN2 in its environment; returns its exit code.
Runner = Callable[[Mapping[str, str], list[str]], int]


def _password() -> str:
    # Meets any pool policy (12+ characters, upper, lower, digit, symbol) whatever the random part.
    return secrets.token_urlsafe(24) + "Aa1!"


@contextmanager
def throwaway_users(outputs: Mapping[str, Any], count: int = 2) -> Iterator[list[str]]:
    """ID tokens of `count` new users of the stack's pool; the users are deleted on exit."""
    for key in ("userPoolId", "userPoolClientId", "region"):
        if not outputs.get(key):
            raise LoginError(f"the stack has no '{key}' output; has it been deployed?")
    pool = outputs["userPoolId"]
    cognito = boto3.client("cognito-idp", region_name=outputs["region"])
    created: list[str] = []
    try:
        tokens = []
        for _ in range(count):
            username = f"e2e-{uuid.uuid4().hex[:16]}@example.com"
            password = _password()
            cognito.admin_create_user(
                UserPoolId=pool, Username=username, MessageAction="SUPPRESS",
                UserAttributes=[{"Name": "email", "Value": username},
                                {"Name": "email_verified", "Value": "true"}])
            created.append(username)
            cognito.admin_set_user_password(UserPoolId=pool, Username=username,
                                            Password=password, Permanent=True)
            # Where the pool requires MFA (prod), the first sign-in sets up an authenticator
            # for the user, here a TOTP generator holding the secret Cognito made for it.
            tokens.append(id_token(dict(outputs), username, password, enroll=totp_code))
        yield tokens
    finally:
        for username in created:
            cognito.admin_delete_user(UserPoolId=pool, Username=username)


def run_suite(env: Mapping[str, str], args: list[str]) -> int:
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "e2e", *args]
    quiet = {"PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"}  # the suite needs no plugins
    return subprocess.run(command, cwd=ROOT, env={**os.environ, **quiet, **env},
                          check=False).returncode


def e2e(stack: str, outputs_file: Path | None, args: list[str],
        runner: Runner = run_suite) -> int:
    try:
        outputs = stack_outputs(stack, outputs_file)
        if not outputs.get("apiUrl"):
            raise LoginError("the stack has no 'apiUrl' output; has it been deployed?")
        with throwaway_users(outputs) as (token, token2):
            print(f"todo-api e2e: {outputs['apiUrl']} as two throwaway users", file=sys.stderr)
            return runner({"API_URL": outputs["apiUrl"], "TOKEN": token, "TOKEN2": token2},
                          args)
    except LoginError as error:
        print(f"todo-api e2e: {error}", file=sys.stderr)
        return 2
