"""Each guardrail as a plain check on one resource's inputs (testable without the Pulumi CLI),
and the pack's policies built from them."""

import importlib
import inspect
import json
import keyword
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any
from urllib.parse import urlsplit

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


def _protected(args: ResourceValidationArgs) -> bool:
    """Whether the resource's stack holds real users and data (config: protectedStacks)."""
    return stack_of(args.urn) in args.get_config().get("protectedStacks", list(PROTECTED_STACKS))


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


def _allows(args: ResourceValidationArgs) -> Iterator[dict[str, Any]]:
    """Every Allow statement of the resource's IAM policy documents."""
    for raw in _policy_documents(args):
        document = _document(raw)
        if document is not None:
            yield from (s for s in _statements(document) if s.get("Effect") == "Allow")


def dynamodb_wildcards(args: ResourceValidationArgs) -> Iterator[str]:
    for statement in _allows(args):
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
    for statement in _allows(args):
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
    if not _protected(args):
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

# A `Principal` with a `*` anywhere ("*", {"AWS": "*"}, {"Service": "*"}, arn:aws:iam::*:root)
# is everyone, and no condition narrows that to someone unless it pins one of these keys to a
# concrete value: an account, an ARN, a VPC endpoint or an organization. A condition on anything
# else (a user agent, an address, a time, a tag the caller sets) still lets the world in, and so
# do `...IfExists` and negated operators, which pass when the key is absent.
PINNING_KEYS = frozenset(k.lower() for k in (
    "aws:SourceAccount", "aws:SourceArn", "aws:SourceVpce", "aws:PrincipalOrgID",
    "aws:SourceOrgID", "aws:PrincipalAccount"))
PINNING_OPERATORS = frozenset(o.lower() for o in (
    "StringEquals", "StringEqualsIgnoreCase", "StringLike", "ArnEquals", "ArnLike"))

# Where each resource type keeps a policy that names principals (inputs, as the engine has them).
RESOURCE_POLICIES = {
    "aws:s3/bucketPolicy:BucketPolicy": "policy",
    "aws:s3/bucket:Bucket": "policy",
    "aws:s3/bucketV2:BucketV2": "policy",
    "aws:sns/topicPolicy:TopicPolicy": "policy",
    "aws:sns/topic:Topic": "policy",
    "aws:sqs/queuePolicy:QueuePolicy": "policy",
    "aws:sqs/queue:Queue": "policy",
    "aws:ecr/repositoryPolicy:RepositoryPolicy": "policy",
    "aws:dynamodb/resourcePolicy:ResourcePolicy": "policy",
    "aws:apigateway/restApiPolicy:RestApiPolicy": "policy",
    "aws:apigateway/restApi:RestApi": "policy",
    "aws:kms/key:Key": "policy",
    "aws:kms/keyPolicy:KeyPolicy": "policy",
    "aws:secretsmanager/secretPolicy:SecretPolicy": "policy",
    "aws:secretsmanager/secret:Secret": "policy",
    "aws:cloudwatch/logResourcePolicy:LogResourcePolicy": "policyDocument",
    "aws:cloudwatch/eventBusPolicy:EventBusPolicy": "policy",
    # Who may assume the role: a trust policy is a resource policy too.
    "aws:iam/role:Role": "assumeRolePolicy",
}
PUBLIC_ACLS = {"public-read", "public-read-write", "authenticated-read"}


def _principals(statement: Mapping[str, Any]) -> list[str]:
    principal = statement.get("Principal")
    if isinstance(principal, Mapping):
        return [str(p) for values in principal.values() for p in _listed(values)]
    return [str(p) for p in _listed(principal)]


def _pinned(condition: Any) -> bool:
    """Whether a condition names who may call (see PINNING_KEYS), whatever else it tests."""
    if not isinstance(condition, Mapping):
        return False
    for operator, tests in condition.items():
        if str(operator).lower() not in PINNING_OPERATORS or not isinstance(tests, Mapping):
            continue
        for key, value in tests.items():
            values = [str(v) for v in _listed(value)]
            if (str(key).lower() in PINNING_KEYS and values
                    and all(v and "*" not in v and "?" not in v for v in values)):
                return True
    return False


def public_statement(statement: Mapping[str, Any]) -> bool:
    """An Allow that anyone may use: every principal (or all but some, with NotPrincipal),
    not pinned by its condition to an account, ARN, VPC endpoint or organization."""
    if statement.get("Effect") != "Allow":
        return False
    everyone = "NotPrincipal" in statement or any("*" in p for p in _principals(statement))
    return everyone and not _pinned(statement.get("Condition"))


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
    if kind in RESOURCE_POLICIES:
        document = _document(props.get(RESOURCE_POLICIES[kind]))
        if document and any(public_statement(s) for s in _statements(document)):
            yield ("a resource policy allows anyone (a * principal, or NotPrincipal) without "
                   "a condition pinning the caller's account, ARN, VPC endpoint or organization")
    if kind == "aws:lambda/permission:Permission":
        principal = str(props.get("principal", ""))
        if "*" in principal:
            yield f"the function may be invoked by anyone (principal {principal})"
        elif principal.endswith(".amazonaws.com") and not props.get("sourceArn"):
            yield "a service may invoke the function on behalf of any account: set sourceArn"
    elif kind == "aws:lambda/layerVersionPermission:LayerVersionPermission":
        if "*" in str(props.get("principal", "")) and not props.get("organizationId"):
            yield "the layer may be used by any account (principal *)"
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
    if kind == "aws:apigateway/restApi:RestApi":
        body = _document(props.get("body"))
        if body is not None:
            for operation in _unauthenticated_operations(body):
                yield f"{operation} answers without a token"


# --- no AWS-managed full-access policy on a principal ---------------------------------------

# AdministratorAccess (and its service-scoped variants), PowerUserAccess and every
# ...FullAccess policy AWS manages: each grants whole services on every resource.
_MANAGED = re.compile(r"^arn:aws[\w-]*:iam::aws:policy/(?:[\w+=,.@-]+/)*(?P<name>[\w+=,.@-]+)$")


def too_broad(policy_arn: str) -> bool:
    match = _MANAGED.match(policy_arn)
    if not match:
        return False  # the stack's own policies are judged by what they say, not by name
    name = match["name"]
    return "FullAccess" in name or name.startswith("AdministratorAccess") or (
        name == "PowerUserAccess")


_ATTACHED = {
    "aws:iam/role:Role": "managedPolicyArns",
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment": "policyArn",
    "aws:iam/rolePolicyAttachmentsExclusive:RolePolicyAttachmentsExclusive": "policyArns",
    "aws:iam/policyAttachment:PolicyAttachment": "policyArn",
    "aws:iam/userPolicyAttachment:UserPolicyAttachment": "policyArn",
    "aws:iam/groupPolicyAttachment:GroupPolicyAttachment": "policyArn",
}


def broad_managed_policies(args: ResourceValidationArgs) -> Iterator[str]:
    for arn in _listed(args.props.get(_ATTACHED[args.resource_type])):
        if isinstance(arn, str) and too_broad(arn):
            yield (f"{arn} grants whole services on every resource: write a policy that names "
                   "the actions and resources the role uses")


# --- sign-in where real users live ----------------------------------------------------------

# What a client may offer in a protected stack: SRP proves the password without sending it,
# and refresh tokens. Not USER_PASSWORD_AUTH, ADMIN_USER_PASSWORD_AUTH, custom or choice-based
# (USER_AUTH) flows, which take the password itself or let a Lambda decide. Cognito's default
# when the list is empty includes CUSTOM_AUTH, so an empty list is reported too.
PROTECTED_AUTH_FLOWS = frozenset({"ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"})
_LOCAL_HOSTS = ("localhost", "::1", "0.0.0.0")  # noqa: S104 (names to refuse, not to bind)


def local_url(url: str) -> bool:
    """A URL served from the signing-in machine itself, or over plain HTTP."""
    try:
        parsed = urlsplit(url.strip())
        host = (parsed.hostname or "").lower().rstrip(".")
    except ValueError:
        return True  # not a URL Cognito would accept either; do not let it through
    return (parsed.scheme.lower() != "https" or host in _LOCAL_HOSTS
            or host.endswith(".localhost") or host.startswith("127."))


def protected_sign_in(args: ResourceValidationArgs) -> Iterator[str]:
    if not _protected(args):
        return
    props, stack = args.props, stack_of(args.urn)
    if args.resource_type == "aws:cognito/userPool:UserPool":
        totp = props.get("softwareTokenMfaConfiguration")
        if props.get("mfaConfiguration") != "ON" or not (
                isinstance(totp, Mapping) and totp.get("enabled") is True):
            yield f"the user pool of stack {stack} must require MFA (mfaConfiguration ON, TOTP)"
        add_ons = props.get("userPoolAddOns")
        if not (isinstance(add_ons, Mapping)
                and add_ons.get("advancedSecurityMode") == "ENFORCED"):
            yield f"the user pool of stack {stack} must enforce threat protection"
        return
    flows = [str(f) for f in _listed(props.get("explicitAuthFlows"))]
    others = sorted(set(flows) - PROTECTED_AUTH_FLOWS)
    if not flows or others:
        yield (f"a client of stack {stack} may sign in with SRP and refresh tokens only, not "
               f"{', '.join(others) or 'the default flows, which include CUSTOM_AUTH'}")
    urls = [*_listed(props.get("callbackUrls")), *_listed(props.get("logoutUrls")),
            *_listed(props.get("defaultRedirectUri"))]
    local = [u for u in urls if isinstance(u, str) and local_url(u)]
    if local:
        yield (f"a client of stack {stack} sends signed-in users to a local or plain-HTTP "
               f"address: {', '.join(local)}")


def _policy(name: str, description: str, check: Check, types: tuple[str, ...] = (),
            config_schema: PolicyConfigSchema | None = None) -> ResourceValidationPolicy:
    def validate(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
        if types and args.resource_type not in types:
            return
        for message in check(args):
            report_violation(message, None)

    return ResourceValidationPolicy(name=name, description=description, validate=validate,
                                    config_schema=config_schema)


PROTECTED_STACKS_CONFIG = PolicyConfigSchema(properties={"protectedStacks": {
    "type": "array", "items": {"type": "string"}, "default": list(PROTECTED_STACKS)}})

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
            PROTECTED_STACKS_CONFIG),
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
    _policy("protected-sign-in", "In protected stacks (prod) the user pool requires MFA and "
            "enforces threat protection, and its clients sign in with SRP only and send users "
            "to no local or plain-HTTP address.", protected_sign_in,
            ("aws:cognito/userPool:UserPool", "aws:cognito/userPoolClient:UserPoolClient"),
            PROTECTED_STACKS_CONFIG),
    _policy("required-tags", "Every taggable AWS resource carries app and stack tags.",
            required_tags, (),
            PolicyConfigSchema(properties={"requiredTags": {
                "type": "array", "items": {"type": "string"},
                "default": list(REQUIRED_TAGS)}})),
    _policy("no-public-resources", "Nothing is open to anyone: no resource or trust policy "
            "with a * principal unless pinned to an account, ARN, VPC endpoint or organization, "
            "no public ACLs, function URLs or invoke permissions, and no API route without a "
            "token beyond the OpenAPI document.", no_public_access),
    _policy("no-broad-managed-policies", "No AWS-managed AdministratorAccess, PowerUserAccess "
            "or ...FullAccess policy is attached to a role, user or group.",
            broad_managed_policies, tuple(_ATTACHED)),
]
