"""`todo-api`: serve the API locally, print a token the local server accepts, sign in to or
test a deployed stack, backfill index keys, clean up after deleted lists, or write the Postman
collection."""

import argparse
import sys
from collections.abc import Callable

from cli import backfill, e2e, login, postman, purge, serve, token

SUBCOMMANDS = (serve, token, login, e2e, backfill, purge, postman)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="todo-api", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    runners: dict[str, Callable[[argparse.Namespace], int]] = {}
    for module in SUBCOMMANDS:
        module.add(commands)
        runners[module.__name__.rsplit(".", 1)[-1]] = module.run
    args = parser.parse_args(argv)
    return runners[args.command](args)


if __name__ == "__main__":
    sys.exit(main())
