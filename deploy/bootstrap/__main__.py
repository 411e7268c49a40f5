"""The one-time bootstrap program: GitHub's OIDC provider in this AWS account and, for each
stack (GitHub environment) of one repository, a deploy role trusted by that environment only,
the permissions boundary of the roles that stack creates, and the KMS key of its Pulumi
secrets; one read-only preview role for pull requests; the account's API Gateway logging role."""

import json
import sys
from pathlib import Path

import pulumi
import pulumi_aws as aws

# The engine runs this file from deploy/bootstrap/; the documents live beside it.
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from deploy.bootstrap import permissions
from infra.gateway_logging import GatewayLogging

config = pulumi.Config()
repository = config.require("githubRepository")
if repository.count("/") != 1 or "*" in repository or ":" in repository:
    raise ValueError("githubRepository must be OWNER/NAME, without wildcards")
environments: list[str] = config.get_object("environments") or ["dev", "prod"]  # type: ignore[assignment]
previewed = config.get("previewEnvironment") or "dev"
bucket = config.require("stateBucket")
if bucket.startswith(f"{permissions.APP}-"):
    # The deploy roles may create and delete buckets named todo-api-<stack>-...
    raise ValueError(f"stateBucket must not start with {permissions.APP}-")
pin_workflows = config.get_bool("pinWorkflows") or False
if len(set(environments)) != len(environments) or not all(
        e.isascii() and e.isalnum() and e.islower() for e in environments):
    raise ValueError("environments must be distinct lower-case names of letters and digits")
# Not app=todo-api: tag-scoped statements of the deploy roles never match the bootstrap's own.
tags = {"app": "todo-api-bootstrap", "bootstrap": pulumi.get_stack()}

existing = config.get("existingOidcProviderArn")
if existing:
    provider_arn: pulumi.Output[str] = pulumi.Output.from_input(existing)
else:
    provider = aws.iam.OpenIdConnectProvider(
        "github",
        url=f"https://{permissions.GITHUB_OIDC_HOST}",
        client_id_lists=[permissions.AUDIENCE],
        tags=tags,
    )
    provider_arn = provider.arn

account = aws.get_caller_identity_output().account_id
region = aws.get_region_output().region


def role(name: str, subject: permissions.Subject, policy: pulumi.Input[str],
         purpose: str) -> aws.iam.Role:
    created = aws.iam.Role(
        name,
        name=name,
        description=purpose,
        assume_role_policy=provider_arn.apply(
            lambda arn: json.dumps(permissions.trust_policy(arn, subject))),
        max_session_duration=3600,
        tags=tags,
    )
    aws.iam.RolePolicy(name, role=created.id, policy=policy)
    return created


def stack_of(name: str, key_arn: pulumi.Output[str]) -> pulumi.Output[permissions.Stack]:
    return pulumi.Output.all(region, account, key_arn).apply(
        lambda v: permissions.Stack(name=name, region=v[0], account=v[1], bucket=bucket,
                                    key_arn=v[2]))


deploy_roles: dict[str, pulumi.Output[str]] = {}
boundaries: dict[str, pulumi.Output[str]] = {}
stacks: dict[str, pulumi.Output[permissions.Stack]] = {}
for env in environments:
    prefix = f"{permissions.APP}-{env}"
    # The stack's Pulumi secrets (`--secrets-provider awskms://alias/todo-api-<env>-secrets`):
    # only its own deploy role (and, for the previewed stack, the preview role) may use it.
    key = aws.kms.Key(f"{env}-secrets", description=f"Pulumi secrets of the {prefix} stack",
                      enable_key_rotation=True, deletion_window_in_days=30, tags=tags)
    aws.kms.Alias(f"{env}-secrets", name=f"alias/{prefix}-secrets", target_key_id=key.key_id)
    stacks[env] = stack = stack_of(env, key.arn)
    boundary = aws.iam.Policy(
        f"{env}-boundary",
        name=f"{prefix}-boundary",
        description=f"Permissions boundary of the roles the {prefix} stack creates",
        policy=stack.apply(lambda s: json.dumps(permissions.boundary_policy(s))),
        tags=tags,
    )
    boundaries[env] = boundary.arn
    deploy_roles[env] = role(
        f"{prefix}-deploy",
        permissions.deploy_subject(repository, env, pin_workflows=pin_workflows,
                                   any_branch=env == previewed),
        stack.apply(lambda s: json.dumps(permissions.deploy_policy(s))),
        f"pulumi up of the {prefix} stack, from the GitHub environment {env} only",
    ).arn

outputs: dict[str, pulumi.Input[object]] = {
    "oidcProviderArn": provider_arn,
    "deployRoleArns": deploy_roles,
    "permissionsBoundaryArns": boundaries,
    "stateBackends": {e: s.apply(lambda s: s.backend_url) for e, s in stacks.items()},
    "secretsProviders": {e: s.apply(lambda s: s.secrets_provider) for e, s in stacks.items()},
}
if previewed in stacks:  # an account holding only prod (one account per stack) has no preview
    outputs["previewRoleArn"] = role(
        f"{permissions.APP}-preview",
        permissions.preview_subject(repository, pin_workflows=pin_workflows),
        stacks[previewed].apply(lambda s: json.dumps(permissions.preview_policy(s))),
        f"pulumi preview of the {permissions.APP}-{previewed} stack from pull requests, "
        "read-only",
    ).arn

# One per account and region, so no stack's deploy role may change it (each could break the
# other's logging): set manageGatewayLogging false if the account already has one.
if config.get_bool("manageGatewayLogging") is not False:
    GatewayLogging("apigateway-logging", tags=tags)

for name, value in outputs.items():
    pulumi.export(name, value)
