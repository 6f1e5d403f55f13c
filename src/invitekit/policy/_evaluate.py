"""How a policy decides, for :meth:`CancellationPolicy.evaluate` and ``ensure_allowed``.

For one booking and one action, :func:`evaluate` works out the instants at which the
answer can change (the deadline, the end of the grace period, the start and the end,
and for rescheduling possibly the cancellation deadline), decides at ``now``, and
finds ``next_change`` by deciding again at each later instant.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

import attrs

from invitekit.exceptions import InvalidBooking, PolicyRefused
from invitekit.policy._time import aware_utc
from invitekit.policy._values import (
    Action,
    Actor,
    Booking,
    BookingStatus,
    Decision,
    Money,
    Outcome,
    PercentFee,
    Reason,
    Rule,
    RuleMode,
)

if TYPE_CHECKING:
    from invitekit.policy._policy import CancellationPolicy

# Deadlines are compared at microsecond resolution, the resolution of datetime:
# an inclusive deadline stops being on time one microsecond after it.
_TICK = timedelta(microseconds=1)


_ALLOWED = frozenset({Outcome.FREE, Outcome.FEE, Outcome.FORFEIT})

# Refusals that come from the booking itself, not from the policy: nobody overrides them.
_FACTS = frozenset({Reason.ALREADY_CANCELLED, Reason.ALREADY_STARTED, Reason.ALREADY_ENDED})


@attrs.frozen(kw_only=True)
class _Window:
    """The instants at which one action's answer can change, for one booking."""

    deadline: datetime | None  # as stated, clamped to the start
    on_time_until: datetime | None  # first late instant
    grace_ends: datetime | None  # as stated, clamped
    grace_until: datetime | None  # first instant after the grace period


def evaluate(
    policy: CancellationPolicy, booking: Booking, action: Action, now: datetime, actor: Actor
) -> Decision:
    """What ``policy`` decides, for :meth:`CancellationPolicy.evaluate`."""
    now = aware_utc(now, "now")
    action, actor = Action(action), Actor(actor)
    rule = policy.rule(action)
    if isinstance(rule.fee, PercentFee) and booking.price is None:
        raise InvalidBooking(
            f"the {action.value} rule charges a percentage of the price,"
            " but the booking has no price"
        )
    own = _window(policy, booking, rule)
    cancel = (
        _window(policy, booking, policy.cancel)
        if action is Action.RESCHEDULE and policy.no_reschedule_when_late
        else None
    )
    decision = _decide(policy, booking, action, actor, rule, own, cancel, now)
    # The answer can only change at these instants and is constant between them,
    # so the first one with a different answer is exactly where it changes.
    breakpoints = {
        t
        for t in (
            booking.start,
            booking.end,
            own.on_time_until,
            own.grace_until,
            cancel.on_time_until if cancel else None,
        )
        if t is not None and t > now
    }
    for moment in sorted(breakpoints):
        later = _decide(policy, booking, action, actor, rule, own, cancel, moment)
        if later._key() != decision._key():
            return attrs.evolve(decision, next_change=moment)
    return decision


def ensure_allowed(decision: Decision) -> Decision:
    """``decision`` if it allows the action, for :meth:`CancellationPolicy.ensure_allowed`.

    Raises:
        PolicyRefused: when it does not.
    """
    if not decision.allowed:
        raise PolicyRefused(
            f"cannot {decision.action.value} this booking now: {decision.reason.value}"
            f" (outcome {decision.outcome.value})",
            decision=decision,
        )
    return decision


def _window(policy: CancellationPolicy, booking: Booking, rule: Rule) -> _Window:
    if rule.mode is not RuleMode.WINDOWED:
        return _Window(deadline=None, on_time_until=None, grace_ends=None, grace_until=None)
    assert rule.cutoff is not None  # checked by Rule
    step = _TICK if policy.inclusive else timedelta(0)
    deadline = min(rule.cutoff.deadline(booking.start, policy.zone), booking.start)
    grace_ends = grace_until = None
    if rule.grace_period is not None:
        grace_ends = min(booking.created_at + rule.grace_period, booking.start)
        grace_until = grace_ends + step
    return _Window(
        deadline=deadline,
        on_time_until=deadline + step,
        grace_ends=grace_ends,
        grace_until=grace_until,
    )


def _decide(
    policy: CancellationPolicy,
    booking: Booking,
    action: Action,
    actor: Actor,
    rule: Rule,
    own: _Window,
    cancel: _Window | None,
    now: datetime,
) -> Decision:
    deadline = own.deadline
    if cancel is not None and cancel.deadline is not None:
        deadline = cancel.deadline if deadline is None else min(deadline, cancel.deadline)
    grace_ends = own.grace_ends
    if grace_ends is not None and cancel is not None and cancel.deadline is not None:
        grace_ends = min(grace_ends, cancel.deadline)

    def answer(outcome: Outcome, reason: Reason, fee: Money | None = None) -> Decision:
        return Decision(
            action=action,
            actor=actor,
            allowed=outcome in _ALLOWED,
            outcome=outcome,
            reason=reason,
            deadline=deadline,
            grace_ends=grace_ends,
            fee=fee,
            timezone=policy.timezone,
        )

    if booking.status is BookingStatus.CANCELLED:
        return answer(Outcome.REFUSED, Reason.ALREADY_CANCELLED)
    if now >= booking.end:
        return answer(Outcome.REFUSED, Reason.ALREADY_ENDED)
    if now >= booking.start:
        return answer(Outcome.REFUSED, Reason.ALREADY_STARTED)
    decision = answer(*_by_rules(policy, booking, action, rule, own, cancel, now))
    if (
        actor is Actor.STAFF
        and not decision.allowed
        and decision.reason not in _FACTS
        and (policy.staff_override or decision.outcome is Outcome.NEEDS_STAFF)
    ):
        return attrs.evolve(
            answer(Outcome.FREE, Reason.STAFF_OVERRIDE), overridden=decision.reason
        )
    return decision


def _by_rules(
    policy: CancellationPolicy,
    booking: Booking,
    action: Action,
    rule: Rule,
    own: _Window,
    cancel: _Window | None,
    now: datetime,
) -> tuple[Outcome, Reason, Money | None]:
    if rule.mode is RuleMode.NEVER:
        return Outcome.REFUSED, Reason.DISABLED, None
    if (
        action is Action.RESCHEDULE
        and policy.max_reschedules is not None
        and booking.reschedule_count >= policy.max_reschedules
    ):
        return Outcome.REFUSED, Reason.LIMIT_REACHED, None
    cancel_late = (
        cancel is not None and cancel.on_time_until is not None and now >= cancel.on_time_until
    )
    own_late = own.on_time_until is not None and now >= own.on_time_until
    result: tuple[Outcome, Reason, Money | None]
    if not own_late:
        windowed = own.deadline is not None or cancel is not None
        result = Outcome.FREE, Reason.WITHIN_WINDOW if windowed else Reason.ALWAYS, None
    elif own.grace_until is not None and now < own.grace_until:
        result = Outcome.FREE, Reason.GRACE_PERIOD, None
    elif rule.late is Outcome.REFUSED:
        result = Outcome.REFUSED, Reason.OUTSIDE_WINDOW, None
    else:
        fee = rule.fee.charge(booking.price) if rule.fee is not None else None
        result = rule.late, Reason.LATE, fee
    if cancel_late and result[0] in _ALLOWED:
        return Outcome.REFUSED, Reason.LATE_RESCHEDULE, None
    return result
