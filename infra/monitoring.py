"""Each stack watches itself: an SNS topic for alarms, alarms on the API, the functions, the
table and the webhook deliveries given up, and a dashboard of them all."""

import json
from typing import Any

import pulumi
import pulumi_aws as aws

from infra.settings import Settings
from services.edge.metrics import BUSINESS, NAMESPACE

# The dispatcher's own counts (services/events/dispatcher.py), in the same namespace.
DELIVERY_METRICS = ("EventsQueued", "Deliveries", "DeliveryFailures", "DeliveriesGivenUp",
                    "RemindersFired")

PERIOD = 300
# The table operations the functions call (services/data/store.py), for per-operation metrics.
TABLE_OPERATIONS = ("GetItem", "PutItem", "UpdateItem", "DeleteItem", "Query",
                    "BatchWriteItem", "TransactWriteItems")


class Monitoring(pulumi.ComponentResource):
    def __init__(
        self,
        name: str,
        *,
        settings: Settings,
        api_name: pulumi.Output[str],
        stage_name: pulumi.Output[str],
        functions: dict[str, pulumi.Output[str]],  # logical name -> deployed function name
        table_name: pulumi.Output[str],
        dead_letter_queue: pulumi.Output[str],
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__("todo-api:index:Monitoring", name, None, opts)
        self._child = pulumi.ResourceOptions(parent=self)
        self._prefix = settings.prefix
        self.topic = aws.sns.Topic(f"{name}-alarms", name=f"{settings.prefix}-alarms",
                                   opts=self._child)
        if settings.alarm_email:
            aws.sns.TopicSubscription(f"{name}-email", topic=self.topic.arn, protocol="email",
                                      endpoint=settings.alarm_email, opts=self._child)
        api = {"ApiName": api_name, "Stage": stage_name}
        self._alarm("api-5xx-rate", "AWS/ApiGateway", "5XXError", api, "Average",
                    settings.alarm_5xx_rate, "Share of API requests answered with a 5xx")
        self._alarm("api-p99-latency", "AWS/ApiGateway", "Latency", api, "p99",
                    settings.alarm_p99_latency_ms, "p99 latency of the API (ms)")
        for logical, function_name in functions.items():
            dims = {"FunctionName": function_name}
            self._alarm(f"{logical}-errors", "AWS/Lambda", "Errors", dims, "Sum",
                        settings.alarm_function_errors, f"{logical} errors")
            self._alarm(f"{logical}-throttles", "AWS/Lambda", "Throttles", dims, "Sum",
                        settings.alarm_function_throttles, f"{logical} throttles")
        self._table_alarm("table-throttles", "ThrottledRequests", table_name,
                          settings.alarm_table_throttles)
        self._table_alarm("table-system-errors", "SystemErrors", table_name,
                          settings.alarm_table_system_errors)
        # A webhook delivery given up (or a stream batch set aside) lands here.
        self._alarm("dead-letters", "AWS/SQS", "ApproximateNumberOfMessagesVisible",
                    {"QueueName": dead_letter_queue}, "Maximum", 1,
                    "Webhook deliveries given up (dead-letter queue not empty)")
        self.dashboard = aws.cloudwatch.Dashboard(
            name,
            dashboard_name=settings.prefix,
            dashboard_body=pulumi.Output.all(api_name, stage_name, table_name,
                                             dead_letter_queue, *functions.values()).apply(
                lambda v: json.dumps(dashboard(settings, v[0], v[1], v[2], list(v[4:]),
                                               v[3]))),
            opts=self._child,
        )
        self.register_outputs({"topicArn": self.topic.arn})

    def _alarm(self, suffix: str, namespace: str, metric: str,
               dimensions: dict[str, pulumi.Output[str]], statistic: str, threshold: float,
               description: str) -> None:
        stat: dict[str, Any] = (
            {"extended_statistic": statistic} if statistic.startswith("p")
            else {"statistic": statistic}
        )
        aws.cloudwatch.MetricAlarm(
            suffix,
            name=f"{self._prefix}-{suffix}",
            alarm_description=description,
            namespace=namespace,
            metric_name=metric,
            dimensions=dimensions,
            period=PERIOD,
            evaluation_periods=1,
            threshold=threshold,
            # Counts alarm from the first one; rates and latencies once above the threshold.
            comparison_operator="GreaterThanOrEqualToThreshold"
            if statistic in ("Sum", "Maximum") else "GreaterThanThreshold",
            treat_missing_data="notBreaching",
            alarm_actions=[self.topic.arn],
            ok_actions=[self.topic.arn],
            **stat,
            opts=self._child,
        )

    def _table_alarm(self, suffix: str, metric: str, table_name: pulumi.Output[str],
                     threshold: int) -> None:
        """One alarm over every operation: these metrics only exist per table and operation."""
        queries: list[Any] = [{
            "id": f"m{i}",
            "return_data": False,
            "metric": {"namespace": "AWS/DynamoDB", "metric_name": metric, "period": PERIOD,
                       "stat": "Sum",
                       "dimensions": {"TableName": table_name, "Operation": operation}},
        } for i, operation in enumerate(TABLE_OPERATIONS)]
        queries.append({"id": "total", "expression": "SUM(METRICS())", "label": metric,
                        "return_data": True})
        aws.cloudwatch.MetricAlarm(
            suffix,
            name=f"{self._prefix}-{suffix}",
            alarm_description=f"DynamoDB {metric} on the table, all operations",
            metric_queries=queries,
            evaluation_periods=1,
            threshold=threshold,
            comparison_operator="GreaterThanOrEqualToThreshold",
            treat_missing_data="notBreaching",
            alarm_actions=[self.topic.arn],
            ok_actions=[self.topic.arn],
            opts=self._child,
        )


def dashboard(settings: Settings, api_name: str, stage: str, table: str,
              functions: list[str], dead_letter_queue: str) -> dict[str, Any]:
    region = settings.region

    def widget(title: str, metrics: list[list[Any]], stat: str = "Sum") -> dict[str, Any]:
        return {"type": "metric", "width": 12, "height": 6, "properties": {
            "title": title, "metrics": metrics, "stat": stat, "period": PERIOD,
            "region": region, "view": "timeSeries"}}

    api = ["ApiName", api_name, "Stage", stage]
    widgets = [
        widget("API requests and errors", [["AWS/ApiGateway", "Count", *api],
                                           ["AWS/ApiGateway", "4XXError", *api],
                                           ["AWS/ApiGateway", "5XXError", *api]]),
        widget("API latency p50 / p99 (ms)", [
            ["AWS/ApiGateway", "Latency", *api, {"stat": "p50"}],
            ["AWS/ApiGateway", "Latency", *api, {"stat": "p99"}],
            ["AWS/ApiGateway", "IntegrationLatency", *api, {"stat": "p99"}]], "p99"),
        widget("Function invocations", [["AWS/Lambda", "Invocations", "FunctionName", f]
                                        for f in functions]),
        widget("Function errors and throttles", [
            *[["AWS/Lambda", "Errors", "FunctionName", f] for f in functions],
            *[["AWS/Lambda", "Throttles", "FunctionName", f] for f in functions]]),
        widget("Function duration p99 (ms)", [["AWS/Lambda", "Duration", "FunctionName", f]
                                              for f in functions], "p99"),
        widget("Table capacity", [
            ["AWS/DynamoDB", "ConsumedReadCapacityUnits", "TableName", table],
            ["AWS/DynamoDB", "ConsumedWriteCapacityUnits", "TableName", table]]),
        widget("Table throttles and system errors", [
            *[["AWS/DynamoDB", "ThrottledRequests", "TableName", table, "Operation", op]
              for op in TABLE_OPERATIONS],
            *[["AWS/DynamoDB", "SystemErrors", "TableName", table, "Operation", op]
              for op in TABLE_OPERATIONS]]),
        widget("Tasks", [[NAMESPACE, name, "Stack", settings.stack] for name in BUSINESS]),
        widget("Webhook events and deliveries", [[NAMESPACE, name, "Stack", settings.stack]
                                                 for name in DELIVERY_METRICS]),
        widget("Deliveries given up (dead-letter queue)", [
            ["AWS/SQS", "ApproximateNumberOfMessagesVisible", "QueueName", dead_letter_queue]],
            "Maximum"),
    ]
    return {"widgets": widgets}
