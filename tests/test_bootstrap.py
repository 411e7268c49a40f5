"""The bootstrap program (deploy/bootstrap/) under Pulumi's mocks: GitHub's OIDC provider, a
preview role for pull requests, a deploy role for the environments, each trusted by exactly one
repository and allowed only what todo-api's own stacks need."""

import fnmatch
import json
import subprocess
import sys
from typing import Any

import pytest

from tests.support import ROOT

REPO = "octo-org/todo-api"
ACCOUNT = "123456789012"
HOST = "token.actions.githubusercontent.com"


def bootstrap(**config: Any) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "tests.bootstrap_harness", json.dumps(config)],
                          cwd=ROOT, capture_output=True, text=True, timeout=300)


def declared(**config: Any) -> dict[str, Any]:
    result = bootstrap(**config)
    assert result.returncode == 0, result.stderr[-3000:]
    found: dict[str, Any] = json.loads(result.stdout)
    return found


@pytest.fixture(scope="module")
def full() -> dict[str, Any]:
    return declared(githubRepository=REPO, stateBucket="octo-pulumi-state",
                    secretsKmsKeyArn=f"arn:aws:kms:us-east-1:{ACCOUNT}:key/abc")


@pytest.fixture(scope="module")
def program() -> list[dict[str, Any]]:
    """Every resource todo-api's own program declares, in both stacks."""
    resources: list[dict[str, Any]] = []
    for stack in ("dev", "prod"):
        result = subprocess.run([sys.executable, "-m", "tests.pulumi_harness", stack], cwd=ROOT,
                                capture_output=True, text=True, timeout=300, check=True)
        resources += json.loads(result.stdout)["resources"]
    return resources


@pytest.fixture(scope="module")
def program_types(program: list[dict[str, Any]]) -> set[str]:
    return {r["type"] for r in program}


def _roles(found: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {r["name"]: r for r in found["resources"] if r["type"] == "aws:iam/role:Role"}


def _policy(found: dict[str, Any], role: str) -> list[dict[str, Any]]:
    [attached] = [r for r in found["resources"]
                  if r["type"] == "aws:iam/rolePolicy:RolePolicy" and r["name"] == role]
    statements: list[dict[str, Any]] = json.loads(attached["inputs"]["policy"])["Statement"]
    return statements


def _trust(role: dict[str, Any]) -> dict[str, Any]:
    [statement] = json.loads(role["inputs"]["assumeRolePolicy"])["Statement"]
    found: dict[str, Any] = statement
    return found


def test_github_oidc_provider_and_outputs(full: dict[str, Any]) -> None:
    [provider] = [r for r in full["resources"]
                  if r["type"] == "aws:iam/openIdConnectProvider:OpenIdConnectProvider"]
    assert provider["inputs"]["url"] == f"https://{HOST}"
    assert provider["inputs"]["clientIdLists"] == ["sts.amazonaws.com"]
    roles = _roles(full)
    assert full["outputs"] == {
        "oidcProviderArn": provider["state"]["arn"],
        "previewRoleArn": roles["todo-api-preview"]["state"]["arn"],
        "deployRoleArn": roles["todo-api-deploy"]["state"]["arn"],
        "permissionsBoundaryArn": f"arn:aws:iam::{ACCOUNT}:policy/todo-api-boundary"}


def test_each_role_trusts_one_repository_and_its_own_subjects(full: dict[str, Any]) -> None:
    provider_arn = full["outputs"]["oidcProviderArn"]
    expected = {"todo-api-preview": [f"repo:{REPO}:pull_request"],
                "todo-api-deploy": [f"repo:{REPO}:environment:dev",
                                    f"repo:{REPO}:environment:prod"]}
    roles = _roles(full)
    assert set(roles) == set(expected)
    for name, subjects in expected.items():
        trust = _trust(roles[name])
        assert trust["Principal"] == {"Federated": provider_arn}
        assert trust["Action"] == "sts:AssumeRoleWithWebIdentity"
        # Exact matches only: no StringLike, so no other repository, branch or fork gets in.
        assert trust["Condition"] == {"StringEquals": {f"{HOST}:aud": "sts.amazonaws.com",
                                                       f"{HOST}:sub": subjects}}
        # The deploy role may change roles tagged app=todo-api: the bootstrap's are not.
        assert roles[name]["inputs"]["tags"]["app"] != "todo-api"


def test_an_existing_provider_is_reused_and_environments_come_from_config() -> None:
    arn = f"arn:aws:iam::{ACCOUNT}:oidc-provider/{HOST}"
    found = declared(githubRepository=REPO, existingOidcProviderArn=arn,
                     environments=["staging"])
    assert not [r for r in found["resources"] if "openIdConnectProvider" in r["type"]]
    assert found["outputs"]["oidcProviderArn"] == arn
    deploy = _trust(_roles(found)["todo-api-deploy"])
    assert deploy["Principal"] == {"Federated": arn}
    assert deploy["Condition"]["StringEquals"][f"{HOST}:sub"] == [
        f"repo:{REPO}:environment:staging"]


@pytest.mark.parametrize("repository", ["octo-org/*", "todo-api", "a/b/c"])
def test_a_repository_pattern_is_refused(repository: str) -> None:
    result = bootstrap(githubRepository=repository)
    assert result.returncode != 0 and "OWNER/NAME" in result.stderr


# What creating each resource type of todo-api's program takes, at least.
CREATE_ACTION = {
    "aws:dynamodb/table:Table": "dynamodb:CreateTable",
    "aws:lambda/function:Function": "lambda:CreateFunction",
    "aws:lambda/permission:Permission": "lambda:AddPermission",
    "aws:iam/role:Role": "iam:CreateRole",
    "aws:iam/rolePolicy:RolePolicy": "iam:PutRolePolicy",
    "aws:cloudwatch/logGroup:LogGroup": "logs:CreateLogGroup",
    "aws:ecr/repository:Repository": "ecr:CreateRepository",
    "aws:ecr/lifecyclePolicy:LifecyclePolicy": "ecr:PutLifecyclePolicy",
    "docker-build:index:Image": "ecr:PutImage",
    "aws:apigateway/restApi:RestApi": "apigateway:POST",
    "aws:apigateway/deployment:Deployment": "apigateway:POST",
    "aws:apigateway/stage:Stage": "apigateway:POST",
    "aws:apigateway/methodSettings:MethodSettings": "apigateway:PATCH",
    "aws:apigateway/account:Account": "apigateway:PATCH",
    "aws:cognito/userPool:UserPool": "cognito-idp:CreateUserPool",
    "aws:cognito/userPoolClient:UserPoolClient": "cognito-idp:CreateUserPoolClient",
    "aws:sns/topic:Topic": "sns:CreateTopic",
    "aws:sns/topicSubscription:TopicSubscription": "sns:Subscribe",
    "aws:cloudwatch/metricAlarm:MetricAlarm": "cloudwatch:PutMetricAlarm",
    "aws:cloudwatch/dashboard:Dashboard": "cloudwatch:PutDashboard",
    "aws:wafv2/webAcl:WebAcl": "wafv2:CreateWebACL",
    "aws:wafv2/webAclAssociation:WebAclAssociation": "wafv2:AssociateWebACL",
    # The web app (S3 behind CloudFront, Cognito managed login).
    "aws:s3/bucket:Bucket": "s3:CreateBucket",
    "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": "s3:PutBucketPublicAccessBlock",
    "aws:s3/bucketOwnershipControls:BucketOwnershipControls": "s3:PutBucketOwnershipControls",
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration":
        "s3:PutEncryptionConfiguration",
    "aws:s3/bucketPolicy:BucketPolicy": "s3:PutBucketPolicy",
    "aws:s3/bucketObjectv2:BucketObjectv2": "s3:PutObject",
    "aws:cloudfront/originAccessControl:OriginAccessControl":
        "cloudfront:CreateOriginAccessControl",
    "aws:cloudfront/responseHeadersPolicy:ResponseHeadersPolicy":
        "cloudfront:CreateResponseHeadersPolicy",
    "aws:cloudfront/distribution:Distribution": "cloudfront:CreateDistribution",
    "aws:cognito/userPoolDomain:UserPoolDomain": "cognito-idp:CreateUserPoolDomain",
    "aws:cognito/managedLoginBranding:ManagedLoginBranding":
        "cognito-idp:CreateManagedLoginBranding",
}


# Resources the Pulumi engine makes itself, with no AWS call: the token keys' random bytes.
NO_AWS_ACTION = {"random:index/randomBytes:RandomBytes"}


def _allows(statements: list[dict[str, Any]], action: str) -> bool:
    return any(s["Effect"] == "Allow" and any(fnmatch.fnmatchcase(action, pattern)
                                              for pattern in s["Action"]) for s in statements)


def test_the_deploy_role_can_create_everything_the_program_declares(
    full: dict[str, Any], program_types: set[str],
) -> None:
    statements = _policy(full, "todo-api-deploy")
    components = {t for t in program_types if t.startswith("todo-api:")}
    components |= NO_AWS_ACTION
    unknown = program_types - components - set(CREATE_ACTION)
    assert not unknown, f"the deploy role was not extended for {sorted(unknown)}"
    for typ in program_types - components:
        assert _allows(statements, CREATE_ACTION[typ]), typ
    # The e2e suite's throwaway users, and the PR's preview cannot do any of it.
    for action in ("cognito-idp:AdminCreateUser", "cognito-idp:AdminDeleteUser"):
        assert _allows(statements, action)
    # A PR's preview reads and locks the state, decrypts its secrets, logs in to ECR: no more.
    for statement in _policy(full, "todo-api-preview"):
        if statement["Action"] == ["ecr:GetAuthorizationToken"]:
            continue
        for resource in statement["Resource"]:
            assert resource.startswith("arn:aws:s3:::octo-pulumi-state") or (
                resource == f"arn:aws:kms:us-east-1:{ACCOUNT}:key/abc"), statement


def test_the_deploy_role_is_scoped_to_todo_api(full: dict[str, Any]) -> None:
    for statement in _policy(full, "todo-api-deploy"):
        for action in statement["Action"]:
            _service, verb = action.split(":")
            assert verb != "*" and action != "*", action
        for resource in statement["Resource"]:
            if resource == "*":
                # Only where AWS has no narrower resource, and CreateUserPool only when tagged.
                assert statement["Action"] in (["ecr:GetAuthorizationToken"],
                                               ["cognito-idp:CreateUserPool"]), statement
                if statement["Action"] == ["cognito-idp:CreateUserPool"]:
                    assert statement["Condition"] == {
                        "StringEquals": {"aws:RequestTag/app": "todo-api"}}
            elif resource.startswith(("arn:aws:iam::", "arn:aws:cognito-idp:")):
                # Names chosen by Pulumi or AWS: held to the app tag instead.
                conditions = json.dumps(statement.get("Condition", {}))
                assert '"todo-api"' in conditions and "Tag/app" in conditions, statement
            elif resource.startswith("arn:aws:apigateway:"):
                assert resource.startswith("arn:aws:apigateway:us-east-1::/"), resource
            elif resource.startswith("arn:aws:s3:::"):
                assert resource.startswith(("arn:aws:s3:::octo-pulumi-state",
                                            "arn:aws:s3:::todo-api-")), resource
            elif resource.startswith("arn:aws:cloudfront::"):
                # CloudFront names its resources by id: held to this account.
                assert resource.startswith(f"arn:aws:cloudfront::{ACCOUNT}:"), resource
            else:
                assert f":{ACCOUNT}:" in resource, resource
                assert "todo-api-" in resource or resource.endswith(
                    ("log-group:*", "managedruleset/*/*", "key/abc")), resource


def test_state_and_secrets_access_only_when_configured(full: dict[str, Any]) -> None:
    sids = {s["Sid"] for s in _policy(full, "todo-api-deploy")}
    assert {"StateList", "StateObjects", "Secrets"} <= sids
    preview = {s["Sid"]: s for s in _policy(full, "todo-api-preview")}
    assert preview["StateObjects"]["Action"] == ["s3:GetObject"]
    assert preview["StateLocks"]["Resource"] == ["arn:aws:s3:::octo-pulumi-state/.pulumi/locks/*"]
    bare = declared(githubRepository=REPO)
    for role in ("todo-api-deploy", "todo-api-preview"):
        names = {s["Sid"] for s in _policy(bare, role)}
        assert not names & {"StateList", "StateObjects", "StateLocks", "Secrets"}


def _boundary(found: dict[str, Any]) -> list[dict[str, Any]]:
    [policy] = [r for r in found["resources"] if r["type"] == "aws:iam/policy:Policy"]
    assert policy["inputs"]["name"] == "todo-api-boundary"
    statements: list[dict[str, Any]] = json.loads(policy["inputs"]["policy"])["Statement"]
    return statements


def _covers(statements: list[dict[str, Any]], action: str, resource: str) -> bool:
    return any(s["Effect"] == "Allow"
               and any(fnmatch.fnmatchcase(action, a) for a in s["Action"])
               and any(fnmatch.fnmatchcase(resource, r) for r in s["Resource"])
               for s in statements)


def test_the_deploy_role_makes_and_changes_roles_only_under_the_boundary(
    full: dict[str, Any], program: list[dict[str, Any]],
) -> None:
    boundary = f"arn:aws:iam::{ACCOUNT}:policy/todo-api-boundary"
    writes = {"iam:CreateRole", "iam:PutRolePolicy", "iam:AttachRolePolicy",
              "iam:UpdateAssumeRolePolicy", "iam:PutRolePermissionsBoundary", "iam:UpdateRole"}
    granted: set[str] = set()
    for statement in _policy(full, "todo-api-deploy"):
        for action in set(statement["Action"]) & writes:
            granted.add(action)
            assert statement["Condition"]["StringEquals"]["iam:PermissionsBoundary"] == boundary
        assert "iam:DeleteRolePermissionsBoundary" not in statement["Action"]
        assert not any(a.startswith("iam:") and ("Policy" in a and "Create" in a)
                       for a in statement["Action"]), statement  # no policy versions either
    assert granted == writes
    # The program's roles carry that boundary (todo-api:permissionsBoundary in both stacks)...
    roles = [r for r in program if r["type"] == "aws:iam/role:Role"]
    assert roles and {r["inputs"]["permissionsBoundary"] for r in roles} == {boundary}


def test_the_boundary_leaves_the_functions_what_they_need(
    full: dict[str, Any], program: list[dict[str, Any]],
) -> None:
    statements = _boundary(full)
    for statement in statements:
        assert "*" not in statement["Action"], statement
        if any(a.startswith("dynamodb:") for a in statement["Action"]):
            assert all(":table/todo-api-" in r for r in statement["Resource"]), statement
    # ...and whatever each function's own policy grants, the boundary lets through.
    checked = 0
    for policy in (r for r in program if r["type"] == "aws:iam/rolePolicy:RolePolicy"):
        for statement in json.loads(policy["inputs"]["policy"])["Statement"]:
            for action in statement["Action"]:
                for resource in statement["Resource"]:
                    assert _covers(statements, action, resource), (policy["name"], action,
                                                                   resource)
                    checked += 1
    assert checked >= 8 * 4
