"""`todo-api postman`: the Postman collection and `local` environment (tools/postman.py)."""

import argparse
from pathlib import Path


def add(commands: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    postman = commands.add_parser(
        "postman", help="write the Postman collection and `local` environment, from the "
        "OpenAPI document, to docs/postman/")
    postman.add_argument("--out", type=Path, help="another folder (default docs/postman)")


def run(args: argparse.Namespace) -> int:
    from tools import postman as generator

    for path in generator.write(args.out or generator.OUT):
        print(f"wrote {path}")
    return 0
