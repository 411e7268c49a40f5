"""The policy pack served as the Pulumi engine meets it: `policy/__main__.py` started in its
folder prints a port, and the engine's gRPC Analyzer calls (GetAnalyzerInfo, Analyze) get the
pack's policies and its verdicts on the resources the program declares, with properties
travelling as protobuf Structs (lists arrive as read-only sequences, numbers as floats)."""

import json
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import grpc
import pytest
from google.protobuf import empty_pb2, json_format, struct_pb2
from pulumi.runtime.proto import analyzer_pb2, analyzer_pb2_grpc

from policy.rules import POLICIES
from tests.support import ROOT

UNKNOWN_STRING = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"  # the engine's "not known in preview"


@pytest.fixture(scope="module")
def analyzer() -> Iterator[analyzer_pb2_grpc.AnalyzerStub]:
    process = subprocess.Popen([sys.executable, "__main__.py"], cwd=ROOT / "policy",
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        port = process.stdout.readline().strip()
        assert port.isdigit(), process.stderr.read() if process.stderr else port
        with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
            grpc.channel_ready_future(channel).result(timeout=30)
            yield analyzer_pb2_grpc.AnalyzerStub(channel)
    finally:
        process.terminate()
        process.wait(timeout=30)


@pytest.fixture(scope="module")
def prod() -> list[dict[str, Any]]:
    result = subprocess.run([sys.executable, "-m", "tests.pulumi_harness", "prod"], cwd=ROOT,
                            capture_output=True, text=True, timeout=300, check=True)
    resources: list[dict[str, Any]] = json.loads(result.stdout)["resources"]
    return resources


def analyze(analyzer: analyzer_pb2_grpc.AnalyzerStub, resource: dict[str, Any],
            properties: dict[str, Any] | None = None) -> list[Any]:
    typ, name = resource["type"], resource["name"]
    request = analyzer_pb2.AnalyzeRequest(
        type=typ, name=name, urn=f"urn:pulumi:prod::todo-api::{typ}::{name}",
        properties=json_format.ParseDict(resource["inputs"] if properties is None else properties,
                                         struct_pb2.Struct()),
        options=analyzer_pb2.AnalyzerResourceOptions(
            protect=bool(resource["options"].get("protect"))),
    )
    return list(analyzer.Analyze(request).diagnostics)


def _of(resources: list[dict[str, Any]], typ: str, name: str | None = None) -> dict[str, Any]:
    return next(r for r in resources if r["type"] == typ and name in (None, r["name"]))


def test_the_engine_sees_every_policy_as_mandatory(
    analyzer: analyzer_pb2_grpc.AnalyzerStub,
) -> None:
    info = analyzer.GetAnalyzerInfo(empty_pb2.Empty())
    assert info.name == "todo-api-guardrails"
    assert sorted(p.name for p in info.policies) == sorted(p.name for p in POLICIES)
    assert {p.enforcementLevel for p in info.policies} == {analyzer_pb2.MANDATORY}


def test_the_engine_gets_no_violation_for_the_programs_resources(
    analyzer: analyzer_pb2_grpc.AnalyzerStub, prod: list[dict[str, Any]],
) -> None:
    for resource in prod:
        assert analyze(analyzer, resource) == [], (resource["type"], resource["name"])


def test_the_engine_gets_each_broken_copy_reported_by_its_rule(
    analyzer: analyzer_pb2_grpc.AnalyzerStub, prod: list[dict[str, Any]],
) -> None:
    table = _of(prod, "aws:dynamodb/table:Table")
    cases: list[tuple[str, dict[str, Any], dict[str, Any]]] = []
    cases.append(("table-point-in-time-recovery", table,
                  {**table["inputs"], "pointInTimeRecovery": {"enabled": False}}))
    fn = _of(prod, "aws:lambda/function:Function", "getTodos")
    tags = {k: v for k, v in fn["inputs"]["tags"].items() if k != "stack"}
    cases.append(("required-tags", fn, {**fn["inputs"], "tags": tags}))
    policy = _of(prod, "aws:iam/rolePolicy:RolePolicy", "getTodos")
    document = json.loads(policy["inputs"]["policy"])
    document["Statement"][0]["Action"] = ["dynamodb:*"]
    cases.append(("dynamodb-no-wildcards", policy,
                  {**policy["inputs"], "policy": json.dumps(document)}))
    group = _of(prod, "aws:cloudwatch/logGroup:LogGroup", "api-access")
    cases.append(("log-group-retention", group,
                  {k: v for k, v in group["inputs"].items() if k != "retentionInDays"}))
    for rule, resource, properties in cases:
        found = analyze(analyzer, resource, properties)
        assert [d.policyName for d in found] == [rule], (rule, found)
        assert found[0].enforcementLevel == analyzer_pb2.MANDATORY


def test_a_value_unknown_in_preview_is_not_a_violation(
    analyzer: analyzer_pb2_grpc.AnalyzerStub, prod: list[dict[str, Any]],
) -> None:
    """During preview an output not yet known (here the role policy) cannot be judged: the pack
    says so, as advisory, instead of blocking or passing it silently."""
    policy = _of(prod, "aws:iam/rolePolicy:RolePolicy", "createTodo")
    found = analyze(analyzer, policy, {**policy["inputs"], "policy": UNKNOWN_STRING})
    # Both policies that read a role's document say so.
    assert sorted(d.policyName for d in found) == ["dynamodb-no-wildcards", "named-grants"]
    for diagnostic in found:
        assert diagnostic.enforcementLevel == analyzer_pb2.ADVISORY
        assert "can't be known during preview" in diagnostic.message
