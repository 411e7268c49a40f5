#!/bin/sh
# Install the functions' runtime dependencies into $1, as the image's layer, then drop what
# botocore ships for every other AWS service: the functions only ever make DynamoDB clients.
# That is most of the layer's size, and endpoints.json alone is parsed on every cold start.
# The bytecode pip compiled stays: Lambda's file system is read-only, so without it every
# cold start would compile botocore.
set -eu
target="$1"
"${PIP:-pip}" install --quiet --no-cache-dir --target "$target" -r "${REQUIREMENTS:-requirements.txt}"
find "$target/botocore/data" -mindepth 1 -maxdepth 1 -type d ! -name dynamodb -exec rm -rf {} +
"${PYTHON:-python3}" - "$target/botocore/data/endpoints.json" <<'PY'
import json
import sys

path = sys.argv[1]
with open(path) as source:
    endpoints = json.load(source)
for partition in endpoints["partitions"]:
    partition["services"] = {"dynamodb": partition["services"].get("dynamodb", {})}
with open(path, "w") as target:
    json.dump(endpoints, target, separators=(",", ":"))
PY
