"""What the workflows' roles may do and who may assume them, as IAM documents built from plain
values (testable alone).

Each stack (dev, prod) has its own deploy role, trusted only by the GitHub environment of the
same name, that may do what `pulumi up` of that stack does and nothing to any other stack. A
statement reaches a stack's resources by name (todo-api-<stack>-...), by IAM path (its roles live
under /todo-api-<stack>/), by prefix (its state under <stack>/ in the state bucket), by key (its
own KMS key for Pulumi secrets) or, where AWS names a resource by id (REST APIs, user pools,
CloudFront distributions), by the `app` and `stack` tags every resource of the stack carries,
which no deploy role may change once set. The pull-request preview role reads one stack's state
and decrypts its secrets: nothing else, and nothing of any other stack."""

from dataclasses import dataclass
from typing import Any

APP = "todo-api"
GITHUB_OIDC_HOST = "token.actions.githubusercontent.com"
AUDIENCE = "sts.amazonaws.com"
# The workflow files whose jobs assume the roles (pinned in the subject with pinWorkflows).
DEPLOY_WORKFLOW = ".github/workflows/deploy.yml"
PREVIEW_WORKFLOW = ".github/workflows/pull-request.yml"
RELEASE_REF = "refs/heads/main"
# The tags that say whose a resource is: set when it is created, never changed after.
OWNER_TAGS = ("app", "stack")

Document = dict[str, Any]
Statement = dict[str, Any]


@dataclass(frozen=True)
class Stack:
    """One todo-api stack as its roles see it."""

    name: str  # the Pulumi stack and the GitHub environment: dev, prod
    region: str
    account: str
    bucket: str  # the state bucket; this stack's state lives under `<name>/`
    key_arn: str  # this stack's KMS key, its Pulumi secrets provider

    @property
    def prefix(self) -> str:
        return f"{APP}-{self.name}"

    @property
    def boundary_name(self) -> str:
        return f"{self.prefix}-boundary"

    @property
    def boundary_arn(self) -> str:
        return f"arn:aws:iam::{self.account}:policy/{self.boundary_name}"

    @property
    def roles(self) -> str:
        """Every role of the stack: infra/boundary.py puts them under this path."""
        return f"arn:aws:iam::{self.account}:role/{self.prefix}/*"

    @property
    def secrets_alias(self) -> str:
        return f"alias/{self.prefix}-secrets"

    @property
    def backend_url(self) -> str:
        return f"s3://{self.bucket}/{self.name}"

    @property
    def secrets_provider(self) -> str:
        return f"awskms://{self.secrets_alias}?region={self.region}"

    def arn(self, service: str, resource: str, *, region: bool = True) -> str:
        return (f"arn:aws:{service}:{self.region if region else ''}:{self.account}:"
                f"{resource}")


# --- who may assume each role ---------------------------------------------------------------

@dataclass(frozen=True)
class Subject:
    """The OIDC `sub` a role accepts: exactly, or as an IAM StringLike pattern."""

    value: str
    pattern: bool = False


def deploy_subject(repository: str, environment: str, *, pin_workflows: bool,
                   any_branch: bool) -> Subject:
    """A job that names `environment: <env>` gets sub = repo:OWNER/NAME:environment:<env>, and
    GitHub hands it out only after the environment's protection rules (branches, reviewers)
    pass. With pinWorkflows the repository's subject template also carries the workflow file
    and ref (job_workflow_ref), so AWS itself refuses a token from another workflow, and, for
    every environment but the one branches may deploy, from any ref but main."""
    base = f"repo:{repository}:environment:{environment}"
    if not pin_workflows:
        return Subject(base)
    workflow = f"{base}:job_workflow_ref:{repository}/{DEPLOY_WORKFLOW}@"
    if any_branch:
        return Subject(f"{workflow}refs/heads/*", pattern=True)
    return Subject(workflow + RELEASE_REF)


def preview_subject(repository: str, *, pin_workflows: bool) -> Subject:
    base = f"repo:{repository}:pull_request"
    if not pin_workflows:
        return Subject(base)
    return Subject(f"{base}:job_workflow_ref:{repository}/{PREVIEW_WORKFLOW}@refs/pull/*/merge",
                   pattern=True)


def trust_policy(provider_arn: str, subject: Subject) -> Document:
    """Only GitHub's tokens for this audience and this one subject."""
    match = "StringLike" if subject.pattern else "StringEquals"
    conditions: dict[str, dict[str, str]] = {
        "StringEquals": {f"{GITHUB_OIDC_HOST}:aud": AUDIENCE}}
    conditions.setdefault(match, {})[f"{GITHUB_OIDC_HOST}:sub"] = subject.value
    return {"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow",
        "Principal": {"Federated": provider_arn},
        "Action": "sts:AssumeRoleWithWebIdentity",
        "Condition": conditions,
    }]}


# --- the ceiling of the roles a stack creates -----------------------------------------------

def boundary_policy(stack: Stack) -> Document:
    """The most any role of this stack may ever do: its functions' actions on its own table,
    writes to its own log groups, traces; the events dispatcher's stream, queues and reminder
    schedules, and the scheduler's call of it. Its deploy role can create roles only under it,
    so it cannot mint a role that reaches another stack."""
    table = stack.arn("dynamodb", f"table/{stack.prefix}-*")
    return {"Version": "2012-10-17", "Statement": [
        {"Sid": "OwnTable", "Effect": "Allow",
         "Action": ["dynamodb:GetItem", "dynamodb:BatchGetItem", "dynamodb:Query",
                    "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem",
                    "dynamodb:BatchWriteItem", "dynamodb:ConditionCheckItem"],
         "Resource": [table, f"{table}/index/*"]},
        {"Sid": "OwnLogs", "Effect": "Allow",
         "Action": ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"],
         "Resource": [stack.arn("logs", f"log-group:/aws/lambda/{stack.prefix}-*")]},
        # X-Ray accepts no narrower resource than "*" for these two actions.
        {"Sid": "Tracing", "Effect": "Allow",
         "Action": ["xray:PutTraceSegments", "xray:PutTelemetryRecords"], "Resource": ["*"]},
        # Events (infra/events.py): the dispatcher reads its table's stream, uses its queues,
        # keeps reminders in its schedule group and hands the scheduler its role; the
        # scheduler's role invokes the dispatcher.
        {"Sid": "OwnStream", "Effect": "Allow",
         "Action": ["dynamodb:DescribeStream", "dynamodb:GetRecords",
                    "dynamodb:GetShardIterator"],
         "Resource": [f"{table}/stream/*"]},
        {"Sid": "OwnQueues", "Effect": "Allow",
         "Action": ["sqs:SendMessage", "sqs:ReceiveMessage", "sqs:DeleteMessage",
                    "sqs:GetQueueAttributes"],
         "Resource": [stack.arn("sqs", f"{stack.prefix}-*")]},
        {"Sid": "OwnSchedules", "Effect": "Allow",
         "Action": ["scheduler:CreateSchedule", "scheduler:UpdateSchedule",
                    "scheduler:DeleteSchedule"],
         "Resource": [stack.arn("scheduler", f"schedule/{stack.prefix}-*/*")]},
        {"Sid": "PassOwnRoles", "Effect": "Allow", "Action": ["iam:PassRole"],
         "Resource": [stack.roles]},
        {"Sid": "InvokeOwnFunctions", "Effect": "Allow", "Action": ["lambda:InvokeFunction"],
         "Resource": [stack.arn("lambda", f"function:{stack.prefix}-*")]},
    ]}


# --- what each role may do ------------------------------------------------------------------

def _state(stack: Stack, objects: list[str]) -> list[Statement]:
    """The stack's state: its own prefix of the bucket (PULUMI_BACKEND_URL s3://BUCKET/<name>)."""
    bucket = f"arn:aws:s3:::{stack.bucket}"
    return [
        {"Sid": "StateBucket", "Effect": "Allow", "Action": ["s3:GetBucketLocation"],
         "Resource": [bucket]},
        {"Sid": "StateList", "Effect": "Allow", "Action": ["s3:ListBucket"],
         "Resource": [bucket], "Condition": {"StringLike": {"s3:prefix": [f"{stack.name}/*"]}}},
        {"Sid": "StateObjects", "Effect": "Allow", "Action": objects,
         "Resource": [f"{bucket}/{stack.name}/*"]},
    ]


def preview_policy(stack: Stack) -> Document:
    """A PR's `pulumi preview` of `stack`: read its state (a preview takes no lock and writes
    nothing to a DIY backend), decrypt its secrets, get an ECR login token (the program asks
    for one; pushing is the repository's permission, which this role lacks)."""
    return {"Version": "2012-10-17", "Statement": [
        *_state(stack, ["s3:GetObject"]),
        {"Sid": "Secrets", "Effect": "Allow", "Action": ["kms:Decrypt"],
         "Resource": [stack.key_arn]},
        {"Sid": "RegistryLogin", "Effect": "Allow", "Action": ["ecr:GetAuthorizationToken"],
         "Resource": ["*"]},
    ]}


def _owned(stack: Stack, key: str) -> dict[str, dict[str, str]]:
    """The resource (aws:ResourceTag) or the request (aws:RequestTag) carries this stack's
    owner tags."""
    return {"StringEquals": {f"{key}/app": APP, f"{key}/stack": stack.name}}


def deploy_policy(stack: Stack) -> Document:
    """`pulumi up` of one todo-api stack, and the e2e suite's throwaway users in its pool."""
    own, region = stack.prefix, stack.region
    owned, created = _owned(stack, "aws:ResourceTag"), _owned(stack, "aws:RequestTag")
    bounded = {"StringEquals": {"iam:PermissionsBoundary": stack.boundary_arn}}
    gateway = f"arn:aws:apigateway:{region}::"
    return {"Version": "2012-10-17", "Statement": [
        *_state(stack, ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"]),
        {"Sid": "Secrets", "Effect": "Allow",
         "Action": ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey"],
         "Resource": [stack.key_arn]},
        {"Sid": "Table", "Effect": "Allow",
         "Action": ["dynamodb:CreateTable", "dynamodb:DeleteTable", "dynamodb:UpdateTable",
                    "dynamodb:UpdateContinuousBackups", "dynamodb:UpdateTimeToLive",
                    "dynamodb:TagResource", "dynamodb:UntagResource", "dynamodb:Describe*",
                    "dynamodb:List*"],
         "Resource": [stack.arn("dynamodb", f"table/{own}-*")]},
        {"Sid": "Functions", "Effect": "Allow",
         "Action": ["lambda:CreateFunction", "lambda:DeleteFunction",
                    "lambda:UpdateFunctionCode", "lambda:UpdateFunctionConfiguration",
                    "lambda:AddPermission", "lambda:RemovePermission", "lambda:TagResource",
                    "lambda:UntagResource", "lambda:Get*", "lambda:List*"],
         "Resource": [stack.arn("lambda", f"function:{own}-*")]},
        # Roles: only under the stack's path; created, and their policies written, only while
        # they carry the stack's boundary; the boundary itself never removed.
        {"Sid": "CreateBoundedRoles", "Effect": "Allow", "Action": ["iam:CreateRole"],
         "Resource": [stack.roles], "Condition": bounded},
        {"Sid": "ReadTagAndDeleteOwnRoles", "Effect": "Allow",
         "Action": ["iam:GetRole", "iam:DeleteRole", "iam:TagRole", "iam:UntagRole",
                    "iam:GetRolePolicy", "iam:ListRolePolicies", "iam:ListAttachedRolePolicies",
                    "iam:ListInstanceProfilesForRole", "iam:DeleteRolePolicy"],
         "Resource": [stack.roles]},
        {"Sid": "WriteBoundedRoles", "Effect": "Allow",
         "Action": ["iam:UpdateRole", "iam:UpdateAssumeRolePolicy", "iam:PutRolePolicy",
                    "iam:PutRolePermissionsBoundary"],
         "Resource": [stack.roles], "Condition": bounded},
        {"Sid": "PassOwnRoles", "Effect": "Allow", "Action": ["iam:PassRole"],
         "Resource": [stack.roles],
         "Condition": {"StringEquals": {"iam:PassedToService": "lambda.amazonaws.com"}}},
        {"Sid": "LogGroups", "Effect": "Allow",
         "Action": ["logs:CreateLogGroup", "logs:DeleteLogGroup", "logs:PutRetentionPolicy",
                    "logs:DeleteRetentionPolicy", "logs:TagResource", "logs:UntagResource",
                    "logs:ListTagsForResource", "logs:TagLogGroup", "logs:ListTagsLogGroup"],
         "Resource": [stack.arn("logs", f"log-group:/aws/lambda/{own}-*"),
                      stack.arn("logs", f"log-group:/aws/apigateway/{own}/*")]},
        # Names and settings of log groups, not their events.
        {"Sid": "FindLogGroups", "Effect": "Allow", "Action": ["logs:DescribeLogGroups"],
         "Resource": [stack.arn("logs", "log-group:*")]},
        # REST APIs are named by id: created carrying the stack's tags, then reached by them
        # (API Gateway's V1 resources inherit their REST API's tags for access control).
        {"Sid": "CreateRestApis", "Effect": "Allow", "Action": ["apigateway:POST"],
         "Resource": [f"{gateway}/restapis"], "Condition": created},
        {"Sid": "OwnRestApis", "Effect": "Allow",
         "Action": ["apigateway:GET", "apigateway:POST", "apigateway:PUT", "apigateway:PATCH",
                    "apigateway:DELETE", "apigateway:SetWebACL"],
         "Resource": [f"{gateway}/restapis/*", f"{gateway}/tags/*"], "Condition": owned},
        {"Sid": "CreateUserPools", "Effect": "Allow", "Action": ["cognito-idp:CreateUserPool"],
         "Resource": ["*"], "Condition": created},
        {"Sid": "OwnUserPools", "Effect": "Allow",
         "Action": ["cognito-idp:DeleteUserPool", "cognito-idp:DescribeUserPool",
                    "cognito-idp:UpdateUserPool", "cognito-idp:GetUserPoolMfaConfig",
                    "cognito-idp:SetUserPoolMfaConfig", "cognito-idp:CreateUserPoolClient",
                    "cognito-idp:DeleteUserPoolClient", "cognito-idp:DescribeUserPoolClient",
                    "cognito-idp:UpdateUserPoolClient", "cognito-idp:CreateUserPoolDomain",
                    "cognito-idp:DeleteUserPoolDomain", "cognito-idp:DescribeUserPoolDomain",
                    "cognito-idp:UpdateUserPoolDomain", "cognito-idp:CreateManagedLoginBranding",
                    "cognito-idp:DescribeManagedLoginBranding",
                    "cognito-idp:DescribeManagedLoginBrandingByClient",
                    "cognito-idp:UpdateManagedLoginBranding",
                    "cognito-idp:DeleteManagedLoginBranding", "cognito-idp:TagResource",
                    "cognito-idp:UntagResource", "cognito-idp:ListTagsForResource",
                    # the e2e suite's throwaway users (make e2e STACK=...)
                    "cognito-idp:AdminCreateUser", "cognito-idp:AdminSetUserPassword",
                    "cognito-idp:AdminDeleteUser"],
         "Resource": [stack.arn("cognito-idp", "userpool/*")], "Condition": owned},
        {"Sid": "RegistryLogin", "Effect": "Allow", "Action": ["ecr:GetAuthorizationToken"],
         "Resource": ["*"]},
        {"Sid": "Repository", "Effect": "Allow",
         "Action": ["ecr:CreateRepository", "ecr:DeleteRepository", "ecr:DescribeRepositories",
                    "ecr:PutImageScanningConfiguration", "ecr:PutImageTagMutability",
                    "ecr:PutLifecyclePolicy", "ecr:GetLifecyclePolicy",
                    "ecr:DeleteLifecyclePolicy", "ecr:ListTagsForResource", "ecr:TagResource",
                    "ecr:UntagResource", "ecr:BatchCheckLayerAvailability",
                    "ecr:InitiateLayerUpload", "ecr:UploadLayerPart", "ecr:CompleteLayerUpload",
                    "ecr:PutImage", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer",
                    "ecr:DescribeImages", "ecr:BatchDeleteImage"],
         "Resource": [stack.arn("ecr", f"repository/{own}-*")]},
        {"Sid": "AlarmTopic", "Effect": "Allow",
         "Action": ["sns:CreateTopic", "sns:DeleteTopic", "sns:GetTopicAttributes",
                    "sns:SetTopicAttributes", "sns:Subscribe", "sns:Unsubscribe",
                    "sns:GetSubscriptionAttributes", "sns:SetSubscriptionAttributes",
                    "sns:ListSubscriptionsByTopic", "sns:TagResource", "sns:UntagResource",
                    "sns:ListTagsForResource"],
         "Resource": [stack.arn("sns", f"{own}-*")]},
        {"Sid": "Alarms", "Effect": "Allow",
         "Action": ["cloudwatch:PutMetricAlarm", "cloudwatch:DeleteAlarms",
                    "cloudwatch:DescribeAlarms", "cloudwatch:TagResource",
                    "cloudwatch:UntagResource", "cloudwatch:ListTagsForResource"],
         "Resource": [stack.arn("cloudwatch", f"alarm:{own}-*")]},
        {"Sid": "Dashboard", "Effect": "Allow",
         "Action": ["cloudwatch:PutDashboard", "cloudwatch:GetDashboard",
                    "cloudwatch:DeleteDashboards"],
         "Resource": [stack.arn("cloudwatch", f"dashboard/{own}", region=False),
                      stack.arn("cloudwatch", f"dashboard/{own}-*", region=False)]},
        # The web app: a private bucket named todo-api-<stack>-web-..., and its files.
        {"Sid": "WebBucket", "Effect": "Allow",
         "Action": ["s3:CreateBucket", "s3:DeleteBucket", "s3:PutBucketPublicAccessBlock",
                    "s3:PutBucketOwnershipControls", "s3:PutEncryptionConfiguration",
                    "s3:PutBucketPolicy", "s3:DeleteBucketPolicy", "s3:PutBucketTagging",
                    "s3:PutObject", "s3:PutObjectTagging", "s3:DeleteObject",
                    "s3:DeleteObjectVersion", "s3:Get*", "s3:List*"],
         "Resource": [f"arn:aws:s3:::{own}-*"]},
        # CloudFront names distributions by id: created carrying the stack's tags (creating
        # with tags takes TagResource too), then reached by them.
        {"Sid": "CreateDistributions", "Effect": "Allow",
         "Action": ["cloudfront:CreateDistribution", "cloudfront:TagResource"],
         "Resource": [stack.arn("cloudfront", "distribution/*", region=False)],
         "Condition": created},
        {"Sid": "OwnDistributions", "Effect": "Allow",
         "Action": ["cloudfront:UpdateDistribution", "cloudfront:DeleteDistribution",
                    "cloudfront:GetDistribution", "cloudfront:GetDistributionConfig",
                    "cloudfront:TagResource", "cloudfront:UntagResource",
                    "cloudfront:ListTagsForResource"],
         "Resource": [stack.arn("cloudfront", "distribution/*", region=False)],
         "Condition": owned},
        # Origin access controls and response headers policies take no tags and are named by
        # id, so IAM cannot tell one stack's from another's: the one reach across stacks left
        # in a shared account (README, Delivery). They hold settings, never data.
        {"Sid": "WebEdgePolicies", "Effect": "Allow",
         "Action": ["cloudfront:CreateOriginAccessControl", "cloudfront:GetOriginAccessControl",
                    "cloudfront:UpdateOriginAccessControl",
                    "cloudfront:DeleteOriginAccessControl",
                    "cloudfront:CreateResponseHeadersPolicy",
                    "cloudfront:GetResponseHeadersPolicy",
                    "cloudfront:UpdateResponseHeadersPolicy",
                    "cloudfront:DeleteResponseHeadersPolicy", "cloudfront:GetCachePolicy"],
         "Resource": [stack.arn("cloudfront", "origin-access-control/*", region=False),
                      stack.arn("cloudfront", "response-headers-policy/*", region=False),
                      stack.arn("cloudfront", "cache-policy/*", region=False)]},
        # Events: the delivery queues and the reminders' schedule group, by name; the mappings
        # that feed the dispatcher (Lambda names them by id): created for the stack's own
        # functions and carrying its tags, then reached by them.
        {"Sid": "Queues", "Effect": "Allow",
         "Action": ["sqs:CreateQueue", "sqs:DeleteQueue", "sqs:GetQueueAttributes",
                    "sqs:SetQueueAttributes", "sqs:GetQueueUrl", "sqs:TagQueue",
                    "sqs:UntagQueue", "sqs:ListQueueTags"],
         "Resource": [stack.arn("sqs", f"{own}-*")]},
        {"Sid": "ScheduleGroups", "Effect": "Allow",
         "Action": ["scheduler:CreateScheduleGroup", "scheduler:DeleteScheduleGroup",
                    "scheduler:GetScheduleGroup", "scheduler:TagResource",
                    "scheduler:UntagResource", "scheduler:ListTagsForResource"],
         "Resource": [stack.arn("scheduler", f"schedule-group/{own}-*")]},
        {"Sid": "CreateEventSourceMappings", "Effect": "Allow",
         "Action": ["lambda:CreateEventSourceMapping", "lambda:TagResource"],
         "Resource": [stack.arn("lambda", "event-source-mapping:*")],
         "Condition": {**created, "ArnLike": {
             "lambda:FunctionArn": stack.arn("lambda", f"function:{own}-*")}}},
        {"Sid": "OwnEventSourceMappings", "Effect": "Allow",
         "Action": ["lambda:GetEventSourceMapping", "lambda:UpdateEventSourceMapping",
                    "lambda:DeleteEventSourceMapping", "lambda:ListTags",
                    "lambda:TagResource", "lambda:UntagResource"],
         "Resource": [stack.arn("lambda", "event-source-mapping:*")], "Condition": owned},
        {"Sid": "Firewall", "Effect": "Allow",
         "Action": ["wafv2:CreateWebACL", "wafv2:DeleteWebACL", "wafv2:GetWebACL",
                    "wafv2:UpdateWebACL", "wafv2:TagResource", "wafv2:UntagResource",
                    "wafv2:ListTagsForResource", "wafv2:AssociateWebACL",
                    "wafv2:DisassociateWebACL", "wafv2:GetWebACLForResource"],
         "Resource": [stack.arn("wafv2", f"regional/webacl/{own}/*"),
                      stack.arn("wafv2", f"regional/webacl/{own}-*/*"),
                      stack.arn("wafv2", "regional/managedruleset/*/*"),
                      # the stage is named after its stack
                      f"{gateway}/restapis/*/stages/{stack.name}"]},
        # Whose a resource is may be said once, when it is created, and never changed: else a
        # role could hand its own resource to the other stack, or, where tagging is allowed on
        # create, claim the other stack's.
        {"Sid": "KeepOwnerTags", "Effect": "Deny",
         "Action": ["cognito-idp:TagResource", "cognito-idp:UntagResource",
                    "cloudfront:TagResource", "cloudfront:UntagResource",
                    "apigateway:PUT", "apigateway:DELETE",
                    "lambda:TagResource", "lambda:UntagResource"],
         "Resource": [stack.arn("cognito-idp", "userpool/*"),
                      stack.arn("cloudfront", "distribution/*", region=False),
                      f"{gateway}/tags/*", stack.arn("lambda", "event-source-mapping:*")],
         "Condition": {"ForAnyValue:StringEquals": {"aws:TagKeys": list(OWNER_TAGS)},
                       "Null": {"aws:ResourceTag/stack": "false"}}},
    ]}
