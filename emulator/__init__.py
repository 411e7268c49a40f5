"""AWS played locally: the API Gateway emulator, the Cognito stand-in, the DynamoDB engines and
the web app beside the API (dev tooling, not in the image)."""
