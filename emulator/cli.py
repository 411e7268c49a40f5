"""`todo-api`: serve the API locally, print a token the local server accepts, or write the
Postman collection."""

import argparse
import ipaddress
import logging
import os
import signal
import sys
from pathlib import Path
from types import FrameType

from emulator import auth


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="todo-api", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="serve the API on an embedded DynamoDB")
    serve.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
    serve.add_argument("--port", type=int, default=int(os.environ.get("PORT", "3000")))
    serve.add_argument(
        "--state", type=Path,
        help="file: tasks restored on start; every acknowledged write is on disk (journal)",
    )
    serve.add_argument(
        "--dynamodb-endpoint",
        default=os.environ.get("DYNAMODB_ENDPOINT"),
        help="use this DynamoDB (DynamoDB Local, a real region) instead of the embedded one",
    )
    serve.add_argument("--table", default=os.environ.get("TABLE_NAME", "todos"))
    serve.add_argument(
        "--public-url",
        default=os.environ.get("PUBLIC_URL"),
        help="the URL clients use to reach this server (default: the address it listens on); "
             "Location, url, Link and the OpenAPI servers start with it",
    )
    serve.add_argument("--cors-origins", default=os.environ.get("CORS_ALLOWED_ORIGINS", "*"))
    token = commands.add_parser("token", help="print an ID token for USER")
    token.add_argument("user")
    token.add_argument("--ttl", type=int, default=auth.DEFAULT_TTL, help="seconds (default 12 h)")
    login = commands.add_parser("login", help="print an ID token for a deployed stack")
    login.add_argument("--stack", required=True, help="the Pulumi stack (dev, prod)")
    login.add_argument("--username", help="the user's e-mail (asked when missing)")
    login.add_argument("--password-stdin", action="store_true", help="read the password from stdin")
    login.add_argument("--outputs", type=Path, help="`pulumi stack output --json` saved to a file")
    e2e = commands.add_parser("e2e", help="run the e2e suite against a deployed stack as two "
                              "throwaway Cognito users")
    e2e.add_argument("--stack", required=True, help="the Pulumi stack (dev, prod)")
    e2e.add_argument("--outputs", type=Path, help="`pulumi stack output --json` saved to a file")
    e2e.add_argument("pytest_args", nargs="*", help="passed on to pytest (after --)")
    backfill = commands.add_parser(
        "backfill", help="give tasks written before the indexes existed their index keys "
        "(run once after deploying; AWS credentials and region from the environment)")
    backfill.add_argument("--table", required=True, help="the stack's table name")
    backfill.add_argument("--dynamodb-endpoint", default=os.environ.get("DYNAMODB_ENDPOINT"),
                          help="DynamoDB Local or another endpoint instead of the region's")
    postman = commands.add_parser(
        "postman", help="write the Postman collection and `local` environment, from the "
        "OpenAPI document, to docs/postman/")
    postman.add_argument("--out", type=Path, help="another folder (default docs/postman)")
    return parser.parse_args(argv)


class _Stopper:
    """SIGTERM and SIGINT stop the server once: the first interrupts serve_forever, the
    next ones are noted and ignored, so nothing is ever raised inside the final snapshot."""

    def __init__(self) -> None:
        self.stopping = False

    def __call__(self, signum: int, frame: FrameType | None) -> None:
        if self.stopping:
            print(f"todo-api: already stopping ({signal.Signals(signum).name} ignored)",
                  file=sys.stderr, flush=True)
            return
        self.stopping = True
        raise KeyboardInterrupt


def _logging() -> None:
    from services.logs import JsonFormatter

    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    logging.basicConfig(level=logging.INFO, handlers=[handler], force=True)
    logging.getLogger("werkzeug").setLevel(logging.WARNING)


def serve(args: argparse.Namespace) -> int:
    from emulator import dynamodb
    from models import ALL_MODELS, configure

    if args.state and args.dynamodb_endpoint:
        print("--state works with the embedded DynamoDB only", file=sys.stderr)
        return 2
    os.environ.setdefault("AWS_REGION", "us-east-1")
    os.environ["TABLE_NAME"] = args.table
    os.environ["CORS_ALLOWED_ORIGINS"] = args.cors_origins
    stopper = _Stopper()
    signal.signal(signal.SIGTERM, stopper)
    signal.signal(signal.SIGINT, stopper)
    engine = None
    endpoint = args.dynamodb_endpoint
    if endpoint is None:
        # The embedded engine accepts any credentials; never send real ones to it.
        os.environ["AWS_ACCESS_KEY_ID"] = "local"
        os.environ["AWS_SECRET_ACCESS_KEY"] = "local"  # noqa: S105
        os.environ.pop("AWS_SESSION_TOKEN", None)
        engine = dynamodb.EmbeddedDynamoDB()
        endpoint = engine.start()
    os.environ["AWS_ENDPOINT_URL_DYNAMODB"] = endpoint
    # Said to the models outright: when they were imported, the engine had no address yet.
    configure(ALL_MODELS, endpoint=endpoint, table_name=args.table)
    _logging()
    ddb = dynamodb.client(endpoint, os.environ["AWS_REGION"])
    dynamodb.ensure_table(ddb, args.table)
    state = None
    if args.state:
        from emulator import statefile

        state = statefile.StateFile(
            args.state, args.table, dynamodb.key_names(ddb, args.table),
            compact_after=int(os.environ.get("TODO_API_COMPACT_AFTER", "1000")),
        )
        assert engine is not None  # --state needs the embedded engine (checked above)
        try:
            state.claim()
            items = state.recover()
            dynamodb.load_items(ddb, args.table, items)
            engine.journal_to(state)
        except statefile.StateFileError as error:
            print(f"todo-api: {error}", file=sys.stderr)
            return 1
        except OSError as error:
            print(f"todo-api: cannot write the state file {args.state} ({error.strerror})",
                  file=sys.stderr)
            return 1
        torn = f" (skipped {state.torn_records} torn journal record)" if state.torn_records else ""
        print(f"Restored {len(items)} items from {args.state}{torn}", flush=True)

    from emulator.gateway import Gateway
    from emulator.server import LocalApiServer
    from emulator.webapp import WebApp
    from services.routes import FUNCTIONS

    gateway = Gateway(auth.Verifier(), web=WebApp())
    for function in FUNCTIONS:
        gateway.handler(function)
    try:
        server = LocalApiServer(args.host, args.port, gateway, public_url=args.public_url)
    except ValueError as error:
        print(f"todo-api: --public-url: {error}", file=sys.stderr)
        return 2
    host, url = server.server_address[0], server.url
    token = auth.issue_token("maria123")
    print(
        f"todo-api is serving {url} (DynamoDB: {'embedded' if engine else endpoint}, "
        f"table {args.table})\n"
        f"Web app: {url}/ (with a development-only sign-in: any user name)\n"
        f"OpenAPI document: {url}/openapi.json\n"
        f"A token for user maria123 (more: todo-api token USER):\n{token}\n"
        "Try:\n"
        f"  curl -s -X POST {url}/todos -H 'Authorization: Bearer {token}' "
        "-H 'Content-Type: application/json' -d '{\"title\": \"Buy groceries\"}'\n"
        "Press Ctrl-C to stop.",
        flush=True,
    )
    if not ipaddress.ip_address(host).is_loopback:
        print(f"warning: listening on {host}, beyond this machine; anyone who can reach it "
              "and holds a token from this key can use the API", file=sys.stderr)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        stopper.stopping = True
        server.server_close()
        if engine and state:
            # Not needed for durability (the journal has every write); it makes the file
            # a plain snapshot again, quick to read back.
            saved = engine.compact()
            print(f"Saved {saved} items to {args.state}", flush=True)
        if engine:
            engine.stop()
        if state:
            state.close()
        # Python puts back the default handlers as it exits; a signal then would still
        # kill the (finished) process with a failure status.
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        signal.signal(signal.SIGINT, signal.SIG_IGN)
    return 0


def main(argv: list[str] | None = None) -> int:
    args = _arguments(argv)
    if args.command == "token":
        print(auth.issue_token(args.user, args.ttl))
        return 0
    if args.command == "backfill":
        from models import ALL_MODELS, configure
        from services.backfill import backfill as run_backfill

        configure(ALL_MODELS, endpoint=args.dynamodb_endpoint, table_name=args.table)
        print(f"gave {run_backfill()} tasks their index keys")
        return 0
    if args.command == "postman":
        from emulator import postman as generator

        for path in generator.write(args.out or generator.OUT):
            print(f"wrote {path}")
        return 0
    if args.command == "login":
        from emulator.login import login

        return login(args.stack, args.username, args.password_stdin, args.outputs)
    if args.command == "e2e":
        from emulator.stack_e2e import e2e

        return e2e(args.stack, args.outputs, args.pytest_args)
    try:
        return serve(args)
    except KeyboardInterrupt:
        return 130  # stopped while starting: nothing was acknowledged yet, the files are whole


if __name__ == "__main__":
    sys.exit(main())
