"""What `todo-api serve` prints while it serves. `text` (the default) speaks to a person: one
line per request (time, method, path, status, milliseconds) and any warning or error, with its
traceback. `json` prints what a deployed stack sends to CloudWatch: the functions' JSON log
line and EMF metrics document per request, and the emulator's JSON access line. Either way,
libraries say nothing below a warning (botocore's "Found credentials", moto, Hypercorn)."""

import logging
import sys

from services.edge import metrics
from services.edge.logs import JsonFormatter

FORMATS = ("text", "json")
ACCESS_LOGGER = "todo-api.access"  # the emulator's line per request (emulator/server.py)
EVENTS_LOGGER = "todo-api.events"  # the dispatcher's line per delivery attempt


class AccessFormatter(logging.Formatter):
    """`12:03:04 POST /todos 201 7.4 ms` from the emulator's access record."""

    def format(self, record: logging.LogRecord) -> str:
        fields = record.__dict__
        return (f"{self.formatTime(record, '%H:%M:%S')} {fields.get('method', '-')} "
                f"{fields.get('path', '-')} {fields.get('status', '-')} "
                f"{fields.get('latencyMs', 0):.1f} ms")


class DeliveryFormatter(logging.Formatter):
    """`12:03:05 webhook task.created attempt 1: 204` from the dispatcher's delivery record."""

    def format(self, record: logging.LogRecord) -> str:
        fields = record.__dict__
        outcome = fields.get("error") or fields.get("status", "-")
        return (f"{self.formatTime(record, '%H:%M:%S')} webhook {fields.get('type', '-')} "
                f"attempt {fields.get('attempt', '-')}: {outcome}")


def _deliveries(record: logging.LogRecord) -> bool:
    return record.getMessage() == "delivery"


class ProblemFormatter(logging.Formatter):
    """A warning or an error as a person reads it: level, where, what, which request, and the
    traceback when there is one."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s", "%H:%M:%S")

    def formatMessage(self, record: logging.LogRecord) -> str:
        line = super().formatMessage(record)
        request = getattr(record, "apiRequestId", None)
        return f"{line} (request {request})" if request else line


def configure(log_format: str) -> None:
    """Route the server's records to stderr in `log_format`; keep libraries quiet."""
    if log_format not in FORMATS:
        raise ValueError(f"log format {log_format!r}: expected one of {', '.join(FORMATS)}")
    handler = logging.StreamHandler(sys.stderr)
    access = logging.getLogger(ACCESS_LOGGER)
    events = logging.getLogger(EVENTS_LOGGER)
    events.handlers.clear()
    if log_format == "json":
        handler.setFormatter(JsonFormatter())
        access.handlers.clear()
        access.propagate = True
    else:
        # A line per webhook delivery attempt beside the requests (its warnings, such as a
        # delivery given up, go through the handler below like every other).
        attempts = logging.StreamHandler(sys.stderr)
        attempts.setFormatter(DeliveryFormatter())
        attempts.addFilter(_deliveries)
        events.handlers[:] = [attempts]
        # The functions' INFO line per request stays out: the access line says it shorter.
        handler.setFormatter(ProblemFormatter())
        handler.setLevel(logging.WARNING)
        readable = logging.StreamHandler(sys.stderr)
        readable.setFormatter(AccessFormatter())
        access.handlers[:] = [readable]
        access.propagate = False
    # Our loggers ("todo-api…") log at INFO; every other logger only from WARNING up. The
    # embedded engine's HTTP server (werkzeug) sets its own level to INFO: overrule it.
    logging.basicConfig(level=logging.WARNING, handlers=[handler], force=True)
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    metrics.enable(log_format == "json")
