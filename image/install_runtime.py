"""Install the functions' runtime dependencies into a task root, as the image's layer.

Runs inside the image build on the base's own Python (AWS's Lambda base: pip and python3
under /var/lang/bin, a POSIX shell and coreutils, and nothing else: no `find`), so all file
work is done here, in Python. The tests and `make bench` run it on the host to build the same
layer without a container engine.

What it does, and why:
- pip installs the locked closure only (`--require-hashes`, `--no-deps`, wheels only), so the
  same lock gives the same files on every build and every architecture (it is pure Python).
- botocore's data for every service but DynamoDB is dropped: the functions only make DynamoDB
  clients, it is most of the layer's size, and endpoints.json is parsed on every cold start.
  DynamoDB's own model is kept for its latest API version only, without its documentation
  strings (four fifths of it, read by nothing at run time) and uncompressed: every cold start
  parses it, and that parse (and the gunzip before it) is a good part of making a client.
- Everything is compiled now, with hash-based .pyc files that Python never checks against
  their source: the function's file system is read-only, so nothing could be cached at run
  time, and a timestamp-based .pyc would go stale (and be recompiled in memory at every cold
  start) as soon as a build tool rewrote file times.
- File times are set to SOURCE_DATE_EPOCH, so the layer's files are the same from build to
  build.
"""

import argparse
import compileall
import gzip
import json
import os
import py_compile
import shutil
import subprocess
import sys
from pathlib import Path

# The table; the events dispatcher's reminders and delivery queue.
KEEP_SERVICES = ("dynamodb", "scheduler", "sqs")
# 1980-01-01: the earliest time a zip (and so a wheel) can hold.
DEFAULT_EPOCH = 315532800


def pip_install(target: Path, requirements: Path, index_url: str) -> None:
    command = [sys.executable, "-m", "pip", "install", "--quiet", "--no-cache-dir",
               "--disable-pip-version-check", "--no-compile", "--no-deps", "--require-hashes",
               "--only-binary=:all:", "--target", str(target), "-r", str(requirements)]
    if index_url:
        command += ["--index-url", index_url]
    subprocess.run(command, check=True)


def keep_only_our_services(target: Path) -> None:
    data = target / "botocore" / "data"
    for entry in data.iterdir():
        if entry.is_dir() and entry.name not in KEEP_SERVICES:
            shutil.rmtree(entry)
    endpoints_path = data / "endpoints.json"
    endpoints = json.loads(endpoints_path.read_text())
    for partition in endpoints["partitions"]:
        services = partition["services"]
        partition["services"] = {name: services[name] for name in KEEP_SERVICES
                                 if name in services}
    endpoints_path.write_text(json.dumps(endpoints, separators=(",", ":")))
    for service in KEEP_SERVICES:
        slim_service_model(data / service)


def _without_documentation(node: object) -> object:
    if isinstance(node, dict):
        return {key: _without_documentation(value) for key, value in node.items()
                if key not in ("documentation", "documentationUrl")}
    if isinstance(node, list):
        return [_without_documentation(value) for value in node]
    return node


def slim_service_model(service: Path) -> None:
    """The latest API version only (botocore picks the latest), its examples dropped, its
    compressed models stored plain, the service model without documentation."""
    *older, latest = sorted(entry for entry in service.iterdir() if entry.is_dir())
    for version in older:
        shutil.rmtree(version)
    for examples in latest.glob("examples-*.json"):
        examples.unlink()
    for packed in sorted(latest.glob("*.json.gz")):
        model = json.loads(gzip.decompress(packed.read_bytes()))
        if packed.name.startswith("service-"):
            model = _without_documentation(model)
        packed.with_suffix("").write_text(json.dumps(model, separators=(",", ":")))
        packed.unlink()


def compile_tree(path: Path) -> None:
    ok = compileall.compile_dir(
        str(path), quiet=1, invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH)
    if not ok:
        raise SystemExit(f"compiling {path} failed")


def set_times(path: Path, epoch: int) -> None:
    for root, dirs, files in os.walk(path):
        for name in dirs + files:
            os.utime(os.path.join(root, name), (epoch, epoch), follow_symlinks=False)
    os.utime(path, (epoch, epoch))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("target", type=Path, help="the task root (LAMBDA_TASK_ROOT)")
    parser.add_argument("--requirements", type=Path, default=Path("requirements.txt"),
                        help="the lock: pinned, hashed requirements")
    parser.add_argument("--index-url", default="",
                        help="the package index pip uses (empty: pip's own default)")
    args = parser.parse_args(argv)
    epoch = int(os.environ.get("SOURCE_DATE_EPOCH") or DEFAULT_EPOCH)
    args.target.mkdir(parents=True, exist_ok=True)
    pip_install(args.target, args.requirements, args.index_url)
    keep_only_our_services(args.target)
    compile_tree(args.target)
    set_times(args.target, epoch)
    return 0


if __name__ == "__main__":
    sys.exit(main())
