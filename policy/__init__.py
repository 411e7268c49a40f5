"""The policy pack: guardrails `pulumi preview/up --policy-pack policy` enforce on the stack."""
