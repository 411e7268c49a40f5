"""Standard Webhooks signatures (standardwebhooks.com), written out: HMAC-SHA256 keyed with
the secret's bytes over "{id}.{timestamp}.{body}", base64, as `v1,<signature>`. A few lines
here instead of a dependency in the image; the tests verify every delivery with the
`standardwebhooks` library, as a receiver would."""

import base64
import hashlib
import hmac

SECRET_PREFIX = "whsec_"  # noqa: S105 (the format's prefix, not a secret)


def signature(secret: str, message_id: str, timestamp: int, body: bytes) -> str:
    key = base64.b64decode(secret.removeprefix(SECRET_PREFIX))
    signed = f"{message_id}.{timestamp}.".encode() + body
    digest = hmac.new(key, signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def headers(secret: str, message_id: str, timestamp: int, body: bytes) -> dict[str, str]:
    """The three headers of a signed delivery."""
    return {
        "webhook-id": message_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": signature(secret, message_id, timestamp, body),
    }
