"""One delivery attempt and its signature, against receivers on loopback: the request goes to
the checked address whatever the name says now, the time limit holds against a receiver that
trickles, TLS checks the certificate against the name, and the `standardwebhooks` library
verifies what we sign (our signing is our own few lines, not the library)."""

import base64
import datetime
import ipaddress
import socket
import ssl
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any, ClassVar

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from standardwebhooks import Webhook

from services.domain import targets
from services.domain.webhooks import new_secret
from services.events import delivery, signing

LOOPBACK = targets.TargetRules(local_hosts={"127.0.0.1": "127.0.0.1"})


class Seen(BaseHTTPRequestHandler):
    requests: ClassVar[list[tuple[str, dict[str, str], bytes]]] = []

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        Seen.requests.append((self.path, {k.lower(): v for k, v in self.headers.items()}, body))
        self.send_response(204)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def http_receiver() -> Iterator[HTTPServer]:
    Seen.requests = []
    server = HTTPServer(("127.0.0.1", 0), Seen)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server
    server.shutdown()
    server.server_close()


def test_the_request_goes_to_the_checked_address_and_names_the_host(
        http_receiver: HTTPServer) -> None:
    """The name could resolve elsewhere by now (DNS rebinding): the connection goes to the
    address that was checked, and the request still names the host it was saved with."""
    port = http_receiver.server_port
    target = targets.Target(f"http://hooks.example.com:{port}/in?x=1", "http",
                            "hooks.example.com", port, "/in?x=1")
    headers = signing.headers(new_secret(), "evt", 1, b"{}")
    outcome = delivery.post(target, ipaddress.ip_address("127.0.0.1"), b"{}", headers,
                            timeout=5)
    assert outcome == delivery.Outcome(204, None, outcome.latency_ms)
    [(path, seen, body)] = Seen.requests
    assert path == "/in?x=1" and body == b"{}"
    assert seen["host"] == f"hooks.example.com:{port}"
    assert seen["content-type"] == "application/json"
    assert seen["user-agent"].startswith("todo-api-webhooks/")
    assert {"webhook-id", "webhook-timestamp", "webhook-signature"} <= set(seen)


def _trickler(delay: float) -> socket.socket:
    """A receiver that reads the request, then sends a status line one byte at a time."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()

    def serve() -> None:
        connection, _ = listener.accept()
        connection.recv(65536)
        try:
            for byte in b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n":
                connection.sendall(bytes([byte]))
                time.sleep(delay)
        except OSError:
            pass  # cut off: as it should be
        finally:
            connection.close()

    threading.Thread(target=serve, daemon=True).start()
    return listener


def test_the_time_limit_holds_against_a_receiver_that_trickles() -> None:
    listener = _trickler(0.2)  # each byte well inside a per-read timeout; all of them: 8 s
    try:
        port = listener.getsockname()[1]
        target = targets.parse(f"http://127.0.0.1:{port}/", LOOPBACK)
        started = time.monotonic()
        outcome = delivery.post(target, ipaddress.ip_address("127.0.0.1"), b"{}", {},
                                timeout=1)
        took = time.monotonic() - started
        assert outcome.error == "no answer within 1 s" and outcome.status is None
        assert 0.9 <= took < 1.5, took
    finally:
        listener.close()


def test_a_refused_connection_and_a_3xx_are_failures(http_receiver: HTTPServer) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    target = targets.parse(f"http://127.0.0.1:{port}/", LOOPBACK)
    refused = delivery.post(target, ipaddress.ip_address("127.0.0.1"), b"{}", {}, 2)
    assert refused.status is None and refused.error and refused.error.startswith(
        "could not connect")

    class Redirect(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.send_response(301)
            self.send_header("Location", "http://169.254.169.254/")
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = HTTPServer(("127.0.0.1", 0), Redirect)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        target = targets.parse(f"http://127.0.0.1:{server.server_port}/", LOOPBACK)
        moved = delivery.post(target, ipaddress.ip_address("127.0.0.1"), b"{}", {}, 2)
        assert (moved.status, moved.error) == (301, "HTTP 301")  # not followed
    finally:
        server.shutdown()
        server.server_close()


def _certificate(tmp: Path, name: str) -> tuple[Path, Path, Path]:
    """A CA, and a certificate it signed for `name`: (ca.pem, cert.pem, key.pem)."""
    def key() -> ec.EllipticCurvePrivateKey:
        return ec.generate_private_key(ec.SECP256R1())

    now = datetime.datetime.now(datetime.UTC)
    ca_key, leaf_key = key(), key()
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "test CA")])
    ca = (x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name)
          .public_key(ca_key.public_key()).serial_number(1)
          .not_valid_before(now - datetime.timedelta(hours=1))
          .not_valid_after(now + datetime.timedelta(hours=1))
          .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
          .sign(ca_key, hashes.SHA256()))
    leaf = (x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)]))
            .issuer_name(ca_name).public_key(leaf_key.public_key()).serial_number(2)
            .not_valid_before(now - datetime.timedelta(hours=1))
            .not_valid_after(now + datetime.timedelta(hours=1))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName(name)]), critical=False)
            .sign(ca_key, hashes.SHA256()))
    paths = tmp / "ca.pem", tmp / "cert.pem", tmp / "key.pem"
    paths[0].write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    paths[1].write_bytes(leaf.public_bytes(serialization.Encoding.PEM))
    paths[2].write_bytes(leaf_key.private_bytes(serialization.Encoding.PEM,
                                                serialization.PrivateFormat.PKCS8,
                                                serialization.NoEncryption()))
    return paths


def test_https_checks_the_certificate_against_the_saved_name(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    ca, cert, key = _certificate(tmp_path, "hooks.example.com")
    server = HTTPServer(("127.0.0.1", 0), Seen)
    served = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    served.load_cert_chain(cert, key)
    server.socket = served.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    trusted = ssl.create_default_context(cafile=str(ca))
    monkeypatch.setattr(delivery, "_tls_context", lambda: trusted)
    Seen.requests = []
    try:
        port = server.server_port
        address = ipaddress.ip_address("127.0.0.1")
        right = targets.Target("", "https", "hooks.example.com", port, "/")
        assert delivery.post(right, address, b"{}", {}, 5).status == 204
        wrong = targets.Target("", "https", "other.example.com", port, "/")
        refused = delivery.post(wrong, address, b"{}", {}, 5)
        assert refused.status is None and refused.error and refused.error.startswith("TLS")
        assert len(Seen.requests) == 1
    finally:
        server.shutdown()
        server.server_close()


@settings(max_examples=100, deadline=None, derandomize=True,
          suppress_health_check=list(HealthCheck))
@given(secret_bytes=st.binary(min_size=24, max_size=64),
       message_id=st.text(st.characters(min_codepoint=0x21, max_codepoint=0x7E), min_size=1,
                          max_size=60).filter(lambda s: "," not in s),
       body=st.text(max_size=2000))
def test_the_library_verifies_our_signatures(secret_bytes: bytes, message_id: str,
                                             body: str) -> None:
    secret = "whsec_" + base64.b64encode(secret_bytes).decode()
    raw = body.encode("utf-8", "surrogatepass")
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        return  # the dispatcher only ever signs UTF-8 JSON
    timestamp = int(time.time())
    headers = signing.headers(secret, message_id, timestamp, raw)
    assert Webhook(secret).verify(raw, headers, json_parse=False) is None
    tampered = {**headers, "webhook-timestamp": str(timestamp + 1)}
    with pytest.raises(Exception, match="signature"):
        Webhook(secret).verify(raw, tampered, json_parse=False)


def test_new_secrets_are_standard_and_random() -> None:
    made = {new_secret() for _ in range(50)}
    assert len(made) == 50
    for secret in made:
        assert secret.startswith("whsec_")
        assert len(base64.b64decode(secret[6:])) >= 24
