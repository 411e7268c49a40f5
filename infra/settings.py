"""What differs between stacks, read once from the stack's config (Pulumi.<stack>.yaml)."""

from dataclasses import dataclass

import pulumi


@dataclass(frozen=True)
class Settings:
    stack: str
    log_retention_days: int
    deletion_protection: bool
    throttle_rate_limit: float
    throttle_burst_limit: int
    cors_origins: list[str]
    memory_mb: int
    timeout_seconds: int
    alarm_email: str | None

    @property
    def prefix(self) -> str:
        return f"todo-api-{self.stack}"


def load() -> Settings:
    config = pulumi.Config()
    origins = config.get("corsOrigins") or "*"
    return Settings(
        stack=pulumi.get_stack(),
        log_retention_days=config.get_int("logRetentionDays") or 14,
        deletion_protection=config.get_bool("deletionProtection") or False,
        throttle_rate_limit=config.get_float("throttleRateLimit") or 50.0,
        throttle_burst_limit=config.get_int("throttleBurstLimit") or 100,
        cors_origins=[o.strip() for o in origins.split(",") if o.strip()],
        memory_mb=config.get_int("memoryMb") or 512,
        timeout_seconds=config.get_int("timeoutSeconds") or 20,
        alarm_email=config.get("alarmEmail") or None,
    )
