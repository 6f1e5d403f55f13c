"""The system clock; the fake one for tests is :class:`invitekit.testing.FakeClock`."""

from __future__ import annotations

from datetime import UTC, datetime

__all__ = ["SystemClock"]


class SystemClock:
    """The real time, timezone-aware UTC.  Implements :class:`~invitekit.ports.Clock`."""

    def now(self) -> datetime:
        """Return the current time in UTC."""
        return datetime.now(UTC)

    def __repr__(self) -> str:
        return "SystemClock()"
