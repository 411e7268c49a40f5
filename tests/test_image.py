"""The project's Dockerfile, unmodified, built on a stand-in of AWS's Lambda Python base (no
find, which, tar or curl: tests/stand_in.py), and each function run inside the image as
Lambda runs it: read-only root file system, a tmpfs /tmp, a non-root user, host (loopback)
networking, the entry point polling a Lambda Runtime API (tests/runtime_api.py) that feeds
API Gateway proxy events, with DynamoDB (the embedded engine) behind it.

It drives the engine through the Docker Engine API (the `docker` package): podman's
Docker-compatible service here (`make image-test`), Docker itself on a laptop (DOCKER_HOST)."""

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import docker
import pytest

from services.edge.routes import EVENT_FUNCTIONS, FUNCTIONS
from tests import stand_in
from tests.runtime_api import RuntimeApi
from tests.support import ROOT, proxy_event

pytestmark = pytest.mark.image

IMAGE = "localhost/todo-api:image-test"
PROBE = Path(__file__).resolve().parent / "image_probe"
LAMBDA_USER = "993:990"  # Lambda's sandbox user is not root; any uid will do
USER = "image-user"
# Lambda's own quotas: 1,024 file descriptors, 1,024 processes and threads.
LAMBDA_LIMITS = [docker.types.Ulimit(name=name, soft=1024, hard=1024)
                 for name in ("nofile", "nproc")]


def host_index_url() -> str:
    """The index the host's pip uses (its configuration, environment included); empty for
    pip's default. File URLs are left out: the build cannot see the host's disk."""
    listing = subprocess.run([sys.executable, "-m", "pip", "config", "list"],
                             capture_output=True, text=True, check=True).stdout
    settings = dict(line.split("=", 1) for line in listing.splitlines() if "=" in line)
    for key in (":env:.index-url", "install.index-url", "global.index-url"):
        url = settings.get(key, "").strip("'\"")
        if url and not url.startswith("file:"):
            return url
    return ""


@pytest.fixture(scope="module")
def engine() -> Iterator[docker.DockerClient]:
    if not os.environ.get("DOCKER_HOST"):
        pytest.fail("no container engine: run `make image-test` (as root: it installs and "
                    "starts podman), or set DOCKER_HOST to a Docker engine")
    client = docker.from_env(timeout=900)
    client.ping()
    yield client
    client.close()


@pytest.fixture(scope="module")
def base(engine: docker.DockerClient) -> str:
    started = time.perf_counter()
    name = stand_in.ensure(engine)
    print(f"\nstand-in base {name}: {time.perf_counter() - started:.1f} s", file=sys.stderr)
    return name


@pytest.fixture(scope="module")
def image(engine: docker.DockerClient, base: str) -> str:
    started = time.perf_counter()
    built, _ = engine.images.build(
        path=str(ROOT), dockerfile="Dockerfile", tag=IMAGE, pull=False, rm=True, forcerm=True,
        buildargs={"BASE_IMAGE": base, "PACKAGE_INDEX": host_index_url()})
    print(f"image build: {time.perf_counter() - started:.1f} s", file=sys.stderr)
    return str(built.id)


def run_in_base(engine: docker.DockerClient, base: str, script: str) -> str:
    container = engine.containers.create(base, ["-c", script], entrypoint="/bin/sh",
                                         network_mode="none")
    try:
        container.start()
        container.wait(timeout=60)
        return str(container.logs().decode())
    finally:
        container.remove(force=True)


def test_the_base_is_shaped_like_aws_lambda_python(engine: docker.DockerClient,
                                                   base: str) -> None:
    attrs = engine.images.get(base).attrs["Config"]
    env = dict(item.split("=", 1) for item in attrs["Env"])
    assert env["LAMBDA_TASK_ROOT"] == "/var/task" and env["LAMBDA_RUNTIME_DIR"] == "/var/runtime"
    assert env["PATH"].startswith("/var/lang/bin:") and env["LANG"] == "en_US.UTF-8"
    assert attrs["WorkingDir"] == "/var/task"
    assert attrs["Entrypoint"] == ["/lambda-entrypoint.sh"]
    found = run_in_base(engine, base, "for tool in find xargs which tar curl python3 pip; do "
                        "command -v $tool || echo no-$tool; done; "
                        "test -e /usr/share/zoneinfo || echo no-zoneinfo; "
                        "python3 -c 'import zoneinfo; print(len(zoneinfo.available_timezones()))'")
    assert found.split() == ["no-find", "no-xargs", "no-which", "no-tar", "no-curl",
                             "/var/lang/bin/python3", "/var/lang/bin/pip", "no-zoneinfo", "0"]


def test_the_image_brings_its_own_time_zone_database(engine: docker.DockerClient,
                                                      image: str) -> None:
    """The base has none (above): the zones come from the image's layer, PyPI tzdata, the
    version the lock pins, for the API and for the standard library's zoneinfo alike."""
    locked = next(line.split("==")[1].split()[0] for line in
                  (ROOT / "requirements.txt").read_text().splitlines()
                  if line.startswith("tzdata=="))
    script = (
        "import importlib.metadata, zoneinfo\n"
        "from services.domain import zones\n"
        "print(importlib.metadata.version('tzdata'), zones.database_version())\n"
        "print(zones.zone('Europe/Paris'), zoneinfo.ZoneInfo('America/New_York'))\n"
        "print(len(zoneinfo.available_timezones()) > 400)\n"
    )
    output = run_in_base(engine, image, f'cd /var/task && python3 -c "{script}"')
    version, iana, paris, new_york, many = output.split()
    assert (version, paris, new_york, many) == (locked, "Europe/Paris", "America/New_York",
                                                "True"), output
    assert iana[:4].isdigit(), output


@contextmanager
def function(engine: docker.DockerClient, image: str, endpoint: str, command: str | None,
             environment: dict[str, str] | None = None,
             ) -> Iterator[tuple[RuntimeApi, list[str]]]:
    """One function instance: its container polls a fresh Runtime API. Yields the API and,
    once the instance is stopped, its log lines."""
    logs: list[str] = []
    with RuntimeApi() as runtime:
        container = engine.containers.create(
            image, [command] if command else None,
            read_only=True, tmpfs={"/tmp": "rw,size=64m"}, user=LAMBDA_USER,
            network_mode="host", cap_drop=["ALL"], security_opt=["no-new-privileges"],
            ulimits=LAMBDA_LIMITS,
            volumes={str(PROBE): {"bind": "/opt/probe", "mode": "ro"}},
            environment={
                "AWS_LAMBDA_RUNTIME_API": runtime.address,
                "AWS_LAMBDA_FUNCTION_NAME":
                    (command or "services.handlers.default.handler").split(".")[-2],
                "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "512",
                "AWS_LAMBDA_LOG_FORMAT": "JSON",
                "AWS_REGION": "us-east-1", "AWS_DEFAULT_REGION": "us-east-1",
                "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                "AWS_ENDPOINT_URL_DYNAMODB": endpoint,
                "TABLE_NAME": os.environ["TABLE_NAME"], "STACK_NAME": "image-test",
                "CORS_ALLOWED_ORIGINS": "*", "TOKEN_KEYS": os.environ["TOKEN_KEYS"],
                "PYTHONPATH": "/opt/probe",  # the probe only: it reports, changes nothing
                **(environment or {}),
            })
        try:
            container.start()
            yield runtime, logs
        finally:
            container.reload()
            if container.status == "running":
                container.kill()
                container.wait(timeout=30)
            logs.extend(container.logs().decode(errors="replace").splitlines())
            container.remove(force=True)


def answer(runtime: RuntimeApi, event: dict[str, Any],
           headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], Any]:
    event["headers"] |= headers or {}
    kind, payload = runtime.invoke(event, timeout=120)
    assert kind == "response", payload
    body = json.loads(payload["body"]) if payload.get("body") else None
    return payload["statusCode"], payload.get("headers") or {}, body


def assert_quiet(name: str, logs: list[str]) -> None:
    """The probe saw no compilation and no file written: the cold start ran on the image's
    own bytecode, and the read-only root was never tried."""
    # The base's own bootstrap.py is the process's main script, which Python compiles every
    # time (a script is never cached); AWS's base runs its bootstrap.py the same way.
    probed = [line for line in logs if line.startswith("PROBE ")
              and line != "PROBE compiled /var/runtime/bootstrap.py"]
    assert probed == [], (name, probed)
    assert not any('"level": "ERROR"' in line or "Traceback" in line for line in logs), logs


def test_each_command_serves_a_task_inside_the_image(engine: docker.DockerClient, image: str,
                                                      dynamodb_endpoint: str) -> None:
    get, create = FUNCTIONS["getTodos"], FUNCTIONS["createTodo"]
    update, delete = FUNCTIONS["updateTodo"], FUNCTIONS["deleteTodo"]

    with function(engine, image, dynamodb_endpoint, create) as (runtime, create_logs):
        status, headers, task = answer(runtime, proxy_event(
            "POST", "/todos", "/todos", user=USER, body={"title": "inside the image"}))
        assert status == 201 and task["title"] == "inside the image"
        assert headers["Location"].endswith(f"/todos/{task['taskId']}")
        status, _, second = answer(runtime, proxy_event(
            "POST", "/todo", "/todo", user=USER, body={"title": "second, warm"}))
        assert status == 201
        # Time zones from the image's own database, rules through dateutil's rrule.
        status, _, repeating = answer(runtime, proxy_event(
            "POST", "/todos", "/todos", user=USER, body={
                "title": "standup", "dueDate": "2027-03-27T09:00:00",
                "timeZone": "Europe/Paris", "recurrence": "FREQ=DAILY"}))
        assert status == 201 and repeating["dueAt"] == "2027-03-27T08:00:00Z", repeating
    assert_quiet("createTodo", create_logs)

    one = f"/todos/{task['taskId']}"
    path = {"taskId": task["taskId"]}
    with function(engine, image, dynamodb_endpoint, get) as (runtime, get_logs):
        status, _, listed = answer(runtime, proxy_event("GET", "/todos", "/todos", user=USER))
        assert status == 200
        assert [t["taskId"] for t in listed] == [task["taskId"], second["taskId"],
                                                 repeating["taskId"]]
        status, headers, fetched = answer(runtime, proxy_event(
            "GET", "/todos/{taskId}", one, user=USER, path_params=path))
        assert status == 200 and fetched == task and headers["ETag"] == '"1"'
    assert_quiet("getTodos", get_logs)

    with function(engine, image, dynamodb_endpoint, update) as (runtime, update_logs):
        # Paris moves to summer time on 28 March 2027: still 09:00 there, an hour earlier UTC.
        status, _, moved = answer(runtime, proxy_event(
            "PATCH", "/todos/{taskId}", f"/todos/{repeating['taskId']}", user=USER,
            path_params={"taskId": repeating["taskId"]}, body={"status": "completed"}))
        assert status == 200 and (moved["dueDate"], moved["dueAt"], moved["status"]) == (
            "2027-03-28T09:00:00", "2027-03-28T07:00:00Z", "pending"), moved
        status, headers, patched = answer(runtime, proxy_event(
            "PATCH", "/todos/{taskId}", one, user=USER, path_params=path,
            body={"status": "completed"}), {"If-Match": '"1"'})
        assert status == 200 and patched["completed"] is True and headers["ETag"] == '"2"'
        status, _, problem = answer(runtime, proxy_event(
            "PATCH", "/todos/{taskId}", one, user=USER, path_params=path,
            body={"title": "stale"}), {"If-Match": '"1"'})
        assert status == 412 and problem["status"] == 412
    assert_quiet("updateTodo", update_logs)

    with function(engine, image, dynamodb_endpoint, delete) as (runtime, delete_logs):
        status, _, message = answer(runtime, proxy_event(
            "DELETE", "/todos/{taskId}", one, user=USER, path_params=path))
        assert status == 200 and "deleted successfully" in message["message"]
        status, _, cleared = answer(runtime, proxy_event(
            "DELETE", "/todos", "/todos", user=USER, query={"status": "all"}))
        assert status == 200 and cleared["deleted"] == 2
    assert_quiet("deleteTodo", delete_logs)

    # The events dispatcher, from the same image: a stream batch with a task created (its user
    # has no webhook: nothing to send) and a reminder of a task that is gone.
    record = {"eventID": "1", "eventName": "INSERT", "eventSource": "aws:dynamodb",
              "dynamodb": {"Keys": {"userID": {"S": USER}, "taskID": {"S": task["taskId"]}},
                           "NewImage": {"userID": {"S": USER}, "taskID": {"S": task["taskId"]},
                                        "title": {"S": "t"}, "status": {"S": "pending"},
                                        "priority": {"S": "normal"}, "version": {"N": "1"},
                                        "createdAt": {"S": "2026-01-01T00:00:00.000Z"},
                                        "updatedAt": {"S": "2026-01-01T00:00:00.000Z"}},
                           "ApproximateCreationDateTime": 1767225600.0,
                           "SequenceNumber": "100"}}
    queues = {"DELIVERY_QUEUE_URL": "https://sqs.us-east-1.amazonaws.com/1/deliveries",
              "DEAD_LETTER_QUEUE_URL": "https://sqs.us-east-1.amazonaws.com/1/dead",
              "SCHEDULE_GROUP": "reminders", "SCHEDULER_ROLE_ARN": "arn:aws:iam::1:role/s"}
    [dispatcher] = EVENT_FUNCTIONS.values()
    with function(engine, image, dynamodb_endpoint, dispatcher, queues) as (runtime, logs):
        kind, result = runtime.invoke({"Records": [record]}, timeout=120)
        assert (kind, result) == ("response", {"batchItemFailures": []}), result
        kind, result = runtime.invoke({"reminder": {
            "partition": USER, "taskId": task["taskId"], "index": 0,
            "at": "2030-01-01T00:00:00+00:00"}}, timeout=120)
        assert (kind, result) == ("response", {}), result
    assert_quiet("dispatchEvents", logs)

    # The image's own CMD (no image_config.command): the list, now empty.
    with function(engine, image, dynamodb_endpoint, None) as (runtime, default_logs):
        status, _, listed = answer(runtime, proxy_event("GET", "/todos", "/todos", user=USER))
        assert status == 200 and listed == []
    assert_quiet("default CMD", default_logs)
