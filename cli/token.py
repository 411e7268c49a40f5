"""`todo-api token USER`: an ID token the local server accepts."""

import argparse

from emulator import auth


def add(commands: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    token = commands.add_parser("token", help="print an ID token for USER")
    token.add_argument("user")
    token.add_argument("--ttl", type=int, default=auth.DEFAULT_TTL, help="seconds (default 12 h)")


def run(args: argparse.Namespace) -> int:
    print(auth.issue_token(args.user, args.ttl))
    return 0
