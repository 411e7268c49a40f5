"""`make lock`: requirements.txt, the image's whole runtime closure pinned with hashes,
resolved by uv from pyproject.toml's [project] dependencies for the deploy's platform
(Python 3.12 on linux/arm64). The closure is pure Python, so the same lock installs on the
host's architecture too (the tests and the image test do that).

`python tools/lock.py --check` re-resolves into a scratch copy, preferring the versions
already locked, and fails if that changes anything: pyproject.toml and the lock disagree."""

import argparse
import difflib
import os
import shutil
import subprocess
import sys
import sysconfig
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LOCK = ROOT / "requirements.txt"
PYTHON_VERSION = "3.12"
PLATFORM = "aarch64-manylinux_2_28"  # AL2023's glibc is 2.34


def uv() -> str:
    found = Path(sysconfig.get_path("scripts")) / "uv"
    return str(found) if found.exists() else shutil.which("uv") or "uv"


def compile_lock(output: Path) -> None:
    """Resolve into `output`; versions already in `output` are kept where they still fit."""
    env = dict(os.environ)
    # uv reads neither pip.conf nor PIP_*: the same resolution on every machine. This one's
    # TLS is re-signed by a local CA, which uv trusts through the system store.
    env.setdefault("UV_NATIVE_TLS", "1")
    subprocess.run(
        [uv(), "pip", "compile", "--quiet", str(ROOT / "pyproject.toml"), "--generate-hashes",
         "--python-version", PYTHON_VERSION, "--python-platform", PLATFORM,
         "--custom-compile-command", "make lock",
         "--output-file", str(output)],
        check=True, cwd=ROOT, env=env)


def check() -> int:
    with tempfile.TemporaryDirectory() as scratch:
        fresh = Path(scratch) / "requirements.txt"
        shutil.copy(LOCK, fresh)
        compile_lock(fresh)
        old, new = LOCK.read_text(), fresh.read_text()
    if old == new:
        print("requirements.txt matches pyproject.toml")
        return 0
    sys.stdout.writelines(difflib.unified_diff(old.splitlines(True), new.splitlines(True),
                                               "requirements.txt", "re-locked"))
    print("requirements.txt does not match pyproject.toml: run `make lock`", file=sys.stderr)
    return 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="fail if the lock is out of date")
    if parser.parse_args().check:
        return check()
    compile_lock(LOCK)
    return 0


if __name__ == "__main__":
    sys.exit(main())
