"""Identifiers: unguessable, roughly time-ordered, safe in URLs and file names."""

from __future__ import annotations

import secrets
import threading
import time

__all__ = ["new_id"]

_ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"  # Crockford's base32, lower case
_lock = threading.Lock()
_last_ms = 0


def _base32(value: int, length: int) -> str:
    chars = []
    for _ in range(length):
        value, digit = divmod(value, 32)
        chars.append(_ALPHABET[digit])
    return "".join(reversed(chars))


def new_id(prefix: str) -> str:
    """Return a new id such as ``cus_01hx3k9v2m8a7qz4c5t6w8y9rb``.

    The first ten characters encode a millisecond counter that never goes
    backwards within a process, so ids sort in creation order (stores page by
    id); the last sixteen are random (80 bits from :mod:`secrets`).  The counter
    starts from the process's monotonic wall time, not the injected Clock: an id
    is a name, not a record of when something happened.
    """
    global _last_ms
    with _lock:
        _last_ms = max(_last_ms + 1, time.time_ns() // 1_000_000)
        stamp = _last_ms
    return f"{prefix}_{_base32(stamp, 10)}{_base32(secrets.randbits(80), 16)}"
