"""`make bench`: cold start, DynamoDB cost per request, list cost, warm latency, image size."""
