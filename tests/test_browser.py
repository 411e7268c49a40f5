"""The web app in a real browser: headless Debian Chromium driven by Playwright against
`todo-api serve`, as a person would use it (accessible names, keyboard, a phone-sized screen),
with an axe-core check of each main view. Screenshots go to artifacts/browser/ (ignored by git).

Run with `make browser-test` (installs Chromium and axe-core first)."""

import base64
import hashlib
import json
import re
import subprocess
import uuid
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import (
    Browser,
    BrowserContext,
    Page,
    Route,
    ViewportSize,
    expect,
    sync_playwright,
)

from emulator.auth import issue_token
from services.edge.routes import ROUTES
from tests.support import ROOT, HttpApi, LocalServer

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
# Headless as root, and no background traffic: this machine's network is closed.
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]
AXE = ROOT / "tests" / "browser" / "node_modules" / "axe-core" / "axe.min.js"
ARTIFACTS = ROOT / "artifacts" / "browser"
PHONE: ViewportSize = {"width": 390, "height": 844}

expect.set_options(timeout=10_000)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield launched
        launched.close()


@pytest.fixture(scope="module")
def server() -> Iterator[LocalServer]:
    started = LocalServer().wait_ready()
    yield started
    started.stop()


@pytest.fixture
def context(browser: Browser) -> Iterator[BrowserContext]:
    opened = browser.new_context(viewport={"width": 1000, "height": 900})
    yield opened
    opened.close()


def fresh_user(name: str) -> str:
    return f"{name}-{uuid.uuid4().hex[:8]}"


def open_app(context: BrowserContext, server: LocalServer) -> Page:
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(server.url + "/")
    page.errors = errors  # type: ignore[attr-defined]
    return page


def sign_in(page: Page, user: str) -> None:
    page.get_by_label("User name").fill(user)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text(f"Signed in as {user}")).to_be_visible()


def add(page: Page, title: str) -> None:
    field = page.get_by_label("New task")
    field.fill(title)
    field.press("Enter")
    expect(page.get_by_role("checkbox", name=title, exact=True)).to_be_visible()
    expect(field).to_have_value("")


def titles(page: Page) -> list[str]:
    return page.locator("#tasks > li .title").all_inner_texts()


def axe(page: Page, view: str) -> None:
    """axe-core on the page as it is; no serious or critical violation, and a screenshot."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{view}.png"), full_page=True)
    # Evaluated through the DevTools protocol, so the page's CSP (script-src 'self') stays on.
    page.evaluate(AXE.read_text())
    result: dict[str, Any] = page.evaluate(
        "async () => await axe.run(document, {resultTypes: ['violations']})")
    bad = [(v["id"], v["impact"], [n["target"] for n in v["nodes"]])
           for v in result["violations"] if v["impact"] in ("serious", "critical")]
    assert bad == [], f"{view}: {bad}"


def api_for(server: LocalServer) -> HttpApi:
    return HttpApi(server.url)


def test_a_user_manages_tasks_from_sign_in_to_clear_completed(
        context: BrowserContext, server: LocalServer) -> None:
    api = api_for(server)
    user = fresh_user("ana")
    page = open_app(context, server)
    expect(page.get_by_text("Development sign-in.")).to_be_visible()
    axe(page, "sign-in")
    sign_in(page, user)
    expect(page.get_by_text("Nothing here.")).to_be_visible()

    for title in ("Buy milk", "Write report", "Call mom"):
        add(page, title)
    assert titles(page) == ["Call mom", "Write report", "Buy milk"]  # newest first
    axe(page, "tasks")

    # Edit one: every editable field, sent as a merge patch with If-Match.
    page.get_by_role("button", name="Edit Buy milk").click()
    page.get_by_label("Title").fill("Buy oat milk")
    page.get_by_label("Description").fill("Two cartons")
    page.get_by_label("Due date").fill("2026-12-24")
    page.get_by_label("Priority").select_option("high")
    page.get_by_label("Tags (comma-separated)").fill("home, errands")
    axe(page, "edit")
    page.get_by_role("button", name="Save").click()
    item = page.get_by_role("listitem").filter(
        has=page.get_by_role("checkbox", name="Buy oat milk", exact=True))
    expect(item).to_contain_text("due 2026-12-24")
    expect(item).to_contain_text("#errands")
    expect(page.get_by_role("button", name="Edit Buy oat milk")).to_be_focused()
    [stored] = [t for t in api.tasks_of(user) if t["title"] == "Buy oat milk"]
    assert (stored["description"], stored["dueDate"], stored["priority"], stored["tags"],
            stored["version"]) == ("Two cartons", "2026-12-24", "high", ["home", "errands"], 2)

    # Complete one, then the filters.
    page.get_by_role("checkbox", name="Write report", exact=True).check()
    expect(page.get_by_text("“Write report” completed.")).to_be_visible()
    page.get_by_role("button", name="Active", exact=True).click()
    expect(page.get_by_role("checkbox")).to_have_count(2)
    assert titles(page) == ["Call mom", "Buy oat milk"]
    expect(page.get_by_role("button", name="Active", exact=True)).to_have_attribute(
        "aria-pressed", "true")
    page.get_by_role("button", name="Completed", exact=True).click()
    expect(page.get_by_role("checkbox")).to_have_count(1)
    expect(page.get_by_role("checkbox", name="Write report", exact=True)).to_be_checked()
    axe(page, "completed")

    # Reload: still signed in (session storage), same view, same tasks.
    page.reload()
    expect(page.get_by_role("checkbox", name="Write report", exact=True)).to_be_checked()
    expect(page.get_by_role("checkbox")).to_have_count(1)
    page.get_by_role("button", name="All", exact=True).click()
    expect(page.get_by_role("checkbox")).to_have_count(3)
    assert titles(page) == ["Call mom", "Write report", "Buy oat milk"]

    # Delete one; clear completed.
    page.get_by_role("button", name="Delete Call mom").click()
    expect(page.get_by_role("checkbox", name="Call mom")).to_have_count(0)
    page.get_by_role("button", name="Clear completed").click()
    expect(page.get_by_text("Cleared 1 completed task.")).to_be_visible()
    expect(page.get_by_role("checkbox")).to_have_count(1)
    assert [t["title"] for t in api.tasks_of(user)] == ["Buy oat milk"]
    page.reload()
    expect(page.get_by_role("checkbox", name="Buy oat milk", exact=True)).to_be_visible()
    expect(page.get_by_role("checkbox")).to_have_count(1)
    assert page.errors == []  # type: ignore[attr-defined]

    # A second user, in a browser of their own, sees none of it.
    other = context.browser.new_context()  # type: ignore[union-attr]
    try:
        second = open_app(other, server)
        sign_in(second, fresh_user("ben"))
        expect(second.get_by_text("Nothing here.")).to_be_visible()
        expect(second.get_by_role("checkbox")).to_have_count(0)
    finally:
        other.close()

    # Signing out forgets the token.
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_label("User name")).to_be_visible()
    assert page.evaluate("() => sessionStorage.length") == 0
    assert context.cookies() == []


def test_a_validation_error_shows_next_to_its_field(
        context: BrowserContext, server: LocalServer) -> None:
    page = open_app(context, server)
    sign_in(page, fresh_user("val"))
    add(page, "Pack bags")
    page.get_by_role("button", name="Edit Pack bags").click()
    page.get_by_label("Title").fill("   ")
    page.get_by_label("Tags (comma-separated)").fill("ok, " + "x" * 51)
    page.get_by_role("button", name="Save").click()
    title = page.get_by_label("Title")
    tags = page.get_by_label("Tags (comma-separated)")
    # Each field names its own problem (the API's per-field errors), read out with the field.
    expect(title).to_have_attribute("aria-invalid", "true")
    expect(title).to_have_accessible_description(re.compile(r"^Title .+"))
    expect(tags).to_have_attribute("aria-invalid", "true")
    expect(tags).to_have_accessible_description(re.compile(r"^Tags .*50"))
    expect(title).to_be_focused()
    axe(page, "validation-error")
    # Nothing was saved; fixing the field clears the error.
    title.fill("Pack bags tonight")
    tags.fill("travel")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("checkbox", name="Pack bags tonight", exact=True)).to_be_visible()
    expect(page.locator("[aria-invalid=true]")).to_have_count(0)


def test_a_conflict_made_in_a_second_tab_is_offered_to_the_user(
        context: BrowserContext, server: LocalServer) -> None:
    user = fresh_user("cleo")
    first = open_app(context, server)
    sign_in(first, user)
    add(first, "Plan trip")
    add(first, "Book hotel")
    second = open_app(context, server)  # a second tab: its own session storage
    sign_in(second, user)

    # The second tab renames the task; the first, still holding version 1, edits it.
    # A person switches tabs (and a tab in the background is throttled by Chromium).
    second.bring_to_front()
    second.get_by_role("button", name="Edit Plan trip").click()
    second.get_by_label("Title").fill("Plan holiday")
    second.get_by_role("button", name="Save").click()
    expect(second.get_by_role("checkbox", name="Plan holiday", exact=True)).to_be_visible()
    first.bring_to_front()
    first.get_by_role("button", name="Edit Plan trip").click()
    first.get_by_label("Description").fill("By train")
    first.get_by_role("button", name="Save").click()

    conflict = first.get_by_role("group", name="Changed elsewhere")
    expect(conflict).to_be_visible()
    expect(conflict.get_by_role("definition").first).to_have_text("Plan holiday")
    expect(conflict).to_contain_text("Your change: description.")
    expect(first.get_by_role("heading", name="Changed elsewhere")).to_be_focused()
    axe(first, "conflict")
    conflict.get_by_role("button", name="Apply my changes").click()
    expect(conflict).to_have_count(0)
    api = api_for(server)
    [stored] = [t for t in api.tasks_of(user) if t["taskId"] ==
                first.locator("li", has_text="Plan holiday").get_attribute("data-task-id")]
    assert (stored["title"], stored["description"], stored["version"]) == (
        "Plan holiday", "By train", 3)

    # The second tab completes the other task; the first tries to delete its stale copy.
    second.bring_to_front()
    second.get_by_role("checkbox", name="Book hotel", exact=True).check()
    expect(second.get_by_text("“Book hotel” completed.")).to_be_visible()
    first.bring_to_front()
    first.get_by_role("button", name="Delete Book hotel").click()
    conflict = first.get_by_role("group", name="Changed elsewhere")
    expect(conflict).to_contain_text("Done")
    conflict.get_by_role("button", name="Keep the newer version").click()
    expect(conflict).to_have_count(0)
    expect(first.get_by_role("checkbox", name="Book hotel", exact=True)).to_be_checked()
    assert len(api.tasks_of(user)) == 2


def test_a_create_whose_answer_was_lost_is_sent_again_and_made_once(
        context: BrowserContext, server: LocalServer) -> None:
    user = fresh_user("dan")
    page = open_app(context, server)
    sign_in(page, user)
    lost: list[int] = []

    def lose_first_answer(route: Route) -> None:
        if route.request.method == "POST" and not lost:
            lost.append(route.fetch().status)  # the server creates it; the answer is lost
            route.abort("connectionreset")
        else:
            route.continue_()

    page.route("**/todos", lose_first_answer)
    field = page.get_by_label("New task")
    field.fill("Water plants")
    field.press("Enter")
    expect(page.get_by_role("status")).to_contain_text("could not be reached")
    field.press("Enter")  # the user tries again: same draft, same Idempotency-Key
    expect(page.get_by_role("checkbox", name="Water plants", exact=True)).to_be_visible()
    assert lost == [201]
    assert [t["title"] for t in api_for(server).tasks_of(user)] == ["Water plants"]


def test_pages_load_as_the_list_scrolls_and_active_merges_two_statuses(
        context: BrowserContext, server: LocalServer) -> None:
    api = api_for(server)
    user = fresh_user("eve")
    created = [api.create(user, title=f"Task {n:02d}") for n in range(25)]
    for task in created[3:6]:
        api.request("PATCH", f"/todos/{task['taskId']}", user=user,
                    json_body={"status": "in_progress"})
    for task in created[10:12]:
        api.request("PATCH", f"/todos/{task['taskId']}", user=user, json_body={"completed": True})
    page = open_app(context, server)
    sign_in(page, user)
    expect(page.get_by_role("checkbox")).to_have_count(20)  # one page
    page.locator("#more-sentinel").scroll_into_view_if_needed()
    expect(page.get_by_role("checkbox")).to_have_count(25)
    expect(page.get_by_role("button", name="Load more")).to_be_hidden()
    assert titles(page) == [f"Task {n:02d}" for n in reversed(range(25))]

    page.get_by_role("button", name="Active", exact=True).click()
    expect(page.get_by_role("checkbox")).to_have_count(20)
    page.locator("#more-sentinel").scroll_into_view_if_needed()
    expect(page.get_by_role("checkbox")).to_have_count(23)
    assert titles(page) == [f"Task {n:02d}" for n in reversed(range(25)) if n not in (10, 11)]
    expect(page.locator("li", has_text="Task 04")).to_contain_text("In progress")

    # On a screen tall enough to show the end of the first page, the next one comes unasked.
    tall = context.browser.new_context(viewport={"width": 800, "height": 2400})  # type: ignore[union-attr]
    try:
        page = open_app(tall, server)
        sign_in(page, user)
        expect(page.get_by_role("checkbox")).to_have_count(25)
    finally:
        tall.close()


def test_it_fits_a_phone(browser: Browser, server: LocalServer) -> None:
    phone = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True,
                                device_scale_factor=2)
    try:
        page = open_app(phone, server)
        axe(page, "phone-sign-in")
        sign_in(page, fresh_user("fay"))
        for title in ("Pick up the dry cleaning before the shop closes at six", "Gym", "Read"):
            add(page, title)
        page.get_by_role("checkbox", name="Gym", exact=True).check()
        width = page.evaluate("() => document.documentElement.scrollWidth")
        assert width <= PHONE["width"]  # no sideways scrolling
        for name in ("Delete Pick up the dry cleaning before the shop closes at six",
                     "Edit Gym", "Clear completed", "All", "Active", "Completed"):
            box = page.get_by_role("button", name=name, exact=True).bounding_box()
            assert box is not None, name
            assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], name
            assert box["height"] >= 44 and box["width"] >= 44, name  # a finger-sized target
        axe(page, "phone-tasks")
        page.get_by_role("button", name="Edit Gym").click()
        assert page.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"]
        axe(page, "phone-edit")
    finally:
        phone.close()


def test_hosted_sign_in_uses_the_code_flow_with_pkce(
        browser: Browser, server: LocalServer) -> None:
    """The deployed sign-in, with Cognito's two endpoints played by the test (the real ones need
    a stack); the token it hands back is one the local API accepts."""
    idp = "https://login.example.test"
    user = fresh_user("gus")
    seen: dict[str, dict[str, list[str]]] = {}
    # The page's CSP names the local origin only; a deployed config names Cognito's host.
    context = browser.new_context(bypass_csp=True)

    def config(route: Route) -> None:
        route.fulfill(json={"apiUrl": "", "signIn": {
            "mode": "cognito", "domain": idp, "clientId": "web-client", "scopes": "openid email"}})

    def cognito(route: Route) -> None:
        url = urlsplit(route.request.url)
        if url.path == "/oauth2/authorize":
            seen["authorize"] = parse_qs(url.query)
            state = seen["authorize"]["state"][0]
            back = f"{server.url}/?code=c0de&state={state}"
            route.fulfill(status=302, headers={"Location": back})
        elif url.path == "/oauth2/token":
            seen["token"] = parse_qs(route.request.post_data or "")
            route.fulfill(json={"id_token": issue_token(user), "access_token": "a",
                                "token_type": "Bearer", "expires_in": 3600},
                          headers={"Access-Control-Allow-Origin": "*"})
        elif url.path == "/logout":
            seen["logout"] = parse_qs(url.query)
            route.fulfill(status=302, headers={"Location": f"{server.url}/"})
        else:
            route.abort()

    try:
        context.route("**/config.json", config)
        context.route(f"{idp}/**", cognito)
        page = open_app(context, server)
        expect(page.get_by_label("User name")).to_be_hidden()  # no development sign-in
        page.get_by_role("button", name="Sign in").click()
        expect(page.get_by_text(f"Signed in as {user}")).to_be_visible()

        authorize = {k: v[0] for k, v in seen["authorize"].items()}
        token = {k: v[0] for k, v in seen["token"].items()}
        assert authorize["response_type"] == "code" and authorize["client_id"] == "web-client"
        assert authorize["scope"] == "openid email"
        assert authorize["redirect_uri"] == token["redirect_uri"] == server.url + "/"
        assert authorize["code_challenge_method"] == "S256"
        digest = hashlib.sha256(token["code_verifier"].encode()).digest()
        assert authorize["code_challenge"] == base64.urlsafe_b64encode(digest).decode().rstrip("=")
        assert len(token["code_verifier"]) >= 43
        assert token["grant_type"] == "authorization_code" and token["code"] == "c0de"
        assert "code=" not in page.url  # the single-use code is gone from the address bar

        add(page, "Signed in through the hosted page")
        assert context.cookies() == []  # tokens live in session storage only
        stored = page.evaluate("() => JSON.stringify(sessionStorage)")
        assert json.loads(stored).keys() == {"todo.idToken"}

        page.get_by_role("button", name="Sign out").click()
        expect(page.get_by_role("button", name="Sign in")).to_be_visible()
        assert seen["logout"]["client_id"] == ["web-client"]
        assert seen["logout"]["logout_uri"] == [server.url + "/"]
        assert page.evaluate("() => sessionStorage.length") == 0
    finally:
        context.close()


def test_screenshots_are_kept_out_of_git() -> None:
    ignored = subprocess.run(["git", "check-ignore", "-q", str(ARTIFACTS / "tasks.png")],
                             cwd=ROOT, check=False)
    assert ignored.returncode == 0


def test_the_api_reference_shows_every_operation_under_the_apps_csp(
        context: BrowserContext, server: LocalServer) -> None:
    """/docs renders the server's own /openapi.json with Swagger UI: every operation of the
    route table is listed, nothing is refused by the Content-Security-Policy, nothing is
    fetched from another origin, and "Try it out" reaches the API with a pasted token."""
    page = context.new_page()
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on("console", lambda message: problems.append(message.text)
            if message.type == "error" else None)
    elsewhere: list[str] = []
    page.on("request", lambda request: elsewhere.append(request.url)
            if not request.url.startswith((server.url, "data:")) else None)
    page.goto(server.url + "/docs")
    expect(page.locator(".opblock").first).to_be_visible()
    for route in ROUTES:
        block = page.locator(f"[id$='-{route.operation_id}']")
        expect(block).to_have_count(1)
        expect(block.locator(".opblock-summary-method")).to_have_text(route.method)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "api-reference.png"))

    user = fresh_user("reader")
    api_for(server).create(user, title="seen from the reference")
    page.get_by_role("button", name="Authorize").first.click()
    page.get_by_label("Value:").fill(issue_token(user))  # the bare token is accepted
    page.get_by_role("button", name="Apply credentials").click()
    page.get_by_role("button", name="Close", exact=True).click()
    listing = page.locator("[id$='-listTasks']")
    listing.locator(".opblock-summary").click()
    listing.get_by_role("button", name="Try it out").click()
    listing.get_by_role("button", name="Execute").click()
    expect(listing.locator(".live-responses-table tbody .response-col_status")).to_have_text(
        "200")
    expect(listing.locator(".live-responses-table")).to_contain_text("seen from the reference")
    assert problems == [] and elsewhere == []
