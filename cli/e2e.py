"""`todo-api e2e --stack NAME`: the e2e suite against a deployed stack (e2e/stack.py)."""

import argparse
from pathlib import Path


def add(commands: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    e2e = commands.add_parser("e2e", help="run the e2e suite against a deployed stack as two "
                              "throwaway Cognito users")
    e2e.add_argument("--stack", required=True, help="the Pulumi stack (dev, prod)")
    e2e.add_argument("--outputs", type=Path, help="`pulumi stack output --json` saved to a file")
    e2e.add_argument("pytest_args", nargs="*", help="passed on to pytest (after --)")


def run(args: argparse.Namespace) -> int:
    from e2e.stack import e2e

    return e2e(args.stack, args.outputs, args.pytest_args)
