"""Fixtures: a DynamoDB engine over HTTP (moto server on 127.0.0.1), the API in-process and
over real HTTP. The environment is set before anything imports the model."""

import os
import tempfile
import uuid
from collections.abc import Iterator

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
    }
)
os.environ.pop("AWS_SESSION_TOKEN", None)
os.environ.pop("AWS_PROFILE", None)

from emulator import dynamodb as embedded  # noqa: E402
from emulator.auth import Verifier  # noqa: E402
from emulator.gateway import Gateway  # noqa: E402
from models import ALL_MODELS, TodoModel, configure  # noqa: E402
from tests.support import Api, HttpApi, InProcessApi, LocalServer  # noqa: E402


@pytest.fixture(scope="session")
def dynamodb_endpoint() -> Iterator[str]:
    """moto's DynamoDB server on loopback; the model talks to it over HTTP."""
    engine = embedded.EmbeddedDynamoDB()
    endpoint = engine.start()
    os.environ["AWS_ENDPOINT_URL_DYNAMODB"] = endpoint
    configure(ALL_MODELS, endpoint=endpoint)
    embedded.ensure_table(embedded.client(endpoint, "us-east-1"), TodoModel.Meta.table_name)
    yield endpoint
    engine.stop()


@pytest.fixture(scope="session")
def ddb(dynamodb_endpoint: str) -> object:
    """A plain boto3 client on the same engine, to look at the table behind the API's back."""
    return embedded.client(dynamodb_endpoint, "us-east-1")


@pytest.fixture(scope="session")
def gateway(dynamodb_endpoint: str) -> Gateway:
    return Gateway(Verifier())


@pytest.fixture(scope="session")
def local_server() -> Iterator[LocalServer]:
    server = LocalServer().wait_ready()
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
