# One image for the four functions; each picks its handler with image_config.command.
FROM public.ecr.aws/lambda/python:3.12-arm64

# Dependencies first: this layer stays cached until requirements.txt changes.
COPY requirements.txt ${LAMBDA_TASK_ROOT}/
RUN pip install --no-cache-dir --target "${LAMBDA_TASK_ROOT}" -r "${LAMBDA_TASK_ROOT}/requirements.txt" \
    && rm "${LAMBDA_TASK_ROOT}/requirements.txt"

COPY models/ ${LAMBDA_TASK_ROOT}/models/
COPY services/ ${LAMBDA_TASK_ROOT}/services/

CMD ["services.get_todos.handler"]
