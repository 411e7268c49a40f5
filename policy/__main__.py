"""Serves the policy pack to the Pulumi engine (`pulumi preview --policy-pack policy`)."""

import sys
from pathlib import Path

from pulumi_policy import EnforcementLevel, PolicyPack

# The engine runs this file from inside policy/; the rules live in the package policy.rules.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from policy.rules import POLICIES

PolicyPack(name="todo-api-guardrails", enforcement_level=EnforcementLevel.MANDATORY,
           policies=POLICIES)
