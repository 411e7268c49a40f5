"""Runs the Pulumi program (__main__.py) offline under pulumi.runtime.set_mocks for one stack,
with that stack's Pulumi.<stack>.yaml config, and prints every resource it declares as JSON.

Run as `python -m tests.pulumi_harness STACK [OVERRIDES]`: a process per stack keeps Pulumi's
global runtime state from leaking between stacks. OVERRIDES, a JSON object, changes that
stack's config for the run (a null value removes the key, to test a default)."""

import hashlib
import json
import runpy
import sys
from pathlib import Path
from typing import Any

import pulumi
import yaml
from pulumi.runtime import mocks
from pulumi.runtime.stack import wait_for_rpcs
from pulumi.runtime.sync_await import _sync_await

ROOT = Path(__file__).resolve().parent.parent
ACCOUNT = "123456789012"
REGION = "us-east-1"


_ARN_FORMS = {
    "aws:dynamodb/table:Table": "arn:aws:dynamodb:{region}:{account}:table/{name}",
    "aws:cloudwatch/logGroup:LogGroup": "arn:aws:logs:{region}:{account}:log-group:{name}",
    "aws:lambda/function:Function": "arn:aws:lambda:{region}:{account}:function:{name}",
    "aws:iam/role:Role": "arn:aws:iam::{account}:role{path}{name}",
    "aws:kms/key:Key": "arn:aws:kms:{region}:{account}:key/{name}",
    "aws:iam/policy:Policy": "arn:aws:iam::{account}:policy/{name}",
    "aws:cognito/userPool:UserPool": "arn:aws:cognito-idp:{region}:{account}:userpool/{name}",
    "aws:scheduler/scheduleGroup:ScheduleGroup":
        "arn:aws:scheduler:{region}:{account}:schedule-group/{name}",
}


def _arn(typ: str, name: str, path: str = "/") -> str:
    service = typ.split(":")[1].split("/")[0]
    form = _ARN_FORMS.get(typ, "arn:aws:{service}:{region}:{account}:{name}")
    return form.format(service=service, region=REGION, account=ACCOUNT, name=name, path=path)


# How an input that holds a secret reaches the mocks: wrapped in Pulumi's secret sentinel.
_SECRET_SIG = "4dabf18193072939515e22adb298388d"


def _is_secret(value: Any) -> bool:
    return isinstance(value, dict) and _SECRET_SIG in value and "value" in value


def _reveal(value: Any) -> Any:
    """The input with every secret unwrapped (the record says which inputs were secret)."""
    if _is_secret(value):
        return _reveal(value["value"])
    if isinstance(value, dict):
        return {k: _reveal(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_reveal(v) for v in value]
    return value


class Recorder(pulumi.runtime.Mocks):
    """Answers like AWS would, with the ids and ARNs the program reads back."""

    def __init__(self) -> None:
        self.resources: list[dict[str, Any]] = []

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict[str, Any]]:
        secret = sorted(k for k, v in args.inputs.items() if _is_secret(v))
        inputs = {k: _reveal(v) for k, v in args.inputs.items()}
        name = inputs.get("name") or args.name
        state = dict(inputs)
        state.setdefault("arn", _arn(args.typ, name, inputs.get("path") or "/"))
        if args.typ == "aws:lambda/function:Function":
            state["invokeArn"] = (f"arn:aws:apigateway:{REGION}:lambda:path/2015-03-31/functions/"
                                  f"{state['arn']}/invocations")
        elif args.typ == "aws:dynamodb/table:Table":
            state["streamArn"] = f"{state['arn']}/stream/2026-01-01T00:00:00.000"
        elif args.typ == "aws:sqs/queue:Queue":
            state["url"] = f"https://sqs.{REGION}.amazonaws.com/{ACCOUNT}/{name}"
        elif args.typ == "aws:apigateway/restApi:RestApi":
            state["executionArn"] = f"arn:aws:execute-api:{REGION}:{ACCOUNT}:api123"
            state["rootResourceId"] = "root"
        elif args.typ == "aws:apigateway/stage:Stage":
            state["invokeUrl"] = (f"https://api123.execute-api.{REGION}.amazonaws.com/"
                                  f"{args.inputs['stageName']}")
        elif args.typ == "aws:ecr/repository:Repository":
            state["repositoryUrl"] = f"{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/{name}"
            state["registryId"] = ACCOUNT
        elif args.typ == "aws:cloudfront/distribution:Distribution":
            state["domainName"] = "d111111abcdef8.cloudfront.net"
        elif args.typ == "aws:s3/bucket:Bucket":
            state["bucket"] = f"{args.inputs['bucketPrefix']}0001"
            state["bucketRegionalDomainName"] = f"{state['bucket']}.s3.{REGION}.amazonaws.com"
        elif args.typ == "random:index/randomBytes:RandomBytes":
            digest = hashlib.sha256(args.name.encode()).digest()[: int(args.inputs["length"])]
            state["hex"] = digest.hex()
        elif args.typ == "aws:kms/key:Key":
            state["keyId"] = f"{args.name}-key-id"
        elif args.typ == "docker-build:index:Image":
            state["ref"] = f"{args.inputs['tags'][0].rsplit(':', 1)[0]}@sha256:{'a' * 64}"
        resource_id = f"{args.name}-{args.typ.rsplit(':', 1)[-1]}-id"
        self.resources.append({"type": args.typ, "name": args.name, "id": resource_id,
                               "inputs": inputs, "state": state, "secretInputs": secret})
        return resource_id, state

    def call(self, args: pulumi.runtime.MockCallArgs) -> tuple[dict[str, Any], list[Any]] | Any:
        if args.token == "aws:ecr/getAuthorizationToken:getAuthorizationToken":
            return {"userName": "AWS", "password": "token", "proxyEndpoint": "https://ecr",
                    "authorizationToken": "x", "expiresAt": "never", "id": ACCOUNT}
        if args.token == "aws:index/getRegion:getRegion":
            return {"region": REGION, "name": REGION, "id": REGION}
        if args.token == "aws:index/getCallerIdentity:getCallerIdentity":
            return {"accountId": ACCOUNT, "arn": f"arn:aws:iam::{ACCOUNT}:user/deployer",
                    "userId": "AIDA", "id": ACCOUNT}
        return {}


class OptionsMonitor(mocks.MockMonitor):
    """Also records the options the mocks API does not pass on (protect, retainOnDelete)."""

    def __init__(self, recorder: Recorder) -> None:
        super().__init__(recorder)
        self.options: dict[tuple[str, str], dict[str, Any]] = {}

    def RegisterResource(self, request: Any) -> Any:  # the gRPC method keeps its name
        self.options[(request.type, request.name)] = {"protect": request.protect,
                                      "retainOnDelete": request.retainOnDelete,
                                      "parent": request.parent}
        return super().RegisterResource(request)  # type: ignore[no-untyped-call]


def run(stack: str, overrides: dict[str, Any] | None = None) -> dict[str, Any]:
    config = yaml.safe_load((ROOT / f"Pulumi.{stack}.yaml").read_text())["config"]
    for key, value in (overrides or {}).items():
        if value is None:
            config.pop(key, None)
        else:
            config[key] = value
    pulumi.runtime.set_all_config({k: json.dumps(v) if not isinstance(v, str) else v
                                   for k, v in config.items()})
    recorder = Recorder()
    monitor = OptionsMonitor(recorder)
    pulumi.runtime.set_mocks(recorder, project="todo-api", stack=stack, preview=False,
                             monitor=monitor)
    exported: dict[str, Any] = {}
    outputs: dict[str, Any] = {}

    def export(name: str, value: Any) -> None:
        exported[name] = value
        pulumi.Output.from_input(value).apply(lambda v: outputs.__setitem__(name, v))

    pulumi.export = export
    runpy.run_path(str(ROOT / "__main__.py"), run_name="__main__")
    _sync_await(wait_for_rpcs())
    for resource in recorder.resources:
        resource["options"] = monitor.options.get((resource["type"], resource["name"]), {})
    return {"resources": recorder.resources, "outputs": outputs, "exported": sorted(exported),
            "config": config}


def _encode(value: Any) -> Any:
    if isinstance(value, pulumi.FileAsset):  # an uploaded file: which one
        return {"fileAsset": str(value.path)}
    return str(value)


if __name__ == "__main__":
    result = run(sys.argv[1], json.loads(sys.argv[2]) if len(sys.argv) > 2 else None)
    json.dump(result, sys.stdout, default=_encode)
