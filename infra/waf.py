"""A web application firewall on the stage where the config turns it on (`todo-api:waf`, on in
prod): a per-IP rate limit and AWS's managed common rule set, each with CloudWatch metrics."""

import pulumi
import pulumi_aws as aws

from infra.settings import Settings

# The common rule set blocks bodies over 8 KB; the API takes up to 16 KiB and answers 413
# itself above that, so that one rule only counts.
COUNT_ONLY = ("SizeRestrictions_BODY",)


def _visibility(metric: str) -> aws.wafv2.WebAclVisibilityConfigArgsDict:
    return {"cloudwatch_metrics_enabled": True, "metric_name": metric,
            "sampled_requests_enabled": True}


class StageFirewall(pulumi.ComponentResource):
    def __init__(self, name: str, *, prefix: str, stage_arn: pulumi.Input[str], limit: int,
                 opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("todo-api:index:StageFirewall", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        metric = prefix.replace("-", "")
        self.acl = aws.wafv2.WebAcl(
            name,
            name=prefix,
            scope="REGIONAL",
            default_action={"allow": {}},
            rules=[
                {
                    "name": "rate-per-ip",
                    "priority": 0,
                    "action": {"block": {}},
                    "statement": {"rate_based_statement": {
                        "limit": limit, "aggregate_key_type": "IP"}},
                    "visibility_config": _visibility(f"{metric}RatePerIp"),
                },
                {
                    "name": "aws-common",
                    "priority": 1,
                    "override_action": {"none": {}},
                    "statement": {"managed_rule_group_statement": {
                        "vendor_name": "AWS",
                        "name": "AWSManagedRulesCommonRuleSet",
                        "rule_action_overrides": [
                            {"name": rule, "action_to_use": {"count": {}}}
                            for rule in COUNT_ONLY],
                    }},
                    "visibility_config": _visibility(f"{metric}AwsCommon"),
                },
            ],
            visibility_config=_visibility(metric),
            opts=child,
        )
        self.association = aws.wafv2.WebAclAssociation(
            name, resource_arn=stage_arn, web_acl_arn=self.acl.arn, opts=child)
        self.register_outputs({"arn": self.acl.arn})


def protect_stage(settings: Settings, stage: aws.apigateway.Stage) -> StageFirewall | None:
    """The firewall on the stage when the stack's config turns it on, else nothing."""
    if not settings.waf:
        return None
    return StageFirewall("waf", prefix=settings.prefix, stage_arn=stage.arn,
                         limit=settings.waf_rate_limit)
