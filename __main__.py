"""The Pulumi program of todo-api: `pulumi up --stack dev` (or prod) deploys the whole API."""

import pulumi

from infra.stack import build

for name, value in build().items():
    pulumi.export(name, value)
