"""Data access: every DynamoDB request of the API, one request per call, on the models."""
