"""Cheap, published settings for tests: the test signing key, a password, a fast hasher."""

from __future__ import annotations

from invitekit.passwords import PasswordHasher
from invitekit.tokens import InsecureKey

__all__ = ["TEST_PASSWORD", "TEST_SECRET", "InsecureKey", "fast_password_hasher"]

TEST_PASSWORD = "correct horse battery"
"""The password the builders' customers choose; it satisfies the default password rules."""

TEST_SECRET = InsecureKey("invitekit-test-secret-key-not-for-production-use")
"""The signing key of invitekit's tests and test helpers: published, so never secret.

It is an :class:`~invitekit.tokens.InsecureKey`, which :class:`~invitekit.tokens.Tokens`
accepts as the explicit opt-in for tests; the same text as a plain ``str`` is refused.
"""


def fast_password_hasher() -> PasswordHasher:
    """An argon2id hasher with the cheapest parameters, for fast tests only."""
    return PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
