"""Every IAM role of the stack carries the permissions boundary that the bootstrap stack
(deploy/bootstrap/) creates, named by `todo-api:permissionsBoundary`. The deploy role may only
create and change roles that carry it, so it cannot make a role stronger than the boundary."""

import pulumi
import pulumi_aws as aws

ROLE = "aws:iam/role:Role"


def bound_every_role(name: str | None) -> None:
    """Registers the transformation when the stack names a boundary (`name`)."""
    if not name:
        return  # a stack deployed without the bootstrap (by hand, with your own keys)
    arn = aws.get_caller_identity_output().account_id.apply(
        lambda account: f"arn:aws:iam::{account}:policy/{name}")

    def transform(
        args: pulumi.ResourceTransformationArgs,
    ) -> pulumi.ResourceTransformationResult | None:
        if args.type_ != ROLE:
            return None
        return pulumi.ResourceTransformationResult(
            {**args.props, "permissions_boundary": arn}, args.opts)

    pulumi.runtime.register_stack_transformation(transform)
