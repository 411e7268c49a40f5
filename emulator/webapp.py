"""The web app beside the local API (same origin): the static files of web/, a config.json for
them, and a DEVELOPMENT-ONLY sign-in that signs a local token for any user name. That sign-in
exists only in this local server; deployed stacks sign in with Cognito managed login."""

import json
import re
import uuid
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit

from emulator import auth
from emulator.exchange import HttpResponse
from facts.web_files import CONTENT_TYPES, WEB_ROOT, api_reference_files
from services.edge import json_body
from services.edge.problems import problem
from services.errors import FieldError, PayloadTooLarge, ValidationFailed

SIGN_IN_PATH = "/local-dev/sign-in"
WEB_BODY_LIMIT = 4096  # the sign-in's {"userName": …}; anything larger is not a sign-in
USER_NAME = re.compile(r"[A-Za-z0-9._@+-]{1,128}")
# The app needs nothing from elsewhere locally: the API is on the same origin.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)


def content_type(path: Path) -> str | None:
    """The files the app may serve, by suffix (anything else, README.md included, is not)."""
    return CONTENT_TYPES.get(path.suffix)


class WebApp:
    def __init__(self, root: Path = WEB_ROOT,
                 issue_token: Callable[[str], str] = auth.issue_token) -> None:
        self.root = root.resolve()
        self.issue_token = issue_token
        # The API reference (/docs and its renderer): named one by one, none looked up by path.
        self.reference = api_reference_files()

    def takes_body(self, method: str, path: str) -> bool:
        return method == "POST" and path == SIGN_IN_PATH

    def handle(self, method: str, path: str, headers: list[tuple[str, str]],
               body: bytes) -> HttpResponse | None:
        """The answer for the app's own paths; None hands the request on to the API."""
        if path == SIGN_IN_PATH:
            return self.sign_in(method, dict((k.lower(), v) for k, v in headers), body)
        if method not in ("GET", "HEAD"):
            return None
        if path == "/config.json":
            return self._json(200, {"apiUrl": "", "signIn": {"mode": "local",
                                                             "endpoint": SIGN_IN_PATH}})
        return self.static(path)

    def static(self, path: str) -> HttpResponse | None:
        relative = "index.html" if path in ("", "/") else path.lstrip("/")
        if relative in self.reference:
            file, kind = self.reference[relative]
            # The renderer is missing until npm installs it: then only the page is served.
            return self._file(file, kind) if file.is_file() else None
        if content_type(Path(relative)) is None:
            return None  # not a file of the app (every API path): no file-system lookup
        file = (self.root / relative).resolve()
        found = content_type(file)
        if found is None or not file.is_relative_to(self.root) or not file.is_file():
            return None
        return self._file(file, found)

    @staticmethod
    def _file(file: Path, kind: str) -> HttpResponse:
        return HttpResponse(200, [
            ("Content-Type", kind),
            ("Cache-Control", "no-cache"),  # edits show on reload; ETag-less, so refetch
            ("X-Content-Type-Options", "nosniff"),
            ("Content-Security-Policy", CONTENT_SECURITY_POLICY),
            ("Referrer-Policy", "no-referrer"),
        ], file.read_bytes())

    def sign_in(self, method: str, headers: dict[str, str], body: bytes) -> HttpResponse:
        """POST {"userName": "…"} -> {"idToken": "…"}: development only, any name goes."""
        if method != "POST":
            return self._problem(405, "Method Not Allowed", f"{SIGN_IN_PATH} takes POST only",
                                 extra=[("Allow", "POST")])
        # Same origin only, and JSON only (a cross-site form cannot send it without a
        # preflight, which this path never grants): other sites cannot mint tokens here.
        origin = headers.get("origin")
        if origin and urlsplit(origin).netloc != headers.get("host"):
            return self._problem(403, "Forbidden", "The development sign-in is same-origin only")
        if headers.get("content-type", "").split(";")[0].strip() != "application/json":
            return self._problem(415, "Unsupported Media Type", "Send application/json")
        # The API's own parser: the same nesting limit and 400s, this path's smaller size.
        try:
            name = json_body.parse_object(body, max_bytes=WEB_BODY_LIMIT).get("userName")
        except PayloadTooLarge:
            return self._problem(413, "Content Too Large",
                                 f"A sign-in body is at most {WEB_BODY_LIMIT} bytes",
                                 extra=[("Connection", "close")])
        except ValidationFailed:
            name = None
        if not isinstance(name, str) or not USER_NAME.fullmatch(name.strip()):
            return self._problem(400, "Bad Request", "Invalid user name", errors=[FieldError(
                "userName", "must be 1-128 letters, digits or . _ @ + -")])
        return self._json(200, {
            "idToken": self.issue_token(name.strip()),
            "userName": name.strip(),
            "warning": "development only: the local server signs a token for any user name",
        })

    @staticmethod
    def _json(status: int, payload: dict[str, object]) -> HttpResponse:
        return HttpResponse(status, [("Content-Type", "application/json"),
                                     ("Cache-Control", "no-store")],
                            json.dumps(payload).encode())

    @staticmethod
    def _problem(status: int, title: str, detail: str, *,
                 errors: list[FieldError] | None = None,
                 extra: list[tuple[str, str]] | None = None) -> HttpResponse:
        answer = problem(str(uuid.uuid4()), status, title, detail, errors=errors)
        headers = [*answer["headers"].items(), *(extra or []), ("Cache-Control", "no-store")]
        return HttpResponse(status, headers, answer["body"].encode())
