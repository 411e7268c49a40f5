"""The web app beside the local API: its files, its config and the development sign-in, over
real HTTP to `todo-api serve`."""

import http.client
import re
from pathlib import Path

import pytest
import requests

from emulator.webapp import CONTENT_SECURITY_POLICY, SIGN_IN_PATH, WebApp, content_type
from facts.web_files import API_REFERENCE_PATH, WEB_ROOT, api_reference_files
from services.edge.routes import ROUTES
from tests.support import LocalServer


def get(server: LocalServer, path: str, **kwargs: object) -> requests.Response:
    return requests.get(server.url + path, timeout=10, **kwargs)  # type: ignore[arg-type]


def sign_in(server: LocalServer, body: object, **headers: str) -> requests.Response:
    return requests.post(server.url + SIGN_IN_PATH, json=body, headers=headers, timeout=10)


def test_the_app_is_served_at_the_root_with_its_content_types(local_server: LocalServer) -> None:
    page = get(local_server, "/")
    assert page.status_code == 200
    assert page.headers["Content-Type"] == "text/html; charset=utf-8"
    assert '<script type="module" src="js/main.js">' in page.text
    assert "script-src 'self'" in page.headers["Content-Security-Policy"]
    script = get(local_server, "/js/main.js")
    assert script.status_code == 200
    assert script.headers["Content-Type"].startswith("text/javascript")
    assert get(local_server, "/app.css").headers["Content-Type"].startswith("text/css")
    assert get(local_server, "/index.html").text == page.text


def test_every_file_the_page_names_is_served(local_server: LocalServer) -> None:
    for path in sorted(WEB_ROOT.rglob("*")):
        if path.is_file() and content_type(path):
            relative = path.relative_to(WEB_ROOT).as_posix()
            reply = get(local_server, f"/{relative}")
            assert reply.status_code == 200, relative
            assert reply.content == path.read_bytes()


@pytest.mark.parametrize("path", ["/README.md", "/../pyproject.toml", "/js/../../Makefile",
                                  "/nothing.js"])
def test_nothing_else_is_served(local_server: LocalServer, path: str) -> None:
    # http.client sends the path as written (requests would resolve the dot segments first).
    connection = http.client.HTTPConnection("127.0.0.1", local_server.port, timeout=10)
    connection.request("GET", path)
    reply = connection.getresponse()
    assert reply.status == 404, path
    assert reply.getheader("Content-Type") == "application/problem+json"
    assert b"[build-system]" not in reply.read()
    connection.close()


BUDGET = 120 * 1024  # JS + CSS + HTML, uncompressed (issue 22); no framework


def served() -> dict[str, Path]:
    """Every file of the app the server (and the stack's bucket) serves, by its path; the API
    reference (web/docs/) is a page of its own, outside the app's budget and offline set."""
    return {p.relative_to(WEB_ROOT).as_posix(): p for p in sorted(WEB_ROOT.rglob("*"))
            if p.is_file() and content_type(p)
            and p.relative_to(WEB_ROOT).parts[0] != API_REFERENCE_PATH}


def test_the_page_stays_within_its_budget() -> None:
    sizes = {name: path.stat().st_size for name, path in served().items()
             if path.suffix in (".js", ".css", ".html")}
    assert "sw.js" in sizes and "js/main.js" in sizes
    assert sum(sizes.values()) <= BUDGET, sizes


def test_the_service_worker_keeps_every_file_the_page_loads() -> None:
    """A module missing from web/sw.js's list would break the page offline; config.json is
    answered by the server (or the stack's bucket), not kept in web/."""
    source = (WEB_ROOT / "sw.js").read_text()
    found = re.search(r"const FILES = \[(.*?)\];", source, re.S)
    assert found is not None
    listed = re.findall(r'"([^"]+)"', found[1])
    assert len(listed) == len(set(listed))
    assert set(listed) == set(served()) - {"sw.js"} | {"config.json"}


def test_no_web_file_shadows_an_api_route() -> None:
    files = {"/" + p.relative_to(WEB_ROOT).as_posix() for p in WEB_ROOT.rglob("*") if p.is_file()}
    files |= {"/" + path for path in api_reference_files()}
    assert files and not files & {route.path for route in ROUTES}


def test_the_api_reference_is_served_at_docs_under_the_apps_rules(
        local_server: LocalServer) -> None:
    """/docs is the page, its renderer's script and style sheet are files of their own (so the
    app's CSP holds unchanged), and the renderer's licence is served beside it."""
    page = get(local_server, "/docs")
    assert page.status_code == 200
    assert page.headers["Content-Type"] == "text/html; charset=utf-8"
    assert page.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    assert page.headers["X-Content-Type-Options"] == "nosniff"
    assert page.content == (WEB_ROOT / "docs" / "index.html").read_bytes()
    for path, (file, kind) in api_reference_files().items():
        reply = get(local_server, "/" + path)
        assert reply.status_code == 200, path
        assert reply.headers["Content-Type"] == kind
        assert reply.content == file.read_bytes()
    for name in ("swagger-ui-bundle.js", "swagger-ui.css"):
        assert f'"/docs/swagger-ui/{name}"' in page.text
    licence = get(local_server, "/docs/swagger-ui/LICENSE")
    assert licence.headers["Content-Type"] == "text/plain; charset=utf-8"
    assert "Apache License" in licence.text
    assert get(local_server, "/docs/swagger-ui/package.json").status_code == 404


def test_without_its_renderer_only_the_page_is_served() -> None:
    app = WebApp()
    app.reference = {**app.reference, "docs/swagger-ui/swagger-ui-bundle.js": (
        WEB_ROOT / "no-such-renderer.js", "text/javascript; charset=utf-8")}
    assert app.handle("GET", "/docs/swagger-ui/swagger-ui-bundle.js", [], b"") is None
    page = app.handle("GET", "/docs", [], b"")
    assert page is not None and page.status == 200


def test_config_says_local_sign_in_on_the_same_origin(local_server: LocalServer) -> None:
    config = get(local_server, "/config.json").json()
    assert config == {"apiUrl": "", "signIn": {"mode": "local", "endpoint": SIGN_IN_PATH}}
    assert get(local_server, "/openapi.json").json()["openapi"].startswith("3.")


def test_the_development_sign_in_gives_a_token_the_api_accepts(local_server: LocalServer) -> None:
    reply = sign_in(local_server, {"userName": "web-user-1"})
    assert reply.status_code == 200 and reply.headers["Cache-Control"] == "no-store"
    body = reply.json()
    assert body["userName"] == "web-user-1" and "development only" in body["warning"]
    auth = {"Authorization": f"Bearer {body['idToken']}"}
    created = requests.post(local_server.url + "/todos", json={"title": "from the web"},
                            headers=auth, timeout=10)
    assert created.status_code == 201 and created.json()["userId"] == "web-user-1"


@pytest.mark.parametrize("body", [{"userName": ""}, {"userName": "a b"}, {"userName": 7},
                                  {"user": "x"}, [], {"userName": "x" * 129}])
def test_a_bad_user_name_is_a_problem_naming_the_field(local_server: LocalServer,
                                                       body: object) -> None:
    reply = sign_in(local_server, body)
    assert reply.status_code == 400
    assert reply.headers["Content-Type"] == "application/problem+json"
    assert [e["field"] for e in reply.json()["errors"]] == ["userName"]
    assert "idToken" not in reply.text


def test_the_sign_in_refuses_other_sites_and_other_methods(local_server: LocalServer) -> None:
    other_site = sign_in(local_server, {"userName": "victim"}, Origin="https://evil.example")
    assert other_site.status_code == 403 and "idToken" not in other_site.text
    same_site = sign_in(local_server, {"userName": "me"}, Origin=local_server.url)
    assert same_site.status_code == 200
    form = requests.post(local_server.url + SIGN_IN_PATH, data={"userName": "victim"}, timeout=10)
    assert form.status_code == 415
    assert get(local_server, SIGN_IN_PATH).status_code == 405
    preflight = requests.options(local_server.url + SIGN_IN_PATH, timeout=10,
                                 headers={"Origin": "https://evil.example",
                                          "Access-Control-Request-Method": "POST"})
    assert "Access-Control-Allow-Origin" not in preflight.headers
