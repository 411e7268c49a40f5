#!/bin/bash
# Installs the container engine `make image-test` uses (rootful podman with runc, mmdebstrap
# for the stand-in base) from Debian, and configures it the way this machine needs.
# Idempotent; the Makefile runs it once per machine (sentinel in the image cache).
set -eu

missing() {
    echo "make image-test: $1" >&2
    echo "  (it builds the Dockerfile and runs the functions in it; \`make unit\` runs the rest of the suite without it)" >&2
    exit 1
}

if [ "$(id -u)" != 0 ]; then
    if command -v podman >/dev/null 2>&1 || [ -n "${DOCKER_HOST:-}" ]; then
        missing "needs root for rootful podman; run it as root (CI does), or set DOCKER_HOST to a Docker engine you can use"
    fi
    missing "needs root to install podman, runc and mmdebstrap with apt-get (or DOCKER_HOST set to a Docker engine you can use)"
fi
command -v apt-get >/dev/null 2>&1 || missing "needs apt-get (Debian) to install podman, runc and mmdebstrap"

if ! command -v podman >/dev/null 2>&1 || ! command -v runc >/dev/null 2>&1 \
        || ! command -v mmdebstrap >/dev/null 2>&1; then
    apt-get -o DPkg::Lock::Timeout=600 update -q
    DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -q \
        --no-install-recommends podman runc mmdebstrap uidmap ca-certificates
fi

# podman's default runtime (crun) does not start containers here; runc does. podman's
# default limits can be above what this machine grants (runc then fails with "error setting
# rlimits"): containers get this shell's hard open-files limit, and 4096 processes (runc was
# refused even the hard process limit here; 4096 it is granted).
nofile=$(ulimit -Hn)
[ "$nofile" = unlimited ] && nofile=1048576
nproc=$(ulimit -Hu)
if [ "$nproc" = unlimited ] || [ "$nproc" -gt 4096 ]; then nproc=4096; fi
mkdir -p /etc/containers/containers.conf.d
cat > /etc/containers/containers.conf.d/50-todo-api.conf <<CONF
[containers]
default_ulimits = ["nofile=$nofile:$nofile", "nproc=$nproc:$nproc"]

[engine]
runtime = "runc"
CONF

podman info --format '{{.Host.OCIRuntime.Name}} {{.Store.GraphDriverName}}' >/dev/null \
    || missing "podman is installed but \`podman info\` fails"
echo "podman $(podman --version | cut -d' ' -f3) with $(podman info --format '{{.Host.OCIRuntime.Name}}'), storage $(podman info --format '{{.Store.GraphDriverName}}')"
