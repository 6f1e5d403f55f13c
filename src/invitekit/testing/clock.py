"""A Clock that stands still until a test moves it."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

from invitekit.exceptions import ConfigurationError

__all__ = ["FakeClock"]


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
