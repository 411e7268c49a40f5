"""Facts shared by the runtime, the dev tooling and the Pulumi program: data only, below all
of their users (so the local server never imports infra/)."""
