"""The one container image: an ECR repository and the Dockerfile built for arm64 and pushed."""

import json

import pulumi
import pulumi_aws as aws
import pulumi_docker_build as docker_build

KEEP_IMAGES = 10


class FunctionImage(pulumi.ComponentResource):
    uri: pulumi.Output[str]

    def __init__(
        self, name: str, *, force_delete: bool, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("todo-api:index:FunctionImage", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        self.repository = aws.ecr.Repository(
            name,
            image_scanning_configuration={"scan_on_push": True},
            image_tag_mutability="MUTABLE",
            force_delete=force_delete,
            opts=child,
        )
        aws.ecr.LifecyclePolicy(
            name,
            repository=self.repository.name,
            policy=json.dumps({"rules": [{
                "rulePriority": 1,
                "description": f"keep the last {KEEP_IMAGES} images",
                "selection": {"tagStatus": "any", "countType": "imageCountMoreThan",
                              "countNumber": KEEP_IMAGES},
                "action": {"type": "expire"},
            }]}),
            opts=child,
        )
        auth = aws.ecr.get_authorization_token_output(registry_id=self.repository.registry_id)
        self.image = docker_build.Image(
            name,
            context={"location": "."},
            dockerfile={"location": "Dockerfile"},
            platforms=[docker_build.Platform.LINUX_ARM64],
            push=True,
            tags=[self.repository.repository_url.apply(lambda url: f"{url}:latest")],
            registries=[{
                "address": self.repository.repository_url,
                "username": auth.user_name,
                "password": auth.password,
            }],
            opts=child,
        )
        # The digest-pinned reference: a new image is a new URI, so functions update.
        self.uri = self.image.ref
        self.register_outputs({"uri": self.uri})
