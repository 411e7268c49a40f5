"""Local development tooling: an API Gateway emulator on an embedded DynamoDB (not in the image)."""
