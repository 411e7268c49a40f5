"""The events dispatcher: a fifth function from the same image, not behind API Gateway. It
reads the table's stream (task changes, webhook test requests), sends the events webhooks
subscribed to through a queue, retries failures with backoff, and keeps each task's
reminders as one-time schedules that call it back (services/handlers/dispatch.py)."""
