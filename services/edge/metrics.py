"""CloudWatch metrics in Embedded Metric Format: one JSON document per request on stdout,
which CloudWatch Logs turns into metrics. Written by hand: a few lines instead of a library
import in every cold start."""

import json
import os
import sys
import time
from contextvars import ContextVar
from typing import Any

NAMESPACE = os.environ.get("METRICS_NAMESPACE", "TodoApi")
BUSINESS = ("TasksCreated", "TasksCompleted", "TasksDeleted")

_counts: ContextVar[dict[str, float] | None] = ContextVar("business_counts", default=None)
# In Lambda the documents always go out; the local server's readable console leaves them out.
_enabled = True


def enable(on: bool) -> None:
    """Whether emit() writes the documents (`todo-api serve --log-format text` turns it off)."""
    global _enabled
    _enabled = on


def start() -> None:
    """Begin a request's business counts (a context per request: the emulator runs threads)."""
    _counts.set({})


def count(name: str, value: float = 1) -> None:
    counts = _counts.get()
    if counts is not None:
        counts[name] = counts.get(name, 0) + value


def document(operation: str, status: int, latency_ms: float, cold_start: bool) -> dict[str, Any]:
    """The EMF document of one request: its operation's counters, latency and business counts."""
    business = _counts.get() or {}
    values: dict[str, float] = {
        "Requests": 1,
        "ClientErrors": 1 if 400 <= status < 500 else 0,
        "Errors": 1 if status >= 500 else 0,
        "Latency": latency_ms,
        **business,
    }
    if cold_start:
        values["ColdStart"] = 1
    units = {"Latency": "Milliseconds"}
    return {
        "_aws": {
            "Timestamp": int(time.time() * 1000),
            "CloudWatchMetrics": [{
                "Namespace": NAMESPACE,
                "Dimensions": [["Stack", "Operation"], ["Stack"]],
                "Metrics": [{"Name": name, "Unit": units.get(name, "Count")} for name in values],
            }],
        },
        "Stack": os.environ.get("STACK_NAME", "local"),
        "Operation": operation,
        **values,
    }


def emit(operation: str, status: int, latency_ms: float, cold_start: bool) -> None:
    if not _enabled:
        return
    line = json.dumps(document(operation, status, latency_ms, cold_start), separators=(",", ":"))
    sys.stdout.write(line + "\n")
    sys.stdout.flush()
