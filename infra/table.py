"""The table: one per stack, keyed as the seed's (userID, taskID), with the secondary indexes
the model declares (derived from it, so the model and the table cannot disagree)."""

from typing import Any

import pulumi
import pulumi_aws as aws

from infra.settings import Settings
from models import TodoModel, table_definition
from models.table import TTL_ATTRIBUTE


def _key(keys: list[dict[str, str]], kind: str) -> str:
    return next(k["AttributeName"] for k in keys if k["KeyType"] == kind)


def _indexes(definition: dict[str, Any]) -> list[aws.dynamodb.TableGlobalSecondaryIndexArgs]:
    return [
        aws.dynamodb.TableGlobalSecondaryIndexArgs(
            name=index["IndexName"],
            hash_key=_key(index["KeySchema"], "HASH"),
            range_key=_key(index["KeySchema"], "RANGE"),
            projection_type=index["Projection"]["ProjectionType"],
        )
        for index in definition["GlobalSecondaryIndexes"]
    ]


def table(settings: Settings) -> aws.dynamodb.Table:
    definition = table_definition(TodoModel)
    return aws.dynamodb.Table(
        "todos",
        name=f"{settings.prefix}-todos",
        billing_mode=str(definition["BillingMode"]),
        hash_key=_key(definition["KeySchema"], "HASH"),
        range_key=_key(definition["KeySchema"], "RANGE"),
        attributes=[
            aws.dynamodb.TableAttributeArgs(name=a["AttributeName"], type=a["AttributeType"])
            for a in definition["AttributeDefinitions"]
        ],
        global_secondary_indexes=_indexes(definition),
        point_in_time_recovery={"enabled": True},
        ttl={"attribute_name": TTL_ATTRIBUTE, "enabled": True},
        server_side_encryption={"enabled": True},
        # The stream the events dispatcher reads (infra/events.py), as the model declares it.
        stream_enabled=definition["StreamSpecification"]["StreamEnabled"],
        stream_view_type=definition["StreamSpecification"]["StreamViewType"],
        deletion_protection_enabled=settings.deletion_protection,
        # Where tasks must outlive the stack (prod), `pulumi destroy` leaves the table be.
        opts=pulumi.ResourceOptions(
            retain_on_delete=settings.deletion_protection,
            protect=settings.deletion_protection,
        ),
    )
