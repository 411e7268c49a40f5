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
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import (
    Browser,
    BrowserContext,
    Locator,
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
AXE_SOURCE = AXE.read_text() if AXE.exists() else ""
ARTIFACTS = ROOT / "artifacts" / "browser"
PHONE: ViewportSize = {"width": 390, "height": 844}
DESKTOP: ViewportSize = {"width": 1280, "height": 800}

expect.set_options(timeout=10_000)


# The page's test and development knob (web/js/sync.js, honoured on loopback hosts only): a
# pull interval so long that no background sync happens unless the test asks for one.
QUIET = "?syncInterval=3600000"


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
    opened = browser.new_context(viewport=DESKTOP)
    yield opened
    opened.close()


def fresh_user(name: str) -> str:
    return f"{name}-{uuid.uuid4().hex[:8]}"


def open_app(context: BrowserContext, server: LocalServer, query: str = "") -> Page:
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(server.url + "/" + query)
    page.errors = errors  # type: ignore[attr-defined]
    return page


def sign_in(page: Page, user: str) -> None:
    page.get_by_label("User name").fill(user)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text(f"Signed in as {user}")).to_be_visible()
    expect(page.locator("#tasks")).to_have_attribute("aria-busy", "false")  # the list is read


def task_list(page: Page) -> Locator:
    return page.get_by_role("list", name="Tasks")


def boxes(page: Page) -> Locator:
    """The tasks' own checkboxes (an open editor's checklist has more)."""
    return task_list(page).locator(".task-row").get_by_role("checkbox")


def box(page: Page, title: str) -> Locator:
    return page.get_by_role("checkbox", name=title, exact=True)


def item(page: Page, title: str) -> Locator:
    return task_list(page).get_by_role("listitem").filter(has=box(page, title))


def add(page: Page, title: str) -> None:
    field = page.get_by_label("New task")
    field.fill(title)
    field.press("Enter")
    expect(box(page, title)).to_be_visible()
    expect(field).to_have_value("")
    expect(item(page, title)).not_to_contain_text("Not yet saved")


def settled(page: Page) -> None:
    """Wait until the page has sent every change it holds (no card says "Not yet saved").

    The page shows an edit at once and sends it after; a test that then reads the server
    must wait for the send, or it races the page."""
    expect(task_list(page).locator("li.pending")).to_have_count(0)


def titles(page: Page) -> list[str]:
    return page.locator("#tasks > li .title").all_inner_texts()


def focus_is_kept(page: Page) -> None:
    """Focus is on a control, never dropped on the page body."""
    assert page.evaluate("() => document.activeElement?.tagName") not in ("BODY", None)


def no_sideways_scroll(page: Page) -> None:
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert page.viewport_size is not None
    assert width <= page.viewport_size["width"]


def axe(page: Page, view: str) -> None:
    """axe-core on the page as it is: no violation of any impact; no sideways scrolling; a
    screenshot."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{view}.png"), full_page=True)
    no_sideways_scroll(page)
    # Evaluated through the DevTools protocol, so the page's CSP (script-src 'self') stays on;
    # once per document.
    if not page.evaluate("() => typeof axe !== 'undefined'"):
        page.evaluate(AXE_SOURCE)
    result: dict[str, Any] = page.evaluate(
        "async () => await axe.run(document, {resultTypes: ['violations']})")
    bad = [(v["id"], v["impact"], [n["target"] for n in v["nodes"]]) for v in result["violations"]]
    assert bad == [], f"{view}: {bad}"


def api_for(server: LocalServer) -> HttpApi:
    return HttpApi(server.url)


def create_many(server: LocalServer, user: str, titles: list[str]) -> list[dict[str, Any]]:
    """Tasks made through the API, four at a time (the order they are made in is not fixed)."""
    with ThreadPoolExecutor(4) as pool:
        return list(pool.map(lambda title: api_for(server).create(user, title=title), titles))


def stored(server: LocalServer, user: str) -> dict[str, dict[str, Any]]:
    """The user's tasks on the server, by title."""
    return {t["title"]: t for t in api_for(server).tasks_of(user)}


def test_a_user_manages_tasks_from_sign_in_to_clear_completed(
        context: BrowserContext, server: LocalServer) -> None:
    user = fresh_user("ana")
    page = open_app(context, server)
    expect(page.get_by_text("Development sign-in.")).to_be_visible()
    axe(page, "sign-in")
    sign_in(page, user)
    expect(page.get_by_text("Nothing here.")).to_be_visible()
    axe(page, "empty")

    for title in ("Buy milk", "Write report", "Call mom"):
        add(page, title)
    assert titles(page) == ["Call mom", "Write report", "Buy milk"]  # newest first
    expect(page.get_by_text("3 items left")).to_be_visible()
    expect(page.get_by_role("button", name="Clear completed")).to_be_hidden()  # nothing to clear
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
    expect(item(page, "Buy oat milk")).to_contain_text("due Dec 24, 2026")  # en-US: its language
    expect(item(page, "Buy oat milk")).to_contain_text("#errands")
    expect(page.get_by_role("button", name="Edit Buy oat milk")).to_be_focused()
    expect(item(page, "Buy oat milk")).not_to_contain_text("Not yet saved")
    milk = stored(server, user)["Buy oat milk"]
    assert (milk["description"], milk["dueDate"], milk["priority"], milk["tags"],
            milk["version"]) == ("Two cartons", "2026-12-24", "high", ["home", "errands"], 2)

    # Complete one, then the filters (drawn from the tasks already here: no request).
    box(page, "Write report").check()
    expect(page.get_by_role("status")).to_have_text("“Write report” completed.")
    expect(page.get_by_text("2 items left")).to_be_visible()
    page.get_by_role("button", name="Active", exact=True).click()
    expect(boxes(page)).to_have_count(2)
    assert titles(page) == ["Call mom", "Buy oat milk"]
    expect(page.get_by_role("button", name="Active", exact=True)).to_have_attribute(
        "aria-pressed", "true")
    page.get_by_role("button", name="Completed", exact=True).click()
    expect(boxes(page)).to_have_count(1)
    expect(box(page, "Write report")).to_be_checked()
    axe(page, "completed")

    # Reload: still signed in (session storage), same view, same tasks.
    page.reload()
    expect(box(page, "Write report")).to_be_checked()
    expect(boxes(page)).to_have_count(1)
    page.get_by_role("button", name="All", exact=True).click()
    expect(boxes(page)).to_have_count(3)
    assert titles(page) == ["Call mom", "Write report", "Buy oat milk"]

    # Delete one; clear completed, whose button then goes (nothing left to clear).
    page.get_by_role("button", name="Delete Call mom").click()
    expect(box(page, "Call mom")).to_have_count(0)
    page.get_by_role("button", name="Clear completed").click()
    expect(page.get_by_role("status")).to_have_text("Cleared 1 completed task.")
    expect(boxes(page)).to_have_count(1)
    expect(page.get_by_role("button", name="Clear completed")).to_be_hidden()
    expect(page.get_by_text("1 item left")).to_be_visible()
    expect(page.locator("#sync")).to_be_hidden()  # nothing waiting to be sent
    assert list(stored(server, user)) == ["Buy oat milk"]
    page.reload()
    expect(box(page, "Buy oat milk")).to_be_visible()
    expect(boxes(page)).to_have_count(1)
    assert page.errors == []  # type: ignore[attr-defined]

    # A second user, in a browser of their own, sees none of it.
    other = context.browser.new_context()  # type: ignore[union-attr]
    try:
        second = open_app(other, server)
        sign_in(second, fresh_user("ben"))
        expect(second.get_by_text("Nothing here.")).to_be_visible()
        expect(boxes(second)).to_have_count(0)
    finally:
        other.close()

    # Signing out forgets the token and the list kept on this device; focus goes to sign-in.
    page.get_by_role("button", name="Sign out").press("Enter")
    expect(page.get_by_label("User name")).to_be_focused()
    assert page.evaluate("() => sessionStorage.length") == 0
    assert context.cookies() == []
    kept = page.evaluate("""() => new Promise((resolve) => {
        const open = indexedDB.open("todo-app");
        open.onsuccess = () => {
            const read = open.result.transaction("replicas").objectStore("replicas").count();
            read.onsuccess = () => resolve(read.result);
        };
    })""")
    assert kept == 0


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
    expect(box(page, "Pack bags tonight")).to_be_visible()
    expect(page.locator("[aria-invalid=true]")).to_have_count(0)


def test_a_change_made_elsewhere_is_offered_to_the_user(
        context: BrowserContext, server: LocalServer) -> None:
    api = api_for(server)
    user = fresh_user("cleo")
    page = open_app(context, server, QUIET)  # no sync: the page keeps its stale copy
    sign_in(page, user)
    add(page, "Plan trip")
    add(page, "Book hotel")
    ids = {t["title"]: t["taskId"] for t in api.tasks_of(user)}

    # Another device renames the task; this page, still holding version 1, edits it.
    api.request("PATCH", f"/todos/{ids['Plan trip']}", user=user,
                json_body={"title": "Plan holiday"})
    page.get_by_role("button", name="Edit Plan trip").click()
    page.get_by_label("Description").fill("By train")
    page.get_by_role("button", name="Save").click()

    conflict = page.get_by_role("group", name="Changed elsewhere")
    expect(conflict).to_be_visible()
    expect(conflict.get_by_role("definition").first).to_have_text("Plan holiday")
    expect(conflict).to_contain_text("Your change: description.")
    expect(page.get_by_role("heading", name="Changed elsewhere")).to_be_focused()
    axe(page, "conflict")
    conflict.get_by_role("button", name="Apply my changes").click()
    expect(conflict).to_have_count(0)
    expect(page.get_by_role("status")).to_have_text("Your change was applied.")
    holiday = stored(server, user)["Plan holiday"]
    assert (holiday["description"], holiday["version"]) == ("By train", 3)

    # The other device completes the other task; this page tries to delete its stale copy.
    api.request("PATCH", f"/todos/{ids['Book hotel']}", user=user, json_body={"completed": True})
    page.get_by_role("button", name="Delete Book hotel").click()
    conflict = page.get_by_role("group", name="Changed elsewhere")
    expect(conflict).to_contain_text("Done")
    expect(conflict.get_by_role("button", name="Delete anyway")).to_be_visible()
    conflict.get_by_role("button", name="Keep the newer version").click()
    expect(conflict).to_have_count(0)
    expect(box(page, "Book hotel")).to_be_checked()
    focus_is_kept(page)
    assert len(api.tasks_of(user)) == 2


def test_a_create_whose_answer_was_lost_is_sent_again_and_made_once(
        context: BrowserContext, server: LocalServer) -> None:
    user = fresh_user("dan")
    page = open_app(context, server, QUIET)
    sign_in(page, user)
    lost: list[int] = []
    keys: list[str | None] = []

    def lose_first_answer(route: Route) -> None:
        if route.request.method != "POST":
            route.continue_()
            return
        keys.append(route.request.headers.get("idempotency-key"))
        if not lost:
            lost.append(route.fetch().status)  # the server creates it; the answer is lost
            route.abort("connectionreset")
        else:
            route.continue_()

    page.route("**/todos", lose_first_answer)
    field = page.get_by_label("New task")
    field.fill("Water plants")
    field.press("Enter")
    # Kept on this device, shown as not yet saved, with the trouble beside the list.
    expect(item(page, "Water plants")).to_contain_text("Not yet saved")
    expect(page.get_by_role("alert")).to_have_text("The server could not be reached.")
    axe(page, "failing")
    page.get_by_role("button", name="Retry").click()  # same write, same Idempotency-Key
    expect(item(page, "Water plants")).not_to_contain_text("Not yet saved")
    expect(page.get_by_role("button", name="Retry")).to_be_hidden()
    expect(page.get_by_role("status")).to_have_text("Connected again; your tasks are up to date.")
    focus_is_kept(page)
    assert lost == [201]
    assert len(keys) == 2 and keys[0] == keys[1] and keys[0]
    assert [t["title"] for t in api_for(server).tasks_of(user)] == ["Water plants"]


def test_a_long_list_is_read_in_pages_and_drawn_as_it_scrolls(
        context: BrowserContext, server: LocalServer) -> None:
    api = api_for(server)
    user = fresh_user("eve")
    created = create_many(server, user, [f"Task {n:03d}" for n in range(105)])  # 2 API pages
    newest_first = [t["title"] for t in sorted(created, key=lambda t: t["taskId"], reverse=True)]
    for task in created[3:6]:
        api.request("PATCH", f"/todos/{task['taskId']}", user=user,
                    json_body={"status": "in_progress"})
    for task in created[10:12]:
        api.request("PATCH", f"/todos/{task['taskId']}", user=user, json_body={"completed": True})
    page = open_app(context, server)
    sign_in(page, user)
    expect(boxes(page)).to_have_count(50)  # drawn 50 at a time
    expect(page.get_by_text("103 items left")).to_be_visible()  # counted over all 105
    page.locator("#more-sentinel").scroll_into_view_if_needed()
    expect(boxes(page)).to_have_count(100)
    page.locator("#more-sentinel").scroll_into_view_if_needed()
    expect(boxes(page)).to_have_count(105)
    expect(page.get_by_role("button", name="Show more")).to_be_hidden()
    assert titles(page) == newest_first

    page.get_by_role("button", name="Active", exact=True).click()
    expect(boxes(page)).to_have_count(50)
    page.locator("#more-sentinel").scroll_into_view_if_needed()
    expect(boxes(page)).to_have_count(100)
    page.get_by_role("button", name="Show more").press("Enter")  # the same, by keyboard
    expect(boxes(page)).to_have_count(103)
    focus_is_kept(page)
    assert titles(page) == [t for t in newest_first if t not in ("Task 010", "Task 011")]
    expect(item(page, "Task 004")).to_contain_text("In progress")

    # On a screen tall enough to show the end of what is drawn, more comes unasked.
    tall = context.browser.new_context(viewport={"width": 800, "height": 4000})  # type: ignore[union-attr]
    try:
        page = open_app(tall, server)
        sign_in(page, user)
        expect(boxes(page)).to_have_count(100)  # 50 fill 3,000 px: the next 50 come
    finally:
        tall.close()


def test_it_fits_a_phone(browser: Browser, server: LocalServer) -> None:
    phone = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True,
                                device_scale_factor=2)
    long_word = "Supercalifragilistic" * 10  # 200 characters, the longest title
    try:
        page = open_app(phone, server)
        axe(page, "phone-sign-in")
        sign_in(page, fresh_user("fay"))
        for title in ("Pick up the dry cleaning before the shop closes at six", "Gym", "Read",
                      long_word):
            add(page, title)
        page.get_by_role("checkbox", name="Gym", exact=True).check()
        # A long word wraps in its card; the announcement quotes it cut short.
        expect(page.get_by_role("status")).to_contain_text("“Gym” completed.")
        page.get_by_role("button", name=f"Edit {long_word}").click()
        page.get_by_label("Description").fill(long_word)
        page.get_by_role("button", name="Save").click()
        expect(page.get_by_role("status")).to_have_text(f"Saved “{long_word[:59]}…”.")
        no_sideways_scroll(page)
        for title in ("Pick up the dry cleaning before the shop closes at six", "Gym", long_word):
            # Edit and Delete sit on the task's own row, beside its checkbox (no second row).
            row = [box(page, title).bounding_box()] + [
                page.get_by_role("button", name=f"{action} {title}", exact=True).bounding_box()
                for action in ("Edit", "Delete")]
            middles = [b["y"] + b["height"] / 2 for b in row if b is not None]
            assert len(middles) == 3 and max(middles) - min(middles) < 2, title
        for name in ("Delete Pick up the dry cleaning before the shop closes at six",
                     "Edit Gym", "Clear completed", "All", "Active", "Completed"):
            found = page.get_by_role("button", name=name, exact=True).bounding_box()
            assert found is not None, name
            assert found["x"] >= 0 and found["x"] + found["width"] <= PHONE["width"], name
            assert found["height"] >= 44 and found["width"] >= 44, name  # a finger-sized target
        axe(page, "phone-tasks")
        page.get_by_role("button", name="Edit Gym").click()
        page.get_by_label("New item").fill("Towel")
        page.get_by_label("New item").press("Enter")
        axe(page, "phone-edit")
    finally:
        phone.close()


def test_a_failing_api_gets_a_few_list_requests_a_minute_and_recovery_clears_the_error(
        context: BrowserContext, server: LocalServer) -> None:
    """It used to retry in a tight loop (about 116 requests a second against a 503) and keep
    the error after recovery. Time is Playwright's fake clock: a minute passes in a second."""
    context.clock.install()
    page = open_app(context, server)
    lists: list[str] = []

    def unavailable(route: Route) -> None:
        if route.request.method != "GET":
            route.continue_()
            return
        lists.append(route.request.url)
        route.fulfill(status=503, json={"title": "Service Unavailable", "status": 503},
                      headers={"Content-Type": "application/problem+json"})

    page.route("**/todos?*", unavailable)
    page.get_by_label("User name").fill(fresh_user("hal"))
    with page.expect_request("**/todos?*"):
        page.get_by_role("button", name="Sign in").click()
    page.wait_for_timeout(500)  # a tight loop would have sent hundreds by now
    assert len(lists) == 1
    expect(page.get_by_role("alert")).to_have_text("The server is not answering (HTTP 503).")
    expect(page.get_by_text("Your tasks could not be loaded")).to_be_visible()
    sync = page.locator("#sync")
    for _ in range(60):  # one minute, a second at a time, each answer awaited
        page.clock.run_for(1000)
        expect(sync).not_to_have_attribute("data-state", "busy")
    assert 2 <= len(lists) <= 10, lists
    axe(page, "load-failing")

    page.unroute("**/todos?*", unavailable)
    page.get_by_role("button", name="Retry").click()
    expect(page.get_by_text("Nothing here.")).to_be_visible()
    expect(page.get_by_role("alert")).to_have_count(0)  # no stale error after recovery
    expect(page.get_by_role("button", name="Retry")).to_be_hidden()
    focus_is_kept(page)


def test_the_real_intervals_are_ten_seconds_backing_off_to_five_minutes(
        context: BrowserContext, server: LocalServer) -> None:
    page = open_app(context, server)
    got = page.evaluate("""async () => {
        const sync = await import("./js/sync.js");
        const knobs = (url) => sync.settingsFrom(new URL(url));
        return {
            defaults: sync.DEFAULTS,
            delays: [1, 2, 3, 4, 5, 6, 10, 100].map((n) => sync.retryDelay(n)),
            retryAfter: sync.retryDelay(1, sync.DEFAULTS, 120),
            local: knobs("http://127.0.0.1:3000/?syncInterval=500&syncMaxBackoff=2000"),
            deployed: knobs("https://d111.cloudfront.net/?syncInterval=1&syncMaxBackoff=1"),
            silly: knobs("http://localhost/?syncInterval=0&syncMaxBackoff=x"),
        };
    }""")
    assert got["defaults"] == {"interval": 10_000, "maxBackoff": 300_000}
    assert got["delays"] == [20_000, 40_000, 80_000, 160_000, 300_000, 300_000, 300_000, 300_000]
    # Requests a minute against a failing API: at 0 s, 20 s and 60 s, then fewer.
    assert got["retryAfter"] == 120_000  # the server may ask for longer
    assert got["local"] == {"interval": 500, "maxBackoff": 2000}
    assert got["deployed"] == got["silly"] == got["defaults"]


def test_a_change_in_one_tab_appears_in_another_within_ten_seconds(
        context: BrowserContext, server: LocalServer) -> None:
    """Two tabs of one browser (one device: one IndexedDB, separate sign-ins). The other tab
    runs on Playwright's fake clock, so its 10 s pull is awaited without waiting 10 s."""
    user = fresh_user("ivy")
    context.clock.install()
    first = open_app(context, server)
    sign_in(first, user)
    add(first, "Water plants")
    other = open_app(context, server)
    # Its first pull answered before counting (the list kept on this device shows sooner).
    with other.expect_response(lambda response: "/todos?" in response.url):
        sign_in(other, user)
    expect(box(other, "Water plants")).to_be_visible()
    lists: list[str] = []
    other.on("request", lambda r: lists.append(r.url) if "/todos?" in r.url else None)

    add(first, "Feed the cat")
    box(first, "Water plants").check()
    expect(first.get_by_role("status")).to_have_text("“Water plants” completed.")  # on the server
    other.clock.run_for(8_000)
    expect(box(other, "Feed the cat")).to_have_count(0)  # not before its time
    other.clock.run_for(2_000)  # 10 s after its last pull: asks once what changed
    expect(box(other, "Feed the cat")).to_be_visible(timeout=2_000)
    expect(box(other, "Water plants")).to_be_checked()
    assert len(lists) == 1 and "since=" in lists[0]

    # Deletions come across too; and a tab that gets focus asks at once.
    first.get_by_role("button", name="Delete Water plants").click()
    expect(first.get_by_role("status")).to_have_text("Deleted “Water plants”.")  # on the server
    other.clock.run_for(2_000)
    expect(box(other, "Water plants")).to_be_visible()
    other.evaluate("() => window.dispatchEvent(new Event('focus'))")
    expect(box(other, "Water plants")).to_have_count(0)
    expect(other.get_by_text("1 item left")).to_be_visible()

    # A hidden tab does not ask at all; shown again, it asks at once.
    other.evaluate("""() => {
        Object.defineProperty(document, "visibilityState", {value: "hidden", configurable: true});
        document.dispatchEvent(new Event("visibilitychange"));
    }""")
    asked = len(lists)
    other.clock.run_for(60_000)
    assert len(lists) == asked
    add(first, "Post the letter")
    other.evaluate("""() => {
        Object.defineProperty(document, "visibilityState", {value: "visible", configurable: true});
        document.dispatchEvent(new Event("visibilitychange"));
    }""")
    expect(box(other, "Post the letter")).to_be_visible()
    assert other.errors == []  # type: ignore[attr-defined]


def test_offline_writes_wait_on_the_device_and_are_sent_once_on_reconnect(
        context: BrowserContext, server: LocalServer) -> None:
    api = api_for(server)
    user = fresh_user("jo")
    # No background pulls; a retry after a failure comes within 200 ms.
    page = open_app(context, server, "?syncInterval=3600000&syncMaxBackoff=200")
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")
    sign_in(page, user)
    for title in ("Water plants", "Call plumber", "Pay rent"):
        add(page, title)

    attempts: list[str] = []
    page.on("request", lambda r: attempts.append(r.url) if "/todos" in r.url else None)
    context.set_offline(True)  # the page's and the service worker's network
    expect(page.get_by_role("alert")).to_have_text("You're offline.")
    field = page.get_by_label("New task")
    field.fill("Buy stamps")
    field.press("Enter")
    box(page, "Buy stamps").check()  # a task made offline, changed offline
    box(page, "Water plants").check()
    page.get_by_role("button", name="Edit Call plumber").click()
    page.get_by_label("Title").fill("Call the plumber")
    page.get_by_label("Title").press("Enter")
    page.get_by_text("Pay rent", exact=True).dblclick()
    page.get_by_label("Description").fill("By Friday")
    page.get_by_role("button", name="Save").click()
    for title in ("Buy stamps", "Water plants", "Call the plumber", "Pay rent"):
        expect(item(page, title)).to_contain_text("Not yet saved")
    expect(page.locator("#sync")).to_contain_text("5 changes are kept on this device")
    axe(page, "offline")

    # Reload while offline: the service worker serves the app, IndexedDB the list and queue.
    page.reload()
    expect(box(page, "Buy stamps")).to_be_checked()
    expect(box(page, "Water plants")).to_be_checked()
    expect(item(page, "Call the plumber")).to_contain_text("Not yet saved")
    expect(page.get_by_role("alert")).to_have_text("You're offline.")
    assert page.errors == []  # type: ignore[attr-defined]

    # Meanwhile another device renames one of the tasks edited here.
    pay = next(t for t in api.tasks_of(user) if t["title"] == "Pay rent")
    api.request("PATCH", f"/todos/{pay['taskId']}", user=user, json_body={"title": "Pay the rent"})

    sent: list[tuple[str, str | None, str | None]] = []

    def lose_first_create(route: Route) -> None:
        request = route.request
        sent.append((request.method, request.headers.get("idempotency-key"),
                     request.headers.get("if-match")))
        if request.method == "POST" and [m for m, _, _ in sent].count("POST") == 1:
            route.fetch()  # made on the server; the answer is lost on the way back
            route.abort("connectionreset")
        else:
            route.continue_()

    # While offline (a retry every 200 ms asked for above) nothing was even tried: it used to
    # retry the list in a tight loop, about 600 times a second.
    assert attempts == []
    page.route(re.compile(r"/todos"), lose_first_create)
    context.set_offline(False)
    conflict = page.get_by_role("group", name="Changed elsewhere")
    expect(conflict).to_be_visible()
    expect(conflict.get_by_role("definition").first).to_have_text("Pay the rent")
    expect(conflict).to_contain_text("Your change: description.")
    expect(page.locator("#sync")).to_be_hidden()
    axe(page, "offline-conflict")

    # In order: the create twice under one key, then each edit on the version it was made on.
    writes = [(m, k, i) for m, k, i in sent if m != "GET"]
    assert [m for m, _, _ in writes] == ["POST", "POST", "PATCH", "PATCH", "PATCH", "PATCH"]
    assert writes[0][1] == writes[1][1] and writes[0][1]
    assert [i for _, _, i in writes[2:]] == ['"1"', '"1"', '"1"', '"1"']
    tasks = stored(server, user)
    assert sorted(tasks) == ["Buy stamps", "Call the plumber", "Pay the rent", "Water plants"]
    assert tasks["Buy stamps"]["completed"] and tasks["Water plants"]["completed"]
    assert tasks["Pay the rent"]["description"] is None
    conflict.get_by_role("button", name="Apply my changes").click()
    expect(page.get_by_role("status")).to_have_text("Your change was applied.")
    assert stored(server, user)["Pay the rent"]["description"] == "By Friday"
    assert len(api.tasks_of(user)) == 4


def test_a_double_click_on_a_title_edits_it_and_never_ticks_it(
        context: BrowserContext, server: LocalServer) -> None:
    """It used to complete the task (the title was the checkbox's label)."""
    user = fresh_user("kim")
    page = open_app(context, server, QUIET)
    sign_in(page, user)
    add(page, "Walk dog")
    add(page, "Feed cat")
    page.get_by_text("Feed cat", exact=True).dblclick()
    expect(box(page, "Feed cat")).not_to_be_checked()
    title = page.get_by_label("Title")
    expect(title).to_be_focused()

    # Escape cancels.
    title.fill("Feed the cat")
    title.press("Escape")
    expect(page.get_by_label("Title")).to_have_count(0)
    expect(page.get_by_role("button", name="Edit Feed cat")).to_be_focused()

    # Clicking away saves and closes.
    page.get_by_text("Feed cat", exact=True).dblclick()
    page.get_by_label("Title").fill("Feed the cat")
    page.get_by_role("heading", name="Tasks", exact=True).click()
    expect(box(page, "Feed the cat")).to_be_visible()
    expect(page.get_by_label("Title")).to_have_count(0)

    # Opening another task's editor saves the open one first.
    page.get_by_text("Walk dog", exact=True).dblclick()
    page.get_by_label("Title").fill("Walk the dog")
    page.get_by_role("button", name="Edit Feed the cat").click()
    expect(box(page, "Walk the dog")).to_be_visible()
    expect(page.get_by_label("Title")).to_have_value("Feed the cat")
    expect(item(page, "Walk the dog")).not_to_contain_text("Not yet saved")
    tasks = stored(server, user)
    assert sorted(tasks) == ["Feed the cat", "Walk the dog"]
    assert not any(t["completed"] for t in tasks.values())


def test_every_action_by_keyboard_with_focus_never_lost_to_the_page(
        context: BrowserContext, server: LocalServer) -> None:
    """Focus used to fall to the body after ticking with Space, Clear completed and Sign out."""
    user = fresh_user("lee")
    page = open_app(context, server, QUIET)
    keyboard = page.keyboard
    page.get_by_label("User name").focus()
    keyboard.type(user)
    keyboard.press("Enter")
    expect(page.get_by_label("New task")).to_be_focused()
    for title in ("One", "Two", "Three"):
        keyboard.type(title)
        keyboard.press("Enter")
        expect(box(page, title)).to_be_visible()
    expect(page.locator("#sync")).to_be_hidden()

    # Space ticks; under Active the task leaves and focus goes to the one now in its place.
    page.get_by_role("button", name="Active", exact=True).focus()
    keyboard.press("Enter")
    box(page, "Two").focus()
    keyboard.press("Space")
    expect(box(page, "Two")).to_have_count(0)
    expect(box(page, "One")).to_be_focused()
    page.get_by_role("button", name="All", exact=True).focus()
    keyboard.press("Enter")
    box(page, "Three").focus()
    keyboard.press("Space")
    expect(box(page, "Three")).to_be_checked()
    expect(box(page, "Three")).to_be_focused()

    # Mark all complete, then all incomplete.
    page.get_by_label("Mark all as complete").focus()
    keyboard.press("Space")
    expect(page.get_by_text("0 items left")).to_be_visible()
    keyboard.press("Space")
    expect(page.get_by_text("3 items left")).to_be_visible()
    expect(page.get_by_label("Mark all as complete")).to_be_focused()

    # Clear completed goes once there is nothing left to clear; focus stays in the list.
    box(page, "One").focus()
    keyboard.press("Space")
    page.get_by_role("button", name="Clear completed").focus()
    keyboard.press("Enter")
    expect(box(page, "One")).to_have_count(0)
    expect(page.get_by_role("button", name="Clear completed")).to_be_hidden()
    focus_is_kept(page)

    # Edit, Escape; Delete moves focus to the next task.
    page.get_by_role("button", name="Edit Three").focus()
    keyboard.press("Enter")
    expect(page.get_by_label("Title")).to_be_focused()
    keyboard.press("Escape")
    expect(page.get_by_role("button", name="Edit Three")).to_be_focused()
    keyboard.press("Tab")
    keyboard.press("Enter")  # Delete Three
    expect(box(page, "Three")).to_have_count(0)
    expect(box(page, "Two")).to_be_focused()
    expect(page.get_by_role("status")).to_have_text("Deleted “Three”.")

    page.get_by_role("button", name="Sign out").focus()
    keyboard.press("Enter")
    expect(page.get_by_label("User name")).to_be_focused()
    assert [t["title"] for t in api_for(server).tasks_of(user)] == ["Two"]


def test_feedback_sits_where_the_action_is(
        context: BrowserContext, server: LocalServer) -> None:
    """It used to be one grey line below the whole list, errors and successes alike."""
    user = fresh_user("max")
    create_many(server, user, [f"Chore {n:02d}" for n in range(20)])
    page = open_app(context, server, QUIET)
    sign_in(page, user)

    # A success at the end of a long list is shown on screen, and read out politely.
    *_, other, oldest = titles(page)
    last = box(page, oldest)
    last.scroll_into_view_if_needed()
    last.check()
    status = page.get_by_role("status")
    expect(status).to_have_text(f"“{oldest}” completed.")
    expect(status).to_have_attribute("aria-live", "polite")
    expect(status).to_be_in_viewport()

    # An error sits in the task it concerns, styled as an error, read out at once.
    def refuse(route: Route) -> None:
        route.fulfill(status=403, headers={"Content-Type": "application/problem+json"},
                      json={"title": "Forbidden", "status": 403,
                            "detail": "This task is read-only for you"})

    page.route("**/todos/*", refuse)
    box(page, other).click()  # (check() would see the quick refusal untick it and complain)
    error = item(page, other).get_by_role("alert")
    expect(error).to_have_text("Your change was not saved: This task is read-only for you")
    expect(error).to_be_in_viewport()
    expect(box(page, other)).not_to_be_checked()  # back as it is on the server
    assert error.evaluate("e => getComputedStyle(e).color") == "rgb(179, 38, 30)"  # --danger
    assert status.evaluate("e => getComputedStyle(e).color") != "rgb(179, 38, 30)"
    axe(page, "task-error")
    page.unroute("**/todos/*", refuse)
    box(page, other).check()  # acting again clears it
    expect(item(page, other).get_by_role("alert")).to_have_count(0)


def test_todomvc_counter_mark_all_and_clear_completed(
        context: BrowserContext, server: LocalServer) -> None:
    user = fresh_user("ned")
    page = open_app(context, server, QUIET)
    sign_in(page, user)
    mark_all = page.get_by_label("Mark all as complete")
    expect(mark_all).to_be_hidden()  # nothing to mark, count or clear
    expect(page.get_by_text("items left")).to_be_hidden()
    add(page, "Apples")
    expect(page.get_by_text("1 item left")).to_be_visible()
    add(page, "Pears")
    expect(page.get_by_text("2 items left")).to_be_visible()
    expect(page.get_by_role("button", name="Clear completed")).to_be_hidden()

    mark_all.check()
    expect(page.get_by_text("0 items left")).to_be_visible()
    expect(boxes(page).nth(0)).to_be_checked()
    expect(boxes(page).nth(1)).to_be_checked()
    expect(page.get_by_role("status")).to_have_text("Marked 2 tasks complete.")
    assert all(t["completed"] for t in api_for(server).tasks_of(user))
    mark_all.uncheck()
    expect(page.get_by_role("status")).to_have_text("Marked 2 tasks incomplete.")
    expect(page.get_by_text("2 items left")).to_be_visible()
    assert not any(t["completed"] for t in api_for(server).tasks_of(user))

    box(page, "Apples").check()
    expect(mark_all).not_to_be_checked()
    page.get_by_role("button", name="Clear completed").click()
    expect(page.get_by_role("status")).to_have_text("Cleared 1 completed task.")
    expect(page.get_by_text("1 item left")).to_be_visible()
    expect(page.get_by_role("button", name="Clear completed")).to_be_hidden()
    assert [t["title"] for t in api_for(server).tasks_of(user)] == ["Pears"]


def test_a_checklist_is_edited_in_the_editor_and_counted_on_the_card(
        context: BrowserContext, server: LocalServer) -> None:
    api = api_for(server)
    user = fresh_user("oli")
    page = open_app(context, server, QUIET)
    sign_in(page, user)
    add(page, "Pack for the trip")
    page.get_by_role("button", name="Edit Pack for the trip").click()
    new_item = page.get_by_label("New item")
    for title in ("Passport", "Tickets", "Charger", "Socks", "Toothbrush"):
        new_item.fill(title)
        new_item.press("Enter")  # adds the item, does not save the task
    expect(new_item).to_be_focused()
    page.get_by_label("Done: Passport").check()
    page.get_by_label("Done: Tickets").check()
    page.get_by_label("Item: Charger").fill("Phone charger")
    page.get_by_role("button", name="Move Socks up").click()
    expect(page.get_by_role("button", name="Move Socks up")).to_be_focused()
    page.get_by_role("button", name="Remove Toothbrush").click()
    axe(page, "checklist")
    page.get_by_role("button", name="Save").click()
    card = item(page, "Pack for the trip")
    expect(card).to_contain_text("2/4")
    expect(card).to_contain_text("checklist 2 of 4 done")
    expect(card).not_to_contain_text("Not yet saved")
    assert stored(server, user)["Pack for the trip"]["checklist"] == [
        {"title": "Passport", "done": True}, {"title": "Tickets", "done": True},
        {"title": "Socks", "done": False}, {"title": "Phone charger", "done": False}]

    # Opened again: the same items in the same order; fifty is the most.
    task = stored(server, user)["Pack for the trip"]
    api.request("PATCH", f"/todos/{task['taskId']}", user=user, json_body={
        "checklist": [{"title": f"Item {n}"} for n in range(50)]})
    page.evaluate("() => window.dispatchEvent(new Event('focus'))")  # pull the change now
    expect(card).to_contain_text("0/50")
    page.get_by_role("button", name="Edit Pack for the trip").click()
    expect(page.get_by_role("textbox", name=re.compile(r"^Item: "))).to_have_count(50)
    new_item.fill("One too many")
    new_item.press("Enter")
    expect(page.get_by_role("alert")).to_have_text("A checklist holds at most 50 items.")
    expect(new_item).to_have_attribute("aria-invalid", "true")
    axe(page, "checklist-full")


def zoned(browser: Browser, zone: str, viewport: ViewportSize = DESKTOP) -> BrowserContext:
    """A browser whose clock and locale are a user's: dates read as en-GB writes them."""
    return browser.new_context(viewport=viewport, timezone_id=zone, locale="en-GB")


def tab_until(page: Page, target: Locator, most: int = 4) -> None:
    """Press Tab until `target` has focus (a date or time field takes a Tab per segment)."""
    for _ in range(most):
        page.keyboard.press("Tab")
        if target.evaluate("(el) => el === document.activeElement"):
            return
    expect(target).to_be_focused()


def editing_in_paris(browser: Browser, server: LocalServer, user: str,
                     title: str) -> tuple[BrowserContext, Page]:
    """A user in Paris who added `title` and opened its editor."""
    paris = zoned(browser, "Europe/Paris")
    page = open_app(paris, server, QUIET)
    sign_in(page, user)
    add(page, title)
    page.get_by_role("button", name=f"Edit {title}").click()
    return paris, page


def test_a_due_time_and_a_weekly_repeat_are_set_in_the_editor(
        browser: Browser, server: LocalServer) -> None:
    user = fresh_user("ines")
    paris, page = editing_in_paris(browser, server, user, "Team sync")
    expect(page.get_by_label("Time zone")).to_have_value("Europe/Paris")  # the browser's
    expect(page.get_by_role("group", name="On days")).to_be_hidden()
    page.get_by_label("Due date").fill("2027-03-01")
    page.get_by_label("Due time (optional)").fill("09:30")
    page.get_by_label("Repeat").select_option(label="Weekly on…")
    page.get_by_role("checkbox", name="Monday").check()
    page.get_by_role("checkbox", name="Wednesday").check()
    axe(page, "time-editor")
    page.get_by_role("button", name="Save").click()
    card = item(page, "Team sync")
    expect(card).to_contain_text("due 1 Mar 2027, 09:30")
    expect(card).to_contain_text("repeats weekly on Mon, Wed")
    settled(page)
    task = stored(server, user)["Team sync"]
    assert {k: task.get(k) for k in ("dueDate", "timeZone", "recurrence", "dueAt")} == {
        "dueDate": "2027-03-01T09:30", "timeZone": "Europe/Paris",
        "recurrence": "FREQ=WEEKLY;BYDAY=MO,WE", "dueAt": "2027-03-01T08:30:00Z"}

    # Opened and saved untouched: nothing is written (the form reads the task back as it is).
    page.get_by_role("button", name="Edit Team sync").click()
    expect(page.get_by_role("checkbox", name="Wednesday")).to_be_checked()
    expect(page.get_by_role("checkbox", name="Tuesday")).not_to_be_checked()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("button", name="Save")).to_have_count(0)
    assert stored(server, user)["Team sync"]["version"] == task["version"]

    # The same task seen from New York: the same moment in that user's own zone.
    new_york = zoned(browser, "America/New_York")
    there = open_app(new_york, server, QUIET)
    sign_in(there, user)
    expect(item(there, "Team sync")).to_contain_text("due 1 Mar 2027, 03:30")
    new_york.close()

    # All day: the time cleared, the date kept.
    page.get_by_role("button", name="Edit Team sync").click()
    page.get_by_label("Due time (optional)").fill("")
    page.get_by_role("button", name="Save").click()
    expect(card).to_contain_text("due 1 Mar 2027")
    expect(card).not_to_contain_text("09:30")
    expect(card).not_to_contain_text("Not yet saved")
    assert stored(server, user)["Team sync"]["dueDate"] == "2027-03-01"
    assert page.errors == []  # type: ignore[attr-defined]
    paris.close()


def test_completing_a_repeating_task_shows_when_it_is_next_due(
        browser: Browser, server: LocalServer) -> None:
    user = fresh_user("noor")
    api_for(server).create(user, title="Water the plants", dueDate="2027-03-01T09:30",
                           timeZone="Europe/Paris", recurrence="FREQ=WEEKLY;BYDAY=MO,WE")
    paris = zoned(browser, "Europe/Paris")
    page = open_app(paris, server, QUIET)
    sign_in(page, user)
    card = item(page, "Water the plants")
    expect(card).to_contain_text("due 1 Mar 2027, 09:30")
    box(page, "Water the plants").check()
    # Still open, due at the next occurrence, and the user is told so politely.
    expect(card).to_contain_text("due 3 Mar 2027, 09:30")
    expect(box(page, "Water the plants")).not_to_be_checked()
    expect(page.get_by_role("status")).to_have_text(
        "“Water the plants” done; next due 3 Mar 2027, 09:30.")
    task = stored(server, user)["Water the plants"]
    assert (task["status"], task["dueDate"], task["completedCount"]) == (
        "pending", "2027-03-03T09:30", 1)
    assert page.errors == []  # type: ignore[attr-defined]
    paris.close()


def test_a_bad_custom_rule_is_refused_beside_the_field(
        context: BrowserContext, server: LocalServer) -> None:
    user = fresh_user("ravi")
    page = open_app(context, server, QUIET)
    sign_in(page, user)
    add(page, "Stand-up")
    page.get_by_role("button", name="Edit Stand-up").click()
    page.get_by_label("Due date").fill("2027-03-01")
    page.get_by_label("Repeat").select_option(label="Custom rule (RRULE)")
    rule = page.get_by_label("Rule (RFC 5545 RRULE)")
    rule.fill("FREQ=HOURLY")
    page.get_by_role("button", name="Save").click()
    error = page.locator(".repeat").get_by_role("alert")
    expect(error).to_contain_text("FREQ=HOURLY is not supported")
    expect(rule).to_have_attribute("aria-invalid", "true")
    expect(rule).to_be_focused()
    axe(page, "repeat-error")
    # Bad input changes nothing.
    unchanged = stored(server, user)["Stand-up"]
    assert (unchanged.get("recurrence"), unchanged.get("dueDate")) == (None, None)
    rule.fill("FREQ=MONTHLY;BYDAY=-1FR")
    page.get_by_role("button", name="Save").click()
    expect(item(page, "Stand-up")).to_contain_text("repeats on a custom rule")
    settled(page)
    assert stored(server, user)["Stand-up"]["recurrence"] == "FREQ=MONTHLY;BYDAY=-1FR"


def test_the_time_controls_work_by_keyboard_and_fit_a_phone(
        browser: Browser, server: LocalServer) -> None:
    user = fresh_user("kai")
    phone = zoned(browser, "Asia/Tokyo", PHONE)
    page = open_app(phone, server, QUIET)
    sign_in(page, user)
    add(page, "Pay rent")
    keyboard = page.keyboard
    page.get_by_role("button", name="Edit Pay rent").focus()
    keyboard.press("Enter")
    expect(page.get_by_label("Title")).to_be_focused()
    # Tab to each control in turn; type into it as a keyboard user does.
    for name in ("Description", "Priority", "Due date"):
        keyboard.press("Tab")
        expect(page.get_by_label(name, exact=True)).to_be_focused()
    # The browser's own date and time fields: typed segment by segment (month, day, year, as
    # headless Chromium's language sets them), Tab leaving the field after its last segment.
    keyboard.type("03012027")
    tab_until(page, page.get_by_label("Due time (optional)"))
    keyboard.type("0930A")
    tab_until(page, page.get_by_label("Time zone"))
    expect(page.get_by_label("Time zone")).to_be_focused()
    keyboard.press("Tab")
    expect(page.get_by_label("Repeat")).to_be_focused()
    keyboard.type("Weekly")  # a closed select takes typed letters
    expect(page.get_by_role("group", name="On days")).to_be_visible()
    keyboard.press("Tab")
    expect(page.get_by_role("checkbox", name="Monday")).to_be_focused()
    for _ in range(4):
        keyboard.press("Tab")
    expect(page.get_by_role("checkbox", name="Friday")).to_be_focused()
    keyboard.press("Space")
    axe(page, "phone-time-editor")  # no sideways scrolling at 390 px with the days shown
    page.get_by_role("button", name="Save").focus()
    keyboard.press("Enter")
    expect(page.get_by_role("button", name="Edit Pay rent")).to_be_focused()
    settled(page)
    task = stored(server, user)["Pay rent"]
    assert (task["dueDate"], task["timeZone"], task["recurrence"]) == (
        "2027-03-01T09:30", "Asia/Tokyo", "FREQ=WEEKLY;BYDAY=FR")

    # Completing it with Space: the card stays, focus stays on it, the next due date shows.
    box(page, "Pay rent").focus()
    keyboard.press("Space")
    expect(item(page, "Pay rent")).to_contain_text("due 5 Mar 2027, 09:30")
    expect(box(page, "Pay rent")).to_be_focused()
    no_sideways_scroll(page)
    phone.close()


def test_hosted_sign_in_uses_the_code_flow_with_pkce(
        browser: Browser, server: LocalServer) -> None:
    """The deployed sign-in, with Cognito's two endpoints played by the test (the real ones need
    a stack); the token it hands back is one the local API accepts."""
    idp = "https://login.example.test"
    user = fresh_user("gus")
    seen: dict[str, dict[str, list[str]]] = {}
    # The page's CSP names the local origin only; a deployed config names Cognito's host.
    # No service worker: its own requests for the app's files would bypass the routes below.
    context = browser.new_context(bypass_csp=True, service_workers="block")

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


# ---- lists and sharing (docs/LISTS.md) ----------------------------------------------------

def switcher(page: Page) -> Locator:
    return page.get_by_label("List", exact=True)


def shown_list(page: Page) -> Locator:
    return switcher(page).locator("option:checked")


def new_list(page: Page, name: str) -> None:
    page.get_by_role("button", name="New list").click()
    page.get_by_label("List name").fill(name)
    page.get_by_role("button", name="Create list").click()
    expect(shown_list(page)).to_have_text(name)
    expect(page.locator("#tasks")).to_have_attribute("aria-busy", "false")


def choose(page: Page, name: str) -> None:
    switcher(page).select_option(label=name)
    expect(shown_list(page)).to_have_text(name)
    expect(page.locator("#tasks")).to_have_attribute("aria-busy", "false")


def pull(page: Page) -> None:
    """The page asks the server at once, as when its tab regains focus (not within 1 s of the
    last time)."""
    page.wait_for_timeout(1100)
    page.evaluate("() => window.dispatchEvent(new Event('focus'))")


def lists_of(server: LocalServer, user: str) -> dict[str, dict[str, Any]]:
    reply = api_for(server).request("GET", "/lists?limit=100", user=user)
    assert reply.status == 200, reply.body
    return {entry["name"]: entry for entry in reply.json()}


def in_list(server: LocalServer, user: str, list_id: str) -> dict[str, dict[str, Any]]:
    reply = api_for(server).request("GET", f"/lists/{list_id}/todos?limit=100", user=user)
    assert reply.status == 200, reply.body
    return {t["title"]: t for t in reply.json()}


def shared_list(server: LocalServer, owner: str, name: str, **members: str) -> str:
    """A list of `owner` that each of `members` (user: role) joined by link, through the API."""
    api = api_for(server)
    made = api.request("POST", "/lists", user=owner, json_body={"name": name})
    list_id: str = made.json()["listId"]
    for user, role in members.items():
        token = api.request("POST", f"/lists/{list_id}/invitations", user=owner,
                            json_body={"role": role}).json()["token"]
        assert api.request("POST", "/invitations/accept", user=user,
                           json_body={"token": token}).status == 200
    return list_id


def test_lists_are_created_switched_remembered_renamed_and_deleted(
        context: BrowserContext, server: LocalServer) -> None:
    user = fresh_user("lia")
    page = open_app(context, server, QUIET)
    sign_in(page, user)
    expect(shown_list(page)).to_have_text("Tasks")  # the default list, first
    add(page, "Pay rent")

    new_list(page, "Groceries")
    expect(page.get_by_text("Nothing here.")).to_be_visible()
    add(page, "Milk")
    add(page, "Eggs")
    expect(page.get_by_text("2 items left")).to_be_visible()
    axe(page, "lists-switcher")
    settled(page)
    groceries = lists_of(server, user)["Groceries"]
    assert groceries["role"] == "owner"
    stored_here = in_list(server, user, groceries["listId"])
    assert set(stored_here) == {"Milk", "Eggs"}
    assert {t["listId"] for t in stored_here.values()} == {groceries["listId"]}
    assert set(stored(server, user)) == {"Pay rent"}  # the default list holds its own

    choose(page, "Tasks")
    assert titles(page) == ["Pay rent"]
    page.reload()
    expect(shown_list(page)).to_have_text("Tasks")
    choose(page, "Groceries")
    page.reload()  # the choice is remembered
    expect(shown_list(page)).to_have_text("Groceries")
    expect(box(page, "Milk")).to_be_visible()
    assert titles(page) == ["Eggs", "Milk"]

    # Rename: a bad name is refused beside the field; a good one is stored.
    page.get_by_role("button", name="Rename").click()
    name = page.get_by_label("List name")
    expect(name).to_have_value("Groceries")
    name.fill("   ")
    page.get_by_role("button", name="Save name").click()
    expect(page.get_by_text("Type a name for the list.")).to_be_visible()
    axe(page, "list-rename-error")
    name.fill("Food")
    name.press("Enter")
    expect(shown_list(page)).to_have_text("Food")
    expect(page.get_by_role("button", name="Rename")).to_be_focused()
    assert lists_of(server, user)["Food"]["listId"] == groceries["listId"]

    # Delete, with a confirmation; Cancel keeps it.
    page.get_by_role("button", name="Delete list").click()
    expect(page.get_by_text("Delete “Food” and all its tasks, for every member?")).to_be_visible()
    axe(page, "list-delete-confirm")
    page.get_by_role("button", name="Cancel").click()
    expect(page.get_by_role("button", name="Delete list")).to_be_focused()
    assert "Food" in lists_of(server, user)
    page.get_by_role("button", name="Delete list").press("Enter")
    page.get_by_role("button", name="Yes, delete it").press("Enter")
    expect(shown_list(page)).to_have_text("Tasks")
    expect(switcher(page)).to_be_focused()  # not the page body
    expect(switcher(page).locator("option")).to_have_count(1)
    assert titles(page) == ["Pay rent"]
    assert set(lists_of(server, user)) == {"Tasks"}
    gone = api_for(server).request("GET", f"/lists/{groceries['listId']}/todos", user=user)
    assert gone.status == 404

    # Sign out: every list kept on this device goes, with the lists' names.
    kept = """() => new Promise((done) => { const open = indexedDB.open("todo-app");
        open.onsuccess = () => { const keys = open.result.transaction("replicas")
            .objectStore("replicas").getAllKeys();
            keys.onsuccess = () => done(keys.result); }; })"""
    assert f"{user}#{groceries['listId']}" in page.evaluate(kept)
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_label("User name")).to_be_focused()
    assert [k for k in page.evaluate(kept) if k.startswith(user)] == []
    assert page.evaluate("() => Object.keys(localStorage)") == []
    assert page.errors == []  # type: ignore[attr-defined]


def test_two_people_share_a_list_by_link_and_the_owner_manages_the_member(
        browser: Browser, server: LocalServer) -> None:
    owner_user, member_user = fresh_user("olga"), fresh_user("ben")
    owners = browser.new_context(viewport=DESKTOP)
    members = browser.new_context(viewport=PHONE)
    try:
        owners.grant_permissions(["clipboard-read", "clipboard-write"])
        owner = open_app(owners, server, QUIET)
        sign_in(owner, owner_user)
        new_list(owner, "Trip")
        expect(owner.get_by_role("button", name="Assigned to me")).to_be_hidden()  # not shared yet

        # The share dialog, by keyboard: an editor's link, copied.
        owner.get_by_role("button", name="Share Trip").press("Enter")
        dialog = owner.get_by_role("dialog", name="Share “Trip”")
        expect(dialog).to_be_visible()
        people = dialog.get_by_role("list", name="Members")
        expect(people).to_contain_text(f"{owner_user} (you)Owner")
        axe(owner, "share-dialog")
        dialog.get_by_label("Role").select_option("editor")
        dialog.get_by_role("button", name="Create link").click()
        link_field = dialog.get_by_label("Invitation link (shown once)")
        expect(link_field).to_be_focused()
        link = link_field.input_value()
        assert re.fullmatch(re.escape(server.url) + r"/#join=tdl_[\w-]{86}", link), link
        dialog.get_by_role("button", name="Copy link").click()
        expect(dialog.get_by_role("status")).to_have_text("Link copied.")
        assert owner.evaluate("() => navigator.clipboard.readText()") == link
        expect(dialog.get_by_role("list", name="Open invitations")).to_contain_text(
            "Editor link, expires")
        axe(owner, "share-dialog-link")
        owner.keyboard.press("Escape")
        expect(dialog).to_be_hidden()
        expect(owner.get_by_role("button", name="Share Trip")).to_be_focused()

        # The other person opens the link: signs in, joins, the token leaves the address.
        member = members.new_page()
        member.goto(link)
        expect(member.get_by_text("Sign in to join the list you were invited to.")).to_be_visible()
        assert "join" not in member.url
        sign_in(member, member_user)
        expect(shown_list(member)).to_have_text("Trip (shared)")
        expect(member.get_by_role("status")).to_have_text("You joined “Trip” as editor.")
        assert "join" not in member.url
        add(member, "Book tickets")
        expect(item(member, "Book tickets")).to_contain_text("added by you")
        axe(member, "member-editor-phone")

        # The owner's page learns it at its next pull, with who added it.
        pull(owner)
        expect(item(owner, "Book tickets")).to_contain_text(f"added by {member_user}")
        box(owner, "Book tickets").check()
        settled(owner)
        pull(member)
        expect(box(member, "Book tickets")).to_be_checked()
        expect(item(member, "Book tickets")).to_contain_text(f"changed by {owner_user}")
        trip = lists_of(server, owner_user)["Trip"]
        task = in_list(server, member_user, trip["listId"])["Book tickets"]
        assert (task["createdBy"], task["updatedBy"], task["status"]) == (
            member_user, owner_user, "completed")

        # Viewer: the member's page turns read-only at its next pull.
        owner.get_by_role("button", name="Share Trip").click()
        dialog.get_by_label(f"Role of {member_user}").select_option("viewer")
        expect(dialog.get_by_role("status")).to_have_text(f"{member_user} is now a viewer.")
        members_now = api_for(server).request("GET", f"/lists/{trip['listId']}/members",
                                              user=owner_user).json()
        assert {m["userId"]: m["role"] for m in members_now}[member_user] == "viewer"
        member.get_by_label("New task").focus()
        pull(member)
        expect(member.get_by_text(
            "You can read this list; only its owner and editors can change it.")).to_be_visible()
        expect(member.get_by_label("New task")).to_be_hidden()
        expect(member.get_by_role("button", name="Edit Book tickets")).to_be_hidden()
        expect(box(member, "Book tickets")).to_be_disabled()
        focus_is_kept(member)
        axe(member, "viewer-phone")

        # Removed: the list disappears for the member.
        dialog.get_by_role("button", name=f"Remove {member_user}").click()
        expect(dialog.get_by_role("status")).to_have_text(f"Removed {member_user} from the list.")
        expect(dialog.get_by_role("list", name="Members")).not_to_contain_text(member_user)
        focus_is_kept(owner)
        owner.keyboard.press("Escape")
        pull(member)
        expect(member.get_by_role("alert")).to_have_text(
            "“Trip” is no longer available to you: it was deleted, or you were removed from it.")
        expect(shown_list(member)).to_have_text("Tasks")
        expect(switcher(member).locator("option")).to_have_count(1)
        expect(member.get_by_label("New task")).to_be_visible()  # the default list is theirs
        focus_is_kept(member)
        assert owner.errors == []  # type: ignore[attr-defined]
    finally:
        owners.close()
        members.close()


def test_leaving_bad_links_and_a_deleted_list(browser: Browser, server: LocalServer) -> None:
    owner_user, member_user = fresh_user("pia"), fresh_user("tom")
    api = api_for(server)
    list_id = shared_list(server, owner_user, "Club")

    def link(role: str = "editor") -> tuple[str, str]:
        made = api.request("POST", f"/lists/{list_id}/invitations", user=owner_user,
                           json_body={"role": role}).json()
        return made["invitationId"], f"{server.url}/{QUIET}#join={made['token']}"

    members = browser.new_context(viewport=PHONE)
    owners = browser.new_context(viewport=DESKTOP)
    try:
        # A revoked link: a clear error, and the member's own list.
        revoked_id, revoked = link()
        assert api.request("DELETE", f"/lists/{list_id}/invitations/{revoked_id}",
                           user=owner_user).status == 200
        member = open_app(members, server, QUIET)
        member.goto(revoked)  # the address changes in an open tab
        expect(member.get_by_text("Sign in to join the list you were invited to.")).to_be_visible()
        sign_in(member, member_user)
        expect(member.get_by_role("alert")).to_have_text(
            "This invitation link does not work: it was revoked, used, or never existed. "
            "Ask the list's owner for a new one.")
        expect(shown_list(member)).to_have_text("Tasks")
        assert "join" not in member.url
        axe(member, "join-error-phone")

        # An expired one (the server's 410; the clock cannot be moved a week here).
        _, expiring = link()
        member.route("**/invitations/accept", lambda route: route.fulfill(
            status=410, json={"title": "Gone", "status": 410, "detail": "The invitation expired."},
            headers={"Content-Type": "application/problem+json"}))
        member.goto(expiring)
        expect(member.get_by_role("alert")).to_have_text(
            "This invitation link has expired. Ask the list's owner for a new one.")
        member.unroute("**/invitations/accept")

        # A good one (the page is signed in already): joined; then Leave, by keyboard.
        _, good = link()
        member.goto(good)
        expect(shown_list(member)).to_have_text("Club (shared)")
        member.get_by_role("button", name="Members of Club").press("Enter")
        dialog = member.get_by_role("dialog", name="Members of “Club”")
        expect(dialog.get_by_role("list", name="Members")).to_contain_text(
            f"{member_user} (you)Editor")
        expect(dialog.get_by_role("button", name="Create link")).to_be_hidden()  # the owner's
        axe(member, "members-dialog-phone")
        expect(dialog.get_by_role("button", name="Close")).to_be_focused()  # not Leave
        dialog.get_by_role("button", name="Leave list").press("Enter")
        expect(dialog).to_be_hidden()
        expect(member.get_by_role("status")).to_have_text("You left “Club”.")
        expect(shown_list(member)).to_have_text("Tasks")
        expect(switcher(member)).to_be_focused()
        expect(switcher(member).locator("option")).to_have_count(1)
        members_now = api.request("GET", f"/lists/{list_id}/members", user=owner_user).json()
        assert [m["userId"] for m in members_now] == [owner_user]

        # Joined again; the owner deletes the list: the member loses it too.
        _, again = link()
        member.goto(again)
        expect(shown_list(member)).to_have_text("Club (shared)")
        owner = open_app(owners, server, QUIET)
        sign_in(owner, owner_user)
        choose(owner, "Club (shared)")
        owner.get_by_role("button", name="Delete list").click()
        owner.get_by_role("button", name="Yes, delete it").click()
        expect(shown_list(owner)).to_have_text("Tasks")
        pull(member)
        expect(member.get_by_role("alert")).to_have_text(
            "“Club” is no longer available to you: it was deleted, or you were removed from it.")
        expect(switcher(member).locator("option")).to_have_count(1)
        assert api.request("GET", f"/lists/{list_id}", user=member_user).status == 404
        assert member.errors == []  # type: ignore[attr-defined]
    finally:
        members.close()
        owners.close()


def test_tasks_are_assigned_to_members_and_filtered_by_assigned_to_me(
        context: BrowserContext, server: LocalServer) -> None:
    owner_user, member_user = fresh_user("ada"), fresh_user("kim")
    list_id = shared_list(server, owner_user, "Chores", **{member_user: "editor"})
    page = open_app(context, server, QUIET)
    sign_in(page, owner_user)
    choose(page, "Chores (shared)")
    add(page, "Dishes")
    add(page, "Laundry")

    page.get_by_role("button", name="Edit Dishes").click()
    assignee = page.get_by_label("Assigned to")
    expect(assignee.locator("option")).to_have_text(["Nobody", "you", member_user])
    expect(assignee).to_have_value("")
    axe(page, "edit-assignee")
    assignee.select_option(member_user)
    page.get_by_role("button", name="Save").click()
    expect(item(page, "Dishes")).to_contain_text(f"assigned to {member_user}")
    page.get_by_role("button", name="Edit Laundry").click()
    page.get_by_label("Assigned to").select_option(label="you")
    page.get_by_role("button", name="Save").press("Enter")
    expect(item(page, "Laundry")).to_contain_text("assigned to you")
    settled(page)
    here = in_list(server, owner_user, list_id)
    assert (here["Dishes"]["assigneeId"], here["Laundry"]["assigneeId"]) == (
        member_user, owner_user)

    mine = page.get_by_role("button", name="Assigned to me")
    mine.press("Enter")
    expect(mine).to_have_attribute("aria-pressed", "true")
    assert titles(page) == ["Laundry"]
    axe(page, "assigned-to-me")
    page.get_by_role("button", name="Active").click()  # combines with the status filters
    assert titles(page) == ["Laundry"]
    mine.click()
    assert titles(page) == ["Laundry", "Dishes"]

    # Back to nobody.
    page.get_by_role("button", name="Edit Dishes").click()
    page.get_by_label("Assigned to").select_option(label="Nobody")
    page.get_by_role("button", name="Save").click()
    expect(item(page, "Dishes")).not_to_contain_text("assigned to")
    settled(page)
    assert in_list(server, owner_user, list_id)["Dishes"]["assigneeId"] is None

    # The default list has no one to assign to.
    choose(page, "Tasks")
    add(page, "Mine alone")
    page.get_by_role("button", name="Edit Mine alone").click()
    expect(page.get_by_label("Assigned to")).to_have_count(0)
    expect(page.get_by_role("button", name="Assigned to me")).to_be_hidden()
    assert page.errors == []  # type: ignore[attr-defined]


def test_lists_and_sharing_by_keyboard_on_a_phone(browser: Browser, server: LocalServer) -> None:
    """Every list action from the keyboard alone, at 390 by 844: focus is never dropped on the
    page body, and stays inside the share dialog while it is open."""
    user = fresh_user("kay")
    phone = browser.new_context(viewport=PHONE)
    try:
        page = open_app(phone, server, QUIET)
        sign_in(page, user)
        keys = page.keyboard
        page.get_by_role("button", name="New list").focus()
        keys.press("Enter")
        expect(page.get_by_label("List name")).to_be_focused()
        keys.press("Escape")  # cancels
        expect(page.get_by_role("button", name="New list")).to_be_focused()
        keys.press("Enter")
        keys.type("Work")
        keys.press("Enter")
        expect(shown_list(page)).to_have_text("Work")
        expect(switcher(page)).to_be_focused()
        axe(page, "lists-switcher-phone")

        # The switcher itself: arrows choose, the tasks follow.
        keys.press("ArrowUp")
        expect(shown_list(page)).to_have_text("Tasks")
        keys.press("ArrowDown")
        expect(shown_list(page)).to_have_text("Work")
        focus_is_kept(page)

        # The share dialog: Tab cycles inside it; Escape closes it and focus returns.
        page.get_by_role("button", name="Share Work").focus()
        keys.press("Enter")
        dialog = page.get_by_role("dialog", name="Share “Work”")
        expect(dialog.get_by_role("button", name="Close")).to_be_focused()
        expect(dialog.get_by_role("list", name="Members")).to_contain_text(user)
        for _ in range(8):
            keys.press("Tab")
            assert page.evaluate("() => !!document.activeElement?.closest('dialog')")
        dialog.get_by_role("button", name="Create link").focus()
        keys.press("Enter")
        expect(dialog.get_by_label("Invitation link (shown once)")).to_be_focused()
        revoke = dialog.get_by_role("button", name=re.compile("^Revoke Editor link"))
        revoke.focus()
        keys.press("Enter")
        expect(dialog.get_by_role("status")).to_have_text("Link revoked: it no longer works.")
        expect(revoke).to_have_count(0)
        expect(dialog.get_by_label("Invitation link (shown once)")).to_be_hidden()  # it went
        expect(dialog.get_by_role("button", name="Close")).to_be_focused()  # its row went
        axe(page, "share-dialog-phone")
        keys.press("Escape")
        expect(page.get_by_role("button", name="Share Work")).to_be_focused()
        list_id = lists_of(server, user)["Work"]["listId"]
        invitations = api_for(server).request("GET", f"/lists/{list_id}/invitations",
                                              user=user).json()
        assert [i for i in invitations if i["status"] == "open"] == []

        # Rename and delete, by keyboard.
        page.get_by_role("button", name="Rename").focus()
        keys.press("Enter")
        keys.press("Control+A")
        keys.type("Office")
        keys.press("Enter")
        expect(shown_list(page)).to_have_text("Office")
        expect(page.get_by_role("button", name="Rename")).to_be_focused()
        page.get_by_role("button", name="Delete list").focus()
        keys.press("Enter")
        expect(page.get_by_role("button", name="Yes, delete it")).to_be_focused()
        keys.press("Escape")
        expect(page.get_by_role("button", name="Delete list")).to_be_focused()
        keys.press("Enter")
        keys.press("Enter")
        expect(shown_list(page)).to_have_text("Tasks")
        expect(switcher(page)).to_be_focused()
        assert set(lists_of(server, user)) == {"Tasks"}
        no_sideways_scroll(page)
        assert page.errors == []  # type: ignore[attr-defined]
    finally:
        phone.close()


def test_reminders_are_set_in_the_editor_and_shown_with_a_bell(
        browser: Browser, server: LocalServer) -> None:
    user = fresh_user("rita")
    paris, page = editing_in_paris(browser, server, user, "Dentist")
    reminders = page.get_by_role("group", name="Reminders")
    # Before the due moment needs one: offered once a due date is there.
    hint = reminders.get_by_text("Reminders before need a due date.")
    expect(hint).to_be_visible()
    expect(reminders.get_by_label("15 minutes before")).to_be_disabled()
    page.get_by_label("Due date").fill("2027-03-01")
    page.get_by_label("Due time (optional)").fill("09:30")
    expect(hint).to_be_hidden()
    reminders.get_by_label("15 minutes before").check()
    reminders.get_by_label("1 day before").check()
    reminders.get_by_role("button", name="Add a moment").click()
    moment = reminders.get_by_label("Remind at")
    expect(moment).to_be_focused()
    moment.fill("2027-02-28T18:00")  # in the browser's zone: Paris, +01:00 then
    axe(page, "reminders-editor")
    page.get_by_role("button", name="Save").click()
    card = item(page, "Dentist")
    expect(card).to_contain_text("🔔 15 minutes before +2")
    settled(page)
    task = stored(server, user)["Dentist"]
    assert task["reminders"] == [
        {"before": "PT15M"}, {"before": "P1D"}, {"at": "2027-02-28T18:00+01:00"}]

    # Reopened: as stored; saved untouched, nothing is written.
    page.get_by_role("button", name="Edit Dentist").click()
    expect(reminders.get_by_label("15 minutes before")).to_be_checked()
    expect(reminders.get_by_label("1 hour before")).not_to_be_checked()
    expect(reminders.get_by_label("Remind at")).to_have_value("2027-02-28T18:00")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("button", name="Save")).to_have_count(0)
    assert stored(server, user)["Dentist"]["version"] == task["version"]

    # At most five: a sixth is refused beside the field and nothing is stored.
    page.get_by_role("button", name="Edit Dentist").click()
    reminders.get_by_label("1 hour before").check()
    for day in ("01", "02", "03"):
        reminders.get_by_role("button", name="Add a moment").click()
        reminders.get_by_label("Remind at").last.fill(f"2027-01-{day}T08:00")
    page.get_by_role("button", name="Save").click()
    expect(reminders.get_by_role("alert")).to_have_text("Reminders must hold at most 5 reminders")
    assert stored(server, user)["Dentist"]["version"] == task["version"]
    axe(page, "reminders-error")

    # Remove by keyboard: the moment goes, focus stays in the editor.
    for _ in range(3):
        reminders.get_by_role("button", name="Remove this reminder").last.press("Enter")
    expect(reminders.get_by_role("button", name="Add a moment")).to_be_focused()
    reminders.get_by_label("1 day before").uncheck()
    reminders.get_by_label("15 minutes before").uncheck()
    page.get_by_role("button", name="Save").click()
    expect(card).to_contain_text("🔔 1 hour before +1")
    settled(page)
    assert stored(server, user)["Dentist"]["reminders"] == [
        {"before": "PT1H"}, {"at": "2027-02-28T18:00+01:00"}]

    # Another user's browser, in New York: the moment in its own zone.
    new_york = zoned(browser, "America/New_York", PHONE)
    there = open_app(new_york, server, QUIET)
    sign_in(there, user)
    there.get_by_role("button", name="Edit Dentist").click()
    expect(there.get_by_label("Remind at")).to_have_value("2027-02-28T12:00")
    axe(there, "reminders-phone")
    new_york.close()
    assert page.errors == []  # type: ignore[attr-defined]
    paris.close()
