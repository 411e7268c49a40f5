"""The front door: Cognito user pool and client, the REST API built from the gateway document
(services/edge/gateway_document.py: the route table, reduced to what API Gateway imports), its
deployment and a stage named after the stack with access logs, tracing and throttling."""

import hashlib
import json

import pulumi
import pulumi_aws as aws

from infra.settings import MFA_MODES, THREAT_PROTECTION_MODES, Settings
from services.edge.gateway_document import Gateway, gateway_document

ACCESS_LOG_FORMAT = json.dumps({
    "requestId": "$context.requestId",
    "caller": "$context.authorizer.claims.sub",
    "sourceIp": "$context.identity.sourceIp",
    "route": "$context.httpMethod $context.resourcePath",
    "path": "$context.path",
    "status": "$context.status",
    "latencyMs": "$context.responseLatency",
    "integrationLatencyMs": "$context.integrationLatency",
    "responseLength": "$context.responseLength",
    "error": "$context.error.message",
    "xrayTraceId": "$context.xrayTraceId",
}, separators=(",", ":"))


class UserPool(pulumi.ComponentResource):
    def __init__(self, name: str, *, settings: Settings,
                 opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("todo-api:index:UserPool", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        self.pool = aws.cognito.UserPool(
            name,
            name=settings.prefix,
            username_attributes=["email"],
            auto_verified_attributes=["email"],
            password_policy={"minimum_length": 12, "require_lowercase": True,
                             "require_numbers": True, "require_symbols": False,
                             "require_uppercase": True},
            deletion_protection="ACTIVE" if settings.deletion_protection else "INACTIVE",
            # Cognito's default lets anyone holding the public client id sign up: only an
            # administrator creates users unless the stack opens sign-up (todo-api:selfSignUp).
            admin_create_user_config={"allow_admin_create_user_only": not settings.self_sign_up},
            mfa_configuration=MFA_MODES[settings.mfa],
            # TOTP (an authenticator app); Cognito wants the block absent when MFA is off.
            software_token_mfa_configuration=(
                {"enabled": True} if settings.mfa != "off" else None),
            # Threat protection is a feature of the Plus plan; left off, the pool keeps AWS's
            # default plan.
            user_pool_tier="PLUS" if settings.threat_protection != "off" else None,
            user_pool_add_ons=(
                {"advanced_security_mode": THREAT_PROTECTION_MODES[settings.threat_protection]}
                if settings.threat_protection != "off" else None),
            opts=child,
        )
        self.client = aws.cognito.UserPoolClient(
            name,
            user_pool_id=self.pool.id,
            generate_secret=False,  # public clients (web, mobile, the CLI) hold no secret
            # SRP proves the password without sending it; USER_PASSWORD_AUTH sends it (to
            # Cognito, over TLS) and is only there where the stack asks for it (dev).
            explicit_auth_flows=[
                *(["ALLOW_USER_PASSWORD_AUTH"] if settings.user_password_auth else []),
                "ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
            prevent_user_existence_errors="ENABLED",
            id_token_validity=60,
            access_token_validity=60,
            token_validity_units={"id_token": "minutes", "access_token": "minutes"},
            opts=child,
        )
        self.register_outputs({"poolId": self.pool.id, "clientId": self.client.id})


class RestApi(pulumi.ComponentResource):
    def __init__(
        self,
        name: str,
        *,
        settings: Settings,
        invoke_arns: dict[str, pulumi.Output[str]],
        user_pool_arn: pulumi.Output[str],
        cors_origins: pulumi.Input[list[str]],
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__("todo-api:index:RestApi", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        names = sorted(invoke_arns)
        self.body = pulumi.Output.all(
            cors_origins, user_pool_arn, *[invoke_arns[n] for n in names]
        ).apply(
            lambda values: json.dumps(gateway_document(Gateway(
                invoke_arns=dict(zip(names, values[2:], strict=True)),
                user_pool_arn=values[1],
                cors_origins=values[0],
            )), sort_keys=True)
        )
        self.api = aws.apigateway.RestApi(
            name,
            name=settings.prefix,
            body=self.body,
            endpoint_configuration={"types": "REGIONAL"},
            put_rest_api_mode="overwrite",
            opts=child,
        )
        # A new deployment whenever the document changes; the stage then moves to it.
        self.deployment = aws.apigateway.Deployment(
            name,
            rest_api=self.api.id,
            triggers={"body": self.body.apply(lambda b: hashlib.sha256(b.encode()).hexdigest())},
            opts=child,
        )
        self.access_logs = aws.cloudwatch.LogGroup(
            f"{name}-access",
            name=f"/aws/apigateway/{settings.prefix}/access",
            retention_in_days=settings.log_retention_days,
            opts=child,
        )
        self.stage = aws.apigateway.Stage(
            name,
            rest_api=self.api.id,
            deployment=self.deployment.id,
            stage_name=settings.stack,
            xray_tracing_enabled=True,
            access_log_settings={"destination_arn": self.access_logs.arn,
                                 "format": ACCESS_LOG_FORMAT},
            opts=child,
        )
        self.method_settings = aws.apigateway.MethodSettings(
            name,
            rest_api=self.api.id,
            stage_name=self.stage.stage_name,
            method_path="*/*",
            settings={
                "throttling_rate_limit": settings.throttle_rate_limit,
                "throttling_burst_limit": settings.throttle_burst_limit,
                "metrics_enabled": True,
                "logging_level": "ERROR",
            },
            opts=child,
        )
        self.register_outputs({"url": self.stage.invoke_url})
