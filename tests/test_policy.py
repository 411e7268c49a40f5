"""The policy pack (policy/) without the Pulumi CLI: every policy run on the resources the
program declares under the mocks for dev and prod (all pass), and on broken copies of them
(each reported by the rule that guards it, and by no other)."""

import copy
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

from policy.rules import POLICIES
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
    assert len(names) == len(set(names)) == 12
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


def _policy_json(edit: Callable[[dict[str, Any]], None]) -> Mutation:
    def mutate(props: dict[str, Any]) -> None:
        document = json.loads(props["policy"])
        edit(document)
        props["policy"] = json.dumps(document)
    return mutate


def _table_statement(document: dict[str, Any]) -> dict[str, Any]:
    [statement] = [s for s in document["Statement"] if s["Sid"] == "Table"]
    found: dict[str, Any] = statement
    return found


def _statement(document: dict[str, Any], sid: str) -> dict[str, Any]:
    [statement] = [s for s in document["Statement"] if s.get("Sid") == sid]
    found: dict[str, Any] = statement
    return found


def _open_route(props: dict[str, Any]) -> None:
    body = json.loads(props["body"])
    body["paths"]["/todos"]["get"]["security"] = []
    props["body"] = json.dumps(body)


ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
TABLE = "aws:dynamodb/table:Table"
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
     _policy_json(lambda d: _statement(d, "Stream").update(
         Resource=["arn:aws:dynamodb:us-east-1:123456789012:table/todo-api-dev-todos/stream/*"]))),
    ("named-grants", "dev", ROLE_POLICY, "dispatchEvents",
     _policy_json(lambda d: _statement(d, "PassSchedulerRole").update(Resource=["*"]))),
    ("named-grants", "prod", ROLE_POLICY, "dispatchEvents",
     _policy_json(lambda d: _statement(d, "PassSchedulerRole").pop("Condition"))),
    ("named-grants", "dev", ROLE_POLICY, "dispatchEvents",
     _policy_json(lambda d: _statement(d, "DeliveryQueue").update(Action=["sqs:*"]))),
    ("named-grants", "prod", ROLE_POLICY, "dispatchEvents",
     _policy_json(lambda d: _statement(d, "DeadLetters").update(
         Resource=["arn:aws:sqs:us-east-1:123456789012:*"]))),
    ("named-grants", "dev", ROLE_POLICY, "dispatchEvents",
     _policy_json(lambda d: _statement(d, "Reminders").update(
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
