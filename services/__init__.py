"""The Lambda functions of todo-api and the code they share, by layer: handlers → edge → domain
→ data → models (no Pulumi, no dev tooling here)."""
