"""The stand-in for AWS's Lambda Python base image, built here: a Debian root file system
(mmdebstrap, from this machine's own apt sources) shaped as AWS's base (Python and pip under
/var/lang/bin, the runtime interface client under /var/runtime, /lambda-entrypoint.sh), then
imported with image/stand-in/Dockerfile, which follows AWS's Dockerfile.python3.12.

The root file system is cached on disk and the image in the engine, both under a name that
changes with the recipe, so a second run on one machine builds nothing."""

import contextlib
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import docker

ROOT = Path(__file__).resolve().parent.parent
RECIPE = ROOT / "image" / "stand-in"
SUITE = "bookworm"
PYTHON = "3.11"  # bookworm's
RUNTIME_CLIENT = "awslambdaric==4.2.2"
PACKAGES = ("python3", "python3-venv", "ca-certificates", "locales")
# What Amazon Linux 2023 minimal lacks and a Dockerfile might reach for.
ABSENT = ("usr/bin/find", "usr/bin/xargs", "usr/bin/which", "usr/bin/tar", "usr/bin/curl",
          "usr/bin/wget")
# And what AWS's base may lack that the functions need: the system's time zone database
# (Debian's base has one, pulled in by its packages). The image must bring its own (tzdata).
ABSENT_TREES = ("usr/share/zoneinfo",)
HOST_CA = Path("/etc/ssl/certs/ca-certificates.crt")
CACHE = Path(os.environ.get("TODO_API_IMAGE_CACHE")
             or Path.home() / ".cache" / "todo-api" / "image")


def recipe_digest() -> str:
    digest = hashlib.sha256()
    for path in sorted([*RECIPE.iterdir(), Path(__file__)]):
        digest.update(path.name.encode() + path.read_bytes())
    digest.update(repr((SUITE, PYTHON, RUNTIME_CLIENT, PACKAGES, ABSENT, ABSENT_TREES)).encode())
    return digest.hexdigest()[:12]


def tag() -> str:
    return f"localhost/todo-api-stand-in:py{PYTHON}-{recipe_digest()}"


def _customize(rootfs: Path) -> None:
    """Shape the Debian root as AWS's base: run on the host, on the unpacked tree."""
    def chroot(*argv: str) -> None:
        subprocess.run(["chroot", str(rootfs), *argv], check=True)

    chroot("localedef", "-i", "en_US", "-f", "UTF-8", "en_US.UTF-8")
    # Python and pip under /var/lang/bin, as AWS's base has them.
    chroot(f"/usr/bin/python{PYTHON}", "-m", "venv", "/var/lang")
    # The runtime interface client, compiled, where AWS's base keeps it. It is installed by
    # the host's pip (the host's index and CA) for the stand-in's interpreter.
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-cache-dir",
                    "--only-binary=:all:", "--python-version", PYTHON,
                    "--target", str(rootfs / "var/runtime"), RUNTIME_CLIENT], check=True)
    for name, mode in (("bootstrap", 0o755), ("bootstrap.py", 0o644)):
        shutil.copy(RECIPE / name, rootfs / "var/runtime" / name)
        (rootfs / "var/runtime" / name).chmod(mode)
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(rootfs / "var/runtime")],
                   check=True)
    shutil.copy(RECIPE / "lambda-entrypoint.sh", rootfs / "lambda-entrypoint.sh")
    (rootfs / "lambda-entrypoint.sh").chmod(0o755)
    (rootfs / "var/task").mkdir(parents=True, exist_ok=True)
    # This machine's TLS to the package index is re-signed by a local CA: the stand-in trusts
    # what the host trusts, and its pip is told so (AWS's base needs neither).
    if HOST_CA.exists():
        shutil.copy(HOST_CA, rootfs / "etc/ssl/certs/ca-certificates.crt")
        (rootfs / "etc/pip.conf").write_text(
            "[global]\ncert = /etc/ssl/certs/ca-certificates.crt\n")
    for absent in ABSENT:
        path = rootfs / absent
        if path.is_symlink() or path.exists():
            path.unlink()
    for bulky in ("usr/share/doc", "usr/share/man", "usr/share/info", "var/cache/apt",
                  "var/lib/apt/lists", *ABSENT_TREES):
        shutil.rmtree(rootfs / bulky, ignore_errors=True)


def rootfs_tar() -> Path:
    """The stand-in's root file system as a tar, made once per recipe and machine."""
    tar = CACHE / f"rootfs-{recipe_digest()}.tar"
    if tar.exists():
        return tar
    missing = [tool for tool in ("mmdebstrap", "chroot", "tar") if not shutil.which(tool)]
    if missing or os.geteuid() != 0:
        raise RuntimeError(f"building the stand-in base needs root and {', '.join(missing)}: "
                           "run `make image-test` as root (it installs them)")
    CACHE.mkdir(parents=True, exist_ok=True)
    sources = Path("/etc/apt/sources.list.d/debian.sources")
    with tempfile.TemporaryDirectory(dir=CACHE) as scratch:
        rootfs = Path(scratch) / "rootfs"
        subprocess.run(["mmdebstrap", "--quiet", "--variant=apt", "--mode=root",
                        "--include=" + ",".join(PACKAGES), SUITE, str(rootfs),
                        *([str(sources)] if sources.exists() else [])], check=True)
        _customize(rootfs)
        partial = tar.with_suffix(".partial")
        subprocess.run(["tar", "--numeric-owner", "-C", str(rootfs), "-cf", str(partial), "."],
                       check=True)
        partial.rename(tar)
    for stale in CACHE.glob("rootfs-*.tar"):
        if stale != tar:
            stale.unlink()
    return tar


def ensure(client: Any) -> str:
    """The stand-in's tag in the engine, built if missing."""
    name = tag()
    if client.images.list(name=name):
        return name
    tar = rootfs_tar()
    with tempfile.TemporaryDirectory(dir=CACHE) as context:
        os.link(tar, Path(context) / "rootfs.tar")
        shutil.copy(RECIPE / "Dockerfile", Path(context) / "Dockerfile")
        client.images.build(path=context, tag=name, pull=False, rm=True, forcerm=True)
    for image in client.images.list(name=name.rsplit(":", 1)[0]):  # older recipes' bases
        for stale in image.tags:
            if stale != name:
                with contextlib.suppress(docker.errors.APIError):  # still in use: keep it
                    client.images.remove(stale)
    return name
