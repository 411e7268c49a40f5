"""The HTTP edge: the route table, request parsing, problem documents, representations, the
OpenAPI and gateway documents, logs and metrics. Calls the domain; knows no DynamoDB."""
