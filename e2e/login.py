"""`todo-api login`: an ID token for a deployed stack, from its outputs and Cognito's SRP flow
(USER_SRP_AUTH: the password is proven, never sent, the one password flow prod's client
allows), answering the pool's TOTP challenge when it asks for one."""

import getpass
import json
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, NoReturn

import boto3
import pyotp
from botocore.exceptions import BotoCoreError
from pycognito.aws_srp import AWSSRP

# A code from the user's authenticator app (SOFTWARE_TOKEN_MFA).
MfaCode = Callable[[], str]
# Sets up an authenticator for a user who has none in a pool that requires one (MFA_SETUP):
# takes the secret Cognito made for the user, returns the current code for it.
Enroll = Callable[[str], str]
# An answer per step at most: password proof, MFA set-up or code, and never a loop.
MAX_STEPS = 4


class LoginError(Exception):
    pass


def totp_code(secret: str, margin: float = 5.0) -> str:
    """The current code of an authenticator holding `secret`, with at least `margin` seconds
    left in its 30-second window: one about to roll over may be stale when it arrives."""
    totp = pyotp.TOTP(secret)
    left = totp.interval - time.time() % totp.interval
    if left < margin:
        time.sleep(left + 0.1)
    return totp.now()


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


def _no_code() -> NoReturn:
    raise LoginError("the pool asks for a code from the user's authenticator app: pass "
                     "--mfa-code, or run `todo-api login` in a terminal")


def _no_enrolment(secret: str) -> NoReturn:
    raise LoginError("the pool requires MFA and this user has no authenticator yet: sign in "
                     "once through the web app, which sets one up")


def _sign_in(cognito: Any, outputs: dict[str, Any], username: str, password: str,
             mfa_code: MfaCode, enroll: Enroll) -> str:
    client = outputs["userPoolClientId"]
    srp = AWSSRP(username=username, password=password, pool_id=outputs["userPoolId"],
                 client_id=client, client=cognito)
    parameters = srp.get_auth_params()
    answer = cognito.initiate_auth(AuthFlow="USER_SRP_AUTH", ClientId=client,
                                   AuthParameters=parameters)
    for _ in range(MAX_STEPS):
        if "AuthenticationResult" in answer:
            token: str = answer["AuthenticationResult"]["IdToken"]
            return token
        challenge = answer.get("ChallengeName", "unknown")
        # Cognito's own name for the user (a UUID where users sign in with their e-mail).
        user = answer.get("ChallengeParameters", {}).get("USERNAME", username)
        if challenge == "PASSWORD_VERIFIER":
            answer = cognito.respond_to_auth_challenge(
                ClientId=client, ChallengeName=challenge,
                ChallengeResponses=srp.process_challenge(answer["ChallengeParameters"],
                                                         parameters))
        elif challenge == "SOFTWARE_TOKEN_MFA":
            answer = cognito.respond_to_auth_challenge(
                ClientId=client, ChallengeName=challenge, Session=answer["Session"],
                ChallengeResponses={"USERNAME": user, "SOFTWARE_TOKEN_MFA_CODE": mfa_code()})
        elif challenge == "MFA_SETUP":
            associated = cognito.associate_software_token(Session=answer["Session"])
            verified = cognito.verify_software_token(
                Session=associated["Session"], UserCode=enroll(associated["SecretCode"]),
                FriendlyDeviceName="todo-api")
            answer = cognito.respond_to_auth_challenge(
                ClientId=client, ChallengeName=challenge, Session=verified["Session"],
                ChallengeResponses={"USERNAME": user})
        else:
            raise LoginError(f"Cognito asks for the {challenge} challenge; complete it first "
                             "(for NEW_PASSWORD_REQUIRED: aws cognito-idp "
                             "admin-set-user-password --permanent)")
    raise LoginError("Cognito kept asking for more after every answer")


def id_token(outputs: dict[str, Any], username: str, password: str,
             mfa_code: MfaCode = _no_code, enroll: Enroll = _no_enrolment) -> str:
    for key in ("userPoolId", "userPoolClientId", "region"):
        if not outputs.get(key):
            raise LoginError(f"the stack has no '{key}' output; has it been deployed?")
    cognito = boto3.client("cognito-idp", region_name=outputs["region"])
    try:
        return _sign_in(cognito, outputs, username, password, mfa_code, enroll)
    except (cognito.exceptions.NotAuthorizedException,
            cognito.exceptions.UserNotFoundException):
        raise LoginError("wrong user name or password") from None
    except cognito.exceptions.UserNotConfirmedException:
        raise LoginError("this user has not been confirmed yet") from None
    except (cognito.exceptions.CodeMismatchException,
            cognito.exceptions.EnableSoftwareTokenMFAException):
        raise LoginError("the authenticator code was not accepted") from None
    except BotoCoreError as error:
        raise LoginError(f"could not reach Cognito in {outputs['region']}: {error}") from None


def login(stack: str, username: str | None, password_stdin: bool,
          outputs_file: Path | None, mfa_code: str | None = None) -> int:
    def code() -> str:
        if mfa_code:
            return mfa_code
        if not sys.stdin.isatty():
            _no_code()
        return getpass.getpass("Authenticator code: ").strip()

    try:
        outputs = stack_outputs(stack, outputs_file)
        user = username or input("E-mail: ")
        password = sys.stdin.readline().rstrip("\n") if password_stdin else getpass.getpass()
        token = id_token(outputs, user, password, mfa_code=code)
    except LoginError as error:
        print(f"todo-api login: {error}", file=sys.stderr)
        return 1
    if outputs.get("apiUrl"):
        print(f"# API: {outputs['apiUrl']}", file=sys.stderr)
    print(token)
    return 0
