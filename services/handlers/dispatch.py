"""dispatchEvents: the events dispatcher's entry point (not behind API Gateway). Lambda
invokes it with a batch of the table's stream records, a batch of the delivery queue's
messages, or a reminder's payload from EventBridge Scheduler; services/events/ does the work.
The local server invokes this same handler with the same shapes (emulator/events.py)."""

import os
import time
from typing import Any

from services.edge import metrics
from services.edge.logs import logger
from services.events import aws
from services.events.dispatcher import Dispatcher
from services.events.settings import from_environment

_dispatcher: Dispatcher | None = None
_cold = True


def configure(dispatcher: Dispatcher | None) -> None:
    """Use this dispatcher (the local server's, with its stand-ins) instead of AWS's."""
    global _dispatcher
    _dispatcher = dispatcher


def _from_environment(context: Any) -> Dispatcher:
    queue = aws.SqsQueue(aws.client("sqs"), os.environ["DELIVERY_QUEUE_URL"],
                         os.environ["DEAD_LETTER_QUEUE_URL"])
    schedules = aws.EventBridgeSchedules(
        aws.client("scheduler"), os.environ["SCHEDULE_GROUP"],
        # Schedules call back the function itself, as it was invoked (its own ARN).
        aws.function_arn(getattr(context, "invoked_function_arn", None)),
        os.environ["SCHEDULER_ROLE_ARN"])
    return Dispatcher(queue, schedules, from_environment())


def _failures(ids: list[str]) -> dict[str, Any]:
    """Lambda's partial batch response: the items to hand over again."""
    return {"batchItemFailures": [{"itemIdentifier": item} for item in ids]}


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    global _dispatcher, _cold
    cold, _cold = _cold, False
    if _dispatcher is None:
        _dispatcher = _from_environment(context)
    started = time.perf_counter()
    metrics.start()
    records = event.get("Records") or []
    source = records[0].get("eventSource") if records else None
    if source == "aws:dynamodb":
        kind, result = "stream", _failures(_dispatcher.on_stream(records))
    elif source == "aws:sqs":
        kind, result = "deliveries", _failures(_dispatcher.on_messages(records))
    elif "reminder" in event:
        kind, result = "reminder", {}
        _dispatcher.on_reminder(event["reminder"])
    else:
        raise ValueError("not a stream batch, a queue batch or a reminder")
    latency_ms = round((time.perf_counter() - started) * 1000, 2)
    failed = len(result.get("batchItemFailures", []))
    logger.info("dispatch", extra={"kind": kind, "records": len(records), "failed": failed,
                                   "latencyMs": latency_ms, "coldStart": cold})
    metrics.emit(f"dispatch-{kind}", 500 if failed else 200, latency_ms, cold)
    return result
