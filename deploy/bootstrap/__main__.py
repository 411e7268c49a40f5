"""The one-time bootstrap program: GitHub's OIDC provider in this AWS account, a preview role
for pull requests and a deploy role for the dev and prod environments of one repository."""

import json
import sys
from pathlib import Path

import pulumi
import pulumi_aws as aws

# The engine runs this file from deploy/bootstrap/; the documents live beside it.
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from deploy.bootstrap import permissions

config = pulumi.Config()
repository = config.require("githubRepository")
if repository.count("/") != 1 or "*" in repository:
    raise ValueError("githubRepository must be OWNER/NAME, without wildcards")
environments = config.get_object("environments") or ["dev", "prod"]
bucket = config.get("stateBucket") or ""
kms_key = config.get("secretsKmsKeyArn") or ""
# Not app=todo-api: the deploy role may change roles carrying that tag, never its own.
tags = {"app": "todo-api-bootstrap", "stack": pulumi.get_stack()}

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


def role(name: str, subjects: list[str], policy: pulumi.Input[str], purpose: str) -> aws.iam.Role:
    created = aws.iam.Role(
        name,
        name=name,
        description=purpose,
        assume_role_policy=provider_arn.apply(
            lambda arn: json.dumps(permissions.trust_policy(arn, subjects))),
        max_session_duration=3600,
        tags=tags,
    )
    aws.iam.RolePolicy(name, role=created.id, policy=policy)
    return created


# The ceiling of every role the deploy role creates for a todo-api stack.
boundary = aws.iam.Policy(
    "boundary",
    name=permissions.BOUNDARY,
    description="Permissions boundary of the roles todo-api stacks create",
    policy=pulumi.Output.all(region, account).apply(
        lambda v: json.dumps(permissions.boundary_policy(v[0], v[1]))),
    tags=tags,
)

preview = role(
    "todo-api-preview", permissions.preview_subjects(repository),
    json.dumps(permissions.preview_policy(bucket, kms_key)),
    "pulumi preview of todo-api from pull requests",
)
deploy = role(
    "todo-api-deploy", permissions.deploy_subjects(repository, environments),
    pulumi.Output.all(region, account).apply(
        lambda v: json.dumps(permissions.deploy_policy(v[0], v[1], bucket, kms_key))),
    "pulumi up of todo-api from the dev and prod environments",
)

pulumi.export("oidcProviderArn", provider_arn)
pulumi.export("previewRoleArn", preview.arn)
pulumi.export("deployRoleArn", deploy.arn)
pulumi.export("permissionsBoundaryArn", boundary.arn)
