"""Identifiers: unguessable, roughly time-ordered, safe in URLs and file names."""

from __future__ import annotations

import secrets
import threading
import time

__all__ = ["new_id"]

_ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"  # Crockford's base32, lower case
# Every pair of digits, by its 10-bit value: an id is 13 look-ups, cheap enough
# for a campaign of a million (digit by digit it was a seventh of a campaign's time).
_PAIRS = [high + low for high in _ALPHABET for low in _ALPHABET]
_SHIFTS = tuple(range(120, -1, -10))
_lock = threading.Lock()
_last_ms = 0


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
    # 130 bits, 50 of counter and 80 random, as 26 digits.
    value = (stamp << 80) | secrets.randbits(80)
    return f"{prefix}_{''.join([_PAIRS[(value >> shift) & 1023] for shift in _SHIFTS])}"
