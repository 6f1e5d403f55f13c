"""Cancellation and rescheduling policies: rules, reason codes, time zones, dict form, texts."""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable
from datetime import UTC, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import attrs
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from invitekit.exceptions import (
    InvalidBooking,
    InvalidPolicy,
    InviteKitError,
    PolicyError,
    PolicyRefused,
)
from invitekit.policy import (
    Action,
    Actor,
    Booking,
    BookingStatus,
    CancellationPolicy,
    Decision,
    DurationCutoff,
    FixedFee,
    Money,
    Outcome,
    PercentFee,
    Reason,
    Rule,
    RuleMode,
    WallClockCutoff,
    explain,
    resolve_wall_time,
)
from invitekit.testing import (
    bookings,
    cancellation_policies,
    instants_near_clock_changes,
    time_zones,
)

VIENNA = ZoneInfo("Europe/Vienna")
NEW_YORK = ZoneInfo("America/New_York")
LORD_HOWE = ZoneInfo("Australia/Lord_Howe")
SECOND = timedelta(seconds=1)
TICK = timedelta(microseconds=1)
EUR = "EUR"

# --------------------------------------------------------------------------- helpers


def vienna(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0
) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=VIENNA)


def booking(
    start: datetime,
    *,
    hours: float = 1,
    created_at: datetime | None = None,
    **kwargs: Any,
) -> Booking:
    return Booking(
        start=start,
        end=start + timedelta(hours=hours),
        created_at=created_at or start - timedelta(days=30),
        **kwargs,
    )


def windowed(cutoff: DurationCutoff | WallClockCutoff, **kwargs: Any) -> Rule:
    return Rule.windowed(cutoff, **kwargs)


HOURS_24 = DurationCutoff(before=timedelta(hours=24))
DAY_BEFORE_18 = WallClockCutoff(days_before=1, at=time(18, 0))


def key(decision: Decision) -> tuple[object, ...]:
    return (
        decision.allowed,
        decision.outcome,
        decision.reason,
        decision.fee,
        decision.overridden,
    )


# --------------------------------------------------------------------------- strategies


# Local times at and around the hours at which clocks change somewhere.
wall_times = st.one_of(
    st.builds(time, st.integers(0, 3), st.sampled_from([0, 15, 30, 45, 59])),
    st.builds(time, st.integers(0, 23), st.integers(0, 59)),
)
durations = st.integers(0, 10 * 86400).map(lambda s: timedelta(seconds=s))


@st.composite
def scenarios(draw: st.DrawFn) -> tuple[CancellationPolicy, Booking]:
    zone_name = draw(time_zones())
    return draw(cancellation_policies(timezone=zone_name)), draw(bookings(timezone=zone_name))


# --------------------------------------------------------------------------- properties


@given(zone_name=time_zones(), data=st.data(), before=durations)
def test_a_duration_cutoff_is_exactly_that_much_elapsed_time_before_the_start(
    zone_name: str, data: st.DataObject, before: timedelta
) -> None:
    start = data.draw(instants_near_clock_changes(zone_name)).astimezone(ZoneInfo(zone_name))
    policy = CancellationPolicy(timezone=zone_name, cancel=windowed(DurationCutoff(before=before)))
    target = booking(start)
    decision = policy.evaluate(target, Action.CANCEL, now=start - timedelta(days=11))

    assert decision.deadline is not None
    assert decision.deadline.tzinfo is UTC
    assert target.start - decision.deadline == before
    assert start.timestamp() - decision.deadline.timestamp() == before.total_seconds()
    assert decision.deadline_local == decision.deadline.astimezone(ZoneInfo(zone_name))
    if before >= 2 * SECOND:
        on_time = policy.evaluate(target, Action.CANCEL, now=decision.deadline - SECOND)
        late = policy.evaluate(target, Action.CANCEL, now=decision.deadline + SECOND)
        assert on_time.reason is Reason.WITHIN_WINDOW
        assert late.reason is Reason.OUTSIDE_WINDOW


@given(zone_name=time_zones(), data=st.data(), days=st.integers(0, 3), at=wall_times)
def test_a_wall_clock_cutoff_is_the_first_moment_the_local_clocks_show_the_stated_time(
    zone_name: str, data: st.DataObject, days: int, at: time
) -> None:
    zone = ZoneInfo(zone_name)
    start = data.draw(instants_near_clock_changes(zone_name))
    cutoff = WallClockCutoff(days_before=days, at=at)
    stated = datetime.combine(start.astimezone(zone).date() - timedelta(days=days), at)

    deadline = cutoff.deadline(start, zone)
    local = deadline.astimezone(zone)

    assert local.replace(tzinfo=None) >= stated
    assert (deadline - SECOND).astimezone(zone).replace(tzinfo=None) < stated
    assert local.fold == 0  # the first occurrence of a repeated time
    exists = stated.replace(tzinfo=zone).astimezone(UTC).astimezone(zone).replace(tzinfo=None)
    if exists == stated:
        assert local.replace(tzinfo=None) == stated
    else:  # skipped by a clock change: the deadline is the jump, not later
        assert local.replace(tzinfo=None) - stated < timedelta(days=1, hours=1)
    policy = CancellationPolicy(timezone=zone_name, cancel=windowed(cutoff))
    decision = policy.evaluate(booking(start), Action.CANCEL, now=start - timedelta(days=5))
    assert decision.deadline == min(deadline, start)


@settings(max_examples=300)
@given(scenario=scenarios(), data=st.data(), actor=st.sampled_from(list(Actor)))
def test_the_decision_is_monotone_in_now(
    scenario: tuple[CancellationPolicy, Booking], data: st.DataObject, actor: Actor
) -> None:
    policy, target = scenario
    first = target.start + timedelta(seconds=data.draw(st.integers(-12 * 86400, 86400)))
    later = first + timedelta(seconds=data.draw(st.integers(0, 13 * 86400)))
    for action in Action:
        before = policy.evaluate(target, action, now=first, actor=actor)
        after = policy.evaluate(target, action, now=later, actor=actor)
        if not before.allowed:
            assert not after.allowed, (before, after)


@settings(max_examples=300)
@given(scenario=scenarios(), data=st.data(), actor=st.sampled_from(list(Actor)))
def test_next_change_is_exactly_where_the_decision_changes(
    scenario: tuple[CancellationPolicy, Booking], data: st.DataObject, actor: Actor
) -> None:
    policy, target = scenario
    now = target.start + timedelta(seconds=data.draw(st.integers(-12 * 86400, 86400)))
    action = data.draw(st.sampled_from(list(Action)))
    decision = policy.evaluate(target, action, now=now, actor=actor)
    change = decision.next_change
    if change is None:
        far = policy.evaluate(target, action, now=target.end + timedelta(days=400), actor=actor)
        assert key(far) == key(decision)
        return
    assert change > now
    between = now + (change - now) * data.draw(st.floats(0, 1))
    assume(between < change)
    assert key(policy.evaluate(target, action, now=change - TICK, actor=actor)) == key(decision)
    assert key(policy.evaluate(target, action, now=between, actor=actor)) == key(decision)
    assert key(policy.evaluate(target, action, now=change, actor=actor)) != key(decision)


@given(scenario=scenarios(), data=st.data())
def test_staff_may_do_whatever_the_customer_may(
    scenario: tuple[CancellationPolicy, Booking], data: st.DataObject
) -> None:
    policy, target = scenario
    now = target.start + timedelta(seconds=data.draw(st.integers(-12 * 86400, 86400)))
    for action in Action:
        customer = policy.evaluate(target, action, now=now)
        staff = policy.evaluate(target, action, now=now, actor=Actor.STAFF)
        if customer.allowed:
            assert staff == attrs.evolve(customer, actor=Actor.STAFF)


@given(policy=cancellation_policies())
def test_a_policy_round_trips_through_its_json_dict_form(policy: CancellationPolicy) -> None:
    data = json.loads(json.dumps(policy.to_dict()))
    assert CancellationPolicy.from_dict(data) == policy
    assert CancellationPolicy.from_dict(data).to_dict() == policy.to_dict()


# --------------------------------------------------------------------------- every reason code

FREE_WINDOW = CancellationPolicy(
    timezone="Europe/Vienna",
    cancel=windowed(DAY_BEFORE_18),
    reschedule=windowed(HOURS_24),
    max_reschedules=1,
)
CLASS = booking(vienna(2026, 3, 6, 10, 0), created_at=vienna(2026, 2, 1, 9, 0))


def _late_with(late: Outcome, **kwargs: Any) -> Decision:
    policy = CancellationPolicy(
        timezone="Europe/Vienna", cancel=windowed(DAY_BEFORE_18, late=late, **kwargs)
    )
    priced = attrs.evolve(CLASS, price=Money(amount=Decimal("30.00"), currency=EUR))
    return policy.evaluate(priced, Action.CANCEL, now=vienna(2026, 3, 5, 20, 0))


REASON_EXAMPLES: dict[Reason, Callable[[], Decision]] = {
    Reason.ALWAYS: lambda: CancellationPolicy(timezone="UTC").evaluate(
        CLASS, Action.CANCEL, now=vienna(2026, 3, 6, 9, 59)
    ),
    Reason.WITHIN_WINDOW: lambda: FREE_WINDOW.evaluate(
        CLASS, Action.CANCEL, now=vienna(2026, 3, 5, 17, 0)
    ),
    Reason.GRACE_PERIOD: lambda: CancellationPolicy(
        timezone="Europe/Vienna",
        cancel=windowed(DAY_BEFORE_18, grace_period=timedelta(minutes=30)),
    ).evaluate(
        attrs.evolve(CLASS, created_at=vienna(2026, 3, 5, 21, 0)),
        Action.CANCEL,
        now=vienna(2026, 3, 5, 21, 10),
    ),
    Reason.LATE: lambda: _late_with(Outcome.FORFEIT),
    Reason.OUTSIDE_WINDOW: lambda: FREE_WINDOW.evaluate(
        CLASS, Action.CANCEL, now=vienna(2026, 3, 5, 18, 1)
    ),
    Reason.LATE_RESCHEDULE: lambda: attrs.evolve(
        FREE_WINDOW, reschedule=Rule.always(), no_reschedule_when_late=True
    ).evaluate(CLASS, Action.RESCHEDULE, now=vienna(2026, 3, 5, 19, 0)),
    Reason.DISABLED: lambda: CancellationPolicy(timezone="UTC", cancel=Rule.never()).evaluate(
        CLASS, Action.CANCEL, now=vienna(2026, 3, 1, 9, 0)
    ),
    Reason.LIMIT_REACHED: lambda: FREE_WINDOW.evaluate(
        attrs.evolve(CLASS, reschedule_count=1), Action.RESCHEDULE, now=vienna(2026, 3, 1, 9, 0)
    ),
    Reason.ALREADY_CANCELLED: lambda: FREE_WINDOW.evaluate(
        attrs.evolve(CLASS, status=BookingStatus.CANCELLED),
        Action.CANCEL,
        now=vienna(2026, 3, 1, 9, 0),
    ),
    Reason.ALREADY_STARTED: lambda: FREE_WINDOW.evaluate(
        CLASS, Action.CANCEL, now=vienna(2026, 3, 6, 10, 30)
    ),
    Reason.ALREADY_ENDED: lambda: FREE_WINDOW.evaluate(
        CLASS, Action.CANCEL, now=vienna(2026, 3, 6, 11, 0)
    ),
    Reason.STAFF_OVERRIDE: lambda: FREE_WINDOW.evaluate(
        CLASS, Action.CANCEL, now=vienna(2026, 3, 5, 19, 0), actor=Actor.STAFF
    ),
}


def test_every_reason_code_has_an_example() -> None:
    assert set(REASON_EXAMPLES) == set(Reason)


@pytest.mark.parametrize(
    ("reason", "allowed", "outcome"),
    [
        (Reason.ALWAYS, True, Outcome.FREE),
        (Reason.WITHIN_WINDOW, True, Outcome.FREE),
        (Reason.GRACE_PERIOD, True, Outcome.FREE),
        (Reason.LATE, True, Outcome.FORFEIT),
        (Reason.OUTSIDE_WINDOW, False, Outcome.REFUSED),
        (Reason.LATE_RESCHEDULE, False, Outcome.REFUSED),
        (Reason.DISABLED, False, Outcome.REFUSED),
        (Reason.LIMIT_REACHED, False, Outcome.REFUSED),
        (Reason.ALREADY_CANCELLED, False, Outcome.REFUSED),
        (Reason.ALREADY_STARTED, False, Outcome.REFUSED),
        (Reason.ALREADY_ENDED, False, Outcome.REFUSED),
        (Reason.STAFF_OVERRIDE, True, Outcome.FREE),
    ],
)
def test_each_reason_code_in_an_example(reason: Reason, allowed: bool, outcome: Outcome) -> None:
    decision = REASON_EXAMPLES[reason]()
    assert (decision.reason, decision.allowed, decision.outcome) == (reason, allowed, outcome)


def test_the_reason_codes_are_stable_strings() -> None:
    assert {r.value for r in Reason} == {
        "always",
        "within_window",
        "grace_period",
        "late",
        "outside_window",
        "late_reschedule",
        "disabled",
        "limit_reached",
        "already_cancelled",
        "already_started",
        "already_ended",
        "staff_override",
    }


# --------------------------------------------------------------------------- late tiers


def test_a_late_fixed_fee_is_charged() -> None:
    decision = _late_with(Outcome.FEE, fee=FixedFee(amount=Decimal("10.00"), currency="CHF"))
    assert (decision.allowed, decision.outcome, decision.reason) == (
        True,
        Outcome.FEE,
        Reason.LATE,
    )
    assert decision.fee == Money(amount=Decimal("10.00"), currency="CHF")


def test_a_late_percent_fee_is_a_share_of_the_price() -> None:
    decision = _late_with(Outcome.FEE, fee=PercentFee(percent=Decimal(50)))
    assert decision.fee == Money(amount=Decimal("15.00"), currency=EUR)


@pytest.mark.parametrize(
    ("price", "percent", "expected"),
    [
        (Money(amount=Decimal("10.00"), currency="EUR"), Decimal("33.3333"), Decimal("3.33")),
        (Money(amount=Decimal("0.05"), currency="EUR"), Decimal(50), Decimal("0.03")),
        (Money(amount=Decimal(1001), currency="JPY"), Decimal(50), Decimal(501)),
        (Money(amount=Decimal("9.99"), currency="USD"), Decimal(100), Decimal("9.99")),
    ],
)
def test_a_percent_fee_is_rounded_half_up_to_the_currency_unit(
    price: Money, percent: Decimal, expected: Decimal
) -> None:
    assert PercentFee(percent=percent).charge(price) == Money(
        amount=expected, currency=price.currency
    )


def test_a_late_forfeit_allows_and_forfeits() -> None:
    decision = _late_with(Outcome.FORFEIT)
    assert (decision.allowed, decision.outcome, decision.fee) == (True, Outcome.FORFEIT, None)


def test_a_late_free_tier_still_allows_free_of_charge_but_says_late() -> None:
    decision = _late_with(Outcome.FREE)
    assert (decision.allowed, decision.outcome, decision.reason) == (
        True,
        Outcome.FREE,
        Reason.LATE,
    )


def test_a_late_needs_staff_tier_refuses_the_customer() -> None:
    decision = _late_with(Outcome.NEEDS_STAFF)
    assert (decision.allowed, decision.outcome, decision.reason) == (
        False,
        Outcome.NEEDS_STAFF,
        Reason.LATE,
    )


def test_needs_staff_is_open_to_staff_even_without_the_override() -> None:
    policy = CancellationPolicy(
        timezone="Europe/Vienna",
        cancel=windowed(DAY_BEFORE_18, late=Outcome.NEEDS_STAFF),
        staff_override=False,
    )
    now = vienna(2026, 3, 5, 20, 0)
    decision = policy.evaluate(CLASS, Action.CANCEL, now=now, actor=Actor.STAFF)
    assert (decision.allowed, decision.reason, decision.overridden) == (
        True,
        Reason.STAFF_OVERRIDE,
        Reason.LATE,
    )


def test_a_percent_fee_needs_a_price() -> None:
    policy = CancellationPolicy(
        timezone="UTC",
        cancel=windowed(HOURS_24, late=Outcome.FEE, fee=PercentFee(percent=Decimal(20))),
    )
    with pytest.raises(InvalidBooking, match="no price"):
        policy.evaluate(CLASS, Action.CANCEL, now=vienna(2026, 3, 1, 9, 0))


# --------------------------------------------------------------------------- staff


def test_staff_override_keeps_the_customers_reason() -> None:
    decision = REASON_EXAMPLES[Reason.STAFF_OVERRIDE]()
    assert decision.overridden is Reason.OUTSIDE_WINDOW
    assert decision.actor is Actor.STAFF
    assert decision.fee is None


@pytest.mark.parametrize("reason", [Reason.DISABLED, Reason.LIMIT_REACHED])
def test_staff_override_lifts_rule_refusals(reason: Reason) -> None:
    customer = REASON_EXAMPLES[reason]()
    assert not customer.allowed
    policy = (
        CancellationPolicy(timezone="UTC", cancel=Rule.never())
        if reason is Reason.DISABLED
        else FREE_WINDOW
    )
    target = attrs.evolve(CLASS, reschedule_count=1)
    staff = policy.evaluate(
        target, customer.action, now=vienna(2026, 3, 1, 9, 0), actor=Actor.STAFF
    )
    assert (staff.allowed, staff.reason, staff.overridden) == (True, Reason.STAFF_OVERRIDE, reason)


def test_without_the_override_staff_are_refused_like_customers() -> None:
    policy = attrs.evolve(FREE_WINDOW, staff_override=False)
    decision = policy.evaluate(
        CLASS, Action.CANCEL, now=vienna(2026, 3, 5, 19, 0), actor=Actor.STAFF
    )
    assert (decision.allowed, decision.reason) == (False, Reason.OUTSIDE_WINDOW)


@pytest.mark.parametrize(
    ("target", "now", "reason"),
    [
        (
            attrs.evolve(CLASS, status=BookingStatus.CANCELLED),
            vienna(2026, 3, 1),
            Reason.ALREADY_CANCELLED,
        ),
        (CLASS, vienna(2026, 3, 6, 10, 0), Reason.ALREADY_STARTED),
        (CLASS, vienna(2026, 3, 6, 11, 0), Reason.ALREADY_ENDED),
    ],
)
def test_staff_cannot_override_the_facts_of_the_booking(
    target: Booking, now: datetime, reason: Reason
) -> None:
    decision = FREE_WINDOW.evaluate(target, Action.CANCEL, now=now, actor=Actor.STAFF)
    assert (decision.allowed, decision.reason, decision.overridden) == (False, reason, None)


# --------------------------------------------------------------------------- rescheduling


def test_reschedules_are_allowed_until_the_maximum() -> None:
    now = vienna(2026, 3, 1, 9, 0)
    assert FREE_WINDOW.evaluate(CLASS, Action.RESCHEDULE, now=now).allowed
    limited = FREE_WINDOW.evaluate(
        attrs.evolve(CLASS, reschedule_count=1), Action.RESCHEDULE, now=now
    )
    assert (limited.allowed, limited.reason) == (False, Reason.LIMIT_REACHED)


def test_the_reschedule_limit_does_not_limit_cancelling() -> None:
    decision = FREE_WINDOW.evaluate(
        attrs.evolve(CLASS, reschedule_count=5), Action.CANCEL, now=vienna(2026, 3, 1, 9, 0)
    )
    assert decision.reason is Reason.WITHIN_WINDOW


def test_no_reschedule_when_late_follows_the_cancellation_deadline() -> None:
    policy = CancellationPolicy(
        timezone="Europe/Vienna",
        cancel=windowed(
            DAY_BEFORE_18, late=Outcome.FEE, fee=FixedFee(amount=Decimal(5), currency=EUR)
        ),
        no_reschedule_when_late=True,
    )
    before = policy.evaluate(CLASS, Action.RESCHEDULE, now=vienna(2026, 3, 5, 18, 0))
    after = policy.evaluate(CLASS, Action.RESCHEDULE, now=vienna(2026, 3, 5, 18, 0, 1))
    assert (before.allowed, before.reason) == (True, Reason.WITHIN_WINDOW)
    assert before.deadline_local == vienna(2026, 3, 5, 18, 0)
    assert before.next_change == vienna(2026, 3, 5, 18, 0) + TICK
    assert (after.allowed, after.reason) == (False, Reason.LATE_RESCHEDULE)
    late_cancel = policy.evaluate(CLASS, Action.CANCEL, now=vienna(2026, 3, 5, 18, 0, 1))
    assert (late_cancel.allowed, late_cancel.outcome) == (True, Outcome.FEE)


def test_a_reschedule_refused_by_its_own_window_keeps_that_reason() -> None:
    policy = attrs.evolve(FREE_WINDOW, no_reschedule_when_late=True, max_reschedules=None)
    decision = policy.evaluate(CLASS, Action.RESCHEDULE, now=vienna(2026, 3, 5, 19, 0))
    assert decision.reason is Reason.OUTSIDE_WINDOW
    assert decision.next_change == CLASS.start


# --------------------------------------------------------------------------- boundaries


@pytest.mark.parametrize(
    ("inclusive", "offset", "reason"),
    [
        (True, -SECOND, Reason.WITHIN_WINDOW),
        (True, timedelta(0), Reason.WITHIN_WINDOW),
        (True, TICK, Reason.OUTSIDE_WINDOW),
        (True, SECOND, Reason.OUTSIDE_WINDOW),
        (False, -SECOND, Reason.WITHIN_WINDOW),
        (False, -TICK, Reason.WITHIN_WINDOW),
        (False, timedelta(0), Reason.OUTSIDE_WINDOW),
        (False, SECOND, Reason.OUTSIDE_WINDOW),
    ],
)
@pytest.mark.parametrize(
    ("cutoff", "deadline"),
    [
        (HOURS_24, vienna(2026, 3, 5, 10, 0)),
        (DAY_BEFORE_18, vienna(2026, 3, 5, 18, 0)),
    ],
)
def test_one_second_either_side_of_the_deadline(
    cutoff: DurationCutoff | WallClockCutoff,
    deadline: datetime,
    inclusive: bool,
    offset: timedelta,
    reason: Reason,
) -> None:
    policy = CancellationPolicy(
        timezone="Europe/Vienna", cancel=windowed(cutoff), inclusive=inclusive
    )
    decision = policy.evaluate(CLASS, Action.CANCEL, now=deadline + offset)
    assert decision.reason is reason
    assert decision.deadline == deadline


@pytest.mark.parametrize(
    ("inclusive", "expected"),
    [(True, vienna(2026, 3, 5, 18, 0) + TICK), (False, vienna(2026, 3, 5, 18, 0))],
)
def test_next_change_is_the_first_late_instant(inclusive: bool, expected: datetime) -> None:
    policy = CancellationPolicy(
        timezone="Europe/Vienna", cancel=windowed(DAY_BEFORE_18), inclusive=inclusive
    )
    decision = policy.evaluate(CLASS, Action.CANCEL, now=vienna(2026, 3, 1))
    assert decision.next_change == expected


@pytest.mark.parametrize(
    ("offset", "reason"),
    [
        (-SECOND, Reason.GRACE_PERIOD),
        (timedelta(0), Reason.GRACE_PERIOD),
        (SECOND, Reason.OUTSIDE_WINDOW),
    ],
)
def test_one_second_either_side_of_the_end_of_the_grace_period(
    offset: timedelta, reason: Reason
) -> None:
    policy = CancellationPolicy(
        timezone="Europe/Vienna",
        cancel=windowed(DAY_BEFORE_18, grace_period=timedelta(minutes=30)),
    )
    made = vienna(2026, 3, 5, 21, 0)
    target = attrs.evolve(CLASS, created_at=made)
    decision = policy.evaluate(target, Action.CANCEL, now=made + timedelta(minutes=30) + offset)
    assert decision.reason is reason
    assert decision.grace_ends == made + timedelta(minutes=30)


def test_the_grace_period_ends_at_the_start_at_the_latest() -> None:
    policy = CancellationPolicy(
        timezone="Europe/Vienna",
        cancel=windowed(DAY_BEFORE_18, grace_period=timedelta(hours=5)),
    )
    target = attrs.evolve(CLASS, created_at=vienna(2026, 3, 6, 9, 0))
    decision = policy.evaluate(target, Action.CANCEL, now=vienna(2026, 3, 6, 9, 30))
    assert decision.reason is Reason.GRACE_PERIOD
    assert decision.grace_ends == CLASS.start
    assert decision.next_change == CLASS.start


@pytest.mark.parametrize(
    ("now", "reason"),
    [
        (vienna(2026, 3, 6, 9, 59, 59), Reason.ALWAYS),
        (vienna(2026, 3, 6, 10, 0, 0), Reason.ALREADY_STARTED),
        (vienna(2026, 3, 6, 10, 59, 59), Reason.ALREADY_STARTED),
        (vienna(2026, 3, 6, 11, 0, 0), Reason.ALREADY_ENDED),
    ],
)
def test_one_second_either_side_of_the_start_and_the_end(now: datetime, reason: Reason) -> None:
    policy = CancellationPolicy(timezone="Europe/Vienna")
    assert policy.evaluate(CLASS, Action.CANCEL, now=now).reason is reason


def test_a_deadline_after_the_start_is_the_start() -> None:
    policy = CancellationPolicy(
        timezone="Europe/Vienna",
        cancel=windowed(WallClockCutoff(days_before=0, at=time(18, 0))),
    )
    decision = policy.evaluate(CLASS, Action.CANCEL, now=vienna(2026, 3, 6, 9, 0))
    assert (decision.reason, decision.deadline) == (Reason.WITHIN_WINDOW, CLASS.start)
    assert decision.next_change == CLASS.start


def test_next_change_walks_through_the_whole_life_of_a_booking() -> None:
    policy = CancellationPolicy(
        timezone="Europe/Vienna",
        cancel=windowed(DAY_BEFORE_18, late=Outcome.FORFEIT),
        inclusive=False,
    )
    now, seen = vienna(2026, 3, 1), []
    while True:
        decision = policy.evaluate(CLASS, Action.CANCEL, now=now)
        seen.append((decision.reason, now.astimezone(VIENNA)))
        if decision.next_change is None:
            break
        now = decision.next_change
    assert seen == [
        (Reason.WITHIN_WINDOW, vienna(2026, 3, 1)),
        (Reason.LATE, vienna(2026, 3, 5, 18, 0)),
        (Reason.ALREADY_STARTED, vienna(2026, 3, 6, 10, 0)),
        (Reason.ALREADY_ENDED, vienna(2026, 3, 6, 11, 0)),
    ]


def test_ensure_allowed_returns_the_decision_or_raises_with_it() -> None:
    allowed = FREE_WINDOW.ensure_allowed(CLASS, Action.CANCEL, now=vienna(2026, 3, 5, 12, 0))
    assert allowed.reason is Reason.WITHIN_WINDOW
    with pytest.raises(PolicyRefused, match="outside_window") as caught:
        FREE_WINDOW.ensure_allowed(CLASS, Action.CANCEL, now=vienna(2026, 3, 5, 19, 0))
    assert caught.value.decision.reason is Reason.OUTSIDE_WINDOW
    assert caught.value.decision.deadline == vienna(2026, 3, 5, 18, 0)
    assert isinstance(caught.value, PolicyError)
    assert isinstance(caught.value, InviteKitError)


def test_actions_and_actors_may_be_given_as_strings() -> None:
    decision = FREE_WINDOW.evaluate(
        CLASS,
        "cancel",  # type: ignore[arg-type]
        now=vienna(2026, 3, 5, 19, 0),
        actor="staff",  # type: ignore[arg-type]
    )
    assert (decision.action, decision.actor, decision.reason) == (
        Action.CANCEL,
        Actor.STAFF,
        Reason.STAFF_OVERRIDE,
    )


# --------------------------------------------------------------------------- time zones


def test_24_hours_before_a_class_after_the_spring_change_in_vienna() -> None:
    # Sunday 29 March 2026: clocks go from 02:00 to 03:00, so that night has 23 hours.
    policy = CancellationPolicy(timezone="Europe/Vienna", cancel=windowed(HOURS_24))
    target = booking(vienna(2026, 3, 29, 10, 0))
    decision = policy.evaluate(target, Action.CANCEL, now=vienna(2026, 3, 20))
    assert decision.deadline_local == vienna(2026, 3, 28, 9, 0)
    assert decision.deadline_local is not None
    assert decision.deadline_local.utcoffset() == timedelta(hours=1)


def test_the_day_before_at_18_across_the_autumn_change_in_new_york() -> None:
    policy = CancellationPolicy(timezone="America/New_York", cancel=windowed(DAY_BEFORE_18))
    target = booking(datetime(2026, 11, 1, 9, 0, tzinfo=NEW_YORK))
    decision = policy.evaluate(target, Action.CANCEL, now=datetime(2026, 10, 1, tzinfo=UTC))
    assert decision.deadline == datetime(2026, 10, 31, 22, 0, tzinfo=UTC)  # 18:00 EDT
    assert target.start - decision.deadline == timedelta(hours=16)  # 15 on the clock, 16 real


def test_a_booking_in_new_york_is_judged_on_new_york_clocks_whatever_the_input_zone() -> None:
    policy = CancellationPolicy(timezone="America/New_York", cancel=windowed(DAY_BEFORE_18))
    start = datetime(2026, 7, 2, 3, 0, tzinfo=UTC)  # 1 July, 23:00 in New York
    decision = policy.evaluate(booking(start), Action.CANCEL, now=datetime(2026, 6, 1, tzinfo=UTC))
    assert decision.deadline_local == datetime(2026, 6, 30, 18, 0, tzinfo=NEW_YORK)


@pytest.mark.parametrize(
    ("zone", "local", "expected_utc", "expected_local"),
    [
        # Vienna spring gap 02:00 -> 03:00: a skipped time is the jump.
        (VIENNA, datetime(2026, 3, 29, 2, 30), datetime(2026, 3, 29, 1, 0), (3, 0, 2)),
        # Vienna autumn fold 03:00 -> 02:00: a repeated time is its first occurrence.
        (VIENNA, datetime(2026, 10, 25, 2, 30), datetime(2026, 10, 25, 0, 30), (2, 30, 2)),
        (NEW_YORK, datetime(2026, 3, 8, 2, 30), datetime(2026, 3, 8, 7, 0), (3, 0, -4)),
        (NEW_YORK, datetime(2026, 11, 1, 1, 30), datetime(2026, 11, 1, 5, 30), (1, 30, -4)),
        # Lord Howe moves by 30 minutes: 02:00 -> 02:30 in October, 02:00 -> 01:30 in April.
        (LORD_HOWE, datetime(2026, 10, 4, 2, 15), datetime(2026, 10, 3, 15, 30), (2, 30, 11)),
        (LORD_HOWE, datetime(2026, 4, 5, 1, 45), datetime(2026, 4, 4, 14, 45), (1, 45, 11)),
        (VIENNA, datetime(2026, 3, 29, 3, 0), datetime(2026, 3, 29, 1, 0), (3, 0, 2)),
        (VIENNA, datetime(2026, 3, 29, 1, 59), datetime(2026, 3, 29, 0, 59), (1, 59, 1)),
    ],
)
def test_times_skipped_or_repeated_by_a_clock_change(
    zone: ZoneInfo,
    local: datetime,
    expected_utc: datetime,
    expected_local: tuple[int, int, float],
) -> None:
    resolved = resolve_wall_time(local, zone)
    assert resolved == expected_utc.replace(tzinfo=UTC)
    shown = resolved.astimezone(zone)
    offset = shown.utcoffset()
    assert offset is not None
    assert (shown.hour, shown.minute, offset / timedelta(hours=1)) == expected_local


def test_a_wall_clock_cutoff_in_the_lord_howe_gap_is_the_jump() -> None:
    policy = CancellationPolicy(
        timezone="Australia/Lord_Howe",
        cancel=windowed(WallClockCutoff(days_before=0, at=time(2, 15))),
        inclusive=False,
    )
    target = booking(datetime(2026, 10, 4, 9, 0, tzinfo=LORD_HOWE))
    jump = datetime(2026, 10, 3, 15, 30, tzinfo=UTC)
    assert policy.evaluate(target, Action.CANCEL, now=jump - SECOND).reason is Reason.WITHIN_WINDOW
    assert policy.evaluate(target, Action.CANCEL, now=jump).reason is Reason.OUTSIDE_WINDOW


def test_a_wall_clock_cutoff_on_a_skipped_day_is_the_start_of_the_next() -> None:
    # Samoa skipped Friday 30 December 2011 entirely.
    apia = ZoneInfo("Pacific/Apia")
    deadline = WallClockCutoff(days_before=1, at=time(18, 0)).deadline(
        datetime(2011, 12, 31, 10, 0, tzinfo=apia), apia
    )
    assert deadline.astimezone(apia).replace(tzinfo=None) == datetime(2011, 12, 31, 0, 0)


# --------------------------------------------------------------------------- refusing bad input


@pytest.mark.parametrize("field", ["start", "end", "created_at"])
def test_a_booking_with_a_naive_datetime_is_refused(field: str) -> None:
    values: dict[str, Any] = {
        "start": vienna(2026, 3, 6, 10),
        "end": vienna(2026, 3, 6, 11),
        "created_at": vienna(2026, 3, 1),
    }
    values[field] = values[field].replace(tzinfo=None)
    with pytest.raises(InvalidBooking, match=f"{field} is a naive datetime"):
        Booking(**values)


def test_a_naive_now_is_refused() -> None:
    with pytest.raises(InvalidBooking, match="now is a naive datetime"):
        FREE_WINDOW.evaluate(CLASS, Action.CANCEL, now=datetime(2026, 3, 5, 12, 0))


def test_a_booking_stores_its_times_in_utc() -> None:
    assert CLASS.start == datetime(2026, 3, 6, 9, 0, tzinfo=UTC)
    assert CLASS.start.tzinfo is UTC


@pytest.mark.parametrize(
    "kwargs",
    [
        {"end": vienna(2026, 3, 6, 10)},
        {"end": vienna(2026, 3, 6, 9)},
        {"reschedule_count": -1},
        {"status": "booked"},
    ],
)
def test_an_impossible_booking_is_refused(kwargs: dict[str, Any]) -> None:
    values: dict[str, Any] = {
        "start": vienna(2026, 3, 6, 10),
        "end": vienna(2026, 3, 6, 11),
        "created_at": vienna(2026, 3, 1),
    }
    with pytest.raises(InvalidBooking):
        Booking(**(values | kwargs))


INVALID_POLICIES: list[tuple[Callable[[], object], str | None]] = [
    (lambda: CancellationPolicy(timezone="Europe/Viena"), "timezone"),
    (lambda: CancellationPolicy(timezone=""), "timezone"),
    (lambda: DurationCutoff(before=timedelta(hours=-1)), "cutoff.before"),
    (lambda: DurationCutoff(before=timedelta(seconds=1.5)), "cutoff.before"),
    (lambda: WallClockCutoff(days_before=-1, at=time(18)), "cutoff.days_before"),
    (lambda: WallClockCutoff(days_before=400, at=time(18)), "cutoff.days_before"),
    (lambda: WallClockCutoff(days_before=1, at=time(18, 0, 30)), "cutoff.at"),
    (lambda: WallClockCutoff(days_before=1, at=time(18, tzinfo=UTC)), "cutoff.at"),
    (lambda: windowed(HOURS_24, grace_period=timedelta(minutes=-5)), "grace_period"),
    (lambda: windowed(HOURS_24, grace_period=timedelta(0)), "grace_period"),
    (lambda: Rule(mode=RuleMode.WINDOWED), "cutoff"),
    (lambda: Rule(mode=RuleMode.ALWAYS, cutoff=HOURS_24), "cutoff"),
    (lambda: Rule(mode=RuleMode.NEVER, late=Outcome.FORFEIT), "late"),
    (lambda: Rule(mode=RuleMode.ALWAYS, grace_period=timedelta(hours=1)), "grace_period"),
    (lambda: windowed(HOURS_24, late=Outcome.FEE), "fee"),
    (lambda: windowed(HOURS_24, fee=FixedFee(amount=Decimal(5), currency=EUR)), "fee"),
    (lambda: FixedFee(amount=Decimal(0), currency=EUR), "fee.amount"),
    (lambda: FixedFee(amount=Decimal(-5), currency=EUR), "fee.amount"),
    (lambda: FixedFee(amount=5.0, currency=EUR), "fee.amount"),  # type: ignore[arg-type]
    (lambda: FixedFee(amount=Decimal("NaN"), currency=EUR), "fee.amount"),
    (lambda: FixedFee(amount=Decimal(5), currency="EURO"), "fee.currency"),
    (lambda: PercentFee(percent=Decimal(0)), "fee.percent"),
    (lambda: PercentFee(percent=Decimal("100.01")), "fee.percent"),
    (lambda: Money(amount=Decimal(-1), currency=EUR), "amount"),
    (
        lambda: CancellationPolicy(timezone="UTC", reschedule=Rule.never(), max_reschedules=2),
        "max_reschedules",
    ),
    (lambda: CancellationPolicy(timezone="UTC", max_reschedules=-1), "max_reschedules"),
    (
        lambda: CancellationPolicy(timezone="UTC", no_reschedule_when_late=True),
        "no_reschedule_when_late",
    ),
    (
        lambda: CancellationPolicy(
            timezone="UTC",
            cancel=windowed(HOURS_24),
            reschedule=Rule.never(),
            no_reschedule_when_late=True,
        ),
        "no_reschedule_when_late",
    ),
    (lambda: CancellationPolicy(timezone="UTC", inclusive=1), "inclusive"),  # type: ignore[arg-type]
    (lambda: CancellationPolicy(timezone="UTC", cancel="always"), "cancel"),  # type: ignore[arg-type]
]


@pytest.mark.parametrize(("build", "field"), INVALID_POLICIES)
def test_an_invalid_policy_is_refused_with_the_field(
    build: Callable[[], object], field: str | None
) -> None:
    with pytest.raises(InvalidPolicy) as caught:
        build()
    assert caught.value.field == field
    assert str(caught.value).startswith(f"{field}: ")
    assert isinstance(caught.value, ValueError)
    assert isinstance(caught.value, PolicyError)


def test_an_unknown_zone_names_the_zone() -> None:
    with pytest.raises(InvalidPolicy, match="unknown time zone 'Mars/Olympus_Mons'"):
        CancellationPolicy(timezone="Mars/Olympus_Mons")


# --------------------------------------------------------------------------- dict form

STUDIO_POLICY = CancellationPolicy(
    timezone="Europe/Vienna",
    cancel=windowed(
        DAY_BEFORE_18,
        late=Outcome.FEE,
        fee=PercentFee(percent=Decimal("50")),
        grace_period=timedelta(minutes=15),
    ),
    reschedule=windowed(HOURS_24, late=Outcome.NEEDS_STAFF),
    max_reschedules=2,
    no_reschedule_when_late=True,
    staff_override=False,
    inclusive=False,
)
STUDIO_DICT = {
    "version": 1,
    "timezone": "Europe/Vienna",
    "cancel": {
        "mode": "windowed",
        "cutoff": {"kind": "wall_clock", "days_before": 1, "at": "18:00"},
        "late": "fee",
        "fee": {"kind": "percent", "percent": "50"},
        "grace_period": 900,
    },
    "reschedule": {
        "mode": "windowed",
        "cutoff": {"kind": "duration", "seconds": 86400},
        "late": "needs_staff",
        "fee": None,
        "grace_period": None,
    },
    "max_reschedules": 2,
    "no_reschedule_when_late": True,
    "staff_override": False,
    "inclusive": False,
}


def test_the_dict_form_is_plain_json() -> None:
    assert STUDIO_POLICY.to_dict() == STUDIO_DICT
    assert CancellationPolicy.from_dict(STUDIO_DICT) == STUDIO_POLICY


def test_a_fixed_fee_in_the_dict_form() -> None:
    policy = CancellationPolicy(
        timezone="UTC",
        cancel=windowed(
            HOURS_24, late=Outcome.FEE, fee=FixedFee(amount=Decimal("7.50"), currency="USD")
        ),
    )
    assert policy.to_dict()["cancel"]["fee"] == {
        "kind": "fixed",
        "amount": "7.50",
        "currency": "USD",
    }
    assert CancellationPolicy.from_dict(policy.to_dict()) == policy


def test_left_out_keys_take_their_defaults() -> None:
    assert CancellationPolicy.from_dict({"timezone": "UTC"}) == CancellationPolicy(timezone="UTC")
    minimal = {
        "timezone": "UTC",
        "cancel": {"mode": "windowed", "cutoff": {"kind": "duration", "seconds": 3600}},
    }
    assert CancellationPolicy.from_dict(minimal).cancel == windowed(
        DurationCutoff(before=timedelta(hours=1))
    )


def _with(path: str, value: object) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(json.dumps(STUDIO_DICT))
    *parents, last = path.split(".")
    target = data
    for part in parents:
        target = target[part]
    if value is _DELETE:
        del target[last]
    else:
        target[last] = value
    return data


_DELETE = object()


@pytest.mark.parametrize(
    ("path", "value", "field"),
    [
        ("timezone", _DELETE, "timezone"),
        ("timezone", "Nowhere/City", "timezone"),
        ("timezone", 5, "timezone"),
        ("version", 2, "version"),
        ("colour", "red", "colour"),
        ("cancel.colour", "red", "cancel.colour"),
        ("cancel.mode", "sometimes", "cancel.mode"),
        ("cancel.mode", _DELETE, "cancel.mode"),
        ("cancel.late", "maybe", "cancel.late"),
        ("cancel.grace_period", -60, "cancel.grace_period"),
        ("cancel.grace_period", True, "cancel.grace_period"),
        ("cancel.cutoff.at", "25:00", "cancel.cutoff.at"),
        ("cancel.cutoff.at", "6pm", "cancel.cutoff.at"),
        ("cancel.cutoff.days_before", -1, "cancel.cutoff.days_before"),
        ("cancel.cutoff.kind", "lunar", "cancel.cutoff.kind"),
        ("cancel.fee.percent", "lots", "cancel.fee.percent"),
        ("cancel.fee.percent", "150", "cancel.fee.percent"),
        ("cancel.fee.kind", "barter", "cancel.fee.kind"),
        ("cancel.fee", None, "cancel.fee"),
        ("reschedule.cutoff.seconds", -3600, "reschedule.cutoff.seconds"),
        ("reschedule.cutoff.seconds", "86400", "reschedule.cutoff.seconds"),
        ("reschedule.fee", {"kind": "fixed", "amount": "5", "currency": "EUR"}, "reschedule.fee"),
        ("max_reschedules", "2", "max_reschedules"),
        ("inclusive", "yes", "inclusive"),
        ("cancel", "always", "cancel"),
    ],
)
def test_an_invalid_dict_is_refused_naming_the_key(path: str, value: object, field: str) -> None:
    with pytest.raises(InvalidPolicy) as caught:
        CancellationPolicy.from_dict(_with(path, value))
    assert caught.value.field == field


def test_a_dict_that_is_not_a_dict_is_refused() -> None:
    with pytest.raises(InvalidPolicy, match="must be an object"):
        CancellationPolicy.from_dict(["timezone", "UTC"])  # type: ignore[arg-type]


# --------------------------------------------------------------------------- explanations


@pytest.mark.parametrize(
    ("locale", "expected"),
    [
        (
            "en",
            "You can cancel free of charge until Thursday, March 5, 2026 at 6:00\u202fPM.",
        ),
        ("es", "Puedes cancelar sin coste hasta el jueves, 5 de marzo de 2026, a las 18:00."),
        ("fr", "Vous pouvez annuler gratuitement jusqu'au jeudi 5 mars 2026 à 18:00."),
        ("de", "Du kannst bis Donnerstag, 5. März 2026 um 18:00 Uhr kostenlos stornieren."),
        ("de_AT", "Du kannst bis Donnerstag, 5. März 2026 um 18:00 Uhr kostenlos stornieren."),
        # Mexico reads the 12-hour clock (CLDR): the territory is kept for dates.
        (
            "es-MX",
            "Puedes cancelar sin coste hasta el jueves, 5 de marzo de 2026, a las"
            " 6:00\N{NARROW NO-BREAK SPACE}p.m.",
        ),
        (
            "it",
            "You can cancel free of charge until Thursday, March 5, 2026 at 6:00\u202fPM.",
        ),
    ],
)
def test_explain_within_the_window(locale: str, expected: str) -> None:
    assert explain(REASON_EXAMPLES[Reason.WITHIN_WINDOW](), locale=locale) == expected


@pytest.mark.parametrize(
    ("locale", "expected"),
    [
        (
            "en",
            "The free cancellation period ended on Thursday, March 5, 2026 at 6:00\u202fPM;"
            " if you cancel"
            " now, a fee of €15.00 applies.",
        ),
        (
            "es",
            "El plazo de cancelación gratuita terminó el jueves, 5 de marzo de 2026, a las 18:00;"
            " si cancelas"
            " ahora, se cobrará un cargo de 15,00\xa0€.",
        ),
        (
            "fr",
            "La période d'annulation gratuite a pris fin le jeudi 5 mars 2026 à 18:00\xa0; si vous"
            " annulez maintenant, des frais de 15,00\xa0€ s'appliquent.",
        ),
        (
            "de",
            "Die kostenlose Stornierungsfrist endete am Donnerstag, 5. März 2026 um 18:00 Uhr;"
            " wenn du"
            " jetzt stornierst, fällt eine Gebühr von 15,00\xa0€ an.",
        ),
    ],
)
def test_explain_a_late_fee(locale: str, expected: str) -> None:
    decision = _late_with(Outcome.FEE, fee=PercentFee(percent=Decimal(50)))
    assert explain(decision, locale=locale) == expected


@pytest.mark.parametrize(
    ("locale", "expected"),
    [
        ("en", "This booking has already been rescheduled as often as allowed."),
        ("es", "Ya has cambiado la fecha de esta reserva tantas veces como se permite."),
        ("fr", "Cette réservation a déjà été reportée autant de fois que possible."),
        ("de", "Diese Buchung wurde bereits so oft umgebucht wie erlaubt."),
    ],
)
def test_explain_the_reschedule_limit(locale: str, expected: str) -> None:
    assert explain(REASON_EXAMPLES[Reason.LIMIT_REACHED](), locale=locale) == expected


@pytest.mark.parametrize(
    ("locale", "expected"),
    [
        (
            "en",
            "You booked only recently, so you can cancel free of charge until Thursday,"
            " March 5, 2026 at 9:30\u202fPM.",
        ),
        (
            "es",
            "Como has reservado hace poco, puedes cancelar sin coste hasta el jueves,"
            " 5 de marzo de 2026, a las 21:30.",
        ),
        (
            "fr",
            "Comme vous venez de réserver, vous pouvez annuler gratuitement jusqu'au"
            " jeudi 5 mars 2026 à 21:30.",
        ),
        (
            "de",
            "Da du erst vor Kurzem gebucht hast, kannst du bis Donnerstag, 5. März 2026 um"
            " 21:30 Uhr kostenlos stornieren.",
        ),
    ],
)
def test_explain_the_grace_period(locale: str, expected: str) -> None:
    assert explain(REASON_EXAMPLES[Reason.GRACE_PERIOD](), locale=locale) == expected


def test_explain_shows_the_deadline_on_the_policys_clocks_after_a_dst_change() -> None:
    # The deadline is 09:00 CET on Saturday; the class is at 10:00 CEST on Sunday.
    policy = CancellationPolicy(timezone="Europe/Vienna", cancel=windowed(HOURS_24))
    decision = policy.evaluate(
        booking(vienna(2026, 3, 29, 10, 0)), Action.CANCEL, now=vienna(2026, 3, 1)
    )
    assert explain(decision, locale="de") == (
        "Du kannst bis Samstag, 28. März 2026 um 09:00 Uhr kostenlos stornieren."
    )


ALL_DECISIONS: dict[str, Callable[[], Decision]] = {
    **{reason.value: build for reason, build in REASON_EXAMPLES.items()},
    "late-fee": lambda: _late_with(Outcome.FEE, fee=FixedFee(amount=Decimal(5), currency=EUR)),
    "late-free": lambda: _late_with(Outcome.FREE),
    "late-needs-staff": lambda: _late_with(Outcome.NEEDS_STAFF),
    "reschedule-within": lambda: FREE_WINDOW.evaluate(
        CLASS, Action.RESCHEDULE, now=vienna(2026, 3, 1)
    ),
    "reschedule-outside": lambda: FREE_WINDOW.evaluate(
        CLASS, Action.RESCHEDULE, now=vienna(2026, 3, 5, 12)
    ),
    "reschedule-disabled": lambda: CancellationPolicy(
        timezone="UTC", reschedule=Rule.never()
    ).evaluate(CLASS, Action.RESCHEDULE, now=vienna(2026, 3, 1)),
    "reschedule-always": lambda: CancellationPolicy(timezone="UTC").evaluate(
        CLASS, Action.RESCHEDULE, now=vienna(2026, 3, 1)
    ),
    "reschedule-staff": lambda: FREE_WINDOW.evaluate(
        CLASS, Action.RESCHEDULE, now=vienna(2026, 3, 5, 12), actor=Actor.STAFF
    ),
    **{
        f"reschedule-late-{late.value}": functools.partial(
            lambda late: CancellationPolicy(
                timezone="Europe/Vienna",
                reschedule=windowed(
                    HOURS_24,
                    late=late,
                    fee=FixedFee(amount=Decimal(5), currency=EUR) if late is Outcome.FEE else None,
                ),
            ).evaluate(CLASS, Action.RESCHEDULE, now=vienna(2026, 3, 5, 12)),
            late,
        )
        for late in (Outcome.FEE, Outcome.FORFEIT, Outcome.NEEDS_STAFF, Outcome.FREE)
    },
    "reschedule-grace": lambda: CancellationPolicy(
        timezone="Europe/Vienna",
        reschedule=windowed(HOURS_24, grace_period=timedelta(hours=1)),
    ).evaluate(
        attrs.evolve(CLASS, created_at=vienna(2026, 3, 5, 11)),
        Action.RESCHEDULE,
        now=vienna(2026, 3, 5, 11, 30),
    ),
}


@pytest.mark.parametrize("name", sorted(ALL_DECISIONS))
@pytest.mark.parametrize("locale", ["es", "fr", "de"])
def test_every_explanation_is_translated(name: str, locale: str) -> None:
    decision = ALL_DECISIONS[name]()
    english = explain(decision, locale="en")
    translated = explain(decision, locale=locale)
    assert translated != english
    assert "{" not in translated
    assert "{" not in english
    assert translated.endswith(".")


# Words of the informal address in German and Spanish, which a formal sentence must not use.
INFORMAL_POLICY_WORDS = {
    "de": re.compile(r"\b(du|dich|dir|dein\w*|kontaktiere)\b", re.IGNORECASE),
    "es": re.compile(r"\b(tú|tu|te|puedes|has|cancelas|cambias|pierdes|ponte)\b", re.IGNORECASE),
}


@pytest.mark.parametrize("name", sorted(ALL_DECISIONS))
@pytest.mark.parametrize("locale", ["es", "de_AT"])
def test_a_formal_explanation_never_uses_the_informal_address(name: str, locale: str) -> None:
    decision = ALL_DECISIONS[name]()
    words = INFORMAL_POLICY_WORDS[locale[:2]]
    assert not words.search(explain(decision, locale=locale, formal=True))


@pytest.mark.parametrize(
    ("locale", "informal", "formal"),
    [
        (
            "de",
            "Du kannst bis Donnerstag, 5. März 2026 um 18:00 Uhr kostenlos stornieren.",
            "Sie können bis Donnerstag, 5. März 2026 um 18:00 Uhr kostenlos stornieren.",
        ),
        (
            "es",
            "Puedes cancelar sin coste hasta el jueves, 5 de marzo de 2026, a las 18:00.",
            "Puede cancelar sin coste hasta el jueves, 5 de marzo de 2026, a las 18:00.",
        ),
        # French says "vous" to everyone: the formal setting changes nothing.
        (
            "fr",
            "Vous pouvez annuler gratuitement jusqu'au jeudi 5 mars 2026 à 18:00.",
            "Vous pouvez annuler gratuitement jusqu'au jeudi 5 mars 2026 à 18:00.",
        ),
    ],
)
def test_explain_formally(locale: str, informal: str, formal: str) -> None:
    decision = REASON_EXAMPLES[Reason.WITHIN_WINDOW]()
    assert explain(decision, locale=locale) == informal
    assert explain(decision, locale=locale, formal=True) == formal


def test_every_explanation_says_something_different_for_each_situation() -> None:
    texts = {name: explain(build(), locale="en") for name, build in ALL_DECISIONS.items()}
    assert texts["late-fee"] != texts["late-needs-staff"]
    assert texts["reschedule-disabled"] == "This booking cannot be rescheduled online."
    assert texts["already_ended"] == "This booking has already ended."
    assert texts["already_started"] == "This booking has already started."
    assert texts["already_cancelled"] == "This booking has already been cancelled."
    assert texts["always"] == "You can cancel free of charge until the booking starts."
    assert texts["late-free"] == texts["always"]
    assert texts["outside_window"] == (
        "It is too late to cancel: cancelling was possible until Thursday, March 5, 2026"
        " at 6:00\u202fPM."
    )
    assert texts["staff_override"] == (
        "Staff override: you can cancel this booking although the policy would not allow it."
    )
    assert texts["reschedule-late-fee"] == (
        "The free rescheduling period ended on Thursday, March 5, 2026 at 10:00\u202fAM;"
        " if you reschedule now,"
        " a fee of €5.00 applies."
    )
