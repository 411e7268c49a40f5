"""Where the API is and who calls it: API_URL, TOKEN and TOKEN2 (two different users).

The suite needs users of its own: it refuses to start if either already holds tasks or lists,
and at the end deletes every task and list they hold, which is then exactly what it created."""

import os
from collections.abc import Iterator

import pytest
import requests

from e2e.client import Client

SETTINGS = ("API_URL", "TOKEN", "TOKEN2")


def pytest_configure(config: pytest.Config) -> None:
    missing = [name for name in SETTINGS if not os.environ.get(name, "").strip()]
    if missing:
        raise pytest.UsageError(
            f"{', '.join(missing)} not set: run `make e2e API_URL=... TOKEN=... TOKEN2=...` "
            "(or `make e2e STACK=dev`)")
    if os.environ["TOKEN"].strip() == os.environ["TOKEN2"].strip():
        raise pytest.UsageError("TOKEN and TOKEN2 must belong to two different users")


def _setting(name: str) -> str:
    return os.environ[name].strip()


@pytest.fixture(scope="session")
def base_url() -> str:
    return _setting("API_URL").rstrip("/")


@pytest.fixture(scope="session")
def session() -> Iterator[requests.Session]:
    with requests.Session() as http:
        yield http


def _fresh(client: Client, variable: str) -> Client:
    try:
        held = client.request("GET", "/todos?limit=1")
    except requests.ConnectionError as error:
        pytest.fail(f"cannot reach {client.base_url}: {error}", pytrace=False)
    if held.status != 200:
        pytest.fail(f"GET /todos with {variable} answered {held.status}: {held.body[:300]!r}",
                    pytrace=False)
    if held.json():
        pytest.fail(f"{variable}'s user already has tasks; the e2e suite needs users of its own "
                    "(it deletes their tasks when it ends)", pytrace=False)
    if len(client.lists()) > 1:
        pytest.fail(f"{variable}'s user already has lists; the e2e suite needs users of its own "
                    "(it deletes their lists when it ends)", pytrace=False)
    return client


@pytest.fixture(scope="session")
def alice(base_url: str, session: requests.Session) -> Iterator[Client]:
    client = _fresh(Client(base_url, _setting("TOKEN"), session), "TOKEN")
    yield client
    client.clear()


@pytest.fixture(scope="session")
def bob(base_url: str, session: requests.Session, alice: Client) -> Iterator[Client]:
    client = _fresh(Client(base_url, _setting("TOKEN2"), session), "TOKEN2")
    yield client
    client.clear()


def _own_id(client: Client) -> str:
    """The id the API stores a user's tasks under (the token's `sub`), as the API reports it."""
    task = client.create(title="who am I")
    client.request("DELETE", f"/todos/{task['taskId']}")
    user_id: str = task["userId"]
    return user_id


@pytest.fixture(scope="session")
def alice_id(alice: Client) -> str:
    return _own_id(alice)


@pytest.fixture(scope="session")
def bob_id(bob: Client) -> str:
    return _own_id(bob)


@pytest.fixture(autouse=True)
def _tidy(alice: Client, bob: Client) -> Iterator[None]:
    """Each test starts from users without tasks, whatever the one before left."""
    yield
    alice.clear()
    bob.clear()
