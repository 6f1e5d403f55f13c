"""Where time enters a policy: aware instants, local clock times, and the two cutoffs.

Every instant is aware and compared in UTC (:func:`aware_utc`).  A
:class:`DurationCutoff` is elapsed time; a :class:`WallClockCutoff` is read on the
clocks of the policy's zone with :func:`resolve_wall_time`, which settles the times
a clock change repeats (the autumn fold) or skips (the spring gap).  The package
docstring states these rules with examples.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from typing import TypeAlias
from zoneinfo import ZoneInfo

import attrs

from invitekit.exceptions import InvalidBooking
from invitekit.policy._validation import check_duration, fail

_MAX_DAYS_BEFORE = 366
# The instants a policy judges: wide enough for any booking, far enough from
# datetime's own limits (years 1 and 9999) that no cutoff can overflow.
_FIRST_YEAR = 1900
_LAST_YEAR = 9000


def aware_utc(value: object, name: str) -> datetime:
    """``value`` in UTC, refusing anything but an aware datetime (``name`` says which)."""
    if not isinstance(value, datetime):
        raise InvalidBooking(f"{name} must be a datetime, got {type(value).__name__}")
    if value.tzinfo is None or value.utcoffset() is None:
        raise InvalidBooking(
            f"{name} is a naive datetime ({value.isoformat()}); give it a time zone,"
            " e.g. datetime(..., tzinfo=ZoneInfo('Europe/Vienna')) or UTC"
        )
    if not _FIRST_YEAR <= value.year <= _LAST_YEAR:
        # Far from any real booking, and close enough to datetime's limits that
        # a cutoff or a time zone would overflow: refused, not computed.
        raise InvalidBooking(
            f"{name} ({value.isoformat()}) is outside the years {_FIRST_YEAR} to {_LAST_YEAR}"
        )
    return value.astimezone(UTC)


def resolve_wall_time(local: datetime, zone: ZoneInfo) -> datetime:
    """The first instant at which the clocks in ``zone`` show ``local`` or a later time.

    For an ordinary local time that is simply that time.  For a time that exists
    twice (the hour repeated when clocks go back) it is the first occurrence.  For
    a time that does not exist (skipped when clocks go forward) it is the moment of
    the jump, whose local time is the end of the gap.

    Args:
        local: a naive local date and time (any ``tzinfo`` is ignored).
        zone: the zone whose clocks are read.

    Returns:
        An aware datetime in UTC.
    """
    local = local.replace(tzinfo=None)
    first = local.replace(tzinfo=zone, fold=0).astimezone(UTC)
    second = local.replace(tzinfo=zone, fold=1).astimezone(UTC)
    if first == second:
        return first
    if first.astimezone(zone).replace(tzinfo=None) == local:
        return min(first, second)
    # In a gap, fold=1 reads the time with the offset after the jump and lands
    # before it, fold=0 with the offset before and lands after: the jump is between.
    # Offsets change on whole seconds, so a search over whole seconds finds it.
    low, high = int(min(first, second).timestamp()), int(max(first, second).timestamp()) + 1
    offset_before = datetime.fromtimestamp(low, zone).utcoffset()
    while high - low > 1:
        middle = (low + high) // 2
        if datetime.fromtimestamp(middle, zone).utcoffset() == offset_before:
            low = middle
        else:
            high = middle
    return datetime.fromtimestamp(high, UTC)


@attrs.frozen(kw_only=True)
class DurationCutoff:
    """A deadline an elapsed duration before the start ("24 hours before").

    Attributes:
        before: a whole number of seconds, zero or more.  The deadline is exactly
            this much real time before the start, whatever the clocks do between.

    Raises:
        InvalidPolicy: for a negative or fractional-second duration.
    """

    before: timedelta

    def __attrs_post_init__(self) -> None:
        check_duration(self.before, "cutoff.before", allow_zero=True)

    def deadline(self, start: datetime, zone: ZoneInfo) -> datetime:
        """The deadline (UTC) for a booking starting at the aware ``start``."""
        return start.astimezone(UTC) - self.before


@attrs.frozen(kw_only=True)
class WallClockCutoff:
    """A deadline at a local time some days before the start ("1 day before at 18:00").

    Days are calendar days of the start's local date in the policy's zone:
    ``days_before=0`` is the day of the booking.  See :func:`resolve_wall_time`
    for local times that are skipped or repeated by a clock change.  A deadline
    that would fall after the start (18:00 on the day of a 10:00 class) is the
    start.

    Attributes:
        days_before: 0 to 366.
        at: the local time, whole minutes, without ``tzinfo``.

    Raises:
        InvalidPolicy: for a day count out of range or an unusable time.
    """

    days_before: int
    at: time

    def __attrs_post_init__(self) -> None:
        days = self.days_before
        if isinstance(days, bool) or not isinstance(days, int):
            raise fail(f"must be an integer, got {days!r}", "cutoff.days_before")
        if not 0 <= days <= _MAX_DAYS_BEFORE:
            raise fail(
                f"must be between 0 and {_MAX_DAYS_BEFORE}, got {days}", "cutoff.days_before"
            )
        if not isinstance(self.at, time):
            raise fail(f"must be a datetime.time, got {self.at!r}", "cutoff.at")
        if self.at.tzinfo is not None or self.at.second or self.at.microsecond:
            raise fail("must be a local time in whole minutes, without tzinfo", "cutoff.at")

    def deadline(self, start: datetime, zone: ZoneInfo) -> datetime:
        """The deadline (UTC) for a booking starting at the aware ``start``.

        It is the first instant at which the clocks in ``zone`` show the cutoff
        date and time or later; it may lie after ``start`` (callers clamp it).
        """
        day = start.astimezone(zone).date() - timedelta(days=self.days_before)
        return resolve_wall_time(datetime.combine(day, self.at), zone)


Cutoff: TypeAlias = DurationCutoff | WallClockCutoff
