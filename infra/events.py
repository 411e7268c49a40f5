"""Events (services/events/): the dispatcher function, from the same image as the API and not
behind API Gateway, fed by the table's stream and by its delivery queue; the queue and its
dead-letter queue (encrypted); the schedule group that holds reminders, and the role
EventBridge Scheduler uses to invoke the dispatcher (and nothing else)."""

import json
from typing import Any

import pulumi
import pulumi_aws as aws

from infra.function import ApiFunction
from infra.permissions import dispatcher_statements
from infra.settings import Settings
from services.edge.routes import EVENT_FUNCTIONS

DISPATCHER = "dispatchEvents"
# A batch of 10 deliveries runs in parallel, each up to 10 s; reminders and stream batches
# take far less. SQS wants its visibility timeout at 6x the function's.
DISPATCHER_TIMEOUT = 60
VISIBILITY_TIMEOUT = 6 * DISPATCHER_TIMEOUT
# A message the dispatcher fails on (not a failed delivery: those are requeued) is tried this
# many times before SQS moves it to the dead-letter queue.
MAX_RECEIVES = 5
DEAD_LETTER_RETENTION = 14 * 24 * 3600  # SQS's longest
# The last retry waits 10 h, 32.5 h after the first attempt: a message outlives that.
QUEUE_RETENTION = 4 * 24 * 3600


def _trust(service: str, account: str) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"Service": service},
        # Only on behalf of this account (the confused-deputy guard AWS recommends).
        "Condition": {"StringEquals": {"aws:SourceAccount": account}}}]})


def _statements(table_arn: str, stream_arn: str, queue_arn: str, dead_arn: str,
                group: str, region: str, account: str, scheduler_role: str) -> list[Any]:
    return [
        *dispatcher_statements(table_arn, stream_arn),
        {"Sid": "DeliveryQueue", "Effect": "Allow",
         "Action": ["sqs:DeleteMessage", "sqs:GetQueueAttributes", "sqs:ReceiveMessage",
                    "sqs:SendMessage"],
         "Resource": [queue_arn]},
        {"Sid": "DeadLetters", "Effect": "Allow", "Action": ["sqs:SendMessage"],
         "Resource": [dead_arn]},
        # Schedules are named per reminder, so the narrowest grant is this group's schedules.
        {"Sid": "Reminders", "Effect": "Allow",
         "Action": ["scheduler:CreateSchedule", "scheduler:DeleteSchedule",
                    "scheduler:UpdateSchedule"],
         "Resource": [f"arn:aws:scheduler:{region}:{account}:schedule/{group}/*"]},
        {"Sid": "PassSchedulerRole", "Effect": "Allow", "Action": ["iam:PassRole"],
         "Resource": [scheduler_role],
         "Condition": {"StringEquals": {"iam:PassedToService": "scheduler.amazonaws.com"}}},
    ]


class Events(pulumi.ComponentResource):
    def __init__(self, name: str, *, settings: Settings, image_uri: pulumi.Input[str],
                 table: aws.dynamodb.Table, api_url: pulumi.Input[str],
                 cors_origins: pulumi.Input[list[str]],
                 opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("todo-api:index:Events", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        account = aws.get_caller_identity_output().account_id
        region = aws.get_region_output().region
        self.dead_letters = aws.sqs.Queue(
            f"{name}-dead-letters", name=f"{settings.prefix}-deliveries-dead",
            message_retention_seconds=DEAD_LETTER_RETENTION, sqs_managed_sse_enabled=True,
            opts=child)
        self.queue = aws.sqs.Queue(
            f"{name}-deliveries", name=f"{settings.prefix}-deliveries",
            visibility_timeout_seconds=VISIBILITY_TIMEOUT,
            message_retention_seconds=QUEUE_RETENTION, sqs_managed_sse_enabled=True,
            redrive_policy=self.dead_letters.arn.apply(lambda arn: json.dumps(
                {"deadLetterTargetArn": arn, "maxReceiveCount": MAX_RECEIVES})),
            opts=child)
        self.group = aws.scheduler.ScheduleGroup(
            f"{name}-reminders", name=f"{settings.prefix}-reminders", opts=child)
        self.scheduler_role = aws.iam.Role(
            f"{name}-scheduler", assume_role_policy=account.apply(
                lambda a: _trust("scheduler.amazonaws.com", a)), opts=child)
        statements = pulumi.Output.all(
            table.arn, table.stream_arn, self.queue.arn, self.dead_letters.arn,
            self.group.name, region, account, self.scheduler_role.arn,
        ).apply(lambda v: _statements(*v))
        self.dispatcher = ApiFunction(
            DISPATCHER, settings=settings, command=EVENT_FUNCTIONS[DISPATCHER],
            image_uri=image_uri, table_name=table.name, table_arn=table.arn, actions=[],
            cors_origins=cors_origins, token_keys=None, statements=statements,
            timeout_seconds=DISPATCHER_TIMEOUT,
            environment={
                "DELIVERY_QUEUE_URL": self.queue.url,
                "DEAD_LETTER_QUEUE_URL": self.dead_letters.url,
                "SCHEDULE_GROUP": self.group.name,
                "SCHEDULER_ROLE_ARN": self.scheduler_role.arn,
                "API_URL": api_url,
            },
            opts=child)
        function = self.dispatcher.function
        # EventBridge Scheduler may invoke the dispatcher, and nothing else.
        aws.iam.RolePolicy(
            f"{name}-scheduler", role=self.scheduler_role.id,
            policy=function.arn.apply(lambda arn: json.dumps({
                "Version": "2012-10-17", "Statement": [{
                    "Sid": "InvokeDispatcher", "Effect": "Allow",
                    "Action": ["lambda:InvokeFunction"], "Resource": [arn]}]})),
            opts=child)
        depends = pulumi.ResourceOptions(parent=self, depends_on=[self.dispatcher.policy])
        self.stream_mapping = aws.lambda_.EventSourceMapping(
            f"{name}-stream", event_source_arn=table.stream_arn, function_name=function.arn,
            starting_position="LATEST", batch_size=100, maximum_batching_window_in_seconds=1,
            # A record it keeps failing on is retried alone, then set aside (its details in
            # the dead-letter queue), so one bad record cannot hold the shard for a day.
            bisect_batch_on_function_error=True, maximum_retry_attempts=10,
            maximum_record_age_in_seconds=6 * 3600,
            function_response_types=["ReportBatchItemFailures"],
            destination_config={"on_failure": {"destination_arn": self.dead_letters.arn}},
            opts=depends)
        self.queue_mapping = aws.lambda_.EventSourceMapping(
            f"{name}-deliveries", event_source_arn=self.queue.arn, function_name=function.arn,
            batch_size=10, function_response_types=["ReportBatchItemFailures"], opts=depends)
        self.register_outputs({"dispatcher": function.arn, "queue": self.queue.url})
