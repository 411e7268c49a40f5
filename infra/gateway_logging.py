"""API Gateway writes execution and access logs through one role per account and region, set
in the account's API Gateway settings. The bootstrap stack declares it (so no todo-api stack
can change the other's logging); a stack deployed by hand may (todo-api:manageGatewayLogging)."""

import json

import pulumi
import pulumi_aws as aws

POLICY = "arn:aws:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs"


class GatewayLogging(pulumi.ComponentResource):
    def __init__(self, name: str, tags: dict[str, str] | None = None,
                 opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("todo-api:index:GatewayLogging", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        role = aws.iam.Role(
            name,
            assume_role_policy=json.dumps({"Version": "2012-10-17", "Statement": [{
                "Effect": "Allow", "Action": "sts:AssumeRole",
                "Principal": {"Service": "apigateway.amazonaws.com"}}]}),
            managed_policy_arns=[POLICY],
            tags=tags,
            opts=child,
        )
        self.account = aws.apigateway.Account(name, cloudwatch_role_arn=role.arn, opts=child)
        self.register_outputs({})
