"""When a business's mail may go: pacing (limits and quiet hours) and reminder delays.

A :class:`Pacing` says how fast a business sends: at most ``per_hour`` messages in
any 60 minutes, ``per_day`` in any 24 hours, and nothing during the quiet hours
of the business's time zone.  :func:`next_send_time` answers, from the moments
messages were sent, when the next one may go; :func:`allowance` how many may go
now.  Both are pure: the caller passes ``now`` and the send times it counted.

Quiet hours are read on the clocks of the business's zone, with the rule of the
cancellation policy (:func:`invitekit.policy.resolve_wall_time`): a quiet period
from 21:00 to 08:00 starts at the first instant the clocks show 21:00 and ends
at the first instant they show 08:00 on the next day.  A time skipped when the
clocks go forward means the moment of the jump; a time repeated when they go
back means its first occurrence (so a period ending at 02:30 on the night the
clocks go from 03:00 back to 02:00 ends at the first 02:30, and the second
02:00-02:30 is not quiet).

A :class:`Reminders` lists the delays after the last delivered invitation at
which a customer still Invited gets a reminder; the decision is
:func:`invitekit.transitions.reminder_due`.

Both are fields of :class:`~invitekit.Business`, stored with its settings.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, time, timedelta
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

import attrs

from invitekit.exceptions import ConfigurationError
from invitekit.policy import resolve_wall_time

__all__ = [
    "MAX_REMINDERS",
    "Pacing",
    "Reminders",
    "allowance",
    "is_quiet",
    "next_send_time",
    "quiet_period",
]

_Setting = TypeVar("_Setting", "Pacing", "Reminders")

HOUR = timedelta(hours=1)
DAY = timedelta(days=1)

#: A business may schedule at most this many reminders after an invitation.
MAX_REMINDERS = 10

_MAX_REMINDER_DELAY = timedelta(days=366)


def _check_limit(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is None:
        return
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ConfigurationError(
            f"Pacing {attribute.name} must be a whole number of messages, 1 or more, "
            f"or None for no limit; got {value!r}"
        )


def _check_quiet_hours(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is None:
        return
    if not (isinstance(value, tuple) and len(value) == 2):
        raise ConfigurationError(
            "Pacing quiet_hours must be a pair (start, end) of datetime.time, "
            f"e.g. (time(21), time(8)); got {value!r}"
        )
    for moment in value:
        if not isinstance(moment, time) or moment.tzinfo is not None:
            raise ConfigurationError(
                "Pacing quiet_hours must be local times without tzinfo (the business's "
                f"time zone applies); got {moment!r}"
            )
        if moment.second or moment.microsecond:
            raise ConfigurationError(f"Pacing quiet_hours must be whole minutes; got {moment}")
    if value[0] == value[1]:
        raise ConfigurationError(
            f"Pacing quiet_hours start and end are both {value[0]}: give two different times"
        )


def _pair(value: object) -> object:
    return tuple(value) if isinstance(value, list) else value


@attrs.frozen(kw_only=True)
class Pacing:
    """How fast a business's mail goes out.  ``Pacing()`` sends as fast as the worker can.

    Attributes:
        per_hour: at most this many messages in any 60 minutes, or ``None``.
        per_day: at most this many messages in any 24 hours, or ``None``.
        quiet_hours: ``(start, end)``, local times of the business's zone
            (whole minutes) between which nothing is sent, e.g.
            ``(time(21), time(8))`` for the night; ``None`` for none.  When
            ``start`` is later than ``end`` the period spans midnight.

    What is held back waits: it is sent when the limits and the clock allow.

    Raises:
        ConfigurationError: a limit below 1 or not a whole number; quiet hours
            that are not two different naive times in whole minutes.
    """

    per_hour: int | None = attrs.field(default=None, validator=_check_limit)
    per_day: int | None = attrs.field(default=None, validator=_check_limit)
    quiet_hours: tuple[time, time] | None = attrs.field(
        default=None, converter=_pair, validator=_check_quiet_hours
    )

    @property
    def paced(self) -> bool:
        """Whether anything is limited at all."""
        return (self.per_hour, self.per_day, self.quiet_hours) != (None, None, None)

    def to_dict(self) -> dict[str, Any]:
        """JSON-able values (times as ``"HH:MM"``), read back by :meth:`from_dict`."""
        quiet = self.quiet_hours
        return {
            "per_hour": self.per_hour,
            "per_day": self.per_day,
            "quiet_hours": None if quiet is None else [t.strftime("%H:%M") for t in quiet],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Pacing:
        """A :class:`Pacing` from :meth:`to_dict`'s values.

        Raises:
            ConfigurationError: the values do not make a valid pacing.
        """
        quiet = data.get("quiet_hours")
        try:
            hours = None if quiet is None else tuple(time.fromisoformat(t) for t in quiet)
        except (TypeError, ValueError) as err:
            raise ConfigurationError(f"Pacing quiet_hours cannot be read: {quiet!r}") from err
        return cls(per_hour=data.get("per_hour"), per_day=data.get("per_day"), quiet_hours=hours)


def _delays(value: object) -> object:
    if isinstance(value, timedelta):
        return (value,)
    if isinstance(value, Iterable) and not isinstance(value, str | bytes):
        return tuple(value)
    return value


def _check_delays(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, tuple) or not all(isinstance(d, timedelta) for d in value):
        raise ConfigurationError(
            "Reminders after must be datetime.timedelta delays, "
            f"e.g. (timedelta(days=3), timedelta(days=10)); got {value!r}"
        )
    if len(value) > MAX_REMINDERS:
        raise ConfigurationError(f"Reminders after: at most {MAX_REMINDERS} reminders")
    previous = timedelta(0)
    for delay in value:
        if delay <= previous:
            raise ConfigurationError(
                "Reminders after must be positive and each later than the one before; "
                f"got {', '.join(str(d) for d in value)}"
            )
        if delay > _MAX_REMINDER_DELAY or delay.microseconds:
            raise ConfigurationError(
                f"Reminders after: {delay} is not whole seconds of at most 366 days"
            )
        previous = delay


@attrs.frozen(kw_only=True)
class Reminders:
    """When customers still Invited are reminded.  ``Reminders()`` sends no reminder.

    Attributes:
        after: the delays after the last delivered invitation, one reminder per
            delay, shortest first (``(timedelta(days=3), timedelta(days=10))``).

    Raises:
        ConfigurationError: a delay that is not positive, not increasing, not
            whole seconds, longer than 366 days, or more than
            :data:`MAX_REMINDERS` delays.
    """

    after: tuple[timedelta, ...] = attrs.field(
        default=(), converter=_delays, validator=_check_delays
    )

    def to_dict(self) -> dict[str, Any]:
        """JSON-able values (delays in seconds), read back by :meth:`from_dict`."""
        return {"after": [delay // timedelta(seconds=1) for delay in self.after]}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Reminders:
        """A :class:`Reminders` from :meth:`to_dict`'s values.

        Raises:
            ConfigurationError: the values do not make valid reminders.
        """
        try:
            delays = tuple(timedelta(seconds=seconds) for seconds in data.get("after", ()))
        except (TypeError, OverflowError) as err:
            raise ConfigurationError(f"Reminders after cannot be read: {data!r}") from err
        return cls(after=delays)


def setting_field(kind: type[_Setting]) -> Any:
    """A :class:`~invitekit.Business` field holding a ``kind`` (``None`` gives ``kind()``)."""

    def convert(value: _Setting | None) -> _Setting:
        return kind() if value is None else value

    def check(_instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
        if not isinstance(value, kind):
            raise ConfigurationError(
                f"Business {attribute.name} must be a {kind.__name__}(...), "
                f"got {type(value).__name__}"
            )

    return attrs.field(factory=kind, converter=convert, validator=check)


# ---------------------------------------------------------------------- decisions


def _zone(timezone: str | ZoneInfo) -> ZoneInfo:
    return timezone if isinstance(timezone, ZoneInfo) else ZoneInfo(timezone)


def _aware(moment: datetime, name: str) -> datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ConfigurationError(f"{name} must be an aware datetime, got {moment.isoformat()}")
    return moment.astimezone(UTC)


def quiet_period(
    quiet_hours: tuple[time, time], timezone: str | ZoneInfo, moment: datetime
) -> tuple[datetime, datetime] | None:
    """The quiet period ``moment`` falls in, as ``(start, end)`` instants in UTC, or ``None``.

    Each local day has one period, from its ``start`` to the next ``end`` on the
    clocks of ``timezone`` (see the module's docstring for clock changes).
    """
    zone = _zone(timezone)
    moment = _aware(moment, "moment")
    start, end = quiet_hours
    today = moment.astimezone(zone).date()
    for offset in (-1, 0):
        day = today + timedelta(days=offset)
        begins = resolve_wall_time(datetime.combine(day, start), zone)
        end_day = day if start < end else day + timedelta(days=1)
        ends = resolve_wall_time(datetime.combine(end_day, end), zone)
        if begins <= moment < ends:
            return begins, ends
    return None


def is_quiet(pacing: Pacing, timezone: str | ZoneInfo, moment: datetime) -> bool:
    """Whether ``moment`` falls in the quiet hours of ``pacing`` in ``timezone``."""
    hours = pacing.quiet_hours
    return hours is not None and quiet_period(hours, timezone, moment) is not None


def _window_opens(
    limit: int | None, window: timedelta, sent: Sequence[datetime], moment: datetime
) -> datetime:
    """The first instant from ``moment`` on with fewer than ``limit`` sends in ``window``."""
    if limit is None:
        return moment
    inside = [t for t in sent if moment - window < t]
    if len(inside) < limit:
        return moment
    # The send that must leave the window so that one more fits: it leaves
    # exactly ``window`` after it was made (the window is open at its old end).
    return inside[len(inside) - limit] + window


def next_send_time(
    pacing: Pacing, *, timezone: str | ZoneInfo, now: datetime, sent: Iterable[datetime]
) -> datetime:
    """The first moment from ``now`` on at which one more message may be sent.

    Args:
        pacing: the business's limits.
        timezone: the business's zone, for the quiet hours.
        now: the current time (aware).
        sent: when the business's messages of the last 24 hours were sent (or
            claimed for sending: a message on its way counts); older ones are
            ignored.  One recorded after ``now`` (by a worker whose clock is a
            little ahead) counts as inside every window.

    Returns:
        ``now`` (in UTC) when a message may go now, else the instant the
        quiet hours end or a send leaves its 60-minute or 24-hour window,
        whichever allows it first.

    Raises:
        ConfigurationError: ``now`` or a send time is naive.
    """
    moment = _aware(now, "now")
    times = sorted(t for t in (_aware(s, "a send time") for s in sent) if moment - DAY < t)
    # The windows only empty as time passes, so at most a quiet period then one
    # limit, then one more quiet period, move the answer: the loop ends quickly.
    for _ in range(8):
        candidate = moment
        if pacing.quiet_hours is not None:
            period = quiet_period(pacing.quiet_hours, timezone, candidate)
            if period is not None:
                candidate = period[1]
        candidate = max(
            _window_opens(pacing.per_hour, HOUR, times, candidate),
            _window_opens(pacing.per_day, DAY, times, candidate),
        )
        if candidate == moment:
            return moment
        moment = candidate
    return moment  # pragma: no cover - unreachable: see the comment above


def allowance(pacing: Pacing, *, sent_last_hour: int, sent_last_day: int) -> int | None:
    """How many messages may be sent now, given how many went in the last 60 minutes and 24 hours.

    ``None`` means no limit.  Quiet hours are not counted here: ask
    :func:`is_quiet` (or :func:`next_send_time`) first.
    """
    room = [
        limit - count
        for limit, count in ((pacing.per_hour, sent_last_hour), (pacing.per_day, sent_last_day))
        if limit is not None
    ]
    return max(min(room), 0) if room else None
