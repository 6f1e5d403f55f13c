"""Helpers for testing code that uses invitekit: a controllable clock, faulty mailers, builders.

Everything here is public and stable, so an application's tests can use the
same fakes as invitekit's own (see also the pytest fixtures in
:mod:`invitekit.pytest_plugin`).
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

import attrs

from invitekit.exceptions import ConfigurationError, PermanentDeliveryError, TemporaryDeliveryError
from invitekit.model import Email
from invitekit.passwords import PasswordHasher

__all__ = ["FakeClock", "FlakyMailer", "extract_link", "fast_password_hasher"]

TEST_SECRET = "invitekit-test-secret-key-not-for-production-use"


class FakeClock:
    """A Clock that stands still until a test moves it.

    Implements :class:`~invitekit.ports.Clock`.

    Args:
        start: the initial time; must be timezone-aware.  Defaults to
            2026-01-05 09:00 UTC, a Monday.
    """

    def __init__(self, start: datetime | None = None) -> None:
        start = start or datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
        if start.tzinfo is None:
            raise ConfigurationError("FakeClock needs a timezone-aware datetime")
        self._now = start.astimezone(UTC)
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"FakeClock({self._now.isoformat()})"

    def now(self) -> datetime:
        """The current fake time, in UTC."""
        with self._lock:
            return self._now

    def advance(self, delta: timedelta | None = None, **kwargs: float) -> datetime:
        """Move forward by ``delta`` or by keyword arguments of :class:`~datetime.timedelta`.

        ``clock.advance(hours=1)``.  Returns the new time.

        Raises:
            ConfigurationError: if asked to move backwards.
        """
        step = (delta or timedelta()) + timedelta(**kwargs)
        if step < timedelta(0):
            raise ConfigurationError("a FakeClock only moves forward; use set() to jump back")
        with self._lock:
            self._now += step
            return self._now

    def set(self, moment: datetime) -> None:
        """Jump to ``moment`` (timezone-aware), backwards too."""
        if moment.tzinfo is None:
            raise ConfigurationError("FakeClock needs a timezone-aware datetime")
        with self._lock:
            self._now = moment.astimezone(UTC)


@attrs.define
class FlakyMailer:
    """A Mailer that fails when told to, and keeps what it did send in :attr:`sent`.

    Implements :class:`~invitekit.ports.Mailer`.

    Attributes:
        fail: decides for each email whether to fail: return ``None`` to send,
            ``"temporary"`` or ``"permanent"`` to raise that kind of failure.
        sent: every email accepted, in order.
        attempts: how many emails were offered, including failed ones.
    """

    fail: Callable[[Email], str | None] = lambda _email: None
    sent: list[Email] = attrs.field(factory=list)
    attempts: int = 0

    @contextmanager
    def session(self) -> Iterator[FlakyMailer]:
        """The mailer is its own session."""
        yield self

    def send(self, email: Email) -> None:
        """Record ``email`` or fail as :attr:`fail` decides."""
        self.attempts += 1
        verdict = self.fail(email)
        if verdict == "temporary":
            raise TemporaryDeliveryError("421 service not available, try again later")
        if verdict == "permanent":
            raise PermanentDeliveryError(f"550 mailbox unavailable: {email.to}")
        self.sent.append(email)


def extract_link(email: Email, prefix: str) -> str:
    """The first URL in ``email``'s text that starts with ``prefix``.

    Raises:
        LookupError: if there is none.
    """
    match = re.search(re.escape(prefix) + r"[^\s<>\"]*", email.text)
    if match is None:
        raise LookupError(f"no link starting with {prefix!r} in the email to {email.to}")
    return match.group(0)


def fast_password_hasher() -> PasswordHasher:
    """An argon2id hasher with the cheapest parameters, for fast tests only."""
    return PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
