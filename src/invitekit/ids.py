"""Identifiers: unguessable, roughly time-ordered, safe in URLs and file names."""

from __future__ import annotations

import base64
import os
import secrets
import threading
import time

__all__ = ["new_id", "short_id"]

_ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"  # Crockford's base32, lower case
# Every pair of digits, by its 10-bit value: an id's counter is five look-ups.
_PAIRS = [high + low for high in _ALPHABET for low in _ALPHABET]
# RFC 4648 base32 (which the standard library encodes in bulk) to Crockford's digits:
# the same 5-bit groups, most significant first, written with the other alphabet.
_TO_CROCKFORD = bytes.maketrans(b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", _ALPHABET.encode())
_lock = threading.Lock()
_last_ms = 0
_high_ms = -1  # the counter's value without its last ten bits, and its eight digits
_high_digits = ""
# Random digits drawn from ``secrets`` a few kilobytes at a time and encoded at once
# (one system call and one encoding per 256 ids instead of one per id; for a campaign
# of a million, digit by digit it was a seventh of its time); a forked child draws its own.
_POOL_IDS = 256
_pool = ""
_used = 0


def _forget_pool() -> None:
    global _pool, _used
    _pool, _used = "", 0


os.register_at_fork(after_in_child=_forget_pool)


def new_id(prefix: str) -> str:
    """Return a new id such as ``cus_01hx3k9v2m8a7qz4c5t6w8y9rb``.

    The first ten characters encode a millisecond counter that never goes
    backwards within a process, so ids sort in creation order (stores page by
    id); the last sixteen are random (80 bits from :mod:`secrets`).  The counter
    starts from the process's monotonic wall time, not the injected Clock: an id
    is a name, not a record of when something happened.
    """
    global _last_ms, _high_ms, _high_digits, _pool, _used
    with _lock:
        now = time.time_ns() // 1_000_000
        stamp = _last_ms = now if now > _last_ms else _last_ms + 1
        if stamp >> 10 != _high_ms:
            _high_ms = stamp >> 10
            _high_digits = "".join(
                [_PAIRS[(_high_ms >> shift) & 1023] for shift in (30, 20, 10, 0)]
            )
        high = _high_digits
        if _used == len(_pool):
            # 10 random bytes per id are 16 base32 digits exactly, no padding.
            encoded = base64.b32encode(secrets.token_bytes(10 * _POOL_IDS))
            _pool, _used = encoded.translate(_TO_CROCKFORD).decode("ascii"), 0
        random = _pool[_used : _used + 16]
        _used += 16
    # 130 bits, 50 of counter and 80 random, as 26 digits.
    return f"{prefix}_{high}{_PAIRS[stamp & 1023]}{random}"


def short_id(prefix: str) -> str:
    """Return a new short id such as ``cmp_3k9v2m8a7q``: ten random digits (50 bits).

    For things a business makes a few of (a campaign) that every row of a large
    table names: a shorter id keeps those rows and their index small.  Unique
    enough within one business (the store's unique key is the business and the
    id), not time-ordered, and not meant as a secret.
    """
    value = secrets.randbits(50)
    return (
        f"{prefix}_{''.join([_PAIRS[(value >> shift) & 1023] for shift in (40, 30, 20, 10, 0)])}"
    )
