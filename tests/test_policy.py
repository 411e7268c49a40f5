"""The policy pack (policy/) without the Pulumi CLI: every policy run on the resources the
program declares under the mocks for dev and prod (all pass), and on broken copies of them
(each reported by the rule that guards it, and by no other)."""

import copy
import inspect
import json
import subprocess
import sys
from collections.abc import Callable
from typing import Any

import pytest
import yaml
from pulumi_policy import (
    PolicyCustomTimeouts,
    PolicyResourceOptions,
    ResourceValidationArgs,
    ResourceValidationPolicy,
)

from policy.rules import POLICIES, RESOURCE_POLICIES, _aws_class, local_url
from tests.support import ROOT

STACKS = ("dev", "prod")


@pytest.fixture(scope="module")
def declared() -> dict[str, list[dict[str, Any]]]:
    found = {}
    for stack in STACKS:
        result = subprocess.run([sys.executable, "-m", "tests.pulumi_harness", stack], cwd=ROOT,
                                capture_output=True, text=True, timeout=300, check=True)
        found[stack] = json.loads(result.stdout)["resources"]
    return found


def _args(stack: str, typ: str, name: str, props: dict[str, Any],
          protect: bool = False) -> ResourceValidationArgs:
    opts = PolicyResourceOptions(protect=protect, ignore_changes=[], delete_before_replace=None,
                                 aliases=[], custom_timeouts=PolicyCustomTimeouts(0, 0, 0),
                                 additional_secret_outputs=[], parent=None)
    return ResourceValidationArgs(typ, props, f"urn:pulumi:{stack}::todo-api::{typ}::{name}",
                                  name, opts, None)


def violations(args: ResourceValidationArgs) -> list[tuple[str, str]]:
    """(policy, message) for every violation any policy of the pack reports."""
    found: list[tuple[str, str]] = []
    for policy in POLICIES:
        assert isinstance(policy, ResourceValidationPolicy)

        def report(message: str, urn: str | None = None, name: str = policy.name) -> None:
            found.append((name, message))

        policy.validate(args, report)
    return found


def _of(declared: dict[str, list[dict[str, Any]]], stack: str, typ: str,
        name: str | None = None) -> dict[str, Any]:
    matches = [r for r in declared[stack] if r["type"] == typ and name in (None, r["name"])]
    assert matches, (stack, typ, name)
    return matches[0]


def _args_of(stack: str, resource: dict[str, Any]) -> ResourceValidationArgs:
    return _args(stack, resource["type"], resource["name"], resource["inputs"],
                 bool(resource["options"].get("protect")))


@pytest.mark.parametrize("stack", STACKS)
def test_the_programs_resources_pass_every_policy(declared: dict[str, list[dict[str, Any]]],
                                                   stack: str) -> None:
    for resource in declared[stack]:
        assert violations(_args_of(stack, resource)) == [], (resource["type"], resource["name"])
    # Each typed policy met at least one resource of its kind: none passed by finding nothing.
    types = {r["type"] for r in declared[stack]}
    for needed in ("aws:iam/rolePolicy:RolePolicy", "aws:dynamodb/table:Table",
                   "aws:cloudwatch/logGroup:LogGroup", "aws:lambda/function:Function",
                   "aws:apigateway/stage:Stage", "aws:ecr/repository:Repository",
                   "aws:cognito/userPool:UserPool", "aws:lambda/permission:Permission",
                   "aws:apigateway/restApi:RestApi"):
        assert needed in types


def test_policy_names_are_unique_and_the_pack_file_names_them() -> None:
    names = [p.name for p in POLICIES]
    assert len(names) == len(set(names)) == 14
    pack = yaml.safe_load((ROOT / "policy" / "PulumiPolicy.yaml").read_text())
    assert pack["runtime"]["name"] == "python"
    assert (ROOT / "policy" / pack["runtime"]["options"]["virtualenv"]).resolve() == (
        ROOT / ".venv").resolve()
    assert "policies=POLICIES" in (ROOT / "policy" / "__main__.py").read_text()


Mutation = Callable[[dict[str, Any]], None]


def _set(path: str, value: Any) -> Mutation:
    """Sets (or with value ..., deletes) a dotted property of the inputs."""
    def mutate(props: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        for part in parents:
            props = props[part]
        if value is ...:
            del props[last]
        else:
            props[last] = value
    return mutate


def _policy_json(edit: Callable[[dict[str, Any]], None], key: str = "policy") -> Mutation:
    def mutate(props: dict[str, Any]) -> None:
        document = json.loads(props[key])
        edit(document)
        props[key] = json.dumps(document)
    return mutate


def _statement(**changes: Any) -> Mutation:
    """Changes the first statement of a resource or trust policy (a value ... deletes the key)."""
    def edit(document: dict[str, Any]) -> None:
        statement = document["Statement"][0]
        for key, value in changes.items():
            if value is ...:
                statement.pop(key, None)
            else:
                statement[key] = value
    return _policy_json(edit, "assumeRolePolicy" if "AssumeRole" in str(changes) else "policy")


def _trust(**changes: Any) -> Mutation:
    def edit(document: dict[str, Any]) -> None:
        document["Statement"][0].update(changes)
    return _policy_json(edit, "assumeRolePolicy")


def _table_statement(document: dict[str, Any]) -> dict[str, Any]:
    [statement] = [s for s in document["Statement"] if s["Sid"] == "Table"]
    found: dict[str, Any] = statement
    return found


def _by_sid(document: dict[str, Any], sid: str) -> dict[str, Any]:
    [statement] = [s for s in document["Statement"] if s.get("Sid") == sid]
    found: dict[str, Any] = statement
    return found


def _open_route(props: dict[str, Any]) -> None:
    body = json.loads(props["body"])
    body["paths"]["/todos"]["get"]["security"] = []
    props["body"] = json.dumps(body)


ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
TABLE = "aws:dynamodb/table:Table"
ROLE = "aws:iam/role:Role"
BUCKET_POLICY = "aws:s3/bucketPolicy:BucketPolicy"
USER_POOL = "aws:cognito/userPool:UserPool"
CLIENT = "aws:cognito/userPoolClient:UserPoolClient"
BROKEN: list[tuple[str, str, str, str | None, Mutation]] = [
    # (rule expected, stack, type, name, what breaks)
    ("dynamodb-no-wildcards", "dev", ROLE_POLICY, "getTodos",
     _policy_json(lambda d: _table_statement(d).update(Action=["dynamodb:*"]))),
    ("dynamodb-no-wildcards", "prod", ROLE_POLICY, "createTodo",
     _policy_json(lambda d: _table_statement(d).update(Action="dynamodb:Put*"))),
    ("dynamodb-no-wildcards", "dev", ROLE_POLICY, "deleteTodo",
     _policy_json(lambda d: _table_statement(d).update(
         Resource=[*_table_statement(d)["Resource"], "arn:aws:dynamodb:*:*:table/*"]))),
    ("dynamodb-no-wildcards", "prod", ROLE_POLICY, "updateTodo",
     _policy_json(lambda d: d["Statement"].append(
         {"Effect": "Allow", "Action": "*", "Resource": "*"}))),
    ("dynamodb-no-wildcards", "dev", ROLE_POLICY, "dispatchEvents",
     _policy_json(lambda d: _by_sid(d, "Stream").update(
         Resource=["arn:aws:dynamodb:us-east-1:123456789012:table/todo-api-dev-todos/stream/*"]))),
    ("named-grants", "dev", ROLE_POLICY, "dispatchEvents",
     _policy_json(lambda d: _by_sid(d, "PassSchedulerRole").update(Resource=["*"]))),
    ("named-grants", "prod", ROLE_POLICY, "dispatchEvents",
     _policy_json(lambda d: _by_sid(d, "PassSchedulerRole").pop("Condition"))),
    ("named-grants", "dev", ROLE_POLICY, "dispatchEvents",
     _policy_json(lambda d: _by_sid(d, "DeliveryQueue").update(Action=["sqs:*"]))),
    ("named-grants", "prod", ROLE_POLICY, "dispatchEvents",
     _policy_json(lambda d: _by_sid(d, "DeadLetters").update(
         Resource=["arn:aws:sqs:us-east-1:123456789012:*"]))),
    ("named-grants", "dev", ROLE_POLICY, "dispatchEvents",
     _policy_json(lambda d: _by_sid(d, "Reminders").update(
         Resource=["arn:aws:scheduler:us-east-1:123456789012:schedule/*/*"]))),
    ("named-grants", "prod", ROLE_POLICY, "events-scheduler",
     _policy_json(lambda d: d["Statement"][0].update(Resource=["*"]))),
    ("table-point-in-time-recovery", "prod", TABLE, None,
     _set("pointInTimeRecovery.enabled", False)),
    ("table-point-in-time-recovery", "dev", TABLE, None, _set("pointInTimeRecovery", ...)),
    ("table-encryption", "dev", TABLE, None, _set("serverSideEncryption", ...)),
    ("table-encryption", "prod", TABLE, None, _set("serverSideEncryption.enabled", False)),
    ("table-deletion-protection", "prod", TABLE, None,
     _set("deletionProtectionEnabled", False)),
    ("log-group-retention", "dev", "aws:cloudwatch/logGroup:LogGroup", "getTodos",
     _set("retentionInDays", ...)),
    ("log-group-retention", "prod", "aws:cloudwatch/logGroup:LogGroup", "api-access",
     _set("retentionInDays", 0)),
    ("function-tracing", "prod", "aws:lambda/function:Function", "createTodo",
     _set("tracingConfig.mode", "PassThrough")),
    ("function-tracing", "dev", "aws:lambda/function:Function", "getTodos",
     _set("tracingConfig", ...)),
    ("stage-tracing", "prod", "aws:apigateway/stage:Stage", None,
     _set("xrayTracingEnabled", False)),
    ("ecr-scan-on-push", "dev", "aws:ecr/repository:Repository", None,
     _set("imageScanningConfiguration.scanOnPush", False)),
    ("admin-only-sign-up", "prod", "aws:cognito/userPool:UserPool", None,
     _set("adminCreateUserConfig.allowAdminCreateUserOnly", False)),
    ("admin-only-sign-up", "dev", "aws:cognito/userPool:UserPool", None,
     _set("adminCreateUserConfig", ...)),
    ("required-tags", "dev", TABLE, None, _set("tags", ...)),
    ("required-tags", "prod", "aws:lambda/function:Function", "deleteTodo", _set("tags.app", ...)),
    ("required-tags", "prod", "aws:sns/topic:Topic", None, _set("tags.stack", "dev")),
    ("no-public-resources", "dev", "aws:lambda/permission:Permission", None,
     _set("principal", "*")),
    ("no-public-resources", "prod", "aws:lambda/permission:Permission", None,
     _set("sourceArn", ...)),
    ("no-public-resources", "prod", "aws:apigateway/restApi:RestApi", None, _open_route),
    # A * principal is everyone whatever else the condition tests...
    ("no-public-resources", "prod", BUCKET_POLICY, None, _statement(
        Principal="*", Condition={"StringEquals": {"aws:UserAgent": "CloudFront"}})),
    ("no-public-resources", "dev", BUCKET_POLICY, None, _statement(
        Principal={"AWS": "*"}, Condition={"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}})),
    ("no-public-resources", "prod", BUCKET_POLICY, None, _statement(
        Principal={"Service": "*"}, Condition=...)),
    ("no-public-resources", "dev", BUCKET_POLICY, None, _statement(
        Principal={"AWS": ["arn:aws:iam::123456789012:root", "arn:aws:iam::*:root"]},
        Condition=...)),
    ("no-public-resources", "prod", BUCKET_POLICY, None, _statement(
        Principal=..., NotPrincipal={"AWS": "arn:aws:iam::123456789012:root"}, Condition=...)),
    # ...and a pin counts only with a concrete value, under an operator that needs the key.
    ("no-public-resources", "prod", BUCKET_POLICY, None, _statement(
        Principal="*", Condition={"StringLike": {"AWS:SourceArn": "arn:aws:cloudfront::*"}})),
    ("no-public-resources", "dev", BUCKET_POLICY, None, _statement(
        Principal="*", Condition={"StringEqualsIfExists": {"aws:SourceAccount": "123456789012"}})),
    ("no-public-resources", "prod", BUCKET_POLICY, None, _statement(
        Principal="*", Condition={"StringNotEquals": {"aws:PrincipalOrgID": "o-abc"}})),
    # A trust policy is a resource policy: a role anyone may assume.
    ("no-public-resources", "prod", ROLE, "getTodos", _trust(Principal={"AWS": "*"})),
    ("no-public-resources", "dev", ROLE, "createTodo", _trust(Principal="*", Condition={
        "StringEquals": {"sts:ExternalId": "guessable"}})),
    ("no-broad-managed-policies", "prod", ROLE, "deleteTodo",
     _set("managedPolicyArns", ["arn:aws:iam::aws:policy/AdministratorAccess"])),
    ("no-broad-managed-policies", "dev", ROLE, "getTodos",
     _set("managedPolicyArns", ["arn:aws:iam::aws:policy/AmazonDynamoDBFullAccess"])),
    ("no-broad-managed-policies", "prod", ROLE, "createTodo",
     _set("managedPolicyArns", ["arn:aws:iam::aws:policy/service-role/AWSLambdaRole",
                                "arn:aws:iam::aws:policy/PowerUserAccess"])),
    ("protected-sign-in", "prod", USER_POOL, None, _set("mfaConfiguration", "OPTIONAL")),
    ("protected-sign-in", "prod", USER_POOL, None, _set("softwareTokenMfaConfiguration", ...)),
    ("protected-sign-in", "prod", USER_POOL, None,
     _set("userPoolAddOns.advancedSecurityMode", "AUDIT")),
    ("protected-sign-in", "prod", USER_POOL, None, _set("userPoolAddOns", ...)),
    ("protected-sign-in", "prod", CLIENT, "users", _set("explicitAuthFlows", [
        "ALLOW_USER_PASSWORD_AUTH", "ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"])),
    ("protected-sign-in", "prod", CLIENT, "users", _set("explicitAuthFlows", [
        "ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"])),
    ("protected-sign-in", "prod", CLIENT, "users", _set("explicitAuthFlows", ...)),
    ("protected-sign-in", "prod", CLIENT, "web", _set("explicitAuthFlows", [
        "ALLOW_REFRESH_TOKEN_AUTH", "ALLOW_USER_AUTH"])),
    ("protected-sign-in", "prod", CLIENT, "web",
     _set("callbackUrls", ["https://app.example.com/", "http://localhost:3000/"])),
    ("protected-sign-in", "prod", CLIENT, "web", _set("logoutUrls", ["https://127.0.0.1/"])),
    ("protected-sign-in", "prod", CLIENT, "web", _set("callbackUrls", ["http://app.example/"])),
    ("protected-sign-in", "prod", CLIENT, "web",
     _set("defaultRedirectUri", "https://dev.localhost/")),
]


@pytest.mark.parametrize(("rule", "stack", "typ", "name", "mutate"), BROKEN,
                         ids=[f"{c[0]}-{c[1]}-{i}" for i, c in enumerate(BROKEN)])
def test_a_broken_copy_is_reported_by_its_rule(
    declared: dict[str, list[dict[str, Any]]], rule: str, stack: str, typ: str,
    name: str | None, mutate: Mutation,
) -> None:
    resource = _of(declared, stack, typ, name)
    assert violations(_args_of(stack, resource)) == []
    broken = copy.deepcopy(resource)
    mutate(broken["inputs"])
    found = violations(_args_of(stack, broken))
    assert found and {policy for policy, _ in found} == {rule}, found


def test_a_prod_table_left_unprotected_from_destroy_is_reported(
    declared: dict[str, list[dict[str, Any]]],
) -> None:
    table = _of(declared, "prod", TABLE)
    assert table["options"]["protect"] is True
    found = violations(_args("prod", TABLE, "todos", table["inputs"], protect=False))
    assert [policy for policy, _ in found] == ["table-deletion-protection"]
    assert "protect=True" in found[0][1]
    # The same unprotected table is fine in dev.
    dev = _of(declared, "dev", TABLE)
    assert violations(_args("dev", TABLE, "todos", dev["inputs"], protect=False)) == []


# Public resources of kinds the program does not declare (yet): a web bucket, function URLs.
PUBLIC = [
    ("aws:s3/bucketPolicy:BucketPolicy", {"bucket": "b", "policy": json.dumps({
        "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
                       "Resource": "arn:aws:s3:::b/*"}]})}),
    ("aws:sns/topicPolicy:TopicPolicy", {"arn": "t", "policy": json.dumps({
        "Statement": [{"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sns:Publish",
                       "Resource": "t"}]})}),
    ("aws:lambda/functionUrl:FunctionUrl", {"functionName": "f", "authorizationType": "NONE"}),
    ("aws:s3/bucketAclV2:BucketAclV2", {"bucket": "b", "acl": "public-read"}),
    ("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", {
        "bucket": "b", "blockPublicAcls": True, "blockPublicPolicy": False,
        "ignorePublicAcls": True, "restrictPublicBuckets": True}),
]


@pytest.mark.parametrize(("typ", "props"), PUBLIC, ids=[p[0].rsplit(":", 1)[1] for p in PUBLIC])
def test_public_resources_of_other_kinds_are_reported(typ: str, props: dict[str, Any]) -> None:
    found = violations(_args("prod", typ, "web", props))
    assert found and {policy for policy, _ in found} == {"no-public-resources"}, found


def test_a_private_bucket_behind_cloudfront_passes() -> None:
    """Origin access control: the bucket policy names CloudFront and the distribution."""
    policy = json.dumps({"Statement": [{
        "Effect": "Allow", "Principal": {"Service": "cloudfront.amazonaws.com"},
        "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*",
        "Condition": {"StringEquals": {"AWS:SourceArn": "arn:aws:cloudfront::1:distribution/D"}},
    }]})
    assert violations(_args("prod", "aws:s3/bucketPolicy:BucketPolicy", "web",
                            {"bucket": "b", "policy": policy})) == []
    block = {"bucket": "b", "blockPublicAcls": True, "blockPublicPolicy": True,
             "ignorePublicAcls": True, "restrictPublicBuckets": True}
    assert violations(_args("prod", "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
                            "web", block)) == []


def test_prod_sign_in_rules_leave_dev_alone(declared: dict[str, list[dict[str, Any]]]) -> None:
    """protected-sign-in holds prod only: each of its broken prod copies passes in dev, where
    the local app, USER_PASSWORD_AUTH and sign-in without MFA are wanted."""
    cases = [c for c in BROKEN if c[0] == "protected-sign-in"]
    assert len(cases) >= 10
    for _rule, stack, typ, name, mutate in cases:
        broken = copy.deepcopy(_of(declared, stack, typ, name))
        mutate(broken["inputs"])
        if "tags" in broken["inputs"]:
            broken["inputs"]["tags"]["stack"] = "dev"
        assert violations(_args_of("dev", broken)) == [], (typ, name)
    # Dev as committed: all three relaxations are really there, and pass.
    pool = _of(declared, "dev", USER_POOL)["inputs"]
    assert pool["mfaConfiguration"] == "OFF"
    assert pool["userPoolAddOns"] == {"advancedSecurityMode": "AUDIT"}
    assert "ALLOW_USER_PASSWORD_AUTH" in _of(declared, "dev", CLIENT, "users")["inputs"][
        "explicitAuthFlows"]
    assert "http://localhost:3000/" in _of(declared, "dev", CLIENT, "web")["inputs"]["callbackUrls"]


PIN_VALUES = {
    "aws:SourceAccount": "123456789012",
    "AWS:SourceArn": "arn:aws:cloudfront::123456789012:distribution/E1",
    "aws:sourcevpce": "vpce-1a2b3c4d",
    "aws:PrincipalOrgID": "o-a1b2c3d4e5",
    "aws:SourceOrgID": "o-a1b2c3d4e5",
    "aws:PrincipalAccount": "123456789012",
}


def _document_with(principal: Any, condition: dict[str, Any] | None) -> str:
    statement: dict[str, Any] = {"Effect": "Allow", "Principal": principal, "Action": "*",
                                 "Resource": "*"}
    if condition is not None:
        statement["Condition"] = condition
    return json.dumps({"Version": "2012-10-17", "Statement": [statement]})


@pytest.mark.parametrize("typ", sorted(RESOURCE_POLICIES))
def test_every_resource_policy_with_a_star_principal_is_public_unless_pinned(typ: str) -> None:
    prop = RESOURCE_POLICIES[typ]
    # The property is the one the provider really has (its SDK name, as the engine passes it).
    python_name = "".join(f"_{c.lower()}" if c.isupper() else c for c in prop)
    assert python_name in inspect.signature(_aws_class(typ)._internal_init).parameters, typ
    tags = {"tags": {"app": "todo-api", "stack": "prod"}}
    for principal in ("*", {"AWS": "*"}, {"Service": "*"}, {"AWS": "arn:aws:iam::*:root"}):
        props = {**tags, prop: _document_with(principal, None)}
        assert [p for p, _ in violations(_args("prod", typ, "x", props))] == [
            "no-public-resources"], (typ, principal)
        for key, value in PIN_VALUES.items():
            for operator in ("StringEquals", "ArnLike", "StringLike"):
                pinned = {**tags, prop: _document_with(principal, {operator: {key: value}})}
                assert violations(_args("prod", typ, "x", pinned)) == [], (typ, key, operator)
    # Named principals are not public, with or without a condition.
    named = {**tags, prop: _document_with({"AWS": "arn:aws:iam::123456789012:role/app"}, None)}
    assert violations(_args("prod", typ, "x", named)) == []


@pytest.mark.parametrize("condition", [
    {"StringEquals": {"aws:SourceAccount": ""}},
    {"StringEquals": {"aws:SourceAccount": ["123456789012", "*"]}},
    {"ArnLike": {"aws:SourceArn": "arn:aws:s3:::bucket-?"}},
    {"ForAllValues:StringEquals": {"aws:PrincipalOrgID": ["o-a1b2c3d4e5"]}},
    {"ArnNotEquals": {"aws:SourceArn": "arn:aws:sns:us-east-1:123456789012:t"}},
    {"Bool": {"aws:SecureTransport": "true"}},
    {"StringEquals": {"aws:PrincipalTag/team": "ops"}},
])
def test_a_condition_that_pins_nobody_leaves_the_policy_public(condition: dict[str, Any]) -> None:
    props = {"policy": _document_with({"AWS": "*"}, condition)}
    found = violations(_args("prod", "aws:sqs/queuePolicy:QueuePolicy", "q", props))
    assert [p for p, _ in found] == ["no-public-resources"]


MANAGED = "arn:aws:iam::aws:policy/"


@pytest.mark.parametrize(("typ", "prop"), [
    ("aws:iam/rolePolicyAttachment:RolePolicyAttachment", "policyArn"),
    ("aws:iam/policyAttachment:PolicyAttachment", "policyArn"),
    ("aws:iam/userPolicyAttachment:UserPolicyAttachment", "policyArn"),
    ("aws:iam/groupPolicyAttachment:GroupPolicyAttachment", "policyArn"),
    ("aws:iam/rolePolicyAttachmentsExclusive:RolePolicyAttachmentsExclusive", "policyArns"),
])
def test_broad_managed_policies_are_reported_wherever_attached(typ: str, prop: str) -> None:
    def attaching(arn: str) -> dict[str, Any]:
        return {"role": "r", prop: [arn] if prop.endswith("s") else arn}

    for name in ("AdministratorAccess", "AdministratorAccess-Amplify", "PowerUserAccess",
                 "AmazonS3FullAccess", "AWSLambda_FullAccess", "IAMFullAccess"):
        found = violations(_args("dev", typ, "a", attaching(MANAGED + name)))
        assert [p for p, _ in found] == ["no-broad-managed-policies"], (typ, name)
    for arn in (MANAGED + "service-role/AWSLambdaBasicExecutionRole",
                MANAGED + "service-role/AmazonAPIGatewayPushToCloudWatchLogs",
                MANAGED + "ReadOnlyAccess",
                # The account's own policy is judged by what it says, not by its name.
                "arn:aws:iam::123456789012:policy/TeamFullAccess"):
        assert violations(_args("dev", typ, "a", attaching(arn))) == [], (typ, arn)


def test_the_gateway_logging_role_passes_with_its_narrow_managed_policy() -> None:
    """Deployed without the bootstrap, a stack declares API Gateway's logging role with an
    AWS-managed policy: a narrow one, which the pack lets through."""
    result = subprocess.run(
        [sys.executable, "-m", "tests.pulumi_harness", "dev",
         json.dumps({"todo-api:manageGatewayLogging": True})],
        cwd=ROOT, capture_output=True, text=True, timeout=300, check=True)
    resources = json.loads(result.stdout)["resources"]
    [role] = [r for r in resources if r["type"] == ROLE and r["inputs"].get("managedPolicyArns")]
    assert role["inputs"]["managedPolicyArns"] == [
        MANAGED + "service-role/AmazonAPIGatewayPushToCloudWatchLogs"]
    for resource in resources:
        assert violations(_args_of("dev", resource)) == [], (resource["type"], resource["name"])


def test_a_layer_shared_with_everyone_is_public_and_one_shared_with_the_org_is_not() -> None:
    typ = "aws:lambda/layerVersionPermission:LayerVersionPermission"
    props = {"layerName": "l", "versionNumber": 1, "principal": "*", "action": "x",
             "statementId": "s"}
    assert [p for p, _ in violations(_args("prod", typ, "l", props))] == ["no-public-resources"]
    assert violations(_args("prod", typ, "l", {**props, "organizationId": "o-a1b2c3d4e5"})) == []


@pytest.mark.parametrize(("url", "local"), [
    ("https://app.example.com/", False), ("https://d111.cloudfront.net/", False),
    ("http://app.example.com/", True), ("https://localhost/", True),
    ("https://LOCALHOST.:8443/", True), ("https://127.0.0.2/", True),
    ("https://[::1]/", True), ("https://dev.localhost/", True), ("myapp://callback", True),
    ("https://[not-an-address/", True),
])
def test_local_urls(url: str, local: bool) -> None:
    assert local_url(url) is local
