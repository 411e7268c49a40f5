"""The events machinery for the local server: the dispatcher's own handler
(services/handlers/dispatch.py), invoked as Lambda would invoke it, with stand-ins for what
it uses on AWS:

- the table's stream -> emulator/streams.py follows it (moto's or DynamoDB Local's Streams
  API) and invokes the handler with each batch of records;
- the SQS delivery queue -> LocalQueue: each message invokes the handler when its delay has
  passed (as an SQS event of one record); a message the handler reports failed comes back
  after VISIBILITY_TIMEOUT; dead letters are kept in memory and logged;
- EventBridge Scheduler -> LocalSchedules: each one-time schedule invokes the handler with
  its payload at its `at()` second, then is deleted; a failed invocation is tried again.

Everything runs on threads of the server's process, beside the API's functions: nothing the
dispatcher does (a receiver that hangs, refuses or answers 500) changes an API answer. The
local target rules (http://127.0.0.1 and http://localhost allowed) are installed here."""

import json
import logging
import time
import uuid
from datetime import datetime
from typing import Any

from emulator.clock import Timers
from emulator.gateway import LambdaContext
from emulator.streams import StreamFollower
from services.domain import targets
from services.events.aws import at_expression
from services.events.dispatcher import Dispatcher
from services.events.ports import Message
from services.events.settings import MAX_QUEUE_DELAY, Settings
from services.handlers import dispatch

log = logging.getLogger("todo-api.events")
FUNCTION = "dispatchEvents"
FUNCTION_ARN = f"arn:aws:lambda:us-east-1:000000000000:function:{FUNCTION}"
VISIBILITY_TIMEOUT = 30.0  # seconds before SQS hands a message that failed over again
SCHEDULE_RETRIES = 3
LOCAL_RULES = targets.TargetRules(local_hosts={"127.0.0.1": "127.0.0.1",
                                               "localhost": "127.0.0.1"})


def invoke(event: dict[str, Any]) -> dict[str, Any]:
    """The dispatcher's handler, called as Lambda calls it."""
    context = LambdaContext(FUNCTION, time.monotonic() + 900, invoked_function_arn=FUNCTION_ARN)
    return dispatch.handler(event, context)


class LocalQueue:
    """SQS's part: delayed messages (at most 15 minutes, as SQS), redelivery of failures,
    and a dead-letter list."""

    def __init__(self, timers: Timers) -> None:
        self._timers = timers
        self.dead_letters: list[Message] = []

    def send(self, messages: list[Message], delay: float) -> None:
        delay = min(max(delay, 0.0), MAX_QUEUE_DELAY)
        for message in messages:
            body = json.dumps(message, separators=(",", ":"))
            self._later(str(uuid.uuid4()), body, delay)

    def _later(self, message_id: str, body: str, delay: float) -> None:
        self._timers.at(message_id, time.time() + delay,
                        lambda: self._deliver(message_id, body))

    def _deliver(self, message_id: str, body: str) -> None:
        record = {"messageId": message_id, "body": body, "eventSource": "aws:sqs",
                  "attributes": {}, "messageAttributes": {}}
        result = invoke({"Records": [record]})
        if result.get("batchItemFailures"):
            self._later(message_id, body, VISIBILITY_TIMEOUT)

    def dead_letter(self, message: Message) -> None:
        self.dead_letters.append(message)
        log.warning("delivery given up: kept in the dead-letter queue", extra={
            "webhookId": message.get("webhookId"), "eventId": message.get("eventId"),
            "lastError": message.get("lastError")})


class LocalSchedules:
    """EventBridge Scheduler's part: one-time schedules by name, fired at their `at()`
    second (rounded up, as the expression says) and deleted after."""

    def __init__(self, timers: Timers) -> None:
        self._timers = timers

    def put(self, name: str, at: datetime, payload: dict[str, Any], *, existing: bool) -> None:
        expression = at_expression(at)  # what AWS would be given, to the second
        when = datetime.fromisoformat(expression[3:-1] + "+00:00").timestamp()
        self._timers.at(name, when, lambda: self._fire(name, payload, 0))

    def delete(self, name: str) -> None:
        self._timers.cancel(name)

    def _fire(self, name: str, payload: dict[str, Any], attempt: int) -> None:
        try:
            invoke(payload)
        except Exception:
            if attempt >= SCHEDULE_RETRIES:
                raise
            self._timers.at(name, time.time() + 1 + attempt,
                            lambda: self._fire(name, payload, attempt + 1))


class LocalEvents:
    def __init__(self, endpoint: str, region: str, table: str, settings: Settings) -> None:
        self.timers = Timers("events")
        self.queue = LocalQueue(self.timers)
        self.schedules = LocalSchedules(self.timers)
        self.dispatcher = Dispatcher(self.queue, self.schedules, settings)
        self.follower = StreamFollower(endpoint, region, table, self._stream)

    @staticmethod
    def _stream(records: list[dict[str, Any]]) -> list[str]:
        result = invoke({"Records": records})
        return [item["itemIdentifier"] for item in result.get("batchItemFailures", [])]

    def start(self) -> None:
        targets.install(LOCAL_RULES)
        dispatch.configure(self.dispatcher)
        self.timers.start()
        self.follower.start()

    def stop(self) -> None:
        self.follower.stop()
        self.timers.stop()
        dispatch.configure(None)
