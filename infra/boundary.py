"""Every IAM role of the stack lives under the stack's own path (/todo-api-<stack>/) and carries
the permissions boundary that the bootstrap stack (deploy/bootstrap/) creates for this stack,
named by `todo-api:permissionsBoundary`. The stack's deploy role may only create and change
roles under that path that carry that boundary, so it can neither reach another stack's roles
nor make a role stronger than the boundary."""

import pulumi
import pulumi_aws as aws

from infra.settings import Settings

ROLE = "aws:iam/role:Role"


def role_path(prefix: str) -> str:
    return f"/{prefix}/"


def contain_every_role(settings: Settings) -> None:
    """Registers the transformation: the path always, the boundary when the stack names one
    (a stack deployed by hand without the bootstrap names none)."""
    boundary = settings.permissions_boundary
    arn = aws.get_caller_identity_output().account_id.apply(
        lambda account: f"arn:aws:iam::{account}:policy/{boundary}") if boundary else None

    def transform(
        args: pulumi.ResourceTransformationArgs,
    ) -> pulumi.ResourceTransformationResult | None:
        if args.type_ != ROLE:
            return None
        props = {**args.props, "path": role_path(settings.prefix)}
        if arn is not None:
            props["permissions_boundary"] = arn
        return pulumi.ResourceTransformationResult(props, args.opts)

    pulumi.runtime.register_stack_transformation(transform)
