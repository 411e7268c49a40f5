"""What differs between stacks, read once from the stack's config (Pulumi.<stack>.yaml)."""

from dataclasses import dataclass

import pulumi

# todo-api:mfa -> the user pool's mfa_configuration; anything but "off" enables TOTP.
MFA_MODES = {"off": "OFF", "optional": "OPTIONAL", "on": "ON"}
# todo-api:threatProtection -> Cognito's advanced security mode (needs the Plus feature plan):
# `audit` scores and logs every sign-in, `enforced` also blocks risky ones and refuses
# passwords known to have leaked.
THREAT_PROTECTION_MODES = {"off": "OFF", "audit": "AUDIT", "enforced": "ENFORCED"}


@dataclass(frozen=True)
class Settings:
    stack: str
    region: str
    log_retention_days: int
    deletion_protection: bool
    throttle_rate_limit: float
    throttle_burst_limit: int
    cors_origins: list[str]
    memory_mb: int
    timeout_seconds: int
    alarm_email: str | None
    manage_gateway_logging: bool  # the account-wide API Gateway logging role (one per region)
    alarm_5xx_rate: float  # share of requests answered 5xx, per 5 minutes
    alarm_p99_latency_ms: float
    alarm_function_errors: int  # per function per 5 minutes
    alarm_function_throttles: int
    alarm_table_throttles: int
    alarm_table_system_errors: int
    self_sign_up: bool  # False: only an administrator creates users (admin_create_user)
    mfa: str  # a key of MFA_MODES
    threat_protection: str  # a key of THREAT_PROTECTION_MODES
    # The CLI's client also takes USER_PASSWORD_AUTH (the password itself, not an SRP proof):
    # handy on dev for `aws cognito-idp initiate-auth`; the project's own tools use SRP.
    user_password_auth: bool
    # The web client also accepts http://localhost:3000/ (`make run`) as a sign-in and
    # sign-out URL, to try a stack's sign-in from a laptop; never on a stack with real users.
    local_app_sign_in: bool
    waf: bool  # a web ACL on the stage (infra/waf.py)
    waf_rate_limit: int  # requests per client IP per 5 minutes, above which the WAF blocks it
    permissions_boundary: str | None  # the bootstrap's boundary policy, None without one

    @property
    def prefix(self) -> str:
        return f"todo-api-{self.stack}"


def choice(key: str, value: str | None, modes: dict[str, str]) -> str:
    """A setting that takes one of `modes`, checked: a typo must not leave a pool without MFA
    or threat protection. Unset means "off"."""
    mode = (value or "off").strip().lower()
    if mode not in modes:
        raise ValueError(f"todo-api:{key} must be one of {', '.join(modes)}, not {value!r}")
    return mode


def load() -> Settings:
    config = pulumi.Config()
    origins = config.get("corsOrigins") or "*"
    return Settings(
        stack=pulumi.get_stack(),
        region=pulumi.Config("aws").get("region") or "us-east-1",
        log_retention_days=config.get_int("logRetentionDays") or 14,
        deletion_protection=config.get_bool("deletionProtection") or False,
        throttle_rate_limit=config.get_float("throttleRateLimit") or 50.0,
        throttle_burst_limit=config.get_int("throttleBurstLimit") or 100,
        cors_origins=[o.strip() for o in origins.split(",") if o.strip()],
        memory_mb=config.get_int("memoryMb") or 512,
        timeout_seconds=config.get_int("timeoutSeconds") or 20,
        alarm_email=config.get("alarmEmail") or None,
        manage_gateway_logging=config.get_bool("manageGatewayLogging") is not False,
        alarm_5xx_rate=config.get_float("alarm5xxRate") or 0.01,
        alarm_p99_latency_ms=config.get_float("alarmP99LatencyMs") or 1000.0,
        alarm_function_errors=config.get_int("alarmFunctionErrors") or 1,
        alarm_function_throttles=config.get_int("alarmFunctionThrottles") or 1,
        alarm_table_throttles=config.get_int("alarmTableThrottles") or 1,
        alarm_table_system_errors=config.get_int("alarmTableSystemErrors") or 1,
        self_sign_up=config.get_bool("selfSignUp") or False,
        mfa=choice("mfa", config.get("mfa"), MFA_MODES),
        threat_protection=choice("threatProtection", config.get("threatProtection"),
                                 THREAT_PROTECTION_MODES),
        user_password_auth=config.get_bool("userPasswordAuth") or False,
        local_app_sign_in=config.get_bool("localAppSignIn") or False,
        waf=config.get_bool("waf") or False,
        waf_rate_limit=config.get_int("wafRateLimit") or 2000,
        permissions_boundary=config.get("permissionsBoundary") or None,
    )
