"""Each guardrail as a plain check on one resource's inputs (testable without the Pulumi CLI),
and the pack's policies built from them."""

import importlib
import inspect
import json
import keyword
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

from pulumi_policy import (
    Policy,
    PolicyConfigSchema,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
)

REQUIRED_TAGS = ("app", "stack")
PROTECTED_STACKS = ("prod",)
# Operations the API serves without a token, as "METHOD path"; everything else needs Cognito.
PUBLIC_OPERATIONS = ("GET /openapi.json",)

Check = Callable[[ResourceValidationArgs], Iterator[str]]


def stack_of(urn: str) -> str:
    """urn:pulumi:STACK::PROJECT::TYPE::NAME -> STACK."""
    return urn.split(":")[2] if urn.startswith("urn:pulumi:") else ""


def _document(value: Any) -> dict[str, Any] | None:
    if isinstance(value, Mapping):
        return dict(value)
    if isinstance(value, str):
        try:
            parsed = json.loads(value)
        except ValueError:
            return None
        return parsed if isinstance(parsed, dict) else None
    return None


def _listed(value: Any) -> list[Any]:
    """One or many, as IAM writes them. The engine hands lists over as read-only Sequences."""
    if value is None:
        return []
    if isinstance(value, Sequence) and not isinstance(value, str | bytes):
        return list(value)
    return [value]


def _statements(document: Mapping[str, Any]) -> list[dict[str, Any]]:
    return [s for s in _listed(document.get("Statement")) if isinstance(s, dict)]


# --- no `*` in DynamoDB actions or resources ------------------------------------------------

def _policy_documents(args: ResourceValidationArgs) -> list[Any]:
    if args.resource_type == "aws:iam/role:Role":
        return [p.get("policy") for p in _listed(args.props.get("inlinePolicies"))
                if isinstance(p, Mapping)]
    return [args.props.get("policy")]


def dynamodb_wildcards(args: ResourceValidationArgs) -> Iterator[str]:
    for raw in _policy_documents(args):
        document = _document(raw)
        if document is None:
            continue
        for statement in _statements(document):
            if statement.get("Effect") != "Allow":
                continue
            if "NotAction" in statement:
                yield "an Allow with NotAction grants every DynamoDB action it does not name"
            actions = [str(a) for a in _listed(statement.get("Action"))]
            dynamo = [a for a in actions if a == "*" or a.lower().startswith("dynamodb:")]
            wild = [a for a in dynamo if "*" in a]
            if wild:
                yield f"DynamoDB actions must be named one by one, not {', '.join(wild)}"
            if dynamo:
                resources = [str(r) for r in _listed(statement.get("Resource"))]
                if "NotResource" in statement or any("*" in r for r in resources):
                    yield ("DynamoDB actions must be granted on the table's own ARN, not "
                           f"{resources or 'NotResource'}")


# --- no * in the other services' grants -----------------------------------------------------

# Where AWS takes no narrower resource than "*".
STAR_RESOURCE_ACTIONS = frozenset({"xray:PutTraceSegments", "xray:PutTelemetryRecords"})


# Everything inside one named resource, the narrowest grant there is for what is named as it
# goes: a log group's streams, a schedule group's schedules (one per reminder).
CHILDREN_OF_NAMED = (re.compile(r"arn:aws:logs:[^*]+:log-group:[^*]+:\*"),
                     re.compile(r"arn:aws:scheduler:[^*]+:schedule/[^*/]+/\*"))


def _children_of_named(resource: str) -> bool:
    return any(pattern.fullmatch(resource) for pattern in CHILDREN_OF_NAMED)


def named_grants(args: ResourceValidationArgs) -> Iterator[str]:
    """Beyond DynamoDB (dynamodb-no-wildcards): every action and resource named, PassRole
    only for named roles and one service."""
    for raw in _policy_documents(args):
        document = _document(raw)
        if document is None:
            continue
        for statement in _statements(document):
            if statement.get("Effect") != "Allow":
                continue
            actions = [str(a) for a in _listed(statement.get("Action"))]
            others = [a for a in actions if ":" in a and not a.lower().startswith("dynamodb:")]
            if not others:
                continue
            wild = [a for a in others if "*" in a]
            if wild:
                yield f"actions must be named one by one, not {', '.join(wild)}"
            resources = [str(r) for r in _listed(statement.get("Resource"))]
            if "NotResource" in statement:
                yield "a grant must name its resources, not NotResource"
            for resource in resources:
                if "*" not in resource or _children_of_named(resource):
                    continue
                if resource == "*" and set(others) <= STAR_RESOURCE_ACTIONS:
                    continue
                yield f"{', '.join(others)} must be granted on named resources, not {resource}"
            if "iam:PassRole" in others:
                conditions = json.dumps(statement.get("Condition") or {})
                if "iam:PassedToService" not in conditions:
                    yield "iam:PassRole must say which service the role goes to"


# --- the table ------------------------------------------------------------------------------

def _enabled(args: ResourceValidationArgs, block: str) -> bool:
    value = args.props.get(block)
    return isinstance(value, Mapping) and value.get("enabled") is True


def table_pitr(args: ResourceValidationArgs) -> Iterator[str]:
    if not _enabled(args, "pointInTimeRecovery"):
        yield "the table must have point-in-time recovery enabled"


def table_encryption(args: ResourceValidationArgs) -> Iterator[str]:
    if not _enabled(args, "serverSideEncryption"):
        yield "the table must have server-side encryption with a KMS key enabled"


def table_deletion_protection(args: ResourceValidationArgs) -> Iterator[str]:
    protected = args.get_config().get("protectedStacks", list(PROTECTED_STACKS))
    if stack_of(args.urn) not in protected:
        return
    if args.props.get("deletionProtectionEnabled") is not True:
        yield f"the table of stack {stack_of(args.urn)} must have deletion protection"
    if not args.opts.protect:
        yield f"the table of stack {stack_of(args.urn)} must be declared with protect=True"


# --- logs and traces ------------------------------------------------------------------------

def log_retention(args: ResourceValidationArgs) -> Iterator[str]:
    days = args.props.get("retentionInDays")
    if not isinstance(days, int | float) or days <= 0:
        yield "every log group needs a retention (retentionInDays), else logs are kept forever"


def function_tracing(args: ResourceValidationArgs) -> Iterator[str]:
    config = args.props.get("tracingConfig")
    if not (isinstance(config, Mapping) and config.get("mode") == "Active"):
        yield "the function must have active X-Ray tracing (tracingConfig.mode = Active)"


def stage_tracing(args: ResourceValidationArgs) -> Iterator[str]:
    if args.props.get("xrayTracingEnabled") is not True:
        yield "the API stage must have X-Ray tracing enabled"


# --- images and users -----------------------------------------------------------------------

def ecr_scan_on_push(args: ResourceValidationArgs) -> Iterator[str]:
    config = args.props.get("imageScanningConfiguration")
    if not (isinstance(config, Mapping) and config.get("scanOnPush") is True):
        yield "the image repository must scan images on push"


def admin_only_sign_up(args: ResourceValidationArgs) -> Iterator[str]:
    config = args.props.get("adminCreateUserConfig")
    if not (isinstance(config, Mapping) and config.get("allowAdminCreateUserOnly") is True):
        yield ("anyone could sign up to the user pool: set "
               "admin_create_user_config.allow_admin_create_user_only")


# --- tags -----------------------------------------------------------------------------------

def _aws_class(token: str) -> Any:
    module, name = token.split(":")[1].split("/")[0], token.rsplit(":", 1)[1]
    if keyword.iskeyword(module):
        module += "_"
    try:
        return getattr(importlib.import_module(f"pulumi_aws.{module}"), name)
    except (ImportError, AttributeError):
        return None


def taggable(token: str) -> bool:
    """Whether an AWS resource type takes tags, from the provider SDK's own signature."""
    if not token.startswith("aws:"):
        return False
    cls = _aws_class(token)
    init = getattr(cls, "_internal_init", None)
    return init is not None and "tags" in inspect.signature(init).parameters


def required_tags(args: ResourceValidationArgs) -> Iterator[str]:
    if not taggable(args.resource_type):
        return
    tags = args.props.get("tags")
    tags = dict(tags) if isinstance(tags, Mapping) else {}
    missing = [t for t in args.get_config().get("requiredTags", list(REQUIRED_TAGS))
               if not tags.get(t)]
    if missing:
        yield f"missing tags: {', '.join(missing)}"
    stack = stack_of(args.urn)
    if tags.get("stack") and stack and tags["stack"] != stack:
        yield f"tag stack={tags['stack']} on a resource of stack {stack}"


# --- nothing public -------------------------------------------------------------------------

def _public(statement: Mapping[str, Any]) -> bool:
    principal = statement.get("Principal")
    if isinstance(principal, Mapping):
        everyone = "*" in _listed(principal.get("AWS"))
    else:
        everyone = principal == "*"
    return statement.get("Effect") == "Allow" and everyone and not statement.get("Condition")


RESOURCE_POLICY_TYPES = {
    "aws:s3/bucketPolicy:BucketPolicy", "aws:sns/topicPolicy:TopicPolicy",
    "aws:sqs/queuePolicy:QueuePolicy", "aws:ecr/repositoryPolicy:RepositoryPolicy",
    "aws:dynamodb/resourcePolicy:ResourcePolicy", "aws:apigateway/restApiPolicy:RestApiPolicy",
}
PUBLIC_ACLS = {"public-read", "public-read-write", "authenticated-read"}


def _unauthenticated_operations(body: Mapping[str, Any]) -> Iterator[str]:
    default = body.get("security")
    for path, operations in (body.get("paths") or {}).items():
        for method, operation in (operations or {}).items():
            if method == "options" or not isinstance(operation, Mapping):
                continue  # CORS preflight carries no token by design
            security = operation.get("security", default)
            if not security and f"{method.upper()} {path}" not in PUBLIC_OPERATIONS:
                yield f"{method.upper()} {path}"


def no_public_access(args: ResourceValidationArgs) -> Iterator[str]:
    props, kind = args.props, args.resource_type
    if kind in RESOURCE_POLICY_TYPES:
        document = _document(props.get("policy"))
        if document and any(_public(s) for s in _statements(document)):
            yield "a resource policy allows anyone (Principal *) without a condition"
    elif kind == "aws:lambda/permission:Permission":
        if props.get("principal") == "*":
            yield "the function may be invoked by anyone (principal *)"
        elif str(props.get("principal", "")).endswith(".amazonaws.com") and not props.get(
                "sourceArn"):
            yield "a service may invoke the function on behalf of any account: set sourceArn"
    elif kind == "aws:lambda/functionUrl:FunctionUrl":
        if props.get("authorizationType") == "NONE":
            yield "the function URL needs no authentication"
    elif kind in ("aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2",
                  "aws:s3/bucketAclV2:BucketAclV2", "aws:s3/bucketAcl:BucketAcl"):
        if props.get("acl") in PUBLIC_ACLS:
            yield f"the bucket's ACL {props['acl']} makes it public"
    elif kind == "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock":
        for flag in ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls",
                     "restrictPublicBuckets"):
            if props.get(flag) is not True:
                yield f"the bucket's public access block must set {flag}"
    elif kind == "aws:apigateway/restApi:RestApi":
        body = _document(props.get("body"))
        if body is not None:
            for operation in _unauthenticated_operations(body):
                yield f"{operation} answers without a token"


def _policy(name: str, description: str, check: Check, types: tuple[str, ...] = (),
            config_schema: PolicyConfigSchema | None = None) -> ResourceValidationPolicy:
    def validate(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
        if types and args.resource_type not in types:
            return
        for message in check(args):
            report_violation(message, None)

    return ResourceValidationPolicy(name=name, description=description, validate=validate,
                                    config_schema=config_schema)


POLICIES: list[Policy] = [
    _policy("dynamodb-no-wildcards", "No * in DynamoDB actions or resources of IAM policies.",
            dynamodb_wildcards, ("aws:iam/rolePolicy:RolePolicy", "aws:iam/policy:Policy",
                                 "aws:iam/role:Role")),
    _policy("named-grants", "No * in other services' actions or resources of IAM policies "
            "(X-Ray's tracing and a named schedule group's schedules aside); PassRole names "
            "the service.", named_grants, ("aws:iam/rolePolicy:RolePolicy",
                                           "aws:iam/policy:Policy", "aws:iam/role:Role")),
    _policy("table-point-in-time-recovery", "The table has point-in-time recovery.",
            table_pitr, ("aws:dynamodb/table:Table",)),
    _policy("table-encryption", "The table is encrypted with a KMS key.",
            table_encryption, ("aws:dynamodb/table:Table",)),
    _policy("table-deletion-protection", "In protected stacks (prod) the table has deletion "
            "protection and is protected from pulumi destroy.", table_deletion_protection,
            ("aws:dynamodb/table:Table",),
            PolicyConfigSchema(properties={"protectedStacks": {
                "type": "array", "items": {"type": "string"},
                "default": list(PROTECTED_STACKS)}})),
    _policy("log-group-retention", "Every log group has a retention.",
            log_retention, ("aws:cloudwatch/logGroup:LogGroup",)),
    _policy("function-tracing", "Functions are traced with X-Ray.",
            function_tracing, ("aws:lambda/function:Function",)),
    _policy("stage-tracing", "The API stage is traced with X-Ray.",
            stage_tracing, ("aws:apigateway/stage:Stage",)),
    _policy("ecr-scan-on-push", "Images are scanned when pushed.",
            ecr_scan_on_push, ("aws:ecr/repository:Repository",)),
    _policy("admin-only-sign-up", "Only administrators create users in the user pool.",
            admin_only_sign_up, ("aws:cognito/userPool:UserPool",)),
    _policy("required-tags", "Every taggable AWS resource carries app and stack tags.",
            required_tags, (),
            PolicyConfigSchema(properties={"requiredTags": {
                "type": "array", "items": {"type": "string"},
                "default": list(REQUIRED_TAGS)}})),
    _policy("no-public-resources", "Nothing is open to anyone: no public resource policies, "
            "ACLs, function URLs or invoke permissions, and no API route without a token "
            "beyond the OpenAPI document.", no_public_access),
]
