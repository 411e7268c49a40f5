"""The dispatcher's outside world, written down for tests and `make bench`: its queue and
schedules recorded, and stream records made as Lambda hands them over."""

import json
from datetime import UTC, datetime
from typing import Any

from models import TodoModel
from services.domain.ids import uuid7


class Recorder:
    """The queue and the schedules, written down."""

    def __init__(self) -> None:
        self.sent: list[tuple[dict[str, Any], float]] = []
        self.dead: list[dict[str, Any]] = []
        self.schedules: dict[str, tuple[datetime, dict[str, Any]]] = {}
        self.calls: list[str] = []

    def send(self, messages: list[dict[str, Any]], delay: float) -> None:
        self.sent += [(json.loads(json.dumps(m)), delay) for m in messages]

    def dead_letter(self, message: dict[str, Any]) -> None:
        self.dead.append(message)

    def put(self, name: str, at: datetime, payload: dict[str, Any], *, existing: bool) -> None:
        self.calls.append(f"{'update' if existing else 'create'} {name[-2:]}")
        self.schedules[name] = (at, payload)

    def delete(self, name: str) -> None:
        self.calls.append(f"delete {name[-2:]}")
        self.schedules.pop(name, None)

    def take(self) -> list[tuple[dict[str, Any], float]]:
        taken, self.sent = self.sent, []
        return taken


def record(name: str, old: TodoModel | None, new: TodoModel | None,
           at: datetime | None = None) -> dict[str, Any]:
    """A stream record in Lambda's format."""
    item = new or old
    assert item is not None
    stream: dict[str, Any] = {
        "Keys": {"userID": {"S": item.user_id}, "taskID": {"S": item.task_id}},
        "ApproximateCreationDateTime": (at or datetime.now(UTC)).timestamp(),
        "SequenceNumber": str(abs(hash(uuid7()))), "StreamViewType": "NEW_AND_OLD_IMAGES",
    }
    if old is not None:
        stream["OldImage"] = old.serialize()
    if new is not None:
        stream["NewImage"] = new.serialize()
    return {"eventID": uuid7(), "eventName": name, "eventSource": "aws:dynamodb",
            "dynamodb": stream}


def task(user: str, task_id: str | None = None, **fields: Any) -> TodoModel:
    values = {"title": "t", "status": "pending", "priority": "normal",
              "created_at": "2026-01-01T00:00:00.000Z", "updated_at": "2026-01-01T00:00:00.000Z",
              "version": 1, **fields}
    return TodoModel(user, task_id or uuid7(), **values)
