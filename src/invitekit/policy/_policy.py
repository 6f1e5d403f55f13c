"""The policy itself: :class:`CancellationPolicy`, a frozen value with its rules and options.

Its methods are the public way in; sibling modules do the work: ``_evaluate``
decides, ``_dictform`` writes and reads the dict form.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import attrs

from invitekit.policy import _dictform, _evaluate
from invitekit.policy._validation import check_zone, fail
from invitekit.policy._values import Action, Actor, Booking, Decision, Rule, RuleMode


def _check_max(_instance: object, _attribute: object, value: Any) -> None:
    if value is None:
        return
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise fail(f"must be an integer >= 0 or None, got {value!r}", "max_reschedules")


def _check_bool(_instance: object, attribute: attrs.Attribute[bool], value: object) -> None:
    if not isinstance(value, bool):
        raise fail(f"must be true or false, got {value!r}", attribute.name)


def _check_rule(_instance: object, attribute: attrs.Attribute[Rule], value: object) -> None:
    if not isinstance(value, Rule):
        raise fail(f"must be a Rule, got {value!r}", attribute.name)


@attrs.frozen(kw_only=True)
class CancellationPolicy:
    """A business's (or a service's) rules for cancelling and rescheduling bookings.

    Attributes:
        timezone: the IANA zone in which wall-clock cutoffs are read and
            deadlines shown (``"Europe/Vienna"``).
        cancel: the :class:`Rule` for cancelling (default: always).
        reschedule: the :class:`Rule` for rescheduling (default: always).
        max_reschedules: how many times one booking may be rescheduled, or ``None``.
        no_reschedule_when_late: refuse rescheduling once the *cancellation*
            deadline has passed, so a late cancellation cannot be dodged by moving
            the booking.  Needs a windowed cancel rule.
        staff_override: a staff member may do what the rules refuse a customer
            (not what the booking's facts refuse: cancelled, started, ended).
            Actions whose late tier is ``NEEDS_STAFF`` are open to staff either way.
        inclusive: whether the deadline instant itself still counts as on time
            ("until 18:00" includes 18:00:00).  The same holds for the end of the
            grace period.  Default ``True``.

    Raises:
        InvalidPolicy: for an unknown zone, a bad value, or contradictory rules.
    """

    timezone: str = attrs.field(validator=check_zone)
    cancel: Rule = attrs.field(factory=Rule.always, validator=_check_rule)
    reschedule: Rule = attrs.field(factory=Rule.always, validator=_check_rule)
    max_reschedules: int | None = attrs.field(default=None, validator=_check_max)
    no_reschedule_when_late: bool = attrs.field(default=False, validator=_check_bool)
    staff_override: bool = attrs.field(default=True, validator=_check_bool)
    inclusive: bool = attrs.field(default=True, validator=_check_bool)

    def __attrs_post_init__(self) -> None:
        never = self.reschedule.mode is RuleMode.NEVER
        if self.max_reschedules is not None and never:
            raise fail(
                "rescheduling is never allowed, so a maximum makes no sense", "max_reschedules"
            )
        if self.no_reschedule_when_late:
            if self.cancel.mode is not RuleMode.WINDOWED:
                raise fail(
                    "needs a windowed cancel rule: without a cancellation deadline"
                    " there is no late window",
                    "no_reschedule_when_late",
                )
            if never:
                raise fail("rescheduling is never allowed anyway", "no_reschedule_when_late")

    @property
    def zone(self) -> ZoneInfo:
        """The policy's zone as a :class:`zoneinfo.ZoneInfo`."""
        return ZoneInfo(self.timezone)

    def rule(self, action: Action) -> Rule:
        """The :class:`Rule` for ``action``."""
        return self.cancel if action is Action.CANCEL else self.reschedule

    # ----------------------------------------------------------------- evaluate

    def evaluate(
        self,
        booking: Booking,
        action: Action,
        *,
        now: datetime,
        actor: Actor = Actor.CUSTOMER,
    ) -> Decision:
        """Decide whether ``actor`` may take ``action`` on ``booking`` at ``now``.

        The order of the checks: the booking's facts (cancelled, ended, started),
        then a ``NEVER`` rule, the reschedule limit, the free window, the grace
        period and the late tier, the ban on rescheduling past the cancellation
        deadline; finally a staff member's override.

        Args:
            booking: the booking.
            action: :class:`Action`.
            now: the current time, aware (from the injected clock).
            actor: :class:`Actor`; ``STAFF`` may override (see ``staff_override``).

        Returns:
            A :class:`Decision`.

        Raises:
            InvalidBooking: for a naive ``now`` or a :class:`PercentFee` on a
                booking without a price.
        """
        return _evaluate.evaluate(self, booking, action, now, actor)

    def ensure_allowed(
        self,
        booking: Booking,
        action: Action,
        *,
        now: datetime,
        actor: Actor = Actor.CUSTOMER,
    ) -> Decision:
        """Like :meth:`evaluate`, for the code path that performs the action.

        Returns:
            The :class:`Decision`, when it allows the action (check its ``fee``
            and ``outcome`` to charge or forfeit).

        Raises:
            PolicyRefused: when it does not; ``.decision`` says why.
            InvalidBooking: as :meth:`evaluate`.
        """
        return _evaluate.ensure_allowed(self.evaluate(booking, action, now=now, actor=actor))

    # ----------------------------------------------------------------- dict form

    def to_dict(self) -> dict[str, Any]:
        """The policy as plain JSON-able values (str, int, bool, None, dict).

        Durations are whole seconds, amounts and percentages decimal strings,
        times ``"HH:MM"``.  :meth:`from_dict` reads it back to an equal policy.
        """
        return _dictform.to_dict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> CancellationPolicy:
        """Build a policy from the dict form written by :meth:`to_dict`.

        Keys other than ``timezone`` may be left out to take their defaults;
        unknown keys are refused, so a typo does not silently loosen a policy.

        Raises:
            InvalidPolicy: for a malformed dict, a bad value or contradictory rules;
                ``.field`` names the offending key (``"cancel.cutoff.seconds"``).
        """
        return _dictform.from_dict(cls, data)
