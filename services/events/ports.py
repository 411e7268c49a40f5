"""What the dispatcher needs from AWS besides the table, as two small interfaces: the
delivery queue (SQS, with its dead-letter queue) and the reminder schedules (EventBridge
Scheduler). services/events/aws.py implements them on AWS; the local server has stand-ins
on a clock (emulator/events.py)."""

from datetime import datetime
from typing import Any, Protocol

Message = dict[str, Any]


class Queue(Protocol):
    def send(self, messages: list[Message], delay: float) -> None:
        """Queue messages, each to be handed back to the dispatcher after `delay` seconds
        (at most settings.MAX_QUEUE_DELAY)."""

    def dead_letter(self, message: Message) -> None:
        """Keep a message the dispatcher gave up on."""


class Schedules(Protocol):
    def put(self, name: str, at: datetime, payload: dict[str, Any], *, existing: bool) -> None:
        """Create or move the one-time schedule `name`: at `at` the dispatcher is invoked
        with `payload`, and the schedule is deleted. `existing`: it most likely exists (its
        earlier moment has not come yet), so moving it is tried first."""

    def delete(self, name: str) -> None:
        """Delete the schedule if it exists."""
