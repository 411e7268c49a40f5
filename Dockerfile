# One image for the four functions; each picks its handler with image_config.command.
FROM public.ecr.aws/lambda/python:3.12-arm64

# Dependencies first: this layer stays cached until requirements.txt or the script changes.
COPY requirements.txt docker/install-runtime.sh /tmp/build/
RUN REQUIREMENTS=/tmp/build/requirements.txt sh /tmp/build/install-runtime.sh "${LAMBDA_TASK_ROOT}" \
    && rm -rf /tmp/build

COPY models/ ${LAMBDA_TASK_ROOT}/models/
COPY services/ ${LAMBDA_TASK_ROOT}/services/
# Bytecode now, since the function's file system is read-only at run time.
RUN python -m compileall -q "${LAMBDA_TASK_ROOT}/models" "${LAMBDA_TASK_ROOT}/services"

CMD ["services.get_todos.handler"]
