"""Tags on every taggable AWS resource of the stack, declared in this one place: `app`, `stack`
and any from the stack's `todo-api:tags` config, applied by a stack-wide transformation so a
resource added later is tagged without anyone remembering to."""

import inspect
from typing import Any

import pulumi

APP = "todo-api"


def stack_tags(stack: str) -> dict[str, str]:
    """The tags of this stack: the config's `todo-api:tags` may add tags, not replace these."""
    extra = pulumi.Config().get_object("tags") or {}
    if not isinstance(extra, dict):
        raise ValueError("todo-api:tags must be a map of tag names to values")
    return {**{str(k): str(v) for k, v in extra.items()}, "app": APP, "stack": stack}


_ACCEPTS: dict[str, bool] = {}


def accepts_tags(resource_class: type) -> bool:
    """Whether an AWS resource class takes a `tags` map (an IAM policy or a permission does not)."""
    key = f"{resource_class.__module__}.{resource_class.__qualname__}"
    if key not in _ACCEPTS:
        init = getattr(resource_class, "_internal_init", None)
        _ACCEPTS[key] = init is not None and "tags" in inspect.signature(init).parameters
    return _ACCEPTS[key]


def _merged(tags: dict[str, str], own: Any) -> Any:
    if isinstance(own, dict) or own is None:
        return {**tags, **(own or {})}
    return pulumi.Output.from_input(own).apply(lambda value: {**tags, **(value or {})})


def _is_aws(resource: pulumi.Resource) -> bool:
    # The docker-build image also has `tags`, but those are image tags, not AWS tags.
    return type(resource).__module__.startswith("pulumi_aws.")


def tag_everything(stack: str) -> None:
    """Registers the transformation; resources created after this call get the stack's tags
    (a resource's own tags win on a clash)."""
    tags = stack_tags(stack)

    def transform(
        args: pulumi.ResourceTransformationArgs,
    ) -> pulumi.ResourceTransformationResult | None:
        resource = args.resource
        if not (isinstance(resource, pulumi.CustomResource) and _is_aws(resource)
                and accepts_tags(type(resource))):
            return None
        merged = _merged(tags, args.props.get("tags"))
        return pulumi.ResourceTransformationResult({**args.props, "tags": merged}, args.opts)

    pulumi.runtime.register_stack_transformation(transform)
