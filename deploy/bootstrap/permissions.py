"""What the workflows' roles may do, as IAM documents built from plain values (testable alone).

The deploy role may do what `pulumi up` of todo-api does and no more: each statement is limited
to the stack's resources by name (todo-api-*), or, where AWS names them by id or Pulumi by a
random suffix (IAM roles), by the `app` tag every resource of the stack carries."""

from typing import Any

APP = "todo-api"
GITHUB_OIDC_HOST = "token.actions.githubusercontent.com"
AUDIENCE = "sts.amazonaws.com"
GATEWAY_LOGGING_POLICY = "arn:aws:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs"
# The permissions boundary of every role a todo-api stack creates (todo-api:permissionsBoundary).
BOUNDARY = "todo-api-boundary"


def boundary_arn(account: str) -> str:
    return f"arn:aws:iam::{account}:policy/{BOUNDARY}"


def boundary_policy(region: str, account: str) -> dict[str, Any]:
    """The most any role of a todo-api stack may ever do: the functions' table actions, logs,
    traces; the events dispatcher's stream, queues and reminder schedules, and the scheduler's
    call of it. The deploy role can create roles only under it, so it cannot mint a stronger
    one."""
    arn = f"{region}:{account}"
    return {"Version": "2012-10-17", "Statement": [
        {"Sid": "Tables", "Effect": "Allow",
         "Action": ["dynamodb:GetItem", "dynamodb:BatchGetItem", "dynamodb:Query",
                    "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem",
                    "dynamodb:BatchWriteItem", "dynamodb:ConditionCheckItem"],
         "Resource": [f"arn:aws:dynamodb:{arn}:table/{APP}-*",
                      f"arn:aws:dynamodb:{arn}:table/{APP}-*/index/*"]},
        # The functions write to their own groups; API Gateway's account-wide logging role
        # (AmazonAPIGatewayPushToCloudWatchLogs) creates and writes the execution log groups.
        {"Sid": "Logs", "Effect": "Allow",
         "Action": ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:DescribeLogGroups",
                    "logs:DescribeLogStreams", "logs:PutLogEvents", "logs:GetLogEvents",
                    "logs:FilterLogEvents"],
         "Resource": ["*"]},
        {"Sid": "Tracing", "Effect": "Allow",
         "Action": ["xray:PutTraceSegments", "xray:PutTelemetryRecords"], "Resource": ["*"]},
        {"Sid": "Streams", "Effect": "Allow",
         "Action": ["dynamodb:DescribeStream", "dynamodb:GetRecords",
                    "dynamodb:GetShardIterator"],
         "Resource": [f"arn:aws:dynamodb:{arn}:table/{APP}-*/stream/*"]},
        {"Sid": "Queues", "Effect": "Allow",
         "Action": ["sqs:SendMessage", "sqs:ReceiveMessage", "sqs:DeleteMessage",
                    "sqs:GetQueueAttributes"],
         "Resource": [f"arn:aws:sqs:{arn}:{APP}-*"]},
        {"Sid": "Reminders", "Effect": "Allow",
         "Action": ["scheduler:CreateSchedule", "scheduler:UpdateSchedule",
                    "scheduler:DeleteSchedule"],
         "Resource": [f"arn:aws:scheduler:{arn}:schedule/{APP}-*/*"]},
        {"Sid": "PassSchedulerRoles", "Effect": "Allow", "Action": ["iam:PassRole"],
         "Resource": [f"arn:aws:iam::{account}:role/*"],
         "Condition": {"StringEquals": {"iam:PassedToService": "scheduler.amazonaws.com"}}},
        {"Sid": "InvokeDispatcher", "Effect": "Allow", "Action": ["lambda:InvokeFunction"],
         "Resource": [f"arn:aws:lambda:{arn}:function:{APP}-*"]},
    ]}


def trust_policy(provider_arn: str, subjects: list[str]) -> dict[str, Any]:
    """Only GitHub's tokens for this repository and these subjects (an environment, a PR)."""
    return {"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow",
        "Principal": {"Federated": provider_arn},
        "Action": "sts:AssumeRoleWithWebIdentity",
        "Condition": {
            "StringEquals": {f"{GITHUB_OIDC_HOST}:aud": AUDIENCE,
                             f"{GITHUB_OIDC_HOST}:sub": subjects},
        },
    }]}


def deploy_subjects(repository: str, environments: list[str]) -> list[str]:
    # A job that names `environment: prod` gets sub = repo:OWNER/NAME:environment:prod, and
    # GitHub hands it out only after the environment's protection rules (reviewers) pass.
    return [f"repo:{repository}:environment:{env}" for env in environments]


def preview_subjects(repository: str) -> list[str]:
    return [f"repo:{repository}:pull_request"]


def _state(bucket: str, kms_key: str, *, write: bool) -> list[dict[str, Any]]:
    statements: list[dict[str, Any]] = []
    if bucket:
        objects = (["s3:GetObject", "s3:PutObject", "s3:DeleteObject"] if write else
                   ["s3:GetObject"])
        statements += [
            {"Sid": "StateList", "Effect": "Allow", "Action": ["s3:ListBucket",
                                                              "s3:GetBucketLocation"],
             "Resource": [f"arn:aws:s3:::{bucket}"]},
            {"Sid": "StateObjects", "Effect": "Allow", "Action": objects,
             "Resource": [f"arn:aws:s3:::{bucket}/.pulumi/*"]},
        ]
        if not write:  # a preview still takes the stack's lock
            statements.append({"Sid": "StateLocks", "Effect": "Allow",
                               "Action": ["s3:PutObject", "s3:DeleteObject"],
                               "Resource": [f"arn:aws:s3:::{bucket}/.pulumi/locks/*"]})
    if kms_key:
        statements.append({"Sid": "Secrets", "Effect": "Allow",
                           "Action": ["kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey"],
                           "Resource": [kms_key]})
    return statements


def preview_policy(bucket: str, kms_key: str) -> dict[str, Any]:
    """A PR's `pulumi preview`: read the state (and lock it), decrypt secrets, log in to ECR."""
    return {"Version": "2012-10-17", "Statement": [
        *_state(bucket, kms_key, write=False),
        {"Sid": "RegistryLogin", "Effect": "Allow", "Action": ["ecr:GetAuthorizationToken"],
         "Resource": ["*"]},
    ]}


def deploy_policy(region: str, account: str, bucket: str, kms_key: str) -> dict[str, Any]:
    """`pulumi up` of a todo-api stack, and the e2e suite's throwaway users."""
    arn = f"{region}:{account}"
    tagged = {"StringEquals": {"aws:ResourceTag/app": APP}}
    bounded = {"StringEquals": {"iam:ResourceTag/app": APP,
                                "iam:PermissionsBoundary": boundary_arn(account)}}
    return {"Version": "2012-10-17", "Statement": [
        *_state(bucket, kms_key, write=True),
        {"Sid": "Table", "Effect": "Allow",
         "Action": ["dynamodb:CreateTable", "dynamodb:DeleteTable", "dynamodb:UpdateTable",
                    "dynamodb:UpdateContinuousBackups", "dynamodb:UpdateTimeToLive",
                    "dynamodb:TagResource", "dynamodb:UntagResource", "dynamodb:Describe*",
                    "dynamodb:List*"],
         "Resource": [f"arn:aws:dynamodb:{arn}:table/{APP}-*"]},
        {"Sid": "Functions", "Effect": "Allow",
         "Action": ["lambda:CreateFunction", "lambda:DeleteFunction",
                    "lambda:UpdateFunctionCode", "lambda:UpdateFunctionConfiguration",
                    "lambda:AddPermission", "lambda:RemovePermission", "lambda:TagResource",
                    "lambda:UntagResource", "lambda:Get*", "lambda:List*"],
         "Resource": [f"arn:aws:lambda:{arn}:function:{APP}-*"]},
        # Roles: created tagged and under the boundary; their policies written only while the
        # boundary is on them; the boundary itself never removed.
        {"Sid": "CreateBoundedRoles", "Effect": "Allow", "Action": ["iam:CreateRole"],
         "Resource": [f"arn:aws:iam::{account}:role/*"],
         "Condition": {"StringEquals": {"aws:RequestTag/app": APP,
                                        "iam:PermissionsBoundary": boundary_arn(account)}}},
        # A tag update sends only the changed tags: the role's own app tag is what counts.
        {"Sid": "ReadTagAndDeleteOwnRoles", "Effect": "Allow",
         "Action": ["iam:GetRole", "iam:DeleteRole", "iam:TagRole", "iam:UntagRole",
                    "iam:GetRolePolicy",
                    "iam:ListRolePolicies", "iam:ListAttachedRolePolicies",
                    "iam:ListInstanceProfilesForRole", "iam:DeleteRolePolicy"],
         "Resource": [f"arn:aws:iam::{account}:role/*"],
         "Condition": {"StringEquals": {"iam:ResourceTag/app": APP}}},
        {"Sid": "WriteBoundedRoles", "Effect": "Allow",
         "Action": ["iam:UpdateRole", "iam:UpdateAssumeRolePolicy", "iam:PutRolePolicy",
                    "iam:PutRolePermissionsBoundary"],
         "Resource": [f"arn:aws:iam::{account}:role/*"], "Condition": bounded},
        {"Sid": "GatewayLoggingPolicy", "Effect": "Allow",
         "Action": ["iam:AttachRolePolicy", "iam:DetachRolePolicy"],
         "Resource": [f"arn:aws:iam::{account}:role/*"],
         "Condition": {**bounded, "ArnEquals": {"iam:PolicyARN": GATEWAY_LOGGING_POLICY}}},
        {"Sid": "PassOwnRoles", "Effect": "Allow", "Action": ["iam:PassRole"],
         "Resource": [f"arn:aws:iam::{account}:role/*"],
         "Condition": {"StringEquals": {
             "iam:ResourceTag/app": APP,
             "iam:PassedToService": ["lambda.amazonaws.com", "apigateway.amazonaws.com"]}}},
        {"Sid": "LogGroups", "Effect": "Allow",
         "Action": ["logs:CreateLogGroup", "logs:DeleteLogGroup", "logs:PutRetentionPolicy",
                    "logs:DeleteRetentionPolicy", "logs:TagResource", "logs:UntagResource",
                    "logs:ListTagsForResource", "logs:TagLogGroup", "logs:ListTagsLogGroup"],
         "Resource": [f"arn:aws:logs:{arn}:log-group:/aws/lambda/{APP}-*",
                      f"arn:aws:logs:{arn}:log-group:/aws/apigateway/{APP}-*"]},
        {"Sid": "FindLogGroups", "Effect": "Allow", "Action": ["logs:DescribeLogGroups"],
         "Resource": [f"arn:aws:logs:{arn}:log-group:*"]},
        {"Sid": "RestApis", "Effect": "Allow",
         "Action": ["apigateway:GET", "apigateway:POST", "apigateway:PUT", "apigateway:PATCH",
                    "apigateway:DELETE", "apigateway:SetWebACL"],
         "Resource": [f"arn:aws:apigateway:{region}::/restapis",
                      f"arn:aws:apigateway:{region}::/restapis/*",
                      f"arn:aws:apigateway:{region}::/account",
                      f"arn:aws:apigateway:{region}::/tags/*"]},
        {"Sid": "CreateUserPools", "Effect": "Allow", "Action": ["cognito-idp:CreateUserPool"],
         "Resource": ["*"], "Condition": {"StringEquals": {"aws:RequestTag/app": APP}}},
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
         "Resource": [f"arn:aws:cognito-idp:{arn}:userpool/*"], "Condition": tagged},
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
         "Resource": [f"arn:aws:ecr:{arn}:repository/{APP}-*"]},
        {"Sid": "AlarmTopic", "Effect": "Allow",
         "Action": ["sns:CreateTopic", "sns:DeleteTopic", "sns:GetTopicAttributes",
                    "sns:SetTopicAttributes", "sns:Subscribe", "sns:Unsubscribe",
                    "sns:GetSubscriptionAttributes", "sns:SetSubscriptionAttributes",
                    "sns:ListSubscriptionsByTopic", "sns:TagResource", "sns:UntagResource",
                    "sns:ListTagsForResource"],
         "Resource": [f"arn:aws:sns:{arn}:{APP}-*"]},
        {"Sid": "Alarms", "Effect": "Allow",
         "Action": ["cloudwatch:PutMetricAlarm", "cloudwatch:DeleteAlarms",
                    "cloudwatch:DescribeAlarms", "cloudwatch:TagResource",
                    "cloudwatch:UntagResource", "cloudwatch:ListTagsForResource"],
         "Resource": [f"arn:aws:cloudwatch:{arn}:alarm:{APP}-*"]},
        {"Sid": "Dashboard", "Effect": "Allow",
         "Action": ["cloudwatch:PutDashboard", "cloudwatch:GetDashboard",
                    "cloudwatch:DeleteDashboards"],
         "Resource": [f"arn:aws:cloudwatch::{account}:dashboard/{APP}-*"]},
        # The web app: a private bucket named todo-api-<stack>-web-..., its files, and the
        # CloudFront distribution in front of it (CloudFront names its resources by id).
        {"Sid": "WebBucket", "Effect": "Allow",
         "Action": ["s3:CreateBucket", "s3:DeleteBucket", "s3:PutBucketPublicAccessBlock",
                    "s3:PutBucketOwnershipControls", "s3:PutEncryptionConfiguration",
                    "s3:PutBucketPolicy", "s3:DeleteBucketPolicy", "s3:PutBucketTagging",
                    "s3:PutObject", "s3:PutObjectTagging", "s3:DeleteObject",
                    "s3:DeleteObjectVersion", "s3:Get*", "s3:List*"],
         "Resource": [f"arn:aws:s3:::{APP}-*"]},
        {"Sid": "WebDistribution", "Effect": "Allow",
         "Action": ["cloudfront:CreateDistribution", "cloudfront:UpdateDistribution",
                    "cloudfront:DeleteDistribution", "cloudfront:GetDistribution",
                    "cloudfront:GetDistributionConfig", "cloudfront:TagResource",
                    "cloudfront:UntagResource", "cloudfront:ListTagsForResource",
                    "cloudfront:CreateOriginAccessControl", "cloudfront:GetOriginAccessControl",
                    "cloudfront:UpdateOriginAccessControl",
                    "cloudfront:DeleteOriginAccessControl",
                    "cloudfront:CreateResponseHeadersPolicy",
                    "cloudfront:GetResponseHeadersPolicy",
                    "cloudfront:UpdateResponseHeadersPolicy",
                    "cloudfront:DeleteResponseHeadersPolicy", "cloudfront:GetCachePolicy"],
         "Resource": [f"arn:aws:cloudfront::{account}:distribution/*",
                      f"arn:aws:cloudfront::{account}:origin-access-control/*",
                      f"arn:aws:cloudfront::{account}:response-headers-policy/*",
                      f"arn:aws:cloudfront::{account}:cache-policy/*"]},
        # Events: the delivery queues, the reminders' schedule group, and the mappings that
        # feed the dispatcher (Lambda names those by id: held to the stack's functions).
        {"Sid": "Queues", "Effect": "Allow",
         "Action": ["sqs:CreateQueue", "sqs:DeleteQueue", "sqs:GetQueueAttributes",
                    "sqs:SetQueueAttributes", "sqs:GetQueueUrl", "sqs:TagQueue",
                    "sqs:UntagQueue", "sqs:ListQueueTags"],
         "Resource": [f"arn:aws:sqs:{arn}:{APP}-*"]},
        {"Sid": "ScheduleGroups", "Effect": "Allow",
         "Action": ["scheduler:CreateScheduleGroup", "scheduler:DeleteScheduleGroup",
                    "scheduler:GetScheduleGroup", "scheduler:TagResource",
                    "scheduler:UntagResource", "scheduler:ListTagsForResource"],
         "Resource": [f"arn:aws:scheduler:{arn}:schedule-group/{APP}-*"]},
        {"Sid": "EventSourceMappings", "Effect": "Allow",
         "Action": ["lambda:CreateEventSourceMapping", "lambda:UpdateEventSourceMapping",
                    "lambda:DeleteEventSourceMapping"],
         "Resource": ["*"],
         "Condition": {"ArnLike": {
             "lambda:FunctionArn": f"arn:aws:lambda:{arn}:function:{APP}-*"}}},
        {"Sid": "ReadEventSourceMappings", "Effect": "Allow",
         "Action": ["lambda:GetEventSourceMapping", "lambda:ListEventSourceMappings"],
         "Resource": [f"arn:aws:lambda:{arn}:event-source-mapping:*"]},
        {"Sid": "Firewall", "Effect": "Allow",
         "Action": ["wafv2:CreateWebACL", "wafv2:DeleteWebACL", "wafv2:GetWebACL",
                    "wafv2:UpdateWebACL", "wafv2:TagResource", "wafv2:UntagResource",
                    "wafv2:ListTagsForResource", "wafv2:AssociateWebACL",
                    "wafv2:DisassociateWebACL", "wafv2:GetWebACLForResource"],
         "Resource": [f"arn:aws:wafv2:{arn}:regional/webacl/{APP}-*/*",
                      f"arn:aws:wafv2:{arn}:regional/managedruleset/*/*",
                      f"arn:aws:apigateway:{region}::/restapis/*/stages/*"]},
    ]}
