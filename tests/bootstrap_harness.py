"""Runs the bootstrap program (deploy/bootstrap/) offline under Pulumi's mocks with the config
given as JSON on the command line, and prints what it declares and exports as JSON.

`python -m tests.bootstrap_harness '{"githubRepository": "octo/todo-api"}'`: one process per
run, as Pulumi's runtime state is global."""

import json
import runpy
import sys
from typing import Any

import pulumi
from pulumi.runtime.stack import wait_for_rpcs
from pulumi.runtime.sync_await import _sync_await

from tests.pulumi_harness import REGION, ROOT, Recorder

PROJECT = "todo-api-bootstrap"


def run(config: dict[str, Any]) -> dict[str, Any]:
    pulumi.runtime.set_all_config({
        "aws:region": REGION,
        **{f"{PROJECT}:{k}": v if isinstance(v, str) else json.dumps(v)
           for k, v in config.items()},
    })
    recorder = Recorder()
    pulumi.runtime.set_mocks(recorder, project=PROJECT, stack="bootstrap", preview=False)
    outputs: dict[str, Any] = {}

    def export(name: str, value: Any) -> None:
        pulumi.Output.from_input(value).apply(lambda v: outputs.__setitem__(name, v))

    pulumi.export = export
    runpy.run_path(str(ROOT / "deploy" / "bootstrap" / "__main__.py"), run_name="__main__")
    _sync_await(wait_for_rpcs())
    return {"resources": recorder.resources, "outputs": outputs}


if __name__ == "__main__":
    json.dump(run(json.loads(sys.argv[1])), sys.stdout, default=str)
