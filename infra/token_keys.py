"""The stack's token keys: what seals the API's cursors and sync tokens (HMAC-SHA256, see
services/domain/cursor.py), so that no client can mint one and no other stack's is accepted.

Pulumi generates each key (pulumi-random, 32 random bytes, kept as a secret in the stack's
state) and hands the functions `TOKEN_KEYS` in their environment, which Lambda encrypts at
rest: no network call at a cold start. Rotation is by generation (`todo-api:tokenKeyGeneration`,
default 1): bumping it to N makes key N, which seals from then on, keeps key N-1, which still
verifies, and drops N-2. Tokens sealed with a dropped key are refused (400), so bump again
only when the previous key's tokens no longer matter (sync tokens live 30 days)."""

import pulumi
import pulumi_random as random


def generation() -> int:
    value = pulumi.Config().get_int("tokenKeyGeneration")
    if value is None:
        return 1
    if value < 1:
        raise ValueError(f"todo-api:tokenKeyGeneration must be 1 or more, not {value}")
    return value


def token_keys(current: int) -> pulumi.Output[str]:
    """TOKEN_KEYS: the current generation's key first (it seals), then the previous one."""
    keys = [random.RandomBytes(f"token-key-{n}", length=32).hex
            for n in (current, current - 1) if n >= 1]
    return pulumi.Output.secret(pulumi.Output.all(*keys).apply(",".join))
