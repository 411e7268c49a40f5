"""`todo-api serve`: the API through the local API Gateway emulator, on an embedded DynamoDB
(or DynamoDB Local, or a real table), with the web app beside it."""

import argparse
import ipaddress
import os
import signal
import sys
from pathlib import Path
from types import FrameType
from typing import Any
from urllib.parse import urlsplit

from cli import console
from emulator import auth, token_key


def add(commands: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
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
    serve.add_argument(
        "--log-format", choices=console.FORMATS, default=os.environ.get("LOG_FORMAT", "text"),
        help="text (default): one readable line per request; json: the JSON log lines and EMF "
             "metrics documents a deployed stack writes to CloudWatch",
    )
    serve.add_argument(
        "--webhook-retry-delays", type=_delays,
        default=os.environ.get("TODO_API_WEBHOOK_RETRY_DELAYS"),
        help="seconds before each retry of a failed webhook delivery, comma-separated "
             "(default: 5,300,1800,7200,18000,36000,36000, as deployed); shorter for tests",
    )
    serve.add_argument(
        "--webhook-timeout", type=float,
        default=float(os.environ.get("TODO_API_WEBHOOK_TIMEOUT", "10")),
        help="seconds a webhook receiver has to answer (default 10, as deployed)",
    )


def _delays(text: str | None) -> tuple[float, ...] | None:
    if not text:
        return None
    try:
        delays = tuple(float(part) for part in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError("a comma-separated list of seconds") from None
    if not delays or any(not 0 <= d <= 86400 for d in delays):
        raise argparse.ArgumentTypeError("each delay must be 0 to 86400 seconds")
    return delays


def run(args: argparse.Namespace) -> int:
    try:
        return serve(args)
    except KeyboardInterrupt:
        return 130  # stopped while starting: nothing was acknowledged yet, the files are whole


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


# How long a handler waits for a local engine's answer: under the gateway's 29 s, so the
# function, not the gateway, answers; far over any queue the engine builds under load.
LOCAL_READ_TIMEOUT = 25.0


def _on_loopback(endpoint: str) -> bool:
    host = urlsplit(endpoint).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _wait_for_local_engine(models: list[Any]) -> None:
    """A local engine (moto takes one request at a time, DynamoDB Local queues them) is slow
    under load, never lost: a read timeout of AWS's 2 s then answered 503 for creates the
    engine went on to store. Wait for its answer instead, and do not send a write again
    (a retry would only queue behind the first). DYNAMODB_READ_TIMEOUT and
    DYNAMODB_MAX_RETRIES, when set, still win."""
    for model in models:
        if "DYNAMODB_READ_TIMEOUT" not in os.environ:
            model.Meta.read_timeout_seconds = LOCAL_READ_TIMEOUT
        if "DYNAMODB_MAX_RETRIES" not in os.environ:
            model.Meta.max_retry_attempts = 0


def serve(args: argparse.Namespace) -> int:
    from emulator import dynamodb
    from models import ALL_MODELS, configure

    console.configure(args.log_format)  # before the engine starts: it logs from its first request
    if args.state and args.dynamodb_endpoint:
        print("--state works with the embedded DynamoDB only", file=sys.stderr)
        return 2
    os.environ.setdefault("AWS_REGION", "us-east-1")
    os.environ["TABLE_NAME"] = args.table
    os.environ["CORS_ALLOWED_ORIGINS"] = args.cors_origins
    token_key.install()
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
    if _on_loopback(endpoint):
        _wait_for_local_engine(ALL_MODELS)
    # Said to the models outright: when they were imported, the engine had no address yet.
    configure(ALL_MODELS, endpoint=endpoint, table_name=args.table)
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

    from emulator.events import LocalEvents
    from emulator.gateway import Gateway
    from emulator.server import LocalApiServer
    from emulator.webapp import WebApp
    from services.edge.routes import FUNCTIONS
    from services.events.settings import Settings

    gateway = Gateway(auth.Verifier(), web=WebApp())
    for function in FUNCTIONS:
        gateway.handler(function)
    try:
        server = LocalApiServer(args.host, args.port, gateway, public_url=args.public_url)
    except ValueError as error:
        print(f"todo-api: --public-url: {error}", file=sys.stderr)
        return 2
    host, url = server.server_address[0], server.url
    settings = Settings(timeout=args.webhook_timeout, api_url=url)
    if args.webhook_retry_delays is not None:
        settings = settings._replace(retry_delays=args.webhook_retry_delays)
    # The dispatcher follows the table's stream from now on: items loaded above are not news.
    events = LocalEvents(endpoint, os.environ["AWS_REGION"], args.table, settings)
    events.start()
    token = auth.issue_token("maria123")
    print(
        f"todo-api is serving {url} (DynamoDB: {'embedded' if engine else endpoint}, "
        f"table {args.table})\n"
        f"Web app: {url}/ (with a development-only sign-in: any user name)\n"
        f"OpenAPI document: {url}/openapi.json, as a page: {url}/docs\n"
        "Webhooks: events are sent to http://127.0.0.1 and http://localhost receivers (and "
        "public https ones)\n"
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
        events.stop()
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
