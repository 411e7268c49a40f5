"""Data access for webhooks, their secrets and their delivery logs (models/webhook.py,
models/delivery.py): one DynamoDB request per call, like services/data/store.py, whose
error handling these calls share."""

import contextlib
from typing import Any

from botocore.exceptions import ClientError
from pynamodb.exceptions import PutError

from models import Delivery, TodoModel, Webhook, WebhookCount, WebhookSecret
from models import delivery as delivery_keys
from models.webhook import COUNT_KEY, partition, secret_partition
from services.data.store import _client, _dynamodb, _failed_condition_item, _transact
from services.errors import StoreUnavailable, TaskError, TooManyWebhooks, WebhookNotFound

# API field name -> model attribute, for what PATCH /webhooks/{id} may change.
_ATTRIBUTES: dict[str, Any] = {
    "url": Webhook.url,
    "events": Webhook.events,
    "description": Webhook.description,
    "active": Webhook.active,
    "updatedAt": Webhook.updated_at,
    "failingSince": Webhook.failing_since,
}


def _count_item(user_id: str) -> WebhookCount:
    return WebhookCount(partition(user_id), COUNT_KEY)


def create(webhook: Webhook, secret: WebhookSecret, user_id: str, limit: int) -> None:
    """One transaction: the webhook, its secret, and the user's count, which may not pass
    `limit` (TooManyWebhooks; nothing is written)."""
    total = WebhookCount.total
    counted = _count_item(user_id).get_update_kwargs_from_instance(
        [total.add(1)], total.does_not_exist() | (total < limit))
    _transact_or_refuse([
        {"Update": counted},
        {"Put": webhook.get_save_kwargs_from_instance(Webhook.webhook_id.does_not_exist())},
        {"Put": secret.get_save_kwargs_from_instance()},
    ], TooManyWebhooks(limit))


def _transact_or_refuse(items: list[dict[str, Any]], refusal: TaskError) -> None:
    """One transaction; `refusal` if its condition fails (then nothing was written)."""
    with _dynamodb():
        try:
            _transact(items)
        except ClientError as error:
            if _failed_condition_item(error) is not None:
                raise refusal from None
            raise


def delete(user_id: str, webhook_id: str) -> None:
    """One transaction: the webhook, its secret and one off the count; WebhookNotFound if
    there is no such webhook (then nothing changes)."""
    webhook = Webhook(partition(user_id), webhook_id)
    _transact_or_refuse([
        {"Delete": webhook.get_delete_kwargs_from_instance(Webhook.webhook_id.exists())},
        {"Update": _count_item(user_id).get_update_kwargs_from_instance(
            [WebhookCount.total.add(-1)])},
        {"Delete": WebhookSecret(secret_partition(user_id), webhook_id)
         .get_delete_kwargs_from_instance()},
    ], WebhookNotFound(webhook_id))


def get(user_id: str, webhook_id: str) -> Webhook | None:
    with _dynamodb():
        try:
            return Webhook.get(partition(user_id), webhook_id)
        except Webhook.DoesNotExist:
            return None


def list_all(user_id: str) -> list[Webhook]:
    """The user's webhooks (at most the limit), oldest first: one Query, the count left out."""
    with _dynamodb():
        return list(Webhook.query(partition(user_id), Webhook.webhook_id < COUNT_KEY))


def update(user_id: str, webhook_id: str, set_fields: dict[str, Any],
           remove_fields: frozenset[str] = frozenset()) -> Webhook:
    """One conditional UpdateItem (never creates): the webhook as it is afterwards."""
    actions = [_ATTRIBUTES[name].set(value) for name, value in set_fields.items()]
    actions += [_ATTRIBUTES[name].remove() for name in sorted(remove_fields)]
    return _update(user_id, webhook_id, actions)


def _update(user_id: str, webhook_id: str, actions: list[Any],
            condition: Any = None) -> Webhook:
    kwargs = Webhook(partition(user_id), webhook_id).get_update_kwargs_from_instance(
        actions, Webhook.webhook_id.exists() & condition if condition is not None
        else Webhook.webhook_id.exists())
    kwargs["ReturnValues"] = "ALL_NEW"
    with _dynamodb():
        try:
            data = _client().update_item(**kwargs)
        except ClientError as error:
            if _failed_condition_item(error) is not None:
                raise WebhookNotFound(webhook_id) from None
            raise
    return Webhook.from_raw_data(data["Attributes"])


def request_test(user_id: str, webhook_id: str, event_id: str) -> None:
    """Mark the webhook for a test event: the dispatcher sees the change on the stream."""
    _update(user_id, webhook_id, [Webhook.test_event_id.set(event_id)])


def deliveries(user_id: str, webhook_id: str, limit: int) -> list[Delivery]:
    """A webhook's latest deliveries, newest first: one Query."""
    with _dynamodb():
        return list(Delivery.query(
            delivery_keys.partition(user_id), Delivery.key.startswith(f"{webhook_id}#"),
            scan_index_forward=False, limit=limit))


# --- what the dispatcher reads and writes --------------------------------------------------

def with_secret(user_id: str, webhook_id: str) -> tuple[Webhook | None, str | None]:
    """A webhook and its signing secret, read together (one strongly consistent
    BatchGetItem; unprocessed keys, which only throttling leaves, are read again)."""
    table = Webhook.Meta.table_name
    keys = [{"userID": {"S": owner}, "taskID": {"S": webhook_id}}
            for owner in (partition(user_id), secret_partition(user_id))]
    webhook: Webhook | None = None
    secret: str | None = None
    pending: dict[str, Any] = {table: {"Keys": keys, "ConsistentRead": True}}
    with _dynamodb():
        for _ in range(3):
            answer = _client().batch_get_item(RequestItems=pending)
            for raw in answer.get("Responses", {}).get(table, []):
                if raw["userID"]["S"] == keys[0]["userID"]["S"]:
                    webhook = Webhook.from_raw_data(raw)
                else:
                    secret = WebhookSecret.from_raw_data(raw).secret
            pending = answer.get("UnprocessedKeys") or {}
            if not pending:
                return webhook, secret
    raise StoreUnavailable("webhook keys left unprocessed")


def start_delivery(delivery: Delivery) -> bool:
    """Write a new delivery log; False if it exists already (this event was handled)."""
    with _dynamodb():
        try:
            delivery.save(Delivery.key.does_not_exist())
        except PutError as error:
            if _failed_condition_item(error) is not None:
                return False
            raise
    return True


def forget_delivery(user_id: str, webhook_id: str, event_id: str) -> None:
    with _dynamodb():
        Delivery(delivery_keys.partition(user_id), delivery_keys.key(webhook_id, event_id)).delete()


def record_attempt(user_id: str, webhook_id: str, event_id: str, values: dict[str, Any],
                   remove: tuple[str, ...] = ()) -> None:
    """Note an attempt's outcome on the delivery log (written whole if it went missing)."""
    item = Delivery(delivery_keys.partition(user_id), delivery_keys.key(webhook_id, event_id))
    attributes = {name: getattr(Delivery, name) for name in (*values, *remove)}
    actions = [attributes[name].set(value) for name, value in values.items()]
    actions += [attributes[name].remove() for name in remove]
    with _dynamodb():
        item.update(actions)


def webhook_failing(user_id: str, webhook_id: str, since: str) -> None:
    """Start a failing streak, unless one is running."""
    with contextlib.suppress(WebhookNotFound):  # deleted, or a streak running: nothing to do
        _update(user_id, webhook_id, [Webhook.failing_since.set(since)],
                Webhook.failing_since.does_not_exist())


def webhook_recovered(user_id: str, webhook_id: str) -> None:
    with contextlib.suppress(WebhookNotFound):
        _update(user_id, webhook_id, [Webhook.failing_since.remove()],
                Webhook.failing_since.exists())


def deactivate(user_id: str, webhook_id: str, now: str) -> None:
    with contextlib.suppress(WebhookNotFound):
        _update(user_id, webhook_id, [Webhook.active.set(False), Webhook.updated_at.set(now)])


def task(owner: str, task_id: str) -> TodoModel | None:
    with _dynamodb():
        try:
            return TodoModel.get(owner, task_id, consistent_read=True)
        except TodoModel.DoesNotExist:
            return None
