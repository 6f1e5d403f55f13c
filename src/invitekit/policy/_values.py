"""The values a policy is made of and answers with.

The enums that name actions, actors, outcomes and reasons; :class:`Money` and the
two fees; :class:`Rule`; the :class:`Booking` a policy judges and the
:class:`Decision` it gives.  The classes are frozen attrs values; those built from
outside data refuse bad values when built.
"""

from __future__ import annotations

import enum
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import TypeAlias
from zoneinfo import ZoneInfo

import attrs
from babel.numbers import get_currency_precision

from invitekit.exceptions import InvalidBooking
from invitekit.policy._time import Cutoff, DurationCutoff, WallClockCutoff, aware_utc
from invitekit.policy._validation import check_currency, check_decimal, check_duration, fail


class Action(enum.StrEnum):
    """What the customer wants to do with a booking."""

    CANCEL = "cancel"
    RESCHEDULE = "reschedule"


class Actor(enum.StrEnum):
    """Who asks: the customer, or a staff member of the business (who may override)."""

    CUSTOMER = "customer"
    STAFF = "staff"


class BookingStatus(enum.StrEnum):
    """Whether a booking still stands."""

    BOOKED = "booked"
    CANCELLED = "cancelled"


class RuleMode(enum.StrEnum):
    """How a :class:`Rule` decides: the action is always allowed, never, or until a cutoff."""

    ALWAYS = "always"
    NEVER = "never"
    WINDOWED = "windowed"


class Outcome(enum.StrEnum):
    """What happens if the action is taken now.

    * ``FREE``: allowed at no cost.
    * ``FEE``: allowed, and the :attr:`Decision.fee` is charged.
    * ``FORFEIT``: allowed, and the credit used for the booking is lost.
    * ``REFUSED``: not allowed.
    * ``NEEDS_STAFF``: not allowed online; a staff member can do it
      (``evaluate(..., actor=Actor.STAFF)`` allows it).

    The same values name the *late tier* of a windowed :class:`Rule`: what
    happens after its deadline.
    """

    FREE = "free"
    FEE = "fee"
    FORFEIT = "forfeit"
    REFUSED = "refused"
    NEEDS_STAFF = "needs_staff"


class Reason(enum.StrEnum):
    """Why a :class:`Decision` came out as it did.  Stable codes, safe to store and switch on.

    * ``ALWAYS``: the rule allows the action until the start.
    * ``WITHIN_WINDOW``: before the deadline.
    * ``GRACE_PERIOD``: after the deadline, but the booking was made only recently.
    * ``LATE``: after the deadline; the late tier applies (a fee, a forfeit,
      free, or needs staff: see :attr:`Decision.outcome`).
    * ``OUTSIDE_WINDOW``: after the deadline and the late tier refuses.
    * ``LATE_RESCHEDULE``: rescheduling is refused because it is past the
      cancellation deadline (:attr:`CancellationPolicy.no_reschedule_when_late`).
    * ``DISABLED``: the action is never allowed by this policy.
    * ``LIMIT_REACHED``: the booking was rescheduled the maximum number of times.
    * ``ALREADY_CANCELLED``, ``ALREADY_STARTED``, ``ALREADY_ENDED``: facts of the
      booking that refuse everybody, staff included.
    * ``STAFF_OVERRIDE``: a staff member may do what the policy refuses a customer;
      :attr:`Decision.overridden` keeps the customer's reason.
    """

    ALWAYS = "always"
    WITHIN_WINDOW = "within_window"
    GRACE_PERIOD = "grace_period"
    LATE = "late"
    OUTSIDE_WINDOW = "outside_window"
    LATE_RESCHEDULE = "late_reschedule"
    DISABLED = "disabled"
    LIMIT_REACHED = "limit_reached"
    ALREADY_CANCELLED = "already_cancelled"
    ALREADY_STARTED = "already_started"
    ALREADY_ENDED = "already_ended"
    STAFF_OVERRIDE = "staff_override"


# --------------------------------------------------------------------------- money


@attrs.frozen(kw_only=True)
class Money:
    """An amount in a currency, such as a booking's price or a fee.

    Attributes:
        amount: a finite, non-negative :class:`~decimal.Decimal`.
        currency: an ISO 4217 code (``"EUR"``).

    Raises:
        InvalidPolicy: for a negative or non-Decimal amount or an unknown currency.
    """

    amount: Decimal
    currency: str

    def __attrs_post_init__(self) -> None:
        if check_decimal(self.amount, "amount") < 0:
            raise fail(f"must not be negative, got {self.amount}", "amount")
        check_currency(self.currency, "currency")


@attrs.frozen(kw_only=True)
class FixedFee:
    """A late fee of a fixed amount.

    Attributes:
        amount: a positive :class:`~decimal.Decimal` (``Decimal("10.00")``).
        currency: an ISO 4217 code.

    Raises:
        InvalidPolicy: for a zero, negative or non-Decimal amount or an unknown currency.
    """

    amount: Decimal
    currency: str

    def __attrs_post_init__(self) -> None:
        if check_decimal(self.amount, "fee.amount") <= 0:
            raise fail(f"must be positive, got {self.amount}", "fee.amount")
        check_currency(self.currency, "fee.currency")

    def charge(self, price: Money | None) -> Money:
        """The fee for a booking of ``price`` (ignored: the fee is fixed)."""
        return Money(amount=self.amount, currency=self.currency)


@attrs.frozen(kw_only=True)
class PercentFee:
    """A late fee that is a percentage of the booking's price.

    Attributes:
        percent: a :class:`~decimal.Decimal` above 0 and at most 100.

    Raises:
        InvalidPolicy: for a percentage outside (0, 100].
    """

    percent: Decimal

    def __attrs_post_init__(self) -> None:
        value = check_decimal(self.percent, "fee.percent")
        if not Decimal(0) < value <= Decimal(100):
            raise fail(f"must be above 0 and at most 100, got {value}", "fee.percent")

    def charge(self, price: Money | None) -> Money:
        """``percent`` of ``price``, rounded half up to the currency's minor unit.

        Raises:
            InvalidBooking: if ``price`` is ``None``.
        """
        if price is None:
            raise InvalidBooking("the policy charges a percentage of the price; give a price")
        unit = Decimal(1).scaleb(-get_currency_precision(price.currency))
        amount = (price.amount * self.percent / 100).quantize(unit, rounding=ROUND_HALF_UP)
        return Money(amount=amount, currency=price.currency)


Fee: TypeAlias = FixedFee | PercentFee


# --------------------------------------------------------------------------- rules


@attrs.frozen(kw_only=True)
class Rule:
    """When one action (cancel or reschedule) is allowed.

    Build one with :meth:`always`, :meth:`never` or :meth:`windowed`.

    Attributes:
        mode: :class:`RuleMode`.
        cutoff: for ``WINDOWED`` only, when the free window ends.
        late: for ``WINDOWED`` only, the :class:`Outcome` after the cutoff
            (``REFUSED`` by default).
        fee: the fee when ``late`` is ``Outcome.FEE`` (and only then).
        grace_period: for ``WINDOWED`` only: for this long after the booking was
            made the action stays free, even past the cutoff (never past the start).

    Raises:
        InvalidPolicy: when the settings contradict each other (a cutoff on an
            ``ALWAYS`` rule, a fee without ``late=FEE``, ``late=FEE`` without a
            fee) or a duration is negative.
    """

    mode: RuleMode
    cutoff: Cutoff | None = None
    late: Outcome = Outcome.REFUSED
    fee: Fee | None = None
    grace_period: timedelta | None = None

    @classmethod
    def always(cls) -> Rule:
        """A rule allowing the action free of charge until the start."""
        return cls(mode=RuleMode.ALWAYS)

    @classmethod
    def never(cls) -> Rule:
        """A rule never allowing the action (staff may still override)."""
        return cls(mode=RuleMode.NEVER)

    @classmethod
    def windowed(
        cls,
        cutoff: Cutoff,
        *,
        late: Outcome = Outcome.REFUSED,
        fee: Fee | None = None,
        grace_period: timedelta | None = None,
    ) -> Rule:
        """A rule allowing the action free until ``cutoff``, then on the ``late`` terms."""
        return cls(
            mode=RuleMode.WINDOWED, cutoff=cutoff, late=late, fee=fee, grace_period=grace_period
        )

    def __attrs_post_init__(self) -> None:
        if not isinstance(self.mode, RuleMode):
            raise fail(f"must be a RuleMode, got {self.mode!r}", "mode")
        if not isinstance(self.late, Outcome):
            raise fail(f"must be an Outcome, got {self.late!r}", "late")
        if self.mode is RuleMode.WINDOWED:
            if not isinstance(self.cutoff, DurationCutoff | WallClockCutoff):
                raise fail("a windowed rule needs a DurationCutoff or WallClockCutoff", "cutoff")
        else:
            extras = [
                name
                for name, value in (
                    ("cutoff", self.cutoff),
                    ("fee", self.fee),
                    ("grace_period", self.grace_period),
                )
                if value is not None
            ]
            if self.late is not Outcome.REFUSED:
                extras.append("late")
            if extras:
                raise fail(
                    f"a rule that is {self.mode.value!r} has no deadline, so it cannot have "
                    + ", ".join(extras),
                    extras[0],
                )
        if self.late is Outcome.FEE and self.fee is None:
            raise fail("late=fee needs a fee (FixedFee or PercentFee)", "fee")
        if self.fee is not None and self.late is not Outcome.FEE:
            raise fail(f"a fee is given but late is {self.late.value!r}, not 'fee'", "fee")
        if self.fee is not None and not isinstance(self.fee, FixedFee | PercentFee):
            raise fail(f"must be a FixedFee or PercentFee, got {self.fee!r}", "fee")
        if self.grace_period is not None:
            check_duration(self.grace_period, "grace_period", allow_zero=False)


# --------------------------------------------------------------------------- booking


def _start_utc(value: object) -> datetime:
    return aware_utc(value, "start")


def _end_utc(value: object) -> datetime:
    return aware_utc(value, "end")


def _created_utc(value: object) -> datetime:
    return aware_utc(value, "created_at")


@attrs.frozen(kw_only=True)
class Booking:
    """What a policy judges: one booking of one customer.

    Attributes:
        start, end: aware datetimes (stored in UTC); ``end`` after ``start``.
        created_at: when the booking was made (aware; stored in UTC); the grace
            period counts from it.
        status: :class:`BookingStatus`.
        reschedule_count: how many times it has been rescheduled already.
        price: what it cost, for a :class:`PercentFee`.

    Raises:
        InvalidBooking: for a naive datetime, ``end`` not after ``start``, or a
            negative reschedule count.
    """

    start: datetime = attrs.field(converter=_start_utc)
    end: datetime = attrs.field(converter=_end_utc)
    created_at: datetime = attrs.field(converter=_created_utc)
    status: BookingStatus = BookingStatus.BOOKED
    reschedule_count: int = 0
    price: Money | None = None

    def __attrs_post_init__(self) -> None:
        if self.end <= self.start:
            raise InvalidBooking(f"end ({self.end}) must be after start ({self.start})")
        count = self.reschedule_count
        if isinstance(count, bool) or not isinstance(count, int) or count < 0:
            raise InvalidBooking(f"reschedule_count must be an integer >= 0, got {count!r}")
        if not isinstance(self.status, BookingStatus):
            raise InvalidBooking(f"status must be a BookingStatus, got {self.status!r}")
        if self.price is not None and not isinstance(self.price, Money):
            raise InvalidBooking(f"price must be Money or None, got {self.price!r}")


# --------------------------------------------------------------------------- decision


@attrs.frozen(kw_only=True)
class Decision:
    """The answer of :meth:`CancellationPolicy.evaluate`.

    Attributes:
        action, actor: what was asked, by whom.
        allowed: whether the action may be taken now (``outcome`` is ``FREE``,
            ``FEE`` or ``FORFEIT``).
        outcome: :class:`Outcome`.
        reason: :class:`Reason`, a stable code.
        deadline: when the free window ends (aware UTC), as stated by the policy
            and never after the start; ``None`` when the rule has no deadline.
        grace_ends: when the grace period after booking ends (aware UTC), if the
            rule has one; never after the start.
        next_change: the first instant after ``now`` at which :meth:`evaluate`
            gives a different ``allowed``, ``outcome``, ``reason``, ``fee`` or
            ``overridden``; ``None`` if it never will.
        fee: what is charged when ``outcome`` is ``FEE``.
        overridden: for ``STAFF_OVERRIDE``, the reason a customer would be given.
        timezone: the policy's zone, in which :attr:`deadline_local` is shown.
    """

    action: Action
    actor: Actor
    allowed: bool
    outcome: Outcome
    reason: Reason
    deadline: datetime | None
    grace_ends: datetime | None = None
    next_change: datetime | None = None
    fee: Money | None = None
    overridden: Reason | None = None
    timezone: str

    @property
    def deadline_local(self) -> datetime | None:
        """:attr:`deadline` as local time in the policy's zone."""
        return None if self.deadline is None else self.deadline.astimezone(ZoneInfo(self.timezone))

    @property
    def grace_ends_local(self) -> datetime | None:
        """:attr:`grace_ends` as local time in the policy's zone."""
        if self.grace_ends is None:
            return None
        return self.grace_ends.astimezone(ZoneInfo(self.timezone))

    def _key(self) -> tuple[object, ...]:
        return (self.allowed, self.outcome, self.reason, self.fee, self.overridden)
