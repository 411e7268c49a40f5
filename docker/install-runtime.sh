#!/bin/sh
# Install the functions' runtime dependencies into $1, as the image's layer, then drop the
# AWS service models botocore ships for every other service: the functions only ever load
# DynamoDB's, and the rest is most of the layer's size.
set -eu
target="$1"
"${PIP:-pip}" install --quiet --no-cache-dir --target "$target" -r "${REQUIREMENTS:-requirements.txt}"
find "$target/botocore/data" -mindepth 1 -maxdepth 1 -type d ! -name dynamodb -exec rm -rf {} +
find "$target" -name "__pycache__" -type d -prune -exec rm -rf {} +
