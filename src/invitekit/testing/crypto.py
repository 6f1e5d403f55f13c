"""Cheap, published settings for tests: the test signing key and a fast password hasher."""

from __future__ import annotations

from invitekit.passwords import PasswordHasher

__all__ = ["TEST_SECRET", "fast_password_hasher"]

TEST_SECRET = "invitekit-test-secret-key-not-for-production-use"


def fast_password_hasher() -> PasswordHasher:
    """An argon2id hasher with the cheapest parameters, for fast tests only."""
    return PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
