"""A small evaluator of IAM identity policies, enough to ask of the bootstrap's documents what
AWS would answer: may this role do this action on this ARN, in this request context? Explicit
Deny wins, then any Allow whose action, resource and condition all match. It knows the
operators the bootstrap and the functions' roles write (String/Arn Equals and Like, Null,
ForAnyValue: and ForAllValues:) and fails loudly on any other, so a new operator cannot pass
a test by being ignored.

Also realistic ARNs for what a todo-api stack declares under the mocks (the mocks' own ARNs
are placeholders), so tests can ask about one stack's role and the other stack's resources."""

import re
from collections.abc import Callable, Iterator, Mapping
from functools import cache
from typing import Any

ACCOUNT = "123456789012"
REGION = "us-east-1"
Context = Mapping[str, str | list[str]]


@cache
def _wildcards(pattern: str, ignore_case: bool) -> re.Pattern[str]:
    regex = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.compile(regex, re.DOTALL | (re.IGNORECASE if ignore_case else 0))


def like(pattern: str, value: str, *, ignore_case: bool = False) -> bool:
    """IAM wildcards: `*` any run of characters (slashes and colons too), `?` one character."""
    return _wildcards(pattern, ignore_case).fullmatch(value) is not None


def _listed(value: Any) -> list[str]:
    return [str(v) for v in value] if isinstance(value, list) else [str(value)]


def _key(context: Context, key: str) -> list[str] | None:
    for name, value in context.items():
        if name.lower() == key.lower():  # condition keys are case-insensitive
            return _listed(value)
    return None


def _test(operator: str, key: str, expected: Any, context: Context) -> bool:
    wanted, actual = _listed(expected), _key(context, key)
    if operator == "Null":
        return (actual is None) == (wanted == ["true"])
    qualifier, _, base = operator.rpartition(":")
    matchers: dict[str, Callable[[str, str], bool]] = {
        "StringEquals": str.__eq__, "ArnEquals": str.__eq__, "StringLike": like, "ArnLike": like}
    if base not in matchers or qualifier not in ("", "ForAnyValue", "ForAllValues"):
        raise AssertionError(f"the evaluator does not know the operator {operator}")
    match = matchers[base]
    if qualifier == "ForAllValues":
        # As IAM: true when the key is absent or empty (so Allow with it needs care).
        return all(any(match(w, a) for w in wanted) for a in actual or [])
    if actual is None:
        return False
    if qualifier == "":
        assert len(actual) == 1, f"{key} is single-valued"
    return any(match(w, a) for w in wanted for a in actual)


def holds(condition: Mapping[str, Any], context: Context) -> bool:
    """Every test of a Condition block holds in this request context."""
    return all(_test(op, key, value, context)
               for op, tests in condition.items() for key, value in tests.items())


def _applies(statement: Mapping[str, Any], action: str, resource: str, context: Context) -> bool:
    return (any(like(p, action, ignore_case=True) for p in _listed(statement["Action"]))
            and any(like(p, resource) for p in _listed(statement["Resource"]))
            and holds(statement.get("Condition", {}), context))


def allowed(document: Mapping[str, Any], action: str, resource: str,
            context: Context | None = None) -> bool:
    statements = document["Statement"]
    assert all("NotAction" not in s and "NotResource" not in s for s in statements)
    context = context or {}
    if any(s["Effect"] == "Deny" and _applies(s, action, resource, context)
           for s in statements):
        return False
    return any(s["Effect"] == "Allow" and _applies(s, action, resource, context)
               for s in statements)


def actions(document: Mapping[str, Any]) -> set[str]:
    return {a for s in document["Statement"] if s["Effect"] == "Allow"
            for a in _listed(s["Action"])}


def service(arn: str) -> str:
    return arn.split(":")[2]


# --- the ARNs of what a stack declares ------------------------------------------------------

def _ids(stack: str) -> dict[str, str]:
    """Ids AWS would give this stack's resources (distinct per stack, as in an account)."""
    return {"api": f"{stack}api1", "pool": f"{REGION}_{stack}Pool", "distribution": f"E{stack}1",
            "oac": f"E{stack}OAC", "headers": f"{stack}-headers-id", "acl": f"{stack}-acl-id",
            "suffix": "1a2b3c4"}


def targets(stack: str, resources: list[dict[str, Any]]) -> Iterator[tuple[str, str]]:
    """(resource type, ARN) for every resource a stack's program declares; a sub-resource by
    the ARNs IAM checks its calls on (a role policy: its role; a stage: its REST API's)."""
    ids = _ids(stack)
    gateway = f"arn:aws:apigateway:{REGION}::"
    api = f"{gateway}/restapis/{ids['api']}"
    pool = f"arn:aws:cognito-idp:{REGION}:{ACCOUNT}:userpool/{ids['pool']}"
    distribution = f"arn:aws:cloudfront::{ACCOUNT}:distribution/{ids['distribution']}"
    [repository] = [r for r in resources if r["type"] == "aws:ecr/repository:Repository"]
    repo = (f"arn:aws:ecr:{REGION}:{ACCOUNT}:repository/{repository['name']}-"
            f"{ids['suffix']}")
    [bucket] = [r for r in resources if r["type"] == "aws:s3/bucket:Bucket"]
    web = f"arn:aws:s3:::{bucket['inputs']['bucketPrefix']}{ids['suffix']}"
    # A role policy names its role by id or ARN (as the mocks answer them).
    roles = {key: r for r in resources if r["type"] == "aws:iam/role:Role"
             for key in (r["id"], r["state"]["arn"])}

    def role(resource: dict[str, Any]) -> str:
        inputs = resource["inputs"]
        name = inputs.get("name") or f"{resource['name']}-{ids['suffix']}"
        return f"arn:aws:iam::{ACCOUNT}:role{inputs.get('path', '/')}{name}"

    for r in resources:
        typ, inputs = r["type"], r["inputs"]
        if typ.startswith("todo-api:"):
            continue  # a component: its children are the resources
        if typ.startswith("random:"):
            continue  # made by the Pulumi engine itself (the token keys): no AWS call
        kind = typ.rsplit(":", 1)[-1]
        arns: list[str] = {
            "Table": [f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/{inputs.get('name')}"],
            "Function": [f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{inputs.get('name')}"],
            "Permission": [f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:"
                           f"{inputs.get('function')}"],
            "Role": [role(r)] if typ == "aws:iam/role:Role" else [],
            "RolePolicy": [role(roles[inputs["role"]])] if kind == "RolePolicy" else [],
            "LogGroup": [f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:{inputs.get('name')}",
                         f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:{inputs.get('name')}:*"],
            "Repository": [repo], "LifecyclePolicy": [repo], "Image": [repo],
            "RestApi": [f"{gateway}/restapis", api],
            "Deployment": [f"{api}/deployments"],
            "Stage": [f"{api}/stages", f"{api}/stages/{stack}"],
            "MethodSettings": [f"{api}/stages/{stack}"],
            "UserPool": [pool], "UserPoolClient": [pool], "UserPoolDomain": [pool],
            "ManagedLoginBranding": [pool],
            "Topic": [f"arn:aws:sns:{REGION}:{ACCOUNT}:{inputs.get('name')}"],
            "TopicSubscription": [f"arn:aws:sns:{REGION}:{ACCOUNT}:{stack_prefix(stack)}-alarms"],
            "MetricAlarm": [f"arn:aws:cloudwatch:{REGION}:{ACCOUNT}:alarm:{inputs.get('name')}"],
            "Dashboard": [f"arn:aws:cloudwatch::{ACCOUNT}:dashboard/"
                          f"{inputs.get('dashboardName')}"],
            "Bucket": [web], "BucketPublicAccessBlock": [web], "BucketOwnershipControls": [web],
            "BucketServerSideEncryptionConfiguration": [web], "BucketPolicy": [web],
            "BucketObjectv2": [f"{web}/{inputs.get('key')}"],
            "Distribution": [distribution],
            "OriginAccessControl": [f"arn:aws:cloudfront::{ACCOUNT}:origin-access-control/"
                                    f"{ids['oac']}"],
            "ResponseHeadersPolicy": [f"arn:aws:cloudfront::{ACCOUNT}:response-headers-policy/"
                                      f"{ids['headers']}"],
            "WebAcl": [f"arn:aws:wafv2:{REGION}:{ACCOUNT}:regional/webacl/{inputs.get('name')}/"
                       f"{ids['acl']}"],
            "WebAclAssociation": [f"{api}/stages/{stack}"],
            "Queue": [f"arn:aws:sqs:{REGION}:{ACCOUNT}:{inputs.get('name')}"],
            "ScheduleGroup": [f"arn:aws:scheduler:{REGION}:{ACCOUNT}:schedule-group/"
                              f"{inputs.get('name')}"],
            "EventSourceMapping": [f"arn:aws:lambda:{REGION}:{ACCOUNT}:event-source-mapping:"
                                   f"{stack}-{r['name']}-{ids['suffix']}"],
        }.get(kind, [])
        assert arns, f"no ARN known for {typ}: add it to tests/iam_sim.py"
        for arn in arns:
            yield typ, arn


def stack_prefix(stack: str) -> str:
    return f"todo-api-{stack}"


def state_object(bucket: str, stack: str) -> str:
    return f"arn:aws:s3:::{bucket}/{stack}/.pulumi/stacks/todo-api/{stack}.json"


def owner_tags(stack: str, key: str) -> dict[str, str]:
    return {f"{key}/app": "todo-api", f"{key}/stack": stack}
