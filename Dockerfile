# One image for the four functions; each picks its handler with image_config.command.
# AWS's Lambda base for Python 3.12 on arm64 (Amazon Linux 2023 minimal: no find, which, tar
# or curl), pinned by digest: README "The image" says how to bump it. `make image-test` builds
# this file unchanged on a local stand-in by overriding BASE_IMAGE.
ARG BASE_IMAGE=public.ecr.aws/lambda/python:3.12-arm64@sha256:6ad7dc750cc64bbebc95a0d87a732f0b9fc6bf27ab119fd686b0d1baacc0c8be
FROM ${BASE_IMAGE}

# The package index pip uses; empty means pip's default (PyPI). The lock's hashes are checked
# whichever index serves the files.
ARG PACKAGE_INDEX=""

# Dependencies first: this layer stays cached until the lock or the installer changes.
# All file work is in Python: the base has no find.
COPY requirements.txt image/install_runtime.py /tmp/build/
RUN python3 /tmp/build/install_runtime.py --requirements /tmp/build/requirements.txt \
        --index-url "${PACKAGE_INDEX}" "${LAMBDA_TASK_ROOT}" \
    && rm -rf /tmp/build

COPY models/ ${LAMBDA_TASK_ROOT}/models/
COPY services/ ${LAMBDA_TASK_ROOT}/services/
# Bytecode now, since the function's file system is read-only at run time; hash-based, so it
# stays valid whatever times the build gives the files.
RUN python3 -m compileall -q --invalidation-mode unchecked-hash \
        "${LAMBDA_TASK_ROOT}/models" "${LAMBDA_TASK_ROOT}/services"

CMD ["services.handlers.get_todos.handler"]
