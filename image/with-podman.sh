#!/bin/sh
# Runs a command with DOCKER_HOST pointing at podman's Docker-compatible API service, which it
# starts on a private socket and stops afterwards. Usage: with-podman.sh SOCKET COMMAND...
set -eu
socket="$1"
shift
if [ "$(id -u)" != 0 ]; then
    echo "make image-test: needs root for rootful podman (or set DOCKER_HOST to a Docker engine)" >&2
    exit 1
fi
command -v podman >/dev/null 2>&1 || {
    echo "make image-test: podman is missing (the Makefile's engine step installs it as root)" >&2
    exit 1
}
mkdir -p "$(dirname "$socket")"
rm -f "$socket"
podman system service --time=0 "unix://$socket" &
service=$!
trap 'kill "$service" 2>/dev/null; wait "$service" 2>/dev/null || true; rm -f "$socket"' EXIT INT TERM
tries=0
until [ -S "$socket" ]; do
    tries=$((tries + 1))
    if [ "$tries" -gt 100 ] || ! kill -0 "$service" 2>/dev/null; then
        echo "make image-test: podman's API service did not start" >&2
        exit 1
    fi
    sleep 0.1
done
DOCKER_HOST="unix://$socket" "$@"
