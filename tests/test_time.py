"""Due times in time zones and repeating tasks, over real HTTP to the local server (the suite
runs on moto and, with TODO_API_ENGINE=dynamodb-local, on DynamoDB Local): what is stored is
what the client sent, `dueAt` is derived, the due-date views order and filter by it, and
completing a repeating task moves it, by any route, once per occurrence."""

import subprocess
import sys
import threading
import time
from typing import Any

import pytest

from emulator.gateway import Gateway
from models import TodoModel
from services.domain import cursor
from services.domain.ids import uuid7
from tests.support import ROOT, Api, HttpApi, InProcessApi, LocalServer


@pytest.fixture
def http(local_server: LocalServer) -> Api:
    return HttpApi(local_server.url)


def ids(tasks: list[dict[str, Any]]) -> list[str]:
    return [task["taskId"] for task in tasks]


def listed(api: Api, user: str, query: str) -> list[dict[str, Any]]:
    """Every task of a list, two to a page (so the cursors are exercised)."""
    return api.tasks_of(user, query, limit=2)


# Created in this order; their instants, by hand: the due-date views list them by instant.
MIXED = {
    "la": ("2026-12-01T23:30:00", "America/Los_Angeles", "2026-12-02T07:30:00Z"),
    "tokyo": ("2026-12-02T08:00:00", "Asia/Tokyo", "2026-12-01T23:00:00Z"),
    "kolkata": ("2026-12-02", "Asia/Kolkata", "2026-12-01T18:30:00Z"),
    "offset": ("2026-12-02T03:00:00+01:00", None, "2026-12-02T02:00:00Z"),
    "utc": ("2026-12-02", None, "2026-12-02T00:00:00Z"),
    "kiritimati": ("2026-12-02T12:00:00", "Pacific/Kiritimati", "2026-12-01T22:00:00Z"),
}
BY_INSTANT = ["kolkata", "kiritimati", "tokyo", "utc", "offset", "la"]


@pytest.fixture
def mixed(http: Api, user: str, other_user: str) -> dict[str, str]:
    made = {}
    for name, (due, zone, _) in MIXED.items():
        fields = {"title": name, "dueDate": due} | ({"timeZone": zone} if zone else {})
        made[name] = http.create(user, **fields)["taskId"]
        http.create(other_user, **fields)  # never seen by `user`
    http.create(user, title="undated", timeZone="Europe/Paris")
    return made


def test_each_task_keeps_what_was_sent_and_answers_its_instant(
    http: Api, user: str, mixed: dict[str, str],
) -> None:
    for name, task_id in mixed.items():
        task = http.request("GET", f"/todos/{task_id}", user=user).json()
        due, zone, at = MIXED[name]
        assert (task["dueDate"], task["timeZone"], task["dueAt"]) == (due, zone, at), name
        assert (task["recurrence"], task["completedCount"], task["lastCompletedAt"]) == (
            None, 0, None)


def test_the_due_views_order_and_filter_tasks_of_mixed_zones_by_instant(
    http: Api, user: str, mixed: dict[str, str],
) -> None:
    expected = [mixed[name] for name in BY_INSTANT]
    assert ids(listed(http, user, "sort=dueDate")) == expected
    assert ids(listed(http, user, "sort=dueDate&order=desc")) == expected[::-1]
    # Due on 2 December UTC: among them the task due at 23:30 on the 1st in Los Angeles.
    assert ids(listed(http, user, "dueAfter=2026-12-02&dueBefore=2026-12-03")) == [
        mixed["utc"], mixed["offset"], mixed["la"]]
    # Due on 1 December UTC: among them three tasks due on the 2nd east of UTC.
    assert ids(listed(http, user, "dueAfter=2026-12-01&dueBefore=2026-12-02")) == [
        mixed["kolkata"], mixed["kiritimati"], mixed["tokyo"]]
    assert ids(listed(http, user, "dueAfter=2026-12-01T22:00:00Z&dueBefore=2026-12-02T00:00:00Z")
               ) == [mixed["kiritimati"], mixed["tokyo"]]


def test_changing_the_time_zone_moves_the_task_in_the_views(
    http: Api, user: str, mixed: dict[str, str],
) -> None:
    la = mixed["la"]
    reply = http.request("PATCH", f"/todos/{la}", user=user, json_body={"timeZone": "Asia/Tokyo"})
    assert reply.status == 200, reply.body
    task = reply.json()
    # The same wall-clock time, now in Tokyo: 23:30 on the 1st there is 14:30 UTC.
    assert (task["dueDate"], task["timeZone"], task["dueAt"]) == (
        "2026-12-01T23:30:00", "Asia/Tokyo", "2026-12-01T14:30:00Z")
    assert ids(listed(http, user, "sort=dueDate"))[0] == la
    assert la not in ids(listed(http, user, "dueAfter=2026-12-02&dueBefore=2026-12-03"))
    # Without a zone, a time without offset is UTC again.
    task = http.request("PATCH", f"/todos/{la}", user=user, json_body={"timeZone": None}).json()
    assert (task["timeZone"], task["dueAt"]) == (None, "2026-12-01T23:30:00Z")
    task = http.request("PATCH", f"/todos/{la}", user=user, json_body={"dueDate": None}).json()
    assert (task["dueDate"], task["dueAt"]) == (None, None)
    assert la not in ids(listed(http, user, "sort=dueDate"))


def test_bad_zones_and_rules_are_400_naming_the_field_and_change_nothing(
    http: Api, user: str,
) -> None:
    task = http.create(user, dueDate="2027-01-04T09:00:00", timeZone="Europe/Paris")
    path = f"/todos/{task['taskId']}"
    cases: list[tuple[dict[str, Any], str, str]] = [
        ({"timeZone": "Europe/Pariss"}, "timeZone", "tz database"),
        ({"timeZone": "europe/paris"}, "timeZone", "tz database"),
        ({"timeZone": 1}, "timeZone", "tz database"),
        ({"recurrence": "FREQ=HOURLY"}, "recurrence", "FREQ=HOURLY is not supported"),
        ({"recurrence": "FREQ=DAILY;BYSETPOS=-1"}, "recurrence", "BYSETPOS is not supported"),
        ({"recurrence": "FREQ=DAILY;COUNT=0"}, "recurrence", "COUNT"),
        ({"recurrence": "FREQ=DAILY;INTERVAL=1001"}, "recurrence", "INTERVAL"),
        ({"recurrence": "FREQ=DAILY;UNTIL=20270101"}, "recurrence", "UNTIL is before"),
        ({"recurrence": "FREQ=MONTHLY;BYMONTHDAY=31;BYMONTH=2"}, "recurrence", "never occurs"),
        ({"dueDate": "9999-12-31T23:00:00", "timeZone": "America/Los_Angeles"}, "dueDate",
         "years 1 to 9999"),
    ]
    for body, field, detail in cases:
        for method, target in (("PATCH", path), ("POST", "/todos")):
            sent = body if method == "PATCH" else {"title": "x", "dueDate": "2027-01-04", **body}
            reply = http.request(method, target, user=user, json_body=sent)
            assert reply.status == 400, (body, reply.body)
            errors = reply.json()["errors"]
            assert errors[0]["field"] == field and detail in errors[0]["detail"], (body, errors)
    after = http.request("GET", path, user=user).json()
    assert after == task
    undated = http.create(user, title="undated")
    reply = http.request("PATCH", f"/todos/{undated['taskId']}", user=user,
                         json_body={"recurrence": "FREQ=DAILY"})
    assert reply.status == 400 and reply.json()["errors"][0]["field"] == "recurrence"
    assert "needs a dueDate" in reply.json()["errors"][0]["detail"]
    repeating = http.create(user, dueDate="2027-01-04", recurrence="FREQ=WEEKLY")
    reply = http.request("PATCH", f"/todos/{repeating['taskId']}", user=user,
                         json_body={"dueDate": None})
    assert reply.status == 400 and reply.json()["errors"][0]["field"] == "dueDate"
    removed = http.request("PATCH", f"/todos/{repeating['taskId']}", user=user,
                           json_body={"dueDate": None, "recurrence": None})
    assert removed.status == 200 and removed.json()["recurrence"] is None


def completions(api: Api, user: str, task_id: str) -> list[tuple[str, str, Any]]:
    """Complete the task once by each route: PATCH status, PATCH completed, the seed's PUT.
    Returns (dueDate, status, completedCount) after each."""
    seen = []
    for method, path, body in (
        ("PATCH", f"/todos/{task_id}", {"status": "completed"}),
        ("PATCH", f"/todos/{task_id}", {"completed": True}),
        ("PUT", f"/todos/{task_id}?userId={user}", {"status": "completed"}),
    ):
        reply = api.request(method, path, user=user, json_body=body)
        assert reply.status == 200, reply.body
        task = reply.json()
        seen.append((task["dueDate"], task["status"], task["completedCount"]))
        assert reply.headers["etag"] == f'"{task["version"]}"'
    return seen


def test_completing_a_repeating_task_by_any_route_moves_it_to_its_next_occurrence(
    http: Api, user: str,
) -> None:
    # Due in the future, so that each completion is early: one step each.
    task = http.create(user, title="standup", dueDate="2027-01-08T09:00:00",
                       timeZone="Europe/Paris", recurrence="FREQ=WEEKLY;BYDAY=MO,WE,FR",
                       checklist=[{"title": "notes", "done": True}])
    assert task["dueAt"] == "2027-01-08T08:00:00Z"  # 8 January 2027 is a Friday
    token = http.request("GET", "/todos", user=user).headers["x-sync-token"]
    assert completions(http, user, task["taskId"]) == [
        ("2027-01-11T09:00:00", "pending", 1),
        ("2027-01-13T09:00:00", "pending", 2),
        ("2027-01-15T09:00:00", "pending", 3),
    ]
    after = http.request("GET", f"/todos/{task['taskId']}", user=user).json()
    assert after["completed"] is False and after["completedAt"] is None
    assert after["checklist"] == [{"title": "notes", "done": False}]
    assert after["lastCompletedAt"] == after["updatedAt"] and after["version"] == 4
    assert after["dueAt"] == "2027-01-15T08:00:00Z"
    assert after["recurrence"] == "FREQ=WEEKLY;BYDAY=MO,WE,FR"  # as sent
    # It moved in the views, and delta sync reports it.
    assert ids(listed(http, user, "dueAfter=2027-01-15&dueBefore=2027-01-16")) == [
        task["taskId"]]
    assert ids(listed(http, user, "dueBefore=2027-01-15")) == []
    changed = http.request("GET", f"/todos?since={token}", user=user).json()
    assert [(t["taskId"], t["dueDate"]) for t in changed] == [
        (task["taskId"], "2027-01-15T09:00:00")]


def test_a_series_that_ends_completes_for_good(http: Api, user: str) -> None:
    task = http.create(user, dueDate="2027-02-01", recurrence="FREQ=MONTHLY;COUNT=2")
    first = http.request("PATCH", f"/todos/{task['taskId']}", user=user,
                         json_body={"completed": True}).json()
    assert (first["dueDate"], first["status"]) == ("2027-03-01", "pending")
    last = http.request("PATCH", f"/todos/{task['taskId']}", user=user,
                        json_body={"completed": True}).json()
    assert (last["dueDate"], last["status"], last["completed"]) == ("2027-03-01", "completed",
                                                                     True)
    assert last["completedCount"] == 2 and last["completedAt"] == last["lastCompletedAt"]
    assert ids(listed(http, user, "status=completed")) == [task["taskId"]]


def test_two_clients_completing_one_occurrence_move_it_one_step(http: Api, user: str,
                                                                 local_server: LocalServer) -> None:
    task = http.create(user, dueDate="2027-01-04", recurrence="FREQ=DAILY")
    answers: list[int] = []
    barrier = threading.Barrier(2)

    def client() -> None:
        mine = HttpApi(local_server.url)
        barrier.wait()
        reply = mine.request("PATCH", f"/todos/{task['taskId']}", user=user,
                             json_body={"status": "completed"}, headers={"If-Match": '"1"'})
        answers.append(reply.status)

    threads = [threading.Thread(target=client) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(answers) == [200, 412]
    after = http.request("GET", f"/todos/{task['taskId']}", user=user).json()
    assert (after["dueDate"], after["completedCount"], after["version"]) == ("2027-01-05", 1, 2)


def test_a_rule_added_to_a_dated_task_and_a_due_date_moved_under_a_rule(http: Api,
                                                                        user: str) -> None:
    task = http.create(user, dueDate="2027-01-04T18:00:00", timeZone="America/New_York")
    path = f"/todos/{task['taskId']}"
    reply = http.request("PATCH", path, user=user, json_body={"recurrence": "FREQ=MONTHLY"},
                         headers={"If-Match": '"1"'})
    assert reply.status == 200 and reply.json()["recurrence"] == "FREQ=MONTHLY"
    stale = http.request("PATCH", path, user=user, json_body={"recurrence": "FREQ=DAILY"},
                         headers={"If-Match": '"1"'})
    assert stale.status == 412
    moved = http.request("PATCH", path, user=user, json_body={"dueDate": "2027-01-31T18:00:00"})
    assert moved.json()["dueAt"] == "2027-01-31T23:00:00Z"
    done = http.request("PATCH", path, user=user, json_body={"status": "completed"}).json()
    assert done["dueDate"] == "2027-03-31T18:00:00"  # no 31 February: the next 31st
    assert done["dueAt"] == "2027-03-31T22:00:00Z"  # daylight saving time from 14 March


def test_tasks_stored_before_due_at_keep_working_and_backfill_stores_it(
    gateway: Gateway, user: str, dynamodb_endpoint: str, ddb: Any,
) -> None:
    """Items as an older version wrote them: index keys, but no dueAt, and an all-day date
    indexed as its bare date. The API derives dueAt on read, the views include them at their
    instant, and `todo-api backfill` stores dueAt (rewriting the key) without a sync report.
    (In-process: the items are written to the tests' own engine.)"""
    http = InProcessApi(gateway)
    table = TodoModel.Meta.table_name
    stamp = time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime(time.time() - 600))
    legacy = {"day": (uuid7(), "2026-12-02", "2026-12-02"),
              "moment": (uuid7(), "2026-12-02T10:00:00+01:00", "2026-12-02T09:00:00.000000Z")}
    for task_id, due, key in legacy.values():
        ddb.put_item(TableName=table, Item={
            "userID": {"S": user}, "taskID": {"S": task_id}, "title": {"S": "legacy"},
            "status": {"S": "pending"}, "priority": {"S": "normal"}, "version": {"N": "1"},
            "createdAt": {"S": stamp}, "updatedAt": {"S": stamp}, "dueDate": {"S": due},
            "dueKey": {"S": f"{key}#{task_id}"}, "syncUserID": {"S": user},
            "changeKey": {"S": f"{stamp}#{task_id}"}})
    new = http.create(user, dueDate="2026-12-02T00:00:00Z")["taskId"]
    day, moment = legacy["day"][0], legacy["moment"][0]
    token = http.request("GET", "/todos", user=user).headers["x-sync-token"]

    def check() -> None:
        shown = {t["taskId"]: t["dueAt"] for t in listed(http, user, "sort=dueDate")}
        assert shown == {day: "2026-12-02T00:00:00Z", new: "2026-12-02T00:00:00Z",
                         moment: "2026-12-02T09:00:00Z"}
        assert set(ids(listed(http, user, "dueAfter=2026-12-02&dueBefore=2026-12-03"))) == \
            {day, new, moment}
        assert ids(listed(http, user, "dueBefore=2026-12-02")) == []
        assert ids(listed(http, user, "dueAfter=2026-12-02T00:00:01Z")) == [moment]

    check()
    run = subprocess.run(
        [sys.executable, "-m", "cli.main", "backfill", "--table", table,
         "--dynamodb-endpoint", dynamodb_endpoint],
        capture_output=True, text=True, timeout=120, check=True, cwd=ROOT)
    assert int(run.stdout.split()[1]) >= 2, run.stdout
    for task_id, _, _ in legacy.values():
        item = ddb.get_item(TableName=table, Key={"userID": {"S": user},
                                                   "taskID": {"S": task_id}})["Item"]
        assert item["dueKey"]["S"].startswith("2026-12-02T") and "dueAt" in item
        assert item["version"]["N"] == "1"
    check()
    # Only the task just created (a token stands for a minute before it was issued).
    assert ids(http.request("GET", f"/todos?since={token}", user=user).json()) == [new]


def test_a_plain_request_imports_neither_zones_nor_rules() -> None:
    """Cold start: the time zone database and dateutil's rrule load only for the requests
    that need them."""
    probe = (
        "import sys\n"
        "from services.domain import fields, tasks\n"
        "from services.handlers import create_todo, get_todos, update_todo\n"
        "fields.parse_new_task({'title': 't', 'dueDate': '2026-12-01T09:00:00Z'})\n"
        "fields.parse_changes({'status': 'completed'})\n"
        "print(sorted(m for m in ('zoneinfo', 'tzdata', 'dateutil.rrule') if m in sys.modules))\n"
        "fields.parse_new_task({'title': 't', 'timeZone': 'Europe/Paris',\n"
        "                       'recurrence': 'FREQ=DAILY'})\n"
        "print(sorted(m for m in ('zoneinfo', 'tzdata', 'dateutil.rrule') if m in sys.modules))\n"
    )
    run = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                         check=True, cwd=ROOT)
    assert run.stdout.splitlines() == ["[]", "['tzdata', 'zoneinfo']"]


def test_delta_sync_token_kept_across_a_completion(http: Api, user: str) -> None:
    """A completion is a change like any other: reported once, from a token before it."""
    task = http.create(user, dueDate="2027-06-01", recurrence="FREQ=YEARLY")
    old = cursor.sync_token(user, int(time.time() * 1000) - 1000)
    http.request("PATCH", f"/todos/{task['taskId']}", user=user,
                 json_body={"status": "completed"})
    changed = http.request("GET", f"/todos?since={old}", user=user).json()
    assert [(t["dueDate"], t["completedCount"]) for t in changed] == [("2028-06-01", 1)]


def test_a_rule_sent_with_its_due_date_and_a_completion_at_once(http: Api, user: str) -> None:
    """The whole schedule in one write that also completes: planned, then (the task is not
    as first assumed: it has a status) planned again from the task, and moved one step."""
    task = http.create(user, title="undated", checklist=[{"title": "a", "done": True}])
    reply = http.request("PATCH", f"/todos/{task['taskId']}", user=user, json_body={
        "dueDate": "2027-01-04", "timeZone": "Asia/Tokyo", "recurrence": "FREQ=DAILY",
        "completed": True})
    assert reply.status == 200, reply.body
    moved = reply.json()
    assert (moved["dueDate"], moved["dueAt"], moved["status"], moved["completedCount"]) == (
        "2027-01-05", "2027-01-04T15:00:00Z", "pending", 1)
    assert moved["checklist"] == [{"title": "a", "done": False}] and moved["version"] == 2
