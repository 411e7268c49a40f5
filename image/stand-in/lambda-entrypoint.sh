#!/bin/sh
# As AWS's base image: the handler (the image's CMD or the function's image_config.command)
# is the one argument. The stand-in has no runtime interface emulator: it needs
# AWS_LAMBDA_RUNTIME_API, which the image test's own Runtime API provides.
if [ $# -ne 1 ]; then
  echo "entrypoint requires the handler name to be the first argument" 1>&2
  exit 142
fi
export _HANDLER="$1"

RUNTIME_ENTRYPOINT=/var/runtime/bootstrap
if [ -z "${AWS_LAMBDA_RUNTIME_API}" ]; then
  echo "the stand-in has no runtime interface emulator: set AWS_LAMBDA_RUNTIME_API" 1>&2
  exit 1
else
  exec $RUNTIME_ENTRYPOINT
fi
