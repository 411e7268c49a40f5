"""The local stand-in for the Cognito user pool: RS256 ID tokens, checked as API Gateway would."""

import functools
import json
import os
import time
from pathlib import Path
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

ISSUER = "https://cognito-idp.local/todo-api-local"
AUDIENCE = "todo-api-local-client"
DEFAULT_TTL = 12 * 3600


def key_path() -> Path:
    home = Path(os.environ.get("TODO_API_HOME", ".todo-api"))
    return home / "signing-key.pem"


def _private_key() -> rsa.RSAPrivateKey:
    """The local pool's signing key, made on first use and kept so tokens outlive restarts."""
    return _load_key(key_path())


@functools.cache
def _load_key(path: Path) -> rsa.RSAPrivateKey:
    # Cached: loading checks the RSA key, which costs far more than signing with it.
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        pem = key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        tmp = path.with_suffix(".tmp")
        tmp.write_bytes(pem)
        tmp.chmod(0o600)
        os.replace(tmp, path)
    loaded = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(loaded, rsa.RSAPrivateKey):
        raise SystemExit(f"{path} does not hold an RSA private key")
    return loaded


def issue_token(user: str, ttl: int = DEFAULT_TTL) -> str:
    """An ID token shaped like Cognito's: sub is the user id the API stores tasks under."""
    now = int(time.time())
    claims = {
        "sub": user,
        "cognito:username": user,
        "iss": ISSUER,
        "aud": AUDIENCE,
        "token_use": "id",
        "iat": now,
        "auth_time": now,
        "exp": now + ttl,
    }
    return jwt.encode(claims, _private_key(), algorithm="RS256")


class Verifier:
    def __init__(self) -> None:
        self._public_key = _private_key().public_key()

    def claims(self, authorization: str | None) -> dict[str, str] | None:
        """The claims as API Gateway hands them to Lambda (all strings), or None: 401."""
        if not authorization:
            return None
        token = authorization.strip()
        if token[:7].lower() == "bearer ":
            token = token[7:].strip()
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                self._public_key,
                algorithms=["RS256"],
                audience=AUDIENCE,
                issuer=ISSUER,
                options={"require": ["sub", "exp", "iss", "aud"]},
            )
        except jwt.PyJWTError:
            return None
        if claims.get("token_use") != "id" or not isinstance(claims.get("sub"), str):
            return None
        return {name: claim_string(name, value) for name, value in claims.items()}


_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
# The claims a REST API's Cognito authorizer turns into dates; auth_time stays epoch seconds.
DATE_CLAIMS = frozenset({"exp", "iat"})


def claim_string(name: str, value: Any) -> str:
    """One claim as a REST API's Cognito authorizer hands it to Lambda: always a string.

    `exp` and `iat` become Java's Date.toString() in UTC (`Sun Nov 29 23:40:00 UTC 2026`),
    booleans `true`/`false`, numbers their JSON text, lists their items joined by commas.
    """
    if name in DATE_CLAIMS and isinstance(value, int | float) and not isinstance(value, bool):
        t = time.gmtime(int(value))
        return (f"{_DAYS[t.tm_wday]} {_MONTHS[t.tm_mon - 1]} {t.tm_mday:02d} "
                f"{t.tm_hour:02d}:{t.tm_min:02d}:{t.tm_sec:02d} UTC {t.tm_year}")
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        return ",".join(claim_string("", item) for item in value)
    return json.dumps(value, separators=(",", ":"))
