"""The local stack's token key (what seals cursors and sync tokens), kept beside the local
sign-in key so that tokens outlive a restart, as a stack's key outlives a deploy."""

import os
import secrets
from pathlib import Path

from emulator.auth import key_path


def path() -> Path:
    return key_path().parent / "token-key"


def load() -> str:
    """The key, made on first use (64 hex digits, readable by its owner only)."""
    file = path()
    if not file.exists():
        file.parent.mkdir(parents=True, exist_ok=True)
        tmp = file.with_suffix(".tmp")
        tmp.write_text(secrets.token_hex(32))
        tmp.chmod(0o600)
        os.replace(tmp, file)
    return file.read_text().strip()


def install() -> None:
    """TOKEN_KEYS for the handlers of this process: the environment's if set (to try a
    rotation locally: TOKEN_KEYS=new,old), else the local key."""
    if not os.environ.get("TOKEN_KEYS"):
        os.environ["TOKEN_KEYS"] = load()
