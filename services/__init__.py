"""The Lambda handlers of todo-api and the code they share (no Pulumi, no dev tooling here)."""
