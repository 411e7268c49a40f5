"""The dispatcher's queue and schedules as they call AWS (services/events/aws.py), against
moto's SQS and EventBridge Scheduler: what a message and a one-time schedule look like."""

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import boto3
import pytest

from services.events.aws import EventBridgeSchedules, SqsQueue, at_expression, function_arn

pytestmark = pytest.mark.moto(reason="moto's SQS and EventBridge Scheduler stand in for AWS")


def _client(service: str, endpoint: str) -> Any:
    return boto3.client(service, endpoint_url=endpoint, region_name="us-east-1")


@pytest.fixture
def sqs(moto_endpoint: str) -> Any:
    return _client("sqs", moto_endpoint)


@pytest.fixture
def queues(sqs: Any) -> Iterator[tuple[str, str]]:
    queue = sqs.create_queue(QueueName="deliveries")["QueueUrl"]
    dead = sqs.create_queue(QueueName="deliveries-dlq")["QueueUrl"]
    yield queue, dead
    sqs.delete_queue(QueueUrl=queue)
    sqs.delete_queue(QueueUrl=dead)


def test_messages_are_sent_in_batches_with_their_delay(sqs: Any,
                                                       queues: tuple[str, str]) -> None:
    queue_url, dead_url = queues
    queue = SqsQueue(sqs, queue_url, dead_url)
    messages = [{"eventId": str(i), "attempt": 1} for i in range(12)]
    queue.send(messages, 0)
    queue.send([{"eventId": "later"}], 4000.5)  # longer than SQS allows: 900 s
    received: list[dict[str, Any]] = []
    for _ in range(5):
        answer = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10)
        received += [json.loads(m["Body"]) for m in answer.get("Messages", [])]
    assert sorted(m["eventId"] for m in received) == sorted(str(i) for i in range(12))
    attributes = sqs.get_queue_attributes(QueueUrl=queue_url,
                                          AttributeNames=["ApproximateNumberOfMessagesDelayed"])
    assert attributes["Attributes"]["ApproximateNumberOfMessagesDelayed"] == "1"
    queue.dead_letter({"eventId": "dead", "lastError": "HTTP 500"})
    [kept] = sqs.receive_message(QueueUrl=dead_url)["Messages"]
    assert json.loads(kept["Body"]) == {"eventId": "dead", "lastError": "HTTP 500"}


def test_a_reminder_is_a_one_time_schedule_deleted_after_it_runs(moto_endpoint: str) -> None:
    scheduler = _client("scheduler", moto_endpoint)
    scheduler.create_schedule_group(Name="reminders")
    target = "arn:aws:lambda:us-east-1:123456789012:function:todo-api-dev-dispatchEvents"
    role = "arn:aws:iam::123456789012:role/scheduler"
    schedules = EventBridgeSchedules(scheduler, "reminders", target, role)
    name = "reminder-" + "a" * 40 + "-0"
    moment = datetime(2030, 1, 2, 3, 4, 5, 250000, tzinfo=UTC)
    schedules.put(name, moment, {"reminder": {"index": 0}}, existing=False)
    made = scheduler.get_schedule(Name=name, GroupName="reminders")
    assert made["ScheduleExpression"] == "at(2030-01-02T03:04:06)"  # rounded up, never early
    assert made["ScheduleExpressionTimezone"] == "UTC"
    assert made["ActionAfterCompletion"] == "DELETE"
    assert made["FlexibleTimeWindow"] == {"Mode": "OFF"}
    assert made["Target"]["Arn"] == target and made["Target"]["RoleArn"] == role
    assert json.loads(made["Target"]["Input"]) == {"reminder": {"index": 0}}
    moved = datetime(2030, 2, 1, tzinfo=UTC)
    schedules.put(name, moved, {"reminder": {"index": 0}}, existing=True)
    assert scheduler.get_schedule(Name=name, GroupName="reminders")[
        "ScheduleExpression"] == "at(2030-02-01T00:00:00)"
    # A wrong guess either way still lands: created when thought to exist, moved when not.
    schedules.put(name, moved, {"reminder": {"index": 0}}, existing=False)
    schedules.delete(name)
    schedules.put(name, moved, {"reminder": {"index": 0}}, existing=True)
    assert scheduler.get_schedule(Name=name, GroupName="reminders")["Name"] == name
    schedules.delete(name)
    schedules.delete(name)  # already gone (or run and deleted): fine
    assert scheduler.list_schedules(GroupName="reminders")["Schedules"] == []


def test_expressions_and_arns() -> None:
    assert at_expression(datetime(2030, 1, 1, tzinfo=UTC)) == "at(2030-01-01T00:00:00)"
    assert function_arn("arn:aws:lambda:eu-west-1:1:function:f:live") == \
        "arn:aws:lambda:eu-west-1:1:function:f"
