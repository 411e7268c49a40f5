"""Measures what a serverless API pays for, side by side, and writes docs/PERFORMANCE.md.

Run with `make bench`. Everything talks to a DynamoDB engine over HTTP on 127.0.0.1 (moto's
server, as `make run` uses)."""

import contextlib
import io
import logging
import os
import platform
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / ".bench"
COLD_RUNS = int(os.environ.get("BENCH_COLD_RUNS", "10"))
WARM_ITERATIONS = int(os.environ.get("BENCH_WARM_ITERATIONS", "150"))  # x 5 routes x clients
WARM_CLIENTS = 4
os.environ.update({
    "AWS_ACCESS_KEY_ID": "bench", "AWS_SECRET_ACCESS_KEY": "bench", "AWS_REGION": "us-east-1",
    "AWS_DEFAULT_REGION": "us-east-1", "TABLE_NAME": "bench",
    "TODO_API_HOME": tempfile.mkdtemp(prefix="todo-api-bench-"),
    "TOKEN_KEYS": secrets.token_hex(32),
})

from emulator import dynamodb as engine  # noqa: E402
from emulator.auth import Verifier  # noqa: E402
from emulator.gateway import Gateway  # noqa: E402
from models import ALL_MODELS, TodoModel, configure  # noqa: E402
from models.list import tasks_partition  # noqa: E402
from services.domain import cursor  # noqa: E402
from services.domain.due import derived_at  # noqa: E402
from services.domain.ids import uuid7  # noqa: E402
from services.domain.tasks import change_index_key, due_index_key, now_iso  # noqa: E402
from services.edge.routes import FUNCTIONS  # noqa: E402
from tests import task_root  # noqa: E402
from tests.support import HttpApi, InProcessApi, LocalServer, proxy_event  # noqa: E402


def baseline_root() -> Path:
    """The baseline's task root: boto3 (as the Lambda runtime ships it) and its handler."""
    target = WORK / "baseline"
    shutil.rmtree(target, ignore_errors=True)
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-cache-dir",
                    "--target", str(target), "boto3"], check=True)
    shutil.copy(ROOT / "bench" / "baseline_seed.py", target / "baseline_seed.py")
    return target


def size_mb(path: Path) -> float:
    return task_root.size_bytes(path) / 1024 / 1024


def cold_once(root: Path, command: str, event: dict[str, Any],
              endpoint: str) -> tuple[float, float]:
    """Fresh interpreter (no site-packages, as in the image) to the first response: wall-clock
    ms, and the CPU ms the process used in all (user + system; the machine's other load
    barely moves it, so it is the steadier of the two on a shared machine)."""
    argv, env = task_root.handler_process(root, command, event, endpoint)
    started = time.perf_counter()
    process = subprocess.Popen(argv, cwd=root, env=env, stdout=subprocess.PIPE, text=True)
    assert process.stdout is not None
    for line in process.stdout:
        response = task_root.parse_response(line)
        if response is not None:
            elapsed = (time.perf_counter() - started) * 1000
            assert response["statusCode"] < 300, (command, response["statusCode"])
            process.stdout.read()
            _, _, usage = os.wait4(process.pid, 0)
            process.returncode = 0
            return elapsed, (usage.ru_utime + usage.ru_stime) * 1000
    raise RuntimeError(f"{command} gave no response")


def seed_tasks(user: str, count: int, completed_every: int = 0, due_every: int = 0,
               repeating: bool = False) -> list[str]:
    """Tasks as the API writes them (index keys included), in one batch write; repeating:
    each due daily at 09:00 Paris time from a day in 2027."""
    ids = []
    now = now_iso()
    with TodoModel.batch_write() as batch:
        for i in range(count):
            task_id = uuid7()
            done = bool(completed_every) and i % completed_every == 0
            due = f"2026-{1 + i % 12:02d}-{1 + i % 28:02d}" if due_every and i % due_every == 0 \
                else None
            zone = rule = None
            if repeating:
                due, zone, rule = f"2027-01-{1 + i % 28:02d}T09:00:00", "Europe/Paris", \
                    "FREQ=DAILY"
            batch.save(TodoModel(user, task_id, title=f"task {i}", priority="normal",
                                 status="completed" if done else "pending", created_at=now,
                                 updated_at=now, version=1, due_date=due, time_zone=zone,
                                 recurrence=rule, due_at=derived_at(due, zone),
                                 due_key=due_index_key(due, task_id, zone),
                                 sync_user_id=user, change_key=change_index_key(now, task_id)))
            ids.append(task_id)
    return ids


REPEATING = "updateTodo, completing a repeating task"


def cold_starts(endpoint: str, ours: Path, baseline: Path) -> list[dict[str, Any]]:
    user = "bench-cold"
    ids = iter(seed_tasks(user, COLD_RUNS * 2))
    repeating = iter(seed_tasks(user, COLD_RUNS, repeating=True))
    seed_tasks("bench-cold-list", 5)  # a list's engine time grows with what it returns
    events = {
        "createTodo": lambda: proxy_event("POST", "/todos", "/todos", user="bench-cold-new",
                                          body={"title": "Buy groceries"}),
        "getTodos": lambda: proxy_event("GET", "/todos", "/todos", user="bench-cold-list",
                                        query={"limit": "50"}),
        "updateTodo": lambda: proxy_event("PATCH", "/todos/{taskId}", "/x", user=user,
                                          body={"status": "completed"},
                                          path_params={"taskId": next(ids)}),
        "deleteTodo": lambda: proxy_event("DELETE", "/todos/{taskId}", "/x", user=user,
                                          path_params={"taskId": next(ids)}),
        # Not a function of its own: updateTodo on its costliest path (time zones and
        # dateutil's rrule imported, two UpdateItems).
        REPEATING: lambda: proxy_event("PATCH", "/todos/{taskId}", "/x", user=user,
                                       body={"status": "completed"},
                                       path_params={"taskId": next(repeating)}),
    }
    commands = {**FUNCTIONS, REPEATING: FUNCTIONS["updateTodo"]}
    seed = proxy_event("POST", "/todo", "/todo", user=None,
                       body={"userID": "bench-seed", "title": "Buy groceries",
                             "description": "Milk"})
    runs: dict[str, list[tuple[float, float]]] = {name: [] for name in ["baseline", *commands]}
    for _ in range(COLD_RUNS):  # interleaved, so drift hits all alike
        runs["baseline"].append(cold_once(baseline, "baseline_seed.handler", seed, endpoint))
        for function, command in commands.items():
            runs[function].append(cold_once(ours, command, events[function](), endpoint))
    base = statistics.median(wall for wall, _ in runs["baseline"])
    base_cpu = statistics.median(cpu for _, cpu in runs["baseline"])
    rows = []
    for name, values in runs.items():
        walls, cpus = [wall for wall, _ in values], [cpu for _, cpu in values]
        rows.append({"handler": name, "median": statistics.median(walls), "max": max(walls),
                     "ratio": statistics.median(walls) / base, "cpu": statistics.median(cpus),
                     "cpu_ratio": statistics.median(cpus) / base_cpu})
    return rows


def request_counts(api: InProcessApi, counter: engine.RequestCounter) -> list[tuple[str, str]]:
    user = "bench-counts"

    def measure(call: Any) -> str:
        counter.reset()
        call()
        return ", ".join(f"{n} {op}" for op, n in sorted(counter.requests.items()))

    def clear_completed() -> None:
        for _ in range(20):
            api.create(user, status="completed")
        counter.reset()  # only the clear counts
        api.request("DELETE", "/todos?status=completed", user=user)

    task: dict[str, Any] = {}
    rows = [("create", measure(lambda: task.update(api.create(user))))]
    path = f"/todos/{task['taskId']}"
    repeating = "/todos/" + api.create(user, dueDate="2027-01-04T09:00:00",
                                       timeZone="Europe/Paris", recurrence="FREQ=DAILY")["taskId"]
    path2 = "/todos/" + api.create(user, dueDate="2027-01-04")["taskId"]
    rows += [
        ("get one", measure(lambda: api.request("GET", path, user=user))),
        ("update (PATCH)", measure(lambda: api.request("PATCH", path, user=user,
                                                       json_body={"title": "x"}))),
        ("conditional failure (stale If-Match)", measure(lambda: api.request(
            "PATCH", path, user=user, json_body={"title": "y"}, headers={"If-Match": '"1"'}))),
        ("delete one", measure(lambda: api.request("DELETE", path, user=user))),
        ("complete a repeating task (its first write assumes it does not repeat)",
         measure(lambda: api.request("PATCH", repeating, user=user,
                                     json_body={"status": "completed"}))),
        ("change only the timeZone of a task with a dueDate", measure(lambda: api.request(
            "PATCH", repeating, user=user, json_body={"timeZone": "America/New_York"}))),
        ("set only the recurrence (checked against the stored dueDate)", measure(
            lambda: api.request("PATCH", path2, user=user,
                                json_body={"recurrence": "FREQ=WEEKLY"}))),
        ("set dueDate, timeZone and recurrence together", measure(lambda: api.request(
            "PATCH", path2, user=user, json_body={
                "dueDate": "2027-01-04T09:00:00", "timeZone": "Asia/Tokyo",
                "recurrence": "FREQ=DAILY"}))),
        ("list one page", measure(lambda: api.request("GET", "/todos?limit=50", user=user))),
        ("due-date view, one page", measure(lambda: api.request(
            "GET", "/todos?sort=dueDate&dueAfter=2026-01-01&limit=50", user=user))),
        ("delta sync, one page", measure(lambda: api.request(
            "GET", f"/todos?since={sync_token(user)}&limit=50", user=user))),
        ("clear of 20 completed (one bounded batch)", measure(clear_completed)),
        ("idempotent create", measure(lambda: api.request(
            "POST", "/todos", user=user, json_body={"title": "k"},
            headers={"Idempotency-Key": "bench"}))),
        ("idempotent retry", measure(lambda: api.request(
            "POST", "/todos", user=user, json_body={"title": "k"},
            headers={"Idempotency-Key": "bench"}))),
    ]
    return rows


def event_costs(api: InProcessApi, counter: engine.RequestCounter,
                endpoint: str) -> list[tuple[str, str, str, int, str]]:
    """Per route that writes: the API's DynamoDB requests, then what the dispatcher does with
    the stream records it left (its DynamoDB requests, deliveries queued, schedule calls),
    for a user with one webhook subscribed to every task event."""
    from emulator.streams import StreamFollower
    from services.events.dispatcher import Dispatcher
    from services.events.settings import Settings
    from tests.event_ports import Recorder

    user = "bench-events"
    seen: list[dict[str, Any]] = []
    lock = threading.Lock()

    def collect(records: list[dict[str, Any]]) -> list[str]:
        with lock:
            seen.extend(r for r in records if r["dynamodb"]["Keys"]["userID"]["S"] == user)
        return []

    follower = StreamFollower(endpoint, "us-east-1", "bench", collect, poll_seconds=0.02)
    follower.start()
    ports = Recorder()
    dispatcher = Dispatcher(ports, ports, Settings())
    hooks = {"url": "https://93.184.215.14/hook", "events": ["task.created", "task.updated",
                                                             "task.completed", "task.deleted"]}
    api.request("POST", "/webhooks", user=user, json_body=hooks)
    soon = datetime.now(UTC) + timedelta(days=1)

    def counted() -> str:
        return ", ".join(f"{n} {op}" for op, n in sorted(counter.requests.items())) or "none"

    def settle() -> None:
        """Until the stream is quiet: records of earlier writes are not this route's."""
        while True:
            with lock:
                before = len(seen)
            time.sleep(0.3)
            with lock:
                if len(seen) == before:
                    seen.clear()
                    return

    def measure(route: str, call: Any, changes: int) -> tuple[str, str, str, int, str]:
        settle()
        counter.reset()
        call()
        api_requests = counted()
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            with lock:
                if len(seen) >= changes:
                    break
            time.sleep(0.02)
        with lock:
            records = list(seen)
        ports.calls.clear()
        counter.reset()
        dispatcher.on_stream(records)
        calls = {name: sum(1 for c in ports.calls if c.startswith(name.lower()))
                 for name in ("Create", "Update", "Delete")}
        schedules = ", ".join(f"{n} {name}Schedule" for name, n in calls.items() if n) or "none"
        return route, api_requests, counted(), len(ports.take()), schedules

    due = soon.isoformat(timespec="seconds")
    reminded = {"dueDate": due, "reminders": [{"before": "PT15M"}]}
    made: dict[str, Any] = {}
    rows = [measure("create, one reminder", lambda: made.update(
        api.create(user, **reminded)), 1)]
    path = f"/todos/{made['taskId']}"
    rows += [
        measure("create, no reminder", lambda: api.create(user), 1),
        measure("PATCH the title (reminder unchanged)", lambda: api.request(
            "PATCH", path, user=user, json_body={"title": "renamed"}), 1),
        measure("PATCH the due date (reminder moves)", lambda: api.request(
            "PATCH", path, user=user,
            json_body={"dueDate": (soon + timedelta(hours=1)).isoformat(timespec="seconds")}),
            1),
        measure("PUT completed (reminder cancelled)", lambda: api.request(
            "PUT", path, user=user, json_body={"completed": True}), 1),
        measure("DELETE one (completed: nothing to cancel)", lambda: api.request(
            "DELETE", path, user=user), 1),
    ]
    for _ in range(3):
        api.create(user, status="completed")
    rows.append(measure("clear 3 completed tasks", lambda: api.request(
        "DELETE", "/todos?status=completed", user=user), 3))
    follower.stop()
    return rows


def sync_token(user: str) -> str:
    """A sync token from a minute ago: everything seeded since is a change to report."""
    return cursor.sync_token(user, int(time.time() * 1000) - 60_000)


def items_read(api: InProcessApi, counter: engine.RequestCounter) -> list[tuple[str, int, int]]:
    rows = []
    for count in (100, 10_000):
        user = f"bench-items-{count}"
        seed_tasks(user, count, completed_every=4, due_every=2)
        queries = ("limit=50", "limit=50&status=completed", "limit=50&sort=dueDate",
                   "limit=50&dueAfter=2026-07-01&dueBefore=2026-08-01",
                   f"limit=50&since={sync_token(user)}")
        for query in queries:
            counter.reset()
            reply = api.request("GET", f"/todos?{query}", user=user)
            label = query.split("&since=")[0] + ("&since=(1 min ago)" if "since" in query else "")
            rows.append((f"{count} tasks, {label}", counter.items_read, len(reply.json())))
    return rows


def _shared_list(api: InProcessApi, owner: str, members: int) -> str:
    """A list with `members` members (the owner included), made through the API."""
    list_id: str = api.request("POST", "/lists", user=owner, json_body={"name": "bench"}
                               ).json()["listId"]
    token = api.request("POST", f"/lists/{list_id}/invitations", user=owner,
                        json_body={"role": "editor", "maxUses": 50}).json()["token"]
    for i in range(members - 1):
        joined = api.request("POST", "/invitations/accept", user=f"{owner}-m{i}",
                             json_body={"token": token})
        assert joined.status == 200, joined.body
    return list_id


def list_request_counts(api: InProcessApi,
                        counter: engine.RequestCounter) -> list[tuple[str, str]]:
    """DynamoDB requests per route of lists (docs/LISTS.md): the default list through
    /lists/default, another list (the access check and the operation), moves, sharing."""
    owner = "bench-lists"

    def measure(call: Any) -> str:
        counter.reset()
        reply = call()
        assert reply.status < 300, reply.body
        return ", ".join(f"{n} {op}" for op, n in sorted(counter.requests.items()))

    def on(method: str, path: str, body: Any = None, user: str = owner) -> Any:
        return lambda: api.request(method, path, user=user, json_body=body)

    made: dict[str, Any] = {}

    def create_list() -> Any:
        reply = api.request("POST", "/lists", user=owner, json_body={"name": "counted"})
        made.update(reply.json())
        return reply

    rows = [("create a list", measure(create_list))]
    base = f"/lists/{made['listId']}"
    task = api.request("POST", f"{base}/todos", user=owner, json_body={"title": "t"}).json()
    one = f"{base}/todos/{task['taskId']}"
    mine = api.create(owner, title="mine")
    other = api.request("POST", "/lists", user=owner, json_body={"name": "other"}).json()[
        "listId"]
    invited: dict[str, Any] = {}

    def invite() -> Any:
        reply = api.request("POST", f"{base}/invitations", user=owner,
                            json_body={"role": "viewer"})
        invited.update(reply.json())
        return reply

    rows += [
        ("default list through /lists/default/todos, one page",
         measure(on("GET", "/lists/default/todos?limit=50"))),
        ("list the caller's lists (GET /lists)", measure(on("GET", "/lists"))),
        ("another list: create a task", measure(on("POST", f"{base}/todos", {"title": "u"}))),
        ("another list: get one", measure(on("GET", one))),
        ("another list: update (PATCH)", measure(on("PATCH", one, {"title": "v"}))),
        ("another list: one page", measure(on("GET", f"{base}/todos?limit=50"))),
        ("another list: due-date view, one page",
         measure(on("GET", f"{base}/todos?sort=dueDate&limit=50"))),
        ("another list: delta sync, one page",
         measure(on("GET", f"{base}/todos?since={sync_token(tasks_partition(made['listId']))}"
                             "&limit=50"))),
        ("move: default list to another", measure(on("PATCH", f"/todos/{mine['taskId']}",
                                                     {"listId": made["listId"]}))),
        ("move: one list to another", measure(on("PATCH", f"{base}/todos/{mine['taskId']}",
                                                 {"listId": other}))),
        ("move: another list to the default list",
         measure(on("PATCH", f"/lists/{other}/todos/{mine['taskId']}", {"listId": "default"}))),
        ("another list: delete one", measure(on("DELETE", one))),
        ("create an invitation", measure(invite)),
        ("accept an invitation", measure(on("POST", "/invitations/accept",
                                            {"token": invited.get("token")}, "bench-guest"))),
        ("change a member's role", measure(on("PATCH", f"{base}/members/bench-guest",
                                              {"role": "editor"}))),
        ("remove a member", measure(on("DELETE", f"{base}/members/bench-guest"))),
        ("delete a list (every member's side, one transaction)",
         measure(on("DELETE", base))),
    ]
    return rows


def list_items_read(api: InProcessApi,
                    counter: engine.RequestCounter) -> list[tuple[str, int, int]]:
    """Items read by a member's first page of a shared list of 50 members (the access check's
    record included), at 100 and 10,000 tasks."""
    rows = []
    for count in (100, 10_000):
        owner = f"bench-shared-{count}"
        list_id = _shared_list(api, owner, members=50)
        partition = tasks_partition(list_id)
        seed_tasks(partition, count, completed_every=4, due_every=2)
        for query in ("limit=50", "limit=50&status=completed", "limit=50&sort=dueDate",
                      f"limit=50&since={sync_token(partition)}"):
            counter.reset()
            reply = api.request("GET", f"/lists/{list_id}/todos?{query}", user=f"{owner}-m7")
            label = query.split("&since=")[0] + ("&since=(1 min ago)" if "since" in query else "")
            rows.append((f"{count} tasks, 50 members, {label}", counter.items_read,
                         len(reply.json())))
    return rows


def warm_latency() -> tuple[list[tuple[str, float, float, int]], float, int]:
    server = LocalServer().wait_ready()
    latencies: dict[str, list[float]] = {}
    lock = threading.Lock()

    def client(index: int) -> None:
        api = HttpApi(server.url)
        user = f"bench-warm-{index}"

        def timed(route: str, *args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            reply = api.request(*args, user=user, **kwargs)
            elapsed = (time.perf_counter() - started) * 1000
            assert reply.status < 300, (route, reply.status)
            with lock:
                latencies.setdefault(route, []).append(elapsed)
            return reply

        for _ in range(WARM_ITERATIONS):
            task = timed("POST /todos", "POST", "/todos", json_body={"title": "t"}).json()
            path = f"/todos/{task['taskId']}"
            timed("GET /todos/{taskId}", "GET", path)
            timed("GET /todos?limit=50", "GET", "/todos?limit=50")
            timed("PATCH /todos/{taskId}", "PATCH", path, json_body={"status": "completed"})
            timed("DELETE /todos/{taskId}", "DELETE", path)

    try:
        threads = [threading.Thread(target=client, args=(i,)) for i in range(WARM_CLIENTS)]
        started = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.perf_counter() - started
    finally:
        server.stop()
    total = sum(len(v) for v in latencies.values())
    rows = [(route, statistics.median(v), statistics.quantiles(v, n=100)[98], len(v))
            for route, v in latencies.items()]
    return rows, total / elapsed, total


def machine() -> str:
    cpu = next((line.split(":", 1)[1].strip() for line in
                Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor() or "unknown")
    return (f"{platform.system()} {platform.machine()}, {os.cpu_count()} cores ({cpu}), "
            f"Python {platform.python_version()}")


def main() -> int:
    started = time.perf_counter()
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # the engine's request lines
    WORK.mkdir(exist_ok=True)
    ddb = engine.EmbeddedDynamoDB()
    endpoint = ddb.start()
    os.environ["AWS_ENDPOINT_URL_DYNAMODB"] = endpoint
    configure(ALL_MODELS, endpoint=endpoint, table_name="bench")
    engine.ensure_table(engine.client(endpoint, "us-east-1"), "bench")
    print("building the image layer and the baseline's...", flush=True)
    shutil.rmtree(WORK / "layer", ignore_errors=True)
    ours = task_root.build(WORK / "layer")
    baseline = baseline_root()
    code_mb = size_mb(ours / "models") + size_mb(ours / "services")
    print(f"cold starts ({COLD_RUNS} runs each)...", flush=True)
    cold = cold_starts(endpoint, ours, baseline)
    api = InProcessApi(Gateway(Verifier()))
    counter = engine.RequestCounter([m._get_connection().connection.client for m in ALL_MODELS])
    print("items read per page at 100 and 10,000 tasks...", flush=True)
    with contextlib.redirect_stdout(io.StringIO()):  # the handlers' EMF lines
        counts = request_counts(api, counter) + list_request_counts(api, counter)
        items = items_read(api, counter)
        events = event_costs(api, counter, endpoint)
        shared_items = list_items_read(api, counter)
    print(f"warm latency ({WARM_CLIENTS} clients)...", flush=True)
    warm, rps, total = warm_latency()
    ddb.stop()

    lines = [
        "# Performance",
        "",
        f"Measured {datetime.now(UTC).strftime('%Y-%m-%d %H:%M UTC')} on {machine()}, "
        f"with `make bench` ({time.perf_counter() - started:.0f} s). DynamoDB is moto's "
        "server on 127.0.0.1, over HTTP. Numbers from one run; rerun to compare.",
        "",
        f"## Cold start: fresh Python process to first response (ms, {COLD_RUNS} runs)",
        "",
        "Each run is `python -S` (no site-packages, as in the image) with only the image's "
        "layer on the path. The baseline is the seed's createTodo written the usual way "
        "(`bench/baseline_seed.py`: boto3 resource at import, no validation) on the same "
        "engine, in the same run. The requests: create a task, list a user's 5 tasks, "
        "complete a task (PATCH), delete a task; and updateTodo completing a repeating task "
        "(daily, Europe/Paris: the path that loads the zone database and dateutil's rrule). "
        "Target: ratio ≤ 0.85. CPU is the process's user + system time, which other load on "
        "the machine barely moves.",
        "",
        "| handler | median | max | ratio to baseline | CPU median | CPU ratio |",
        "|---|---:|---:|---:|---:|---:|",
        *[f"| {r['handler']} | {r['median']:.0f} | {r['max']:.0f} | {r['ratio']:.2f} "
          f"| {r['cpu']:.0f} | {r['cpu_ratio']:.2f} |" for r in cold],
        "",
        "## DynamoDB requests per API request (counted from the client's request events)",
        "",
        "| route | requests |",
        "|---|---|",
        *[f"| {route} | {requests} |" for route, requests in counts],
        "",
        "## Events: what each route that writes costs, API and dispatcher",
        "",
        "The API's requests are the same as without events (the write only stores the task). "
        "The dispatcher then reads the change from the table's stream: here for a user with one "
        "webhook subscribed to every task event, and a task with one `before` reminder. Per "
        "queued delivery, each attempt then costs 1 BatchGetItem (the webhook and its secret) "
        "and 1 UpdateItem (its delivery log), and an SQS message (batches of 10 per "
        "SendMessageBatch). Schedule calls are EventBridge Scheduler's.",
        "",
        "| route | API: DynamoDB requests | dispatcher: DynamoDB requests | deliveries queued "
        "| schedule calls |",
        "|---|---|---|---:|---|",
        *[f"| {route} | {api_requests} | {dispatched} | {queued} | {schedules} |"
          for route, api_requests, dispatched, queued, schedules in events],
        "",
        "## Items read for the first page of a list (limit 50): creation order, a status "
        "filter, the due-date view (every 2nd task has a due date) and delta sync",
        "",
        "| user's tasks, query | items read | tasks returned |",
        "|---|---:|---:|",
        *[f"| {label} | {read} | {returned} |" for label, read, returned in items],
        "",
        "## Items read for a member's first page of a shared list (limit 50, 50 members): "
        "the list record (the access check) and one Query of the list's partition",
        "",
        "| list's tasks, members, query | items read | tasks returned |",
        "|---|---:|---:|",
        *[f"| {label} | {read} | {returned} |" for label, read, returned in shared_items],
        "",
        f"## Warm latency through the local server ({WARM_CLIENTS} concurrent clients, "
        f"{total} requests)",
        "",
        "| route | p50 ms | p99 ms | requests |",
        "|---|---:|---:|---:|",
        *[f"| {route} | {p50:.1f} | {p99:.1f} | {n} |" for route, p50, p99, n in warm],
        "",
        f"Throughput: {rps:.0f} requests/s (emulator, handlers and engine share this machine).",
        "",
        "## Image size on top of the base image",
        "",
        f"Runtime dependencies plus our code: {size_mb(ours):.1f} MB "
        f"(our code {code_mb:.2f} MB). Target: ≤ 20 MB.",
        "",
    ]
    report = "\n".join(lines)
    (ROOT / "docs").mkdir(exist_ok=True)
    (ROOT / "docs" / "PERFORMANCE.md").write_text(report)
    print(report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
