"""The Pulumi program run offline under Pulumi's mocks, for the dev and the prod stack."""

import hashlib
import json
import subprocess
import sys
from typing import Any

import pytest

from models import TodoModel
from policy.rules import taggable
from services.edge.gateway_document import GATEWAY_KEYWORDS
from services.edge.routes import EVENT_FUNCTIONS, FUNCTIONS, ROUTES
from tests import iam_sim
from tests.support import ROOT
from tests.test_gateway_document import UNSUPPORTED, keywords

# What each function may do to the table, written out here on purpose: the program's own
# table must agree with this list, not be copied from it.
EXPECTED_ACTIONS = {
    "createTodo": {"dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"},
    "getTodos": {"dynamodb:BatchGetItem", "dynamodb:GetItem", "dynamodb:Query"},
    "updateTodo": {"dynamodb:ConditionCheckItem", "dynamodb:DeleteItem", "dynamodb:GetItem",
                   "dynamodb:PutItem", "dynamodb:UpdateItem"},
    "deleteTodo": {"dynamodb:DeleteItem", "dynamodb:GetItem", "dynamodb:PutItem",
                   "dynamodb:Query", "dynamodb:UpdateItem"},
}
STACKS = ["dev", "prod"]
COMMANDS = {**FUNCTIONS, **EVENT_FUNCTIONS}  # the four API functions and the dispatcher


def run_program(name: str, overrides: dict[str, Any] | None = None) -> dict[str, Any]:
    """The program's resources for a stack, its config changed by `overrides` (None: removed)."""
    result = subprocess.run(
        [sys.executable, "-m", "tests.pulumi_harness", name, json.dumps(overrides or {})],
        cwd=ROOT, capture_output=True, text=True, timeout=300, check=True,
    )
    declared: dict[str, Any] = json.loads(result.stdout)
    declared["name"] = name
    return declared


@pytest.fixture(scope="module", params=STACKS)
def stack(request: pytest.FixtureRequest) -> dict[str, Any]:
    return run_program(request.param)


def of_type(stack: dict[str, Any], typ: str) -> list[dict[str, Any]]:
    return [r for r in stack["resources"] if r["type"] == typ]


def one(stack: dict[str, Any], typ: str) -> dict[str, Any]:
    [resource] = of_type(stack, typ)
    return resource


def functions(stack: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {r["name"]: r for r in of_type(stack, "aws:lambda/function:Function")}


def test_five_functions_share_one_image_and_differ_in_command(stack: dict[str, Any]) -> None:
    fns = functions(stack)
    assert set(fns) == set(COMMANDS)
    image = one(stack, "docker-build:index:Image")
    assert image["inputs"]["platforms"] == ["linux/arm64"] and image["inputs"]["push"] is True
    assert {f["inputs"]["imageUri"] for f in fns.values()} == {image["state"]["ref"]}
    assert stack["outputs"]["imageUri"] == image["state"]["ref"]
    for name, fn in fns.items():
        inputs = fn["inputs"]
        assert inputs["imageConfig"]["commands"] == [COMMANDS[name]]
        assert inputs["packageType"] == "Image" and inputs["architectures"] == ["arm64"]
        assert inputs["memorySize"] == stack["config"]["todo-api:memoryMb"]
        if name in FUNCTIONS:
            assert inputs["timeout"] == stack["config"]["todo-api:timeoutSeconds"]
        else:  # a batch of deliveries, each up to 10 s, in parallel
            assert inputs["timeout"] == 60
        assert inputs["tracingConfig"] == {"mode": "Active"}
        assert inputs["loggingConfig"]["logFormat"] == "JSON"
        assert inputs["environment"]["variables"]["TABLE_NAME"] == stack["outputs"]["tableName"]


def _policies(stack: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {r["name"]: json.loads(r["inputs"]["policy"])
            for r in of_type(stack, "aws:iam/rolePolicy:RolePolicy")}


def test_each_role_may_do_exactly_its_functions_table_actions(stack: dict[str, Any]) -> None:
    table = one(stack, "aws:dynamodb/table:Table")
    arn = table["state"]["arn"]
    arns = [arn, f"{arn}/index/byChange", f"{arn}/index/byDueDate"]
    policies = _policies(stack)
    assert set(policies) == set(COMMANDS) | {"events-scheduler"}
    for name in FUNCTIONS:
        statements = {s["Sid"]: s for s in policies[name]["Statement"]
                      if any(a.startswith("dynamodb:") for a in s["Action"])}
        table_statement = statements.pop("Table")
        assert set(table_statement["Action"]) == EXPECTED_ACTIONS[name], name
        assert table_statement["Resource"] == arns
        # No API function reads a webhook's signing secret (only the dispatcher signs)...
        deny = statements.pop("NoWebhookSecrets")
        assert deny["Effect"] == "Deny" and deny["Resource"] == arns
        assert set(deny["Action"]) >= {"dynamodb:GetItem", "dynamodb:Query",
                                       "dynamodb:BatchGetItem"}
        assert deny["Condition"] == {"ForAnyValue:StringLike": {
            "dynamodb:LeadingKeys": ["*#webhook-secrets"]}}
        # ...and the webhook count is updated only where it lives.
        if name in ("createTodo", "deleteTodo"):
            counts = statements.pop("WebhookCounts")
            assert counts["Action"] == ["dynamodb:UpdateItem"] and counts["Resource"] == [arn]
            assert counts["Condition"] == {"ForAllValues:StringLike": {
                "dynamodb:LeadingKeys": ["*#webhooks"]}}
        assert statements == {}, name
    for policy in policies.values():
        for s in policy["Statement"]:
            assert "*" not in s["Action"] and "dynamodb:*" not in s["Action"]
    for role in of_type(stack, "aws:iam/role:Role"):
        if role["name"] in COMMANDS:
            assert not role["inputs"].get("managedPolicyArns"), role["name"]
            trust = json.loads(role["inputs"]["assumeRolePolicy"])
            assert trust["Statement"][0]["Principal"] == {"Service": "lambda.amazonaws.com"}


def test_each_function_logs_to_its_own_group_with_the_stacks_retention(
    stack: dict[str, Any],
) -> None:
    groups = {r["name"]: r for r in of_type(stack, "aws:cloudwatch/logGroup:LogGroup")}
    policies = _policies(stack)
    for name, fn in functions(stack).items():
        group = groups[name]
        assert group["inputs"]["retentionInDays"] == stack["config"]["todo-api:logRetentionDays"]
        assert fn["inputs"]["loggingConfig"]["logGroup"] == group["inputs"]["name"]
        assert group["inputs"]["name"] == f"/aws/lambda/{fn['inputs']['name']}"
        [logs] = [s for s in policies[name]["Statement"] if s["Sid"] == "OwnLogGroup"]
        assert logs["Resource"] == [f"{group['state']['arn']}:*"]


def test_every_route_is_in_the_rest_api_with_its_function_and_authorizer(
    stack: dict[str, Any],
) -> None:
    api = one(stack, "aws:apigateway/restApi:RestApi")
    body = json.loads(api["inputs"]["body"])
    fns = functions(stack)
    # The reduced document: only keywords API Gateway's importer takes, no models.
    used = keywords(body)
    assert used <= GATEWAY_KEYWORDS, sorted(used - GATEWAY_KEYWORDS)
    assert not used & UNSUPPORTED and "schemas" not in body["components"]
    assert api["inputs"]["putRestApiMode"] == "overwrite"
    pool = one(stack, "aws:cognito/userPool:UserPool")
    scheme = body["components"]["securitySchemes"]["CognitoUserPool"]
    assert scheme["x-amazon-apigateway-authorizer"] == {
        "type": "cognito_user_pools", "providerARNs": [pool["state"]["arn"]]}
    for route in ROUTES:
        operation = body["paths"][route.path][route.method.lower()]
        integration = operation["x-amazon-apigateway-integration"]
        assert integration["uri"] == fns[route.function]["state"]["invokeArn"], route
        assert (integration["type"], integration["httpMethod"]) == ("aws_proxy", "POST")
        expected: list[dict[str, list[str]]] = [{"CognitoUserPool": []}] if route.authorized else []
        assert operation["security"] == expected, route
    for operations in body["paths"].values():
        assert operations["options"]["security"] == []  # preflight needs no token
    documented = {(m.upper(), p) for p, ops in body["paths"].items() for m in ops
                  if m != "options"}
    assert documented == {(r.method, r.path) for r in ROUTES}
    origins = stack["config"]["todo-api:corsOrigins"]
    cors = body["x-amazon-apigateway-gateway-responses"]["DEFAULT_4XX"]["responseParameters"]
    assert cors["gatewayresponse.header.Access-Control-Allow-Origin"] in (
        f"'{origins}'", "method.request.header.Origin")


def test_deployment_follows_the_document_and_the_stage_is_the_stack(
    stack: dict[str, Any],
) -> None:
    api = one(stack, "aws:apigateway/restApi:RestApi")
    deployment = one(stack, "aws:apigateway/deployment:Deployment")
    digest = hashlib.sha256(api["inputs"]["body"].encode()).hexdigest()
    assert deployment["inputs"]["triggers"] == {"body": digest}
    stage = one(stack, "aws:apigateway/stage:Stage")
    assert stage["inputs"]["stageName"] == stack["name"]
    assert stage["inputs"]["deployment"] == deployment["id"]
    assert stage["inputs"]["xrayTracingEnabled"] is True
    access = stage["inputs"]["accessLogSettings"]
    fields = json.loads(access["format"])
    for name in ("requestId", "caller", "route", "status", "latencyMs", "integrationLatencyMs"):
        assert name in fields
    groups = {r["state"]["arn"]: r for r in of_type(stack, "aws:cloudwatch/logGroup:LogGroup")}
    assert access["destinationArn"] in groups
    settings = one(stack, "aws:apigateway/methodSettings:MethodSettings")["inputs"]["settings"]
    assert settings["throttlingRateLimit"] == stack["config"]["todo-api:throttleRateLimit"]
    assert settings["throttlingBurstLimit"] == stack["config"]["todo-api:throttleBurstLimit"]
    assert stack["outputs"]["apiUrl"].endswith(f"/{stack['name']}")


def test_lambda_permissions_are_scoped_to_this_apis_routes(stack: dict[str, Any]) -> None:
    api = one(stack, "aws:apigateway/restApi:RestApi")
    permissions = of_type(stack, "aws:lambda/permission:Permission")
    fns = {f["inputs"]["name"]: name for name, f in functions(stack).items()}
    granted = {(fns[p["inputs"]["function"]], p["inputs"]["sourceArn"]) for p in permissions}
    expected: set[tuple[str, str]] = set()
    for route in ROUTES:
        path = "/".join("*" if part.startswith("{") else part for part in route.path.split("/"))
        expected.add((route.function, f"{api['state']['executionArn']}/*/{route.method}{path}"))
    assert granted == expected
    assert {p["inputs"]["principal"] for p in permissions} == {"apigateway.amazonaws.com"}


def test_table_protection_follows_the_stack(stack: dict[str, Any]) -> None:
    table = one(stack, "aws:dynamodb/table:Table")
    inputs = table["inputs"]
    assert (inputs["hashKey"], inputs["rangeKey"]) == ("userID", "taskID")
    # The indexes are the model's, derived from its declaration.
    indexes = {i["name"]: (i["hashKey"], i["rangeKey"], i["projectionType"])
               for i in inputs["globalSecondaryIndexes"]}
    assert indexes == {"byDueDate": ("userID", "dueKey", "ALL"),
                       "byChange": ("syncUserID", "changeKey", "ALL")}
    assert indexes.keys() == {i.Meta.index_name for i in TodoModel._indexes.values()}
    assert {a["name"]: a["type"] for a in inputs["attributes"]} == {
        "userID": "S", "taskID": "S", "dueKey": "S", "syncUserID": "S", "changeKey": "S"}
    assert inputs["billingMode"] == "PAY_PER_REQUEST"
    assert inputs["pointInTimeRecovery"] == {"enabled": True}
    assert inputs["ttl"] == {"attributeName": "expiresAt", "enabled": True}
    prod = stack["name"] == "prod"
    assert inputs["deletionProtectionEnabled"] is prod
    assert table["options"]["retainOnDelete"] is prod and table["options"]["protect"] is prod


def test_image_repository_scans_and_expires(stack: dict[str, Any]) -> None:
    repo = one(stack, "aws:ecr/repository:Repository")
    assert repo["inputs"]["imageScanningConfiguration"] == {"scanOnPush": True}
    rules = json.loads(one(stack, "aws:ecr/lifecyclePolicy:LifecyclePolicy")["inputs"]["policy"])
    assert rules["rules"][0]["selection"]["countType"] == "imageCountMoreThan"


def test_outputs(stack: dict[str, Any]) -> None:
    for name in ("apiUrl", "tableName", "userPoolId", "userPoolClientId", "imageUri"):
        assert stack["outputs"][name], name
    [client] = [c for c in of_type(stack, "aws:cognito/userPoolClient:UserPoolClient")
                if c["name"] == "users"]  # the CLI's client (the web app has its own)
    assert stack["outputs"]["userPoolClientId"] == client["id"]
    # SRP everywhere; the password itself (USER_PASSWORD_AUTH) only where dev asks for it.
    assert client["inputs"]["explicitAuthFlows"] == {
        "dev": ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
        "prod": ["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]}[stack["name"]]
    assert client["inputs"]["generateSecret"] is False


def _alarms(stack: dict[str, Any]) -> list[dict[str, Any]]:
    return of_type(stack, "aws:cloudwatch/metricAlarm:MetricAlarm")


def test_every_alarm_watches_a_declared_resource_and_notifies_the_topic(
    stack: dict[str, Any],
) -> None:
    topic = one(stack, "aws:sns/topic:Topic")
    fns = {f["inputs"]["name"] for f in functions(stack).values()}
    api = one(stack, "aws:apigateway/restApi:RestApi")["inputs"]["name"]
    stage = one(stack, "aws:apigateway/stage:Stage")["inputs"]["stageName"]
    table = one(stack, "aws:dynamodb/table:Table")["inputs"]["name"]
    queues = {q["inputs"]["name"] for q in of_type(stack, "aws:sqs/queue:Queue")}
    watched: set[tuple[str, str]] = set()
    for alarm in _alarms(stack):
        inputs = alarm["inputs"]
        assert inputs["alarmActions"] == [topic["state"]["arn"]], alarm["name"]
        metrics = ([(inputs["namespace"], inputs["metricName"], inputs["dimensions"])]
                   if "metricName" in inputs else
                   [(q["metric"]["namespace"], q["metric"]["metricName"],
                     q["metric"]["dimensions"]) for q in inputs["metricQueries"] if "metric" in q])
        for namespace, metric, dims in metrics:
            if namespace == "AWS/Lambda":
                assert dims["FunctionName"] in fns
                watched.add((metric, dims["FunctionName"]))
            elif namespace == "AWS/ApiGateway":
                assert dims == {"ApiName": api, "Stage": stage}
                watched.add((metric, api))
            elif namespace == "AWS/SQS":
                assert dims["QueueName"] in queues
                watched.add((metric, dims["QueueName"]))
            else:
                assert namespace == "AWS/DynamoDB" and dims["TableName"] == table
                watched.add((metric, table))
    for fn in fns:
        assert {("Errors", fn), ("Throttles", fn)} <= watched
    assert {("5XXError", api), ("Latency", api), ("ThrottledRequests", table),
            ("SystemErrors", table), ("ApproximateNumberOfMessagesVisible",
                                      f"todo-api-{stack['name']}-deliveries-dead")} <= watched


def test_alarm_thresholds_come_from_the_stack_config(stack: dict[str, Any]) -> None:
    alarms = {a["name"]: a["inputs"] for a in _alarms(stack)}
    config = stack["config"]
    assert alarms["api-5xx-rate"]["threshold"] == config["todo-api:alarm5xxRate"]
    assert alarms["api-5xx-rate"]["statistic"] == "Average"
    assert alarms["api-p99-latency"]["threshold"] == config["todo-api:alarmP99LatencyMs"]
    assert alarms["api-p99-latency"]["extendedStatistic"] == "p99"
    for name in FUNCTIONS:
        assert alarms[f"{name}-errors"]["threshold"] == 1  # the default


def test_alarm_email_subscription_only_where_configured(stack: dict[str, Any]) -> None:
    subscriptions = of_type(stack, "aws:sns/topicSubscription:TopicSubscription")
    email = stack["config"]["todo-api:alarmEmail"]
    if email:
        [subscription] = subscriptions
        assert subscription["inputs"]["endpoint"] == email
        assert subscription["inputs"]["protocol"] == "email"
    else:
        assert subscriptions == []


def test_dashboard_widgets_name_real_resources(stack: dict[str, Any]) -> None:
    body = json.loads(one(stack, "aws:cloudwatch/dashboard:Dashboard")["inputs"]["dashboardBody"])
    fns = {f["inputs"]["name"] for f in functions(stack).values()}
    names = {
        "FunctionName": fns,
        "ApiName": {one(stack, "aws:apigateway/restApi:RestApi")["inputs"]["name"]},
        "Stage": {stack["name"]},
        "TableName": {one(stack, "aws:dynamodb/table:Table")["inputs"]["name"]},
        "Stack": {stack["name"]},
    }
    seen: dict[str, set[str]] = {key: set() for key in names}
    for widget in body["widgets"]:
        for metric in widget["properties"]["metrics"]:
            plain = [part for part in metric if isinstance(part, str)]
            for key, value in zip(plain[2::2], plain[3::2], strict=False):
                if key in names:
                    assert value in names[key], (key, value)
                    seen[key].add(value)
    assert seen["FunctionName"] == fns
    assert all(seen[key] for key in names)


def test_the_account_wide_gateway_logging_role_is_left_to_the_bootstrap(
    stack: dict[str, Any],
) -> None:
    """One API Gateway logging role per account and region: a stack that set it could change
    the other stack's logging, so the committed stacks leave it to the bootstrap."""
    assert stack["config"]["todo-api:manageGatewayLogging"] is False
    assert not of_type(stack, "aws:apigateway/account:Account")


def test_gateway_logging_role_is_declared_by_default() -> None:
    declared = run_program("dev", {"todo-api:manageGatewayLogging": None})
    account = one(declared, "aws:apigateway/account:Account")
    roles = {r["state"]["arn"] for r in of_type(declared, "aws:iam/role:Role")}
    assert account["inputs"]["cloudwatchRoleArn"] in roles


# Sign-up, MFA and threat protection of the user pool: (todo-api:selfSignUp, todo-api:mfa,
# todo-api:threatProtection) -> what Cognito gets. None leaves the key out of the stack config,
# to prove the default is admin-only, no MFA, no threat protection (AWS's default plan).
POOL_CASES = [
    (None, None, None, True, "OFF", None),
    (True, "on", "audit", False, "ON", "AUDIT"),
    (False, "optional", "Enforced", True, "OPTIONAL", "ENFORCED"),
    (False, "ON", "off", True, "ON", None),
]


def _assert_pool(stack: dict[str, Any], admin_only: bool, mfa: str,
                 threat_protection: str | None) -> None:
    pool = one(stack, "aws:cognito/userPool:UserPool")["inputs"]
    assert pool["adminCreateUserConfig"] == {"allowAdminCreateUserOnly": admin_only}
    assert pool["mfaConfiguration"] == mfa
    if mfa == "OFF":  # Cognito refuses a TOTP block on a pool without MFA
        assert "softwareTokenMfaConfiguration" not in pool
    else:
        assert pool["softwareTokenMfaConfiguration"] == {"enabled": True}
    if threat_protection is None:
        assert "userPoolAddOns" not in pool and "userPoolTier" not in pool
    else:  # threat protection comes with the Plus plan only
        assert pool["userPoolAddOns"] == {"advancedSecurityMode": threat_protection}
        assert pool["userPoolTier"] == "PLUS"


def test_user_pool_sign_up_mfa_and_threat_protection_follow_each_stacks_config(
    stack: dict[str, Any],
) -> None:
    expected = {"dev": (True, "OFF", "AUDIT"), "prod": (True, "ON", "ENFORCED")}[stack["name"]]
    _assert_pool(stack, *expected)
    config = stack["config"]
    assert config["todo-api:selfSignUp"] is (not expected[0])
    assert config["todo-api:mfa"].upper() == expected[1]
    assert config["todo-api:threatProtection"].upper() == expected[2]


@pytest.mark.parametrize(("sign_up", "mfa", "threats", "admin_only", "mode", "protection"),
                         POOL_CASES)
def test_user_pool_knobs(sign_up: bool | None, mfa: str | None, threats: str | None,
                         admin_only: bool, mode: str, protection: str | None) -> None:
    declared = run_program("dev", {"todo-api:selfSignUp": sign_up, "todo-api:mfa": mfa,
                                   "todo-api:threatProtection": threats})
    _assert_pool(declared, admin_only, mode, protection)


def test_password_sign_in_and_the_local_app_are_off_unless_a_stack_asks() -> None:
    declared = run_program("dev", {"todo-api:userPasswordAuth": None,
                                   "todo-api:localAppSignIn": None})
    clients = {c["name"]: c["inputs"] for c in of_type(
        declared, "aws:cognito/userPoolClient:UserPoolClient")}
    assert clients["users"]["explicitAuthFlows"] == ["ALLOW_USER_SRP_AUTH",
                                                     "ALLOW_REFRESH_TOKEN_AUTH"]
    assert not [u for u in clients["web"]["callbackUrls"] + clients["web"]["logoutUrls"]
                if "localhost" in u]


@pytest.mark.parametrize(("key", "value", "message"), [
    ("mfa", "sometimes", "todo-api:mfa must be one of off, optional, on"),
    ("threatProtection", "block", "todo-api:threatProtection must be one of off, audit, enforced"),
])
def test_an_unknown_mode_stops_the_program(key: str, value: str, message: str) -> None:
    with pytest.raises(subprocess.CalledProcessError) as failure:
        run_program("dev", {f"todo-api:{key}": value})
    assert message in failure.value.stderr
# Types that must carry tags whatever else the program declares (guards the check below
# against finding nothing taggable).
MUST_BE_TAGGED = {
    "aws:dynamodb/table:Table", "aws:lambda/function:Function", "aws:iam/role:Role",
    "aws:cloudwatch/logGroup:LogGroup", "aws:ecr/repository:Repository",
    "aws:apigateway/restApi:RestApi", "aws:apigateway/stage:Stage",
    "aws:cognito/userPool:UserPool", "aws:sns/topic:Topic",
    "aws:cloudwatch/metricAlarm:MetricAlarm",
}


def test_every_taggable_resource_carries_the_stack_tags(stack: dict[str, Any]) -> None:
    expected = {"app": "todo-api", "stack": stack["name"],
                **stack["config"].get("todo-api:tags", {})}
    assert len(expected) > 2  # both stacks add tags of their own in config
    tagged: set[str] = set()
    for resource in stack["resources"]:
        if not resource["type"].startswith("aws:"):
            continue
        if taggable(resource["type"]):
            tags = resource["inputs"].get("tags") or {}
            assert expected.items() <= tags.items(), (resource["type"], resource["name"], tags)
            tagged.add(resource["type"])
        else:
            assert "tags" not in resource["inputs"], resource["type"]
    assert tagged >= MUST_BE_TAGGED
    # Image tags are not AWS tags: the image keeps its own.
    image = one(stack, "docker-build:index:Image")
    assert all(isinstance(t, str) and ":" in t for t in image["inputs"]["tags"])


def test_waf_guards_the_stage_where_configured(stack: dict[str, Any]) -> None:
    acls = of_type(stack, "aws:wafv2/webAcl:WebAcl")
    associations = of_type(stack, "aws:wafv2/webAclAssociation:WebAclAssociation")
    if not stack["config"].get("todo-api:waf"):
        assert stack["name"] == "dev" and acls == [] and associations == []
        return
    assert stack["name"] == "prod"
    [acl], [association] = acls, associations
    inputs = acl["inputs"]
    assert inputs["scope"] == "REGIONAL" and inputs["defaultAction"] == {"allow": {}}
    stage = one(stack, "aws:apigateway/stage:Stage")
    assert association["inputs"] == {"resourceArn": stage["state"]["arn"],
                                     "webAclArn": acl["state"]["arn"]}
    rules = {rule["name"]: rule for rule in inputs["rules"]}
    assert len({rule["priority"] for rule in rules.values()}) == len(rules)
    [rate] = [r for r in rules.values() if "rateBasedStatement" in r["statement"]]
    assert rate["statement"]["rateBasedStatement"] == {
        "aggregateKeyType": "IP", "limit": stack["config"]["todo-api:wafRateLimit"]}
    assert rate["action"] == {"block": {}}
    [managed] = [r["statement"]["managedRuleGroupStatement"] for r in rules.values()
                 if "managedRuleGroupStatement" in r["statement"]]
    assert (managed["vendorName"], managed["name"]) == ("AWS", "AWSManagedRulesCommonRuleSet")
    # Bodies up to the API's own 16 KiB limit get through to its 413, not a WAF 403 at 8 KB.
    assert {o["name"]: o["actionToUse"] for o in managed["ruleActionOverrides"]} == {
        "SizeRestrictions_BODY": {"count": {}}}
    visibilities = [inputs["visibilityConfig"]] + [r["visibilityConfig"] for r in rules.values()]
    metric_names = [v["metricName"] for v in visibilities]
    assert len(set(metric_names)) == len(metric_names)
    for visibility in visibilities:
        assert visibility["cloudwatchMetricsEnabled"] and visibility["sampledRequestsEnabled"]


def test_every_role_carries_the_bootstrap_boundary(stack: dict[str, Any]) -> None:
    """The deploy role may only create roles under todo-api:permissionsBoundary."""
    name = stack["config"]["todo-api:permissionsBoundary"]
    roles = of_type(stack, "aws:iam/role:Role")
    assert len(roles) >= len(FUNCTIONS)
    for role in roles:
        assert role["inputs"]["permissionsBoundary"] == (
            f"arn:aws:iam::123456789012:policy/{name}"), role["name"]


def _by_name(stack: dict[str, Any], typ: str) -> dict[str, dict[str, Any]]:
    return {r["name"]: r for r in of_type(stack, typ)}


def test_the_dispatcher_is_fed_by_the_stream_and_its_queue_and_not_by_the_api(
    stack: dict[str, Any],
) -> None:
    table = one(stack, "aws:dynamodb/table:Table")
    assert table["inputs"]["streamEnabled"] is True
    assert table["inputs"]["streamViewType"] == "NEW_AND_OLD_IMAGES"
    dispatcher = functions(stack)["dispatchEvents"]
    queues = _by_name(stack, "aws:sqs/queue:Queue")
    queue, dead = queues["events-deliveries"], queues["events-dead-letters"]
    mappings = _by_name(stack, "aws:lambda/eventSourceMapping:EventSourceMapping")
    assert set(mappings) == {"events-stream", "events-deliveries"}
    stream = mappings["events-stream"]["inputs"]
    deliveries = mappings["events-deliveries"]["inputs"]
    assert stream["eventSourceArn"] == table["state"]["streamArn"]
    assert deliveries["eventSourceArn"] == queue["state"]["arn"]
    for mapping in (stream, deliveries):
        assert mapping["functionName"] == dispatcher["state"]["arn"]
        assert mapping["functionResponseTypes"] == ["ReportBatchItemFailures"]
    assert stream["startingPosition"] == "LATEST" and stream["bisectBatchOnFunctionError"]
    assert stream["destinationConfig"] == {"onFailure": {"destinationArn": dead["state"]["arn"]}}
    # Not behind API Gateway: no route and no invoke permission names it.
    assert "dispatchEvents" not in {r.function for r in ROUTES}
    permissions = of_type(stack, "aws:lambda/permission:Permission")
    assert dispatcher["inputs"]["name"] not in {p["inputs"]["function"] for p in permissions}
    body = json.loads(one(stack, "aws:apigateway/restApi:RestApi")["inputs"]["body"])
    assert dispatcher["state"]["arn"] not in json.dumps(body)
    variables = dispatcher["inputs"]["environment"]["variables"]
    assert variables["DELIVERY_QUEUE_URL"] == queue["state"]["url"]
    assert variables["DEAD_LETTER_QUEUE_URL"] == dead["state"]["url"]
    assert variables["API_URL"] == stack["outputs"]["apiUrl"]


def test_the_queues_are_encrypted_and_give_up_into_the_dead_letter_queue(
    stack: dict[str, Any],
) -> None:
    queues = _by_name(stack, "aws:sqs/queue:Queue")
    for queue in queues.values():
        assert queue["inputs"]["sqsManagedSseEnabled"] is True
    queue, dead = queues["events-deliveries"], queues["events-dead-letters"]
    redrive = json.loads(queue["inputs"]["redrivePolicy"])
    assert redrive == {"deadLetterTargetArn": dead["state"]["arn"], "maxReceiveCount": 5}
    assert queue["inputs"]["visibilityTimeoutSeconds"] >= 6 * 60  # 6x the dispatcher's timeout
    assert queue["inputs"]["messageRetentionSeconds"] > 33 * 3600  # outlives the last retry
    assert dead["inputs"]["messageRetentionSeconds"] == 14 * 24 * 3600


def test_the_dispatchers_role_does_only_its_work(stack: dict[str, Any]) -> None:
    table = one(stack, "aws:dynamodb/table:Table")["state"]
    queues = _by_name(stack, "aws:sqs/queue:Queue")
    group = one(stack, "aws:scheduler/scheduleGroup:ScheduleGroup")
    scheduler_role = _by_name(stack, "aws:iam/role:Role")["events-scheduler"]
    statements = {s["Sid"]: s for s in _policies(stack)["dispatchEvents"]["Statement"]}
    log_group = _by_name(stack, "aws:cloudwatch/logGroup:LogGroup")["dispatchEvents"]
    expected = {
        "Read": (["dynamodb:BatchGetItem", "dynamodb:GetItem", "dynamodb:Query"],
                 [table["arn"]]),
        "DeliveryLogs": (["dynamodb:DeleteItem", "dynamodb:PutItem", "dynamodb:UpdateItem"],
                         [table["arn"]]),
        "PurgeDeletedLists": (["dynamodb:BatchWriteItem", "dynamodb:DeleteItem",
                               "dynamodb:UpdateItem"], [table["arn"]]),
        "NoListRecords": (["dynamodb:BatchWriteItem", "dynamodb:DeleteItem",
                           "dynamodb:UpdateItem"], [table["arn"]]),
        "Stream": (["dynamodb:DescribeStream", "dynamodb:GetRecords",
                    "dynamodb:GetShardIterator"], [table["streamArn"]]),
        "DeliveryQueue": (["sqs:DeleteMessage", "sqs:GetQueueAttributes",
                           "sqs:ReceiveMessage", "sqs:SendMessage"],
                          [queues["events-deliveries"]["state"]["arn"]]),
        "DeadLetters": (["sqs:SendMessage"], [queues["events-dead-letters"]["state"]["arn"]]),
        "Reminders": (["scheduler:CreateSchedule", "scheduler:DeleteSchedule",
                       "scheduler:UpdateSchedule"],
                      [f"arn:aws:scheduler:us-east-1:123456789012:schedule/"
                       f"{group['inputs']['name']}/*"]),
        "PassSchedulerRole": (["iam:PassRole"], [scheduler_role["state"]["arn"]]),
        "OwnLogGroup": (["logs:CreateLogStream", "logs:PutLogEvents"],
                        [f"{log_group['state']['arn']}:*"]),
        "Tracing": (["xray:PutTraceSegments", "xray:PutTelemetryRecords"], ["*"]),
    }
    assert {sid: (s["Action"], s["Resource"]) for sid, s in statements.items()} == expected
    # Writes only to delivery logs and webhooks' state, never a task of a live list...
    assert statements["DeliveryLogs"]["Condition"] == {"ForAllValues:StringLike": {
        "dynamodb:LeadingKeys": ["*#deliveries", "*#webhooks"]}}
    # ...and deletes only in shared lists' task partitions (a deleted list's clean-up) and
    # their markers: never a user's own tasks, nor a list's record, tombstones or keys.
    assert statements["PurgeDeletedLists"]["Condition"] == {"ForAllValues:StringLike": {
        "dynamodb:LeadingKeys": ["list#*", "purge#lists"]}}
    assert statements["NoListRecords"]["Effect"] == "Deny"
    assert statements["NoListRecords"]["Condition"] == {"ForAnyValue:StringLike": {
        "dynamodb:LeadingKeys": ["list#*#*"]}}
    assert statements["PassSchedulerRole"]["Condition"] == {
        "StringEquals": {"iam:PassedToService": "scheduler.amazonaws.com"}}


def test_the_dispatcher_may_clean_up_a_deleted_lists_tasks_and_nothing_else(
        stack: dict[str, Any]) -> None:
    """Its role, evaluated as IAM would, for each item the clean-up and the deliveries write
    and for the items they must never touch."""
    policy = _policies(stack)["dispatchEvents"]
    table = one(stack, "aws:dynamodb/table:Table")["state"]["arn"]
    shared = "list#01234567-89ab-7cde-8f01-23456789abcd"

    def may(action: str, partition: str) -> bool:
        return iam_sim.allowed(policy, f"dynamodb:{action}", table,
                               {"dynamodb:LeadingKeys": [partition]})

    for action in ("BatchWriteItem", "DeleteItem"):
        assert may(action, shared) and may(action, "purge#lists")
    assert may("UpdateItem", "purge#lists") and may("PutItem", "ana#deliveries")
    for partition in ("ana", f"{shared}#meta", f"{shared}#deleted", f"{shared}#idempotency",
                      "ana#lists", "ana#webhook-secrets", "ana#idempotency"):
        for action in ("BatchWriteItem", "DeleteItem", "PutItem", "UpdateItem"):
            assert not may(action, partition), (action, partition)
    # A batch naming one forbidden item among allowed ones is refused whole.
    assert not iam_sim.allowed(policy, "dynamodb:BatchWriteItem", table,
                               {"dynamodb:LeadingKeys": [shared, "ana"]})


def test_the_scheduler_may_invoke_the_dispatcher_and_nothing_else(stack: dict[str, Any]) -> None:
    role = _by_name(stack, "aws:iam/role:Role")["events-scheduler"]
    [trust] = json.loads(role["inputs"]["assumeRolePolicy"])["Statement"]
    assert trust["Principal"] == {"Service": "scheduler.amazonaws.com"}
    assert trust["Condition"] == {"StringEquals": {"aws:SourceAccount": "123456789012"}}
    [statement] = _policies(stack)["events-scheduler"]["Statement"]
    dispatcher = functions(stack)["dispatchEvents"]
    assert (statement["Action"], statement["Resource"]) == (["lambda:InvokeFunction"],
                                                            [dispatcher["state"]["arn"]])
    variables = dispatcher["inputs"]["environment"]["variables"]
    assert variables["SCHEDULER_ROLE_ARN"] == role["state"]["arn"]
    group = one(stack, "aws:scheduler/scheduleGroup:ScheduleGroup")
    assert variables["SCHEDULE_GROUP"] == group["inputs"]["name"]
