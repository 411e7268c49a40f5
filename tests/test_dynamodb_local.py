"""AWS's DynamoDB Local as the suite runs it: reachable on the host's loopback only, and no JVM
left behind however the run ends. Runs on the TODO_API_ENGINE=dynamodb-local run."""

import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

import boto3

from emulator.dynamodb_local import INNER_PORT, DynamoDBLocal
from tests.support import ROOT

LISTEN = "0A"  # TCP_LISTEN in /proc/net/tcp


def _listening(net: Path) -> dict[int, tuple[str, int]]:
    """Socket inode -> (address, port) of every listening TCP socket in the network namespace
    that `net` (a /proc/PID/net folder) shows."""
    found = {}
    for table in ("tcp", "tcp6"):
        for line in (net / table).read_text().splitlines()[1:]:
            fields = line.split()
            if fields[3] == LISTEN:
                address, port = fields[1].split(":")
                wildcard = set(address) == {"0"}
                loopback = address in ("0100007F", "00000000000000000000000001000000")
                name = "any" if wildcard else "loopback" if loopback else address
                found[int(fields[9])] = (name, int(port, 16))
    return found


def _listeners(net: Path) -> set[tuple[str, int]]:
    return set(_listening(net).values())


def _sockets_of(pid: int) -> set[int]:
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        with contextlib.suppress(OSError):
            target = os.readlink(fd)
            if target.startswith("socket:["):
                inodes.add(int(target[8:-1]))
    return inodes


def _gone(pid: int, timeout: float = 30) -> bool:
    """The process has ended (a zombie nobody reaped yet counts as ended)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if Path(f"/proc/{pid}/stat").read_text().split(")")[1].split()[0] == "Z":
                return True
        except FileNotFoundError:
            return True
        time.sleep(0.1)
    return False


def test_the_jar_listens_on_every_address_of_a_namespace_whose_only_one_is_loopback(
    dynamodb_local: DynamoDBLocal,
) -> None:
    java = Path(f"/proc/{dynamodb_local.java_pid}")
    assert "java" in (java / "cmdline").read_text()
    assert os.readlink(java / "ns/net") != os.readlink("/proc/self/ns/net")
    interfaces = [line.split(":")[0].strip()
                  for line in (java / "net/dev").read_text().splitlines()[2:]]
    assert interfaces == ["lo"]
    assert ("any", INNER_PORT) in _listeners(java / "net")  # why it is kept in there


def test_the_host_reaches_it_on_loopback_only(dynamodb_local: DynamoDBLocal) -> None:
    address = urlsplit(dynamodb_local.endpoint)
    assert address.hostname == "127.0.0.1"
    host = _listening(Path("/proc/self/net"))
    assert ("loopback", address.port) in host.values()
    assert ("any", address.port) not in host.values()
    assert not _sockets_of(dynamodb_local.java_pid) & set(host)  # the JVM listens on none
    answer = boto3.client("dynamodb", endpoint_url=dynamodb_local.endpoint,
                          region_name="us-east-1").list_tables()
    assert answer["ResponseMetadata"]["HTTPHeaders"]["server"].startswith("Jetty")


def test_stop_ends_the_jvm_cleanly(dynamodb_local: DynamoDBLocal) -> None:
    another = DynamoDBLocal()
    endpoint = another.start()
    assert endpoint != dynamodb_local.endpoint
    another.stop()
    assert _gone(another.java_pid)
    assert "Traceback" not in another.logs()


def test_a_test_run_killed_outright_leaves_no_jvm(dynamodb_local: DynamoDBLocal) -> None:
    script = ("import sys, time\n"
              "from emulator.dynamodb_local import DynamoDBLocal\n"
              "engine = DynamoDBLocal()\nengine.start()\n"
              "print(engine.java_pid, flush=True)\ntime.sleep(600)\n")
    parent = subprocess.Popen([sys.executable, "-c", script], cwd=ROOT, text=True,
                              stdout=subprocess.PIPE)
    try:
        assert parent.stdout is not None
        java_pid = int(parent.stdout.readline())
        assert not _gone(java_pid, timeout=0)
        parent.send_signal(signal.SIGKILL)  # no cleanup code runs in the parent
        parent.wait()
        assert _gone(java_pid)
    finally:
        parent.kill()
        parent.wait()
