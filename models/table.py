"""Where the table is: one table per stack, named by TABLE_NAME, reached through the region's
endpoint or an override (moto, DynamoDB Local)."""

import os
from typing import Any


def _region() -> str:
    return os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or "us-east-1"


# The table's TTL attribute: DynamoDB deletes an item some time after this epoch second.
TTL_ATTRIBUTE = "expiresAt"


class TableMeta:
    table_name = os.environ.get("TABLE_NAME", "todos")
    region = _region()
    # botocore honours AWS_ENDPOINT_URL_DYNAMODB itself; naming it here makes the
    # override explicit for moto, DynamoDB Local or a real table.
    host = os.environ.get("AWS_ENDPOINT_URL_DYNAMODB") or None
    billing_mode = "PAY_PER_REQUEST"
    # The table's stream feeds the events dispatcher (services/events/): every change of an
    # item, with its images before and after.
    stream_view_type = "NEW_AND_OLD_IMAGES"
    # Bounded so that a request gives up well inside API Gateway's 29 s and the function's
    # 20 s timeout: botocore's standard mode makes 1 + 2 attempts of at most 1 s connect and
    # 2 s read each, with backoff of at most 2 s then 4 s between them: at most 15 s.
    connect_timeout_seconds = float(os.environ.get("DYNAMODB_CONNECT_TIMEOUT", "1"))
    read_timeout_seconds = float(os.environ.get("DYNAMODB_READ_TIMEOUT", "2"))
    max_retry_attempts = int(os.environ.get("DYNAMODB_MAX_RETRIES", "2"))


def configure(models: list[Any], *, endpoint: str | None = None,
              table_name: str | None = None) -> None:
    """Point the models at another engine or table (tests, the emulator); drops old clients."""
    for model in models:
        if endpoint is not None:
            model.Meta.host = endpoint
        if table_name is not None:
            model.Meta.table_name = table_name
        model._connection = None


def table_definition(model: Any) -> dict[str, Any]:
    """The table as the model declares it (keys, attribute types, secondary indexes, stream), in
    CreateTable's terms: the emulator creates it from this, the Pulumi program declares it."""
    schema = model._get_schema()
    indexes = sorted(schema["global_secondary_indexes"], key=lambda index: index["index_name"])
    return {
        "KeySchema": _hash_first(schema["key_schema"]),
        "AttributeDefinitions": sorted(schema["attribute_definitions"],
                                       key=lambda a: a["AttributeName"]),
        "GlobalSecondaryIndexes": [
            {"IndexName": index["index_name"], "KeySchema": _hash_first(index["key_schema"]),
             "Projection": index["projection"]}
            for index in indexes
        ],
        "BillingMode": model.Meta.billing_mode,
        "StreamSpecification": {"StreamEnabled": True,
                                "StreamViewType": model.Meta.stream_view_type},
    }


def _hash_first(keys: list[dict[str, str]]) -> list[dict[str, str]]:
    return sorted(keys, key=lambda key: key["KeyType"] != "HASH")  # DynamoDB's required order
