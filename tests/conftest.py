"""Fixtures: a DynamoDB engine over HTTP on 127.0.0.1, the API in-process and over real HTTP.
The environment is set before anything imports the model.

The engine is picked by TODO_API_ENGINE: `moto` (the default: moto's server, as `make run`
embeds it) or `dynamodb-local` (AWS's DynamoDB Local, see emulator/dynamodb_local.py). Tests
marked `moto` need moto itself (its Cognito, the embedded engine's state file) and run on moto
whatever the switch says; the run's summary lists them."""

import os
import secrets
import tempfile
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

_HOME = tempfile.mkdtemp(prefix="todo-api-test-")
os.environ.update(
    {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_REGION": "us-east-1",
        "AWS_DEFAULT_REGION": "us-east-1",
        "TABLE_NAME": "todos-test",
        "TODO_API_HOME": _HOME,  # the local signing key lives here during tests
        "CORS_ALLOWED_ORIGINS": "*",
        # What seals cursors and sync tokens (a stack's key from Pulumi, a local file in
        # `todo-api serve`); the local servers the tests start inherit it.
        "TOKEN_KEYS": secrets.token_hex(32),
    }
)
os.environ.pop("AWS_SESSION_TOKEN", None)
os.environ.pop("AWS_PROFILE", None)

from emulator import dynamodb as embedded  # noqa: E402
from emulator.auth import Verifier  # noqa: E402
from emulator.dynamodb import RequestCounter  # noqa: E402
from emulator.dynamodb_local import DynamoDBLocal, DynamoDBLocalUnavailable  # noqa: E402
from emulator.gateway import Gateway  # noqa: E402
from models import ALL_MODELS, TodoModel, configure  # noqa: E402
from tests.support import Api, HttpApi, InProcessApi, LocalServer  # noqa: E402

ENGINES = ("moto", "dynamodb-local")
ENGINE = os.environ.get("TODO_API_ENGINE", "moto")
if ENGINE not in ENGINES:
    raise pytest.UsageError(f"TODO_API_ENGINE={ENGINE!r}: expected one of {', '.join(ENGINES)}")


@pytest.fixture(scope="session")
def moto_endpoint() -> Iterator[str]:
    """moto's server on loopback (every service moto has: DynamoDB, Cognito...)."""
    engine = embedded.EmbeddedDynamoDB()
    yield engine.start()
    engine.stop()


@pytest.fixture(scope="session")
def dynamodb_local() -> Iterator[DynamoDBLocal]:
    """AWS's DynamoDB Local on loopback, on the run TODO_API_ENGINE=dynamodb-local only."""
    if ENGINE != "dynamodb-local":
        pytest.skip("DynamoDB Local itself is checked on the TODO_API_ENGINE=dynamodb-local run "
                    "(make test-dynamodb-local, part of make test)")
    local = DynamoDBLocal()
    try:
        local.start()
    except DynamoDBLocalUnavailable as error:
        pytest.exit(f"TODO_API_ENGINE=dynamodb-local: {error}", returncode=3)
    yield local
    local.stop()


@pytest.fixture(scope="session")
def dynamodb_endpoint(request: pytest.FixtureRequest) -> str:
    """The engine TODO_API_ENGINE picks, with the table made; the model talks to it over HTTP."""
    if ENGINE == "dynamodb-local":
        endpoint: str = request.getfixturevalue("dynamodb_local").endpoint
    else:
        endpoint = request.getfixturevalue("moto_endpoint")
    os.environ["AWS_ENDPOINT_URL_DYNAMODB"] = endpoint
    configure(ALL_MODELS, endpoint=endpoint)
    embedded.ensure_table(embedded.client(endpoint, "us-east-1"), TodoModel.Meta.table_name)
    return endpoint


@pytest.fixture(scope="session")
def engine_args(request: pytest.FixtureRequest) -> list[str]:
    """`todo-api serve` arguments that put a local server on the engine of the run: none on
    moto (the server embeds its own, as `make run` does), the shared endpoint otherwise."""
    if ENGINE == "moto":
        return []
    return ["--dynamodb-endpoint", request.getfixturevalue("dynamodb_endpoint"),
            "--table", TodoModel.Meta.table_name]


@pytest.fixture(autouse=True)
def _moto_only_when_marked(request: pytest.FixtureRequest) -> None:
    """On DynamoDB Local, a test reaching for moto must say so with the `moto` marker."""
    marker = request.node.get_closest_marker("moto")
    if marker is not None:
        request.node.user_properties.append(("moto", marker.kwargs.get("reason", "")))
    elif ENGINE != "moto" and "moto_endpoint" in request.fixturenames:
        pytest.fail("uses moto on a DynamoDB Local run: mark it @pytest.mark.moto(reason=...)")


def pytest_report_header() -> str:
    return f"DynamoDB engine: {ENGINE} (TODO_API_ENGINE)"


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if ENGINE == "moto":
        return
    ran = [report for kind in ("passed", "failed") for report in terminalreporter.getreports(kind)
           if report.when == "call" and "moto" in report.keywords]
    terminalreporter.section(f"{len(ran)} tests ran on moto, not {ENGINE} (marked moto)")
    for report in ran:
        reason = dict(report.user_properties).get("moto", "")
        terminalreporter.line(f"{report.outcome.upper()} {report.nodeid}: {reason}")


@pytest.fixture(scope="session")
def ddb(dynamodb_endpoint: str) -> object:
    """A plain boto3 client on the same engine, to look at the table behind the API's back."""
    return embedded.client(dynamodb_endpoint, "us-east-1")


@pytest.fixture(scope="session")
def gateway(dynamodb_endpoint: str) -> Gateway:
    return Gateway(Verifier())


@pytest.fixture(scope="session")
def local_server(engine_args: list[str]) -> Iterator[LocalServer]:
    server = LocalServer(*engine_args).wait_ready()
    yield server
    server.stop()


@pytest.fixture
def counter(dynamodb_endpoint: str) -> Iterator[RequestCounter]:
    """The DynamoDB requests (and items read) of the clients the API's models use."""
    counter = RequestCounter([m._get_connection().connection.client for m in ALL_MODELS])
    yield counter
    counter.reset()


@pytest.fixture(scope="session")
def engine_server(dynamodb_endpoint: str) -> Iterator[LocalServer]:
    """`todo-api serve` on the tests' own engine (whichever the run uses), so that a test may
    look at or change the table behind the API's back while it talks HTTP."""
    server = LocalServer("--dynamodb-endpoint", dynamodb_endpoint,
                         "--table", TodoModel.Meta.table_name).wait_ready()
    yield server
    server.stop()


@pytest.fixture(params=["in-process", "http"])
def api(request: pytest.FixtureRequest) -> Api:
    """The API as a client sees it: through the gateway in-process, or over real HTTP."""
    if request.param == "http":
        return HttpApi(request.getfixturevalue("local_server").url)
    return InProcessApi(request.getfixturevalue("gateway"))


@pytest.fixture
def user() -> str:
    return f"user-{uuid.uuid4().hex[:12]}"


@pytest.fixture
def other_user() -> str:
    return f"other-{uuid.uuid4().hex[:12]}"
