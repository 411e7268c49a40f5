"""The dispatcher's queue and schedules on AWS: SQS and EventBridge Scheduler through
botocore (the image keeps their models beside DynamoDB's: image/install_runtime.py)."""

import json
import math
import os
from datetime import datetime, timedelta
from typing import Any

import botocore.session
from botocore.config import Config
from botocore.exceptions import ClientError

from services.events.ports import Message
from services.events.settings import MAX_QUEUE_DELAY

_CONFIG = Config(connect_timeout=2, read_timeout=5, retries={"mode": "standard",
                                                             "max_attempts": 3})
BATCH = 10  # SendMessageBatch's limit


def client(service: str) -> Any:
    region = os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION")
    return botocore.session.get_session().create_client(service, region_name=region,
                                                        config=_CONFIG)


class SqsQueue:
    def __init__(self, sqs: Any, queue_url: str, dead_letter_url: str) -> None:
        self.sqs = sqs
        self.queue_url = queue_url
        self.dead_letter_url = dead_letter_url

    def send(self, messages: list[Message], delay: float) -> None:
        seconds = min(int(MAX_QUEUE_DELAY), max(0, math.ceil(delay)))
        for start in range(0, len(messages), BATCH):
            entries = [{"Id": str(i), "MessageBody": json.dumps(m, separators=(",", ":")),
                        "DelaySeconds": seconds}
                       for i, m in enumerate(messages[start:start + BATCH])]
            answer = self.sqs.send_message_batch(QueueUrl=self.queue_url, Entries=entries)
            if answer.get("Failed"):
                raise RuntimeError(f"SQS refused {len(answer['Failed'])} messages: "
                                   f"{answer['Failed'][0].get('Code')}")

    def dead_letter(self, message: Message) -> None:
        self.sqs.send_message(QueueUrl=self.dead_letter_url,
                              MessageBody=json.dumps(message, separators=(",", ":")))


def at_expression(moment: datetime) -> str:
    """EventBridge Scheduler's one-time expression, in UTC, to the second: rounded up, so a
    reminder never fires before its moment."""
    if moment.microsecond:
        moment = moment.replace(microsecond=0) + timedelta(seconds=1)
    return f"at({moment:%Y-%m-%dT%H:%M:%S})"


class EventBridgeSchedules:
    def __init__(self, scheduler: Any, group: str, target_arn: str, role_arn: str) -> None:
        self.scheduler = scheduler
        self.group = group
        self.target_arn = target_arn
        self.role_arn = role_arn

    def put(self, name: str, at: datetime, payload: dict[str, Any], *, existing: bool) -> None:
        definition = {
            "Name": name,
            "GroupName": self.group,
            "ScheduleExpression": at_expression(at),
            "ScheduleExpressionTimezone": "UTC",
            "FlexibleTimeWindow": {"Mode": "OFF"},
            "ActionAfterCompletion": "DELETE",
            "Target": {
                "Arn": self.target_arn,
                "RoleArn": self.role_arn,
                "Input": json.dumps(payload, separators=(",", ":")),
                # A late reminder is still worth sending within the hour, not after.
                "RetryPolicy": {"MaximumEventAgeInSeconds": 3600, "MaximumRetryAttempts": 10},
            },
        }
        # One call when the guess is right; a wrong guess costs a second.
        first, then, wrong = ((self.scheduler.update_schedule, self.scheduler.create_schedule,
                               "ResourceNotFoundException") if existing else
                              (self.scheduler.create_schedule, self.scheduler.update_schedule,
                               "ConflictException"))
        try:
            first(**definition)
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") != wrong:
                raise
            then(**definition)

    def delete(self, name: str) -> None:
        try:
            self.scheduler.delete_schedule(Name=name, GroupName=self.group)
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") != "ResourceNotFoundException":
                raise


def function_arn(invoked_arn: str | None) -> str:
    """The function's own ARN, without the alias or version it was invoked through."""
    return ":".join((invoked_arn or "").split(":")[:7])
