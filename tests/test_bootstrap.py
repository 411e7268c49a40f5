"""The bootstrap program (deploy/bootstrap/) under Pulumi's mocks: GitHub's OIDC provider, one
deploy role per stack trusted by that stack's environment alone, a read-only preview role. Each
role's documents are evaluated as IAM would (tests/iam_sim.py) against realistic ARNs of what
the program declares for each stack: a role can create its own stack and reach nothing of the
other's, whatever tags, boundaries or prefixes its requests carry."""

import json
import subprocess
import sys
from collections.abc import Iterator
from itertools import product
from typing import Any

import pytest

from tests import iam_sim
from tests.iam_sim import ACCOUNT, REGION, allowed, owner_tags, state_object, targets
from tests.support import ROOT

REPO = "octo-org/todo-api"
HOST = "token.actions.githubusercontent.com"
BUCKET = "octo-pulumi-state"
STACKS = ("dev", "prod")
OTHER = {"dev": "prod", "prod": "dev"}
DEPLOY = {stack: f"todo-api-{stack}-deploy" for stack in STACKS}
PREVIEW = "todo-api-preview"


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
    return declared(githubRepository=REPO, stateBucket=BUCKET)


@pytest.fixture(scope="module")
def programs() -> dict[str, list[dict[str, Any]]]:
    """Every resource todo-api's own program declares, per stack."""
    found = {}
    for stack in STACKS:
        result = subprocess.run([sys.executable, "-m", "tests.pulumi_harness", stack], cwd=ROOT,
                                capture_output=True, text=True, timeout=300, check=True)
        found[stack] = json.loads(result.stdout)["resources"]
    return found


def _roles(found: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {r["name"]: r for r in found["resources"] if r["type"] == "aws:iam/role:Role"}


def _policy(found: dict[str, Any], role: str) -> dict[str, Any]:
    [attached] = [r for r in found["resources"]
                  if r["type"] == "aws:iam/rolePolicy:RolePolicy" and r["name"] == role]
    document: dict[str, Any] = json.loads(attached["inputs"]["policy"])
    return document


def _trust(role: dict[str, Any]) -> dict[str, Any]:
    [statement] = json.loads(role["inputs"]["assumeRolePolicy"])["Statement"]
    found: dict[str, Any] = statement
    return found


def _named(found: dict[str, Any], typ: str, name: str) -> dict[str, Any]:
    [resource] = [r for r in found["resources"] if r["type"] == typ and r["name"] == name]
    named: dict[str, Any] = resource
    return named


def _key(found: dict[str, Any], stack: str) -> str:
    arn: str = _named(found, "aws:kms/key:Key", f"{stack}-secrets")["state"]["arn"]
    return arn


def _boundary(found: dict[str, Any], stack: str) -> dict[str, Any]:
    policy = _named(found, "aws:iam/policy:Policy", f"{stack}-boundary")
    assert policy["inputs"]["name"] == f"todo-api-{stack}-boundary"
    document: dict[str, Any] = json.loads(policy["inputs"]["policy"])
    return document


def _boundary_arn(stack: str) -> str:
    return f"arn:aws:iam::{ACCOUNT}:policy/todo-api-{stack}-boundary"


def trusts(role: dict[str, Any], sub: str) -> bool:
    """Whether the role's trust lets a GitHub token with this subject in."""
    statement = _trust(role)
    return statement["Action"] == "sts:AssumeRoleWithWebIdentity" and iam_sim.holds(
        statement["Condition"], {f"{HOST}:aud": "sts.amazonaws.com", f"{HOST}:sub": sub})


# --- trust ----------------------------------------------------------------------------------

def test_github_oidc_provider_and_outputs(full: dict[str, Any]) -> None:
    [provider] = [r for r in full["resources"]
                  if r["type"] == "aws:iam/openIdConnectProvider:OpenIdConnectProvider"]
    assert provider["inputs"]["url"] == f"https://{HOST}"
    assert provider["inputs"]["clientIdLists"] == ["sts.amazonaws.com"]
    roles = _roles(full)
    assert full["outputs"] == {
        "oidcProviderArn": provider["state"]["arn"],
        "previewRoleArn": roles[PREVIEW]["state"]["arn"],
        "deployRoleArns": {s: roles[DEPLOY[s]]["state"]["arn"] for s in STACKS},
        "permissionsBoundaryArns": {s: _boundary_arn(s) for s in STACKS},
        "stateBackends": {s: f"s3://{BUCKET}/{s}" for s in STACKS},
        "secretsProviders": {s: f"awskms://alias/todo-api-{s}-secrets?region={REGION}"
                             for s in STACKS},
    }
    aliases = {r["inputs"]["name"]: r["inputs"]["targetKeyId"] for r in full["resources"]
               if r["type"] == "aws:kms/alias:Alias"}
    assert aliases == {f"alias/todo-api-{s}-secrets": f"{s}-secrets-key-id" for s in STACKS}
    for stack in STACKS:
        key = _named(full, "aws:kms/key:Key", f"{stack}-secrets")
        assert key["inputs"]["enableKeyRotation"] is True
    # The account's API Gateway logging role is the bootstrap's (no stack may change it).
    [account] = [r for r in full["resources"] if r["type"] == "aws:apigateway/account:Account"]
    assert account["inputs"]["cloudwatchRoleArn"] == roles["apigateway-logging"]["state"]["arn"]
    # The deploy roles reach what carries app=todo-api; nothing of the bootstrap's does.
    for role in roles.values():
        assert role["inputs"]["tags"]["app"] == "todo-api-bootstrap"


# What GitHub puts in `sub` for each kind of job, by default (no subject customization).
TOKENS = {
    "dev": f"repo:{REPO}:environment:dev",
    "prod": f"repo:{REPO}:environment:prod",
    "pull request": f"repo:{REPO}:pull_request",
    "push to main, no environment": f"repo:{REPO}:ref:refs/heads/main",
    "another repository's prod": "repo:octo-org/todo-api-fork:environment:prod",
    "an environment named like prod": f"repo:{REPO}:environment:prod2",
}


def test_each_role_trusts_its_own_environment_only(full: dict[str, Any]) -> None:
    roles = _roles(full)
    expected = {DEPLOY["dev"]: {"dev"}, DEPLOY["prod"]: {"prod"}, PREVIEW: {"pull request"}}
    for name, subjects in expected.items():
        assert {t for t, sub in TOKENS.items() if trusts(roles[name], sub)} == subjects, name
        trust = _trust(roles[name])
        assert trust["Principal"] == {"Federated": full["outputs"]["oidcProviderArn"]}
        # One exact subject: no pattern, no list, so no other environment, branch or fork.
        assert trust["Condition"] == {"StringEquals": {
            f"{HOST}:aud": "sts.amazonaws.com", f"{HOST}:sub": TOKENS[next(iter(subjects))]}}
    for stack in STACKS:
        document = roles[DEPLOY[stack]]["inputs"]["assumeRolePolicy"]
        assert f"environment:{OTHER[stack]}" not in document


def _workflow_sub(context: str, workflow: str, ref: str, repo: str = REPO) -> str:
    """`sub` under the subject template repo, context, job_workflow_ref (pinWorkflows)."""
    return f"repo:{REPO}:{context}:job_workflow_ref:{repo}/.github/workflows/{workflow}@{ref}"


PINNED_TOKENS = {
    "prod, deploy.yml on main": (_workflow_sub("environment:prod", "deploy.yml",
                                               "refs/heads/main"), DEPLOY["prod"]),
    "dev, deploy.yml on main": (_workflow_sub("environment:dev", "deploy.yml",
                                              "refs/heads/main"), DEPLOY["dev"]),
    "dev, deploy.yml dispatched on a branch": (_workflow_sub(
        "environment:dev", "deploy.yml", "refs/heads/feature/x"), DEPLOY["dev"]),
    "pull request, pull-request.yml": (_workflow_sub(
        "pull_request", "pull-request.yml", "refs/pull/12/merge"), PREVIEW),
    # Refused by every role:
    "prod, deploy.yml dispatched on a branch": (_workflow_sub(
        "environment:prod", "deploy.yml", "refs/heads/feature/x"), None),
    "prod, deploy.yml on a branch named main-ish": (_workflow_sub(
        "environment:prod", "deploy.yml", "refs/heads/main-2"), None),
    "prod, another workflow on main": (_workflow_sub(
        "environment:prod", "release.yml", "refs/heads/main"), None),
    "prod, a reusable workflow of another repository": (_workflow_sub(
        "environment:prod", "deploy.yml", "refs/heads/main", "evil/todo-api"), None),
    "prod, a tag": (_workflow_sub("environment:prod", "deploy.yml", "refs/tags/v1"), None),
    "dev, another workflow": (_workflow_sub("environment:dev", "ci.yml", "refs/heads/x"), None),
    "pull request, deploy.yml": (_workflow_sub("pull_request", "deploy.yml",
                                               "refs/pull/12/merge"), None),
    "prod, default template": (TOKENS["prod"], None),
}


def test_pinned_workflows_let_prod_in_only_from_main_through_deploy_yml() -> None:
    roles = _roles(declared(githubRepository=REPO, stateBucket=BUCKET, pinWorkflows=True))
    for case, (sub, expected) in PINNED_TOKENS.items():
        assert [n for n in (*DEPLOY.values(), PREVIEW) if trusts(roles[n], sub)] == (
            [expected] if expected else []), case
    # Prod's subject is exact; the patterns are where branches and PR numbers vary.
    assert _trust(roles[DEPLOY["prod"]])["Condition"]["StringEquals"][f"{HOST}:sub"] == (
        PINNED_TOKENS["prod, deploy.yml on main"][0])


@pytest.mark.parametrize(("config", "message"), [
    ({"githubRepository": "octo-org/*"}, "OWNER/NAME"),
    ({"githubRepository": "todo-api"}, "OWNER/NAME"),
    ({"githubRepository": "a/b/c"}, "OWNER/NAME"),
    ({"githubRepository": "a/b:environment:prod"}, "OWNER/NAME"),
    ({"stateBucket": "todo-api-state"}, "stateBucket must not start with todo-api-"),
    ({"environments": ["dev", "dev"]}, "environments must be distinct"),
    ({"environments": ["dev", "prod/*"]}, "environments must be distinct"),
])
def test_bad_config_is_refused(config: dict[str, Any], message: str) -> None:
    result = bootstrap(**{"githubRepository": REPO, "stateBucket": BUCKET, **config})
    assert result.returncode != 0 and message in result.stderr


def test_an_account_that_holds_prod_alone_gets_no_preview_role() -> None:
    """One AWS account per stack: the bootstrap runs in each with that stack alone, reusing an
    OIDC provider already there; only the dev account has the preview role."""
    arn = f"arn:aws:iam::{ACCOUNT}:oidc-provider/{HOST}"
    found = declared(githubRepository=REPO, stateBucket=BUCKET, existingOidcProviderArn=arn,
                     environments=["prod"], manageGatewayLogging=False)
    assert not [r for r in found["resources"] if "openIdConnectProvider" in r["type"]
                or r["type"] == "aws:apigateway/account:Account"]
    assert set(_roles(found)) == {DEPLOY["prod"]}
    assert "previewRoleArn" not in found["outputs"]
    assert _trust(_roles(found)[DEPLOY["prod"]])["Principal"] == {"Federated": arn}


# --- what each role may do ------------------------------------------------------------------

# The first call that creates each resource type of the program.
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
    "aws:cognito/userPool:UserPool": "cognito-idp:CreateUserPool",
    "aws:cognito/userPoolClient:UserPoolClient": "cognito-idp:CreateUserPoolClient",
    "aws:sns/topic:Topic": "sns:CreateTopic",
    "aws:sns/topicSubscription:TopicSubscription": "sns:Subscribe",
    "aws:cloudwatch/metricAlarm:MetricAlarm": "cloudwatch:PutMetricAlarm",
    "aws:cloudwatch/dashboard:Dashboard": "cloudwatch:PutDashboard",
    "aws:wafv2/webAcl:WebAcl": "wafv2:CreateWebACL",
    "aws:wafv2/webAclAssociation:WebAclAssociation": "wafv2:AssociateWebACL",
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
    # Events: the dispatcher's queues, the reminders' schedule group, its two mappings.
    "aws:sqs/queue:Queue": "sqs:CreateQueue",
    "aws:scheduler/scheduleGroup:ScheduleGroup": "scheduler:CreateScheduleGroup",
    "aws:lambda/eventSourceMapping:EventSourceMapping": "lambda:CreateEventSourceMapping",
}
# Created by a call that carries the new resource's tags; everything else of theirs is reached
# by the tags the resource already has.
TAGGED_ON_CREATE = {"aws:apigateway/restApi:RestApi", "aws:cognito/userPool:UserPool",
                    "aws:cloudfront/distribution:Distribution",
                    "aws:lambda/eventSourceMapping:EventSourceMapping"}


# Resources the Pulumi engine makes itself, with no AWS call: the token keys' random bytes.
NO_AWS_ACTION = {"random:index/randomBytes:RandomBytes"}


def own_context(stack: str, *, existing: bool) -> dict[str, Any]:
    """A request of `stack`'s own deploy: its tags, its boundary, a role passed to Lambda."""
    return {**owner_tags(stack, "aws:RequestTag"), "aws:TagKeys": ["app", "stack"],
            **(owner_tags(stack, "aws:ResourceTag") if existing else {}),
            "iam:PermissionsBoundary": _boundary_arn(stack),
            "iam:PassedToService": "lambda.amazonaws.com",
            # a mapping is made for the stack's own dispatcher
            "lambda:FunctionArn": f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:"
                                  f"todo-api-{stack}-dispatchEvents"}


@pytest.mark.parametrize("stack", STACKS)
def test_each_deploy_role_can_create_everything_its_stack_declares(
    full: dict[str, Any], programs: dict[str, list[dict[str, Any]]], stack: str,
) -> None:
    policy = _policy(full, DEPLOY[stack])
    arns: dict[str, list[str]] = {}
    for typ, arn in targets(stack, programs[stack]):
        arns.setdefault(typ, []).append(arn)
    unknown = {r["type"] for r in programs[stack]
               if not r["type"].startswith("todo-api:")} - NO_AWS_ACTION
    assert not unknown - set(CREATE_ACTION), "the deploy roles were not extended for " + str(
        sorted(unknown - set(CREATE_ACTION)))
    for typ, found in arns.items():
        context = own_context(stack, existing=typ not in TAGGED_ON_CREATE)
        assert any(allowed(policy, CREATE_ACTION[typ], arn, context) for arn in found), (
            typ, found)
    # Its state, its secrets, and the e2e suite's throwaway users in its own pool.
    assert allowed(policy, "s3:PutObject", state_object(BUCKET, stack))
    assert allowed(policy, "s3:ListBucket", f"arn:aws:s3:::{BUCKET}",
                   {"s3:prefix": f"{stack}/.pulumi/stacks/todo-api/"})
    assert allowed(policy, "kms:Decrypt", _key(full, stack))
    [pool] = [a for t, a in targets(stack, programs[stack]) if t == "aws:cognito/userPool:UserPool"]
    for action in ("cognito-idp:AdminCreateUser", "cognito-idp:AdminSetUserPassword",
                   "cognito-idp:AdminDeleteUser"):
        assert allowed(policy, action, pool, own_context(stack, existing=True))


def attacker_contexts(own: str, other: str) -> Iterator[dict[str, Any]]:
    """Every request a role of `own` could send about a resource of `other`: the resource's tags
    are other's (the program tags every taggable resource); what the request says is the
    caller's to choose (any tags, any boundary, any prefix)."""
    resource_tags = {**owner_tags(other, "aws:ResourceTag"), **owner_tags(other, "iam:ResourceTag")}
    requests: list[dict[str, Any]] = [
        {}, {"aws:TagKeys": ["environment"], "aws:RequestTag/environment": "x"},
        *({**owner_tags(s, "aws:RequestTag"), "aws:TagKeys": ["app", "stack"]}
          for s in (own, other))]
    for request, boundary, prefix in product(
            requests, (own, other), ("", f"{other}/", f"{other}/.pulumi/x")):
        yield {**resource_tags, **request, "iam:PermissionsBoundary": _boundary_arn(boundary),
               "iam:PassedToService": "lambda.amazonaws.com", "s3:prefix": prefix}


# Actions on no one stack's resources: an ECR login token (pushing or pulling still needs the
# repository's own permission) and the names and settings of log groups (no events).
ACCOUNT_LEVEL = {"ecr:GetAuthorizationToken", "logs:DescribeLogGroups"}
# Calls that make a new resource (one carrying the caller's own tags, which the roles demand)
# and cannot act on one that exists, whatever ARN a pattern would let them name.
NEW_ONLY = {"cognito-idp:CreateUserPool", "cloudfront:CreateDistribution"}
# Resource kinds IAM cannot tell apart between stacks of one account: no tags, named by id.
# Settings of the web app's edge, not data; one AWS account per stack closes this (README).
SHARED_KINDS = {"aws:cloudfront/originAccessControl:OriginAccessControl",
                "aws:cloudfront/responseHeadersPolicy:ResponseHeadersPolicy"}


def reach(policy: dict[str, Any], own: str, other: str, full: dict[str, Any],
          program: list[dict[str, Any]]) -> set[tuple[str, str]]:
    """(kind, action) for every action `policy` allows on a resource of stack `other`."""
    found_targets = [t for t in targets(other, program)
                     if t[1] != f"arn:aws:apigateway:{REGION}::/restapis"]  # the create call
    found_targets += [
        ("state", state_object(BUCKET, other)), ("state list", f"arn:aws:s3:::{BUCKET}"),
        ("secrets key", _key(full, other)), ("boundary", _boundary_arn(other)),
        ("deploy role", _roles(full)[DEPLOY[other]]["state"]["arn"]),
    ]
    contexts = list(attacker_contexts(own, other))
    reached = set()
    for action in iam_sim.actions(policy) - ACCOUNT_LEVEL - NEW_ONLY:
        for kind, arn in found_targets:
            if iam_sim.service(arn) != action.split(":")[0]:
                continue
            # The state bucket is shared: what is the other stack's is a listing of its prefix.
            if kind == "state list" and action != "s3:ListBucket":
                continue
            if any(allowed(policy, action, arn, c) for c in contexts):
                reached.add((kind, action))
    return reached


@pytest.mark.parametrize("stack", STACKS)
def test_no_deploy_role_reaches_the_other_stack(
    full: dict[str, Any], programs: dict[str, list[dict[str, Any]]], stack: str,
) -> None:
    other = OTHER[stack]
    reached = reach(_policy(full, DEPLOY[stack]), stack, other, full, programs[other])
    # Only the two kinds IAM cannot scope, and on them only what managing them takes.
    assert {kind for kind, _ in reached} == SHARED_KINDS, reached
    assert all(action.startswith("cloudfront:") for _, action in reached)


def test_the_preview_role_reads_the_dev_state_only_and_writes_nothing(
    full: dict[str, Any], programs: dict[str, list[dict[str, Any]]],
) -> None:
    policy = _policy(full, PREVIEW)
    assert iam_sim.actions(policy) == {"s3:GetBucketLocation", "s3:ListBucket", "s3:GetObject",
                                       "kms:Decrypt", "ecr:GetAuthorizationToken"}
    dev_state, bucket = state_object(BUCKET, "dev"), f"arn:aws:s3:::{BUCKET}"
    assert allowed(policy, "s3:GetObject", dev_state)
    assert allowed(policy, "s3:ListBucket", bucket, {"s3:prefix": "dev/.pulumi/stacks/"})
    assert allowed(policy, "kms:Decrypt", _key(full, "dev"))
    for action, arn, context in [
        ("s3:PutObject", dev_state, {}), ("s3:DeleteObject", dev_state, {}),
        ("s3:PutObject", f"arn:aws:s3:::{BUCKET}/dev/.pulumi/locks/todo-api/dev/x.json", {}),
        ("kms:Encrypt", _key(full, "dev"), {}), ("kms:Decrypt", _key(full, "prod"), {}),
        ("s3:GetObject", state_object(BUCKET, "prod"), {}),
        ("s3:ListBucket", bucket, {"s3:prefix": ""}), ("s3:ListBucket", bucket, {}),
    ]:
        assert not allowed(policy, action, arn, context), (action, arn, context)
    # Nothing of prod at all, and of dev nothing beyond its state and its secrets.
    assert reach(policy, "dev", "prod", full, programs["prod"]) == set()
    assert reach(policy, "dev", "dev", full, programs["dev"]) == {
        ("state", "s3:GetObject"), ("state list", "s3:ListBucket"),
        ("secrets key", "kms:Decrypt")}


@pytest.mark.parametrize("stack", STACKS)
def test_a_deploy_role_makes_and_changes_roles_only_under_its_path_and_boundary(
    full: dict[str, Any], programs: dict[str, list[dict[str, Any]]], stack: str,
) -> None:
    policy = _policy(full, DEPLOY[stack])
    writes = {"iam:CreateRole", "iam:PutRolePolicy", "iam:UpdateAssumeRolePolicy",
              "iam:PutRolePermissionsBoundary", "iam:UpdateRole"}
    own_role = f"arn:aws:iam::{ACCOUNT}:role/todo-api-{stack}/getTodos-1a2b3c4"
    for action in writes:
        assert allowed(policy, action, own_role, own_context(stack, existing=True)), action
        for context in attacker_contexts(stack, stack):  # the other boundary, or none
            if context["iam:PermissionsBoundary"] != _boundary_arn(stack):
                assert not allowed(policy, action, own_role, context), action
    assert not allowed(policy, "iam:CreateRole", f"arn:aws:iam::{ACCOUNT}:role/getTodos",
                       own_context(stack, existing=False))
    for action in ("iam:DeleteRolePermissionsBoundary", "iam:AttachRolePolicy",
                   "iam:CreatePolicy", "iam:CreatePolicyVersion"):
        assert not allowed(policy, action, own_role, own_context(stack, existing=True)), action
    # ...and the program's roles are made that way (infra/boundary.py), in both stacks.
    roles = [r for r in programs[stack] if r["type"] == "aws:iam/role:Role"]
    assert roles and {(r["inputs"]["path"], r["inputs"]["permissionsBoundary"]) for r in roles} == {
        (f"/todo-api-{stack}/", _boundary_arn(stack))}


@pytest.mark.parametrize("stack", STACKS)
def test_each_boundary_leaves_its_functions_what_they_need_and_nothing_of_the_other(
    full: dict[str, Any], programs: dict[str, list[dict[str, Any]]], stack: str,
) -> None:
    own, other = _boundary(full, stack), _boundary(full, OTHER[stack])
    for statement in own["Statement"]:
        assert "*" not in statement["Action"], statement
    checked = 0
    for policy in (r for r in programs[stack] if r["type"] == "aws:iam/rolePolicy:RolePolicy"):
        for statement in json.loads(policy["inputs"]["policy"])["Statement"]:
            for action in statement["Action"]:
                for resource in statement["Resource"]:
                    # The mocks' log group ARNs are placeholders: use the real form.
                    arn = resource.replace(
                        "arn:aws:logs:us-east-1:123456789012:log-group:",
                        f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:")
                    assert allowed(own, action, arn), (policy["name"], action, arn)
                    if resource != "*":  # X-Ray takes no narrower resource
                        assert not allowed(other, action, arn), (policy["name"], action, arn)
                    checked += 1
    assert checked >= 8 * 4


def test_whose_a_resource_is_cannot_be_changed(full: dict[str, Any]) -> None:
    """The tags that scope REST APIs, user pools, distributions and event source mappings are
    set on create and then neither removed nor rewritten, so no role can hand its resource to
    the other stack or take one of the other's; other tags still change."""
    policy = _policy(full, DEPLOY["dev"])
    own = {"cloudfront": f"arn:aws:cloudfront::{ACCOUNT}:distribution/Edev1",
           "cognito-idp": f"arn:aws:cognito-idp:{REGION}:{ACCOUNT}:userpool/{REGION}_devPool",
           "apigateway": f"arn:aws:apigateway:{REGION}::/tags/"
                         f"arn%3Aaws%3Aapigateway%3A{REGION}%3A%3A%2Frestapis%2Fdevapi1",
           "lambda": f"arn:aws:lambda:{REGION}:{ACCOUNT}:event-source-mapping:dev-stream-1"}
    tag = {"cloudfront": "cloudfront:TagResource", "cognito-idp": "cognito-idp:TagResource",
           "apigateway": "apigateway:PUT", "lambda": "lambda:TagResource"}
    untag = {"cloudfront": "cloudfront:UntagResource", "cognito-idp": "cognito-idp:UntagResource",
             "apigateway": "apigateway:DELETE", "lambda": "lambda:UntagResource"}
    resource = owner_tags("dev", "aws:ResourceTag")
    for service, arn in own.items():
        assert allowed(policy, tag[service], arn, {
            **resource, "aws:TagKeys": ["environment"], "aws:RequestTag/environment": "x"})
        assert allowed(policy, untag[service], arn, {**resource, "aws:TagKeys": ["environment"]})
        for key in ("stack", "app"):
            assert not allowed(policy, tag[service], arn, {
                **resource, "aws:TagKeys": [key], f"aws:RequestTag/{key}": "prod"}), service
            assert not allowed(policy, untag[service], arn, {**resource, "aws:TagKeys": [key]})


@pytest.mark.parametrize("role", [*DEPLOY.values(), PREVIEW])
def test_every_action_is_named(full: dict[str, Any], role: str) -> None:
    for action in iam_sim.actions(_policy(full, role)):
        service, verb = action.split(":")
        assert verb != "*" and "*" not in service, action
