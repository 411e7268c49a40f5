"""The one-time bootstrap stack: GitHub's OIDC provider and the roles the workflows assume."""
