"""The table: one per stack, keyed as the seed's (userID, taskID)."""

import pulumi
import pulumi_aws as aws

from infra.settings import Settings
from models.table import TTL_ATTRIBUTE


def table(settings: Settings) -> aws.dynamodb.Table:
    return aws.dynamodb.Table(
        "todos",
        name=f"{settings.prefix}-todos",
        billing_mode="PAY_PER_REQUEST",
        hash_key="userID",
        range_key="taskID",
        attributes=[{"name": "userID", "type": "S"}, {"name": "taskID", "type": "S"}],
        point_in_time_recovery={"enabled": True},
        ttl={"attribute_name": TTL_ATTRIBUTE, "enabled": True},
        server_side_encryption={"enabled": True},
        deletion_protection_enabled=settings.deletion_protection,
        # Where tasks must outlive the stack (prod), `pulumi destroy` leaves the table be.
        opts=pulumi.ResourceOptions(
            retain_on_delete=settings.deletion_protection,
            protect=settings.deletion_protection,
        ),
    )
