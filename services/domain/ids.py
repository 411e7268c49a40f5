"""Task ids: UUIDv7, so a user's tasks sort by creation time in the table's sort key."""

import hashlib
import os
import re
import threading
import time

_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
_lock = threading.Lock()
_last_ms = 0
_counter = 0


def uuid7() -> str:
    """RFC 9562 UUIDv7 with a 12-bit counter (method 1), monotonic within this process."""
    global _last_ms, _counter
    with _lock:
        now_ms = time.time_ns() // 1_000_000
        if now_ms > _last_ms:
            _last_ms = now_ms
            # Start low in the counter space so many ids fit in one millisecond.
            _counter = int.from_bytes(os.urandom(2), "big") & 0x1FF
        else:
            _counter += 1
            if _counter > 0xFFF:
                _last_ms += 1
                _counter = 0
        ms, counter = _last_ms, _counter
    rand_b = int.from_bytes(os.urandom(8), "big") & ((1 << 62) - 1)
    value = (ms << 80) | (0x7 << 76) | (counter << 64) | (0b10 << 62) | rand_b
    h = f"{value:032x}"
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def is_task_id(value: str) -> bool:
    """Any lower-case canonical UUID: ids made elsewhere (the seed used v4) are still ids."""
    return bool(_UUID.fullmatch(value))  # ($ would let a trailing line break through)


def derived_uuid7(epoch_ms: int, seed: str) -> str:
    """A UUIDv7 for a moment whose other bits come from `seed`: the same seed and moment give
    the same id (an event handled twice keeps its id), and ids still sort by time."""
    digest = hashlib.sha256(seed.encode("utf-8", "surrogatepass")).digest()
    rand_a = int.from_bytes(digest[:2], "big") & 0xFFF
    rand_b = int.from_bytes(digest[2:10], "big") & ((1 << 62) - 1)
    value = ((epoch_ms & ((1 << 48) - 1)) << 80) | (0x7 << 76) | (rand_a << 64) \
        | (0b10 << 62) | rand_b
    h = f"{value:032x}"
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"
