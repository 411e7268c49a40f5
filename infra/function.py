"""One Lambda function with everything it owns: role, least-privilege policy, log group, and
the permissions that let this API (and only its routes) invoke it."""

import json
from typing import Any

import pulumi
import pulumi_aws as aws

from infra.settings import Settings
from models import TodoModel
from models.table import table_definition
from services.edge.routes import Route

# Named, not `index/*`: the policy pack allows no wildcard in a DynamoDB resource.
INDEX_NAMES = [i["IndexName"] for i in table_definition(TodoModel)["GlobalSecondaryIndexes"]]

LAMBDA_TRUST = json.dumps({
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                   "Principal": {"Service": "lambda.amazonaws.com"}}],
})


def table_arns(table_arn: str) -> list[str]:
    """The table and its indexes (getTodos queries the due-date and change indexes)."""
    return [table_arn, *(f"{table_arn}/index/{name}" for name in INDEX_NAMES)]


def policy_document(table_arn: str, actions: list[str], log_group_arn: str,
                    more: list[dict[str, Any]] | None = None) -> str:
    table = [{"Sid": "Table", "Effect": "Allow", "Action": sorted(actions),
              "Resource": table_arns(table_arn)}] if actions else []
    return json.dumps({
        "Version": "2012-10-17",
        "Statement": [
            *table,
            *(more or []),
            {"Sid": "OwnLogGroup", "Effect": "Allow",
             "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
             "Resource": [f"{log_group_arn}:*"]},
            # X-Ray accepts no narrower resource than "*" for these two actions.
            {"Sid": "Tracing", "Effect": "Allow",
             "Action": ["xray:PutTraceSegments", "xray:PutTelemetryRecords"], "Resource": ["*"]},
        ],
    })


class ApiFunction(pulumi.ComponentResource):
    def __init__(
        self,
        name: str,
        *,
        settings: Settings,
        command: str,
        image_uri: pulumi.Input[str],
        table_name: pulumi.Input[str],
        table_arn: pulumi.Input[str],
        actions: list[str],
        cors_origins: pulumi.Input[list[str]],
        token_keys: pulumi.Input[str] | None,
        statements: pulumi.Input[list[dict[str, Any]]] | None = None,
        environment: dict[str, pulumi.Input[str]] | None = None,
        timeout_seconds: int | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        """`statements`: more of the role's policy beyond `actions` on the table;
        `environment`: more variables; `timeout_seconds`: other than the stack's."""
        super().__init__("todo-api:index:ApiFunction", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        self.function_name = f"{settings.prefix}-{name}"
        self.log_group = aws.cloudwatch.LogGroup(
            name,
            name=f"/aws/lambda/{self.function_name}",
            retention_in_days=settings.log_retention_days,
            opts=child,
        )
        self.role = aws.iam.Role(name, assume_role_policy=LAMBDA_TRUST, opts=child)
        self.policy = aws.iam.RolePolicy(
            name,
            role=self.role.id,
            policy=pulumi.Output.all(table_arn, self.log_group.arn, statements or []).apply(
                lambda values: policy_document(values[0], actions, values[1], values[2])
            ),
            opts=child,
        )
        self.function = aws.lambda_.Function(
            name,
            name=self.function_name,
            package_type="Image",
            image_uri=image_uri,
            image_config={"commands": [command]},
            architectures=["arm64"],
            memory_size=settings.memory_mb,
            timeout=timeout_seconds or settings.timeout_seconds,
            role=self.role.arn,
            environment={"variables": {
                "TABLE_NAME": table_name,
                "CORS_ALLOWED_ORIGINS": pulumi.Output.from_input(cors_origins).apply(",".join),
                "STACK_NAME": settings.stack,  # the EMF metrics' Stack dimension
                # A secret (infra/token_keys.py); only the API's functions seal tokens.
                **({"TOKEN_KEYS": token_keys} if token_keys is not None else {}),
                **(environment or {}),
            }},
            logging_config={
                "log_format": "JSON",
                "log_group": self.log_group.name,
                "application_log_level": "INFO",
                "system_log_level": "WARN",
            },
            tracing_config={"mode": "Active"},
            # The policy must exist before the first invocation can write its logs.
            opts=pulumi.ResourceOptions(parent=self, depends_on=[self.policy, self.log_group]),
        )
        self.register_outputs({"arn": self.function.arn})

    def allow_routes(self, routes: list[Route], execution_arn: pulumi.Input[str]) -> None:
        """One permission per route: API Gateway may invoke this function for its routes only."""
        for route in routes:
            path = "/".join("*" if p.startswith("{") else p for p in route.path.split("/"))
            aws.lambda_.Permission(
                f"{self.function_name}-{route.operation_id}",
                action="lambda:InvokeFunction",
                function=self.function.name,
                principal="apigateway.amazonaws.com",
                source_arn=pulumi.Output.concat(execution_arn, f"/*/{route.method}{path}"),
                opts=pulumi.ResourceOptions(parent=self),
            )
