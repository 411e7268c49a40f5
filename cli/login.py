"""`todo-api login --stack NAME`: an ID token for a deployed stack (e2e/login.py)."""

import argparse
from pathlib import Path


def add(commands: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    login = commands.add_parser("login", help="print an ID token for a deployed stack")
    login.add_argument("--stack", required=True, help="the Pulumi stack (dev, prod)")
    login.add_argument("--username", help="the user's e-mail (asked when missing)")
    login.add_argument("--password-stdin", action="store_true", help="read the password from stdin")
    login.add_argument("--outputs", type=Path, help="`pulumi stack output --json` saved to a file")
    login.add_argument("--mfa-code", help="the authenticator app's code, where the pool asks "
                       "for one (asked when missing and in a terminal)")


def run(args: argparse.Namespace) -> int:
    from e2e.login import login

    return login(args.stack, args.username, args.password_stdin, args.outputs, args.mfa_code)
