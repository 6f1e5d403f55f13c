"""Reminder decisions, the undeliverable skip, the funnel's values and the circuit breaker."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from invitekit import (
    Campaign,
    CampaignReport,
    CircuitBreaker,
    ConfigurationError,
    EventKind,
    FunnelCounts,
    SkipReason,
)
from invitekit.model import Customer, Status
from invitekit.schedule import Reminders
from invitekit.transitions import invitation_block, next_reminder, reminder_due

T0 = datetime(2026, 2, 2, 9, tzinfo=UTC)
DAYS_3_10 = Reminders(after=(timedelta(days=3), timedelta(days=10)))


def customer(**changes: object) -> Customer:
    base = Customer(
        id="cus_1",
        business_id="studio-1",
        email="ana@example.com",
        email_key="ana@example.com",
        status=Status.INVITED,
        invited_at=T0,
        created_at=T0,
        updated_at=T0,
    )
    return attrs.evolve(base, **changes)  # type: ignore[arg-type]


# Reminders -------------------------------------------------------------------------------


def test_the_first_reminder_comes_its_delay_after_the_invitation() -> None:
    ana = customer()
    early = reminder_due(
        DAYS_3_10, ana, now=T0 + timedelta(days=2), reminders_sent=0, pending=False
    )
    due = reminder_due(DAYS_3_10, ana, now=T0 + timedelta(days=3), reminders_sent=0, pending=False)
    assert early is None
    assert due is not None and (due.number, due.after, due.due_at) == (
        1,
        timedelta(days=3),
        T0 + timedelta(days=3),
    )


def test_the_second_counts_from_the_invitation_and_there_is_no_third() -> None:
    ana = customer()
    second = next_reminder(DAYS_3_10, ana, reminders_sent=1)
    assert second is not None and (second.number, second.due_at) == (2, T0 + timedelta(days=10))
    assert next_reminder(DAYS_3_10, ana, reminders_sent=2) is None
    assert next_reminder(Reminders(), ana, reminders_sent=0) is None


def test_the_cooldown_counts_from_the_last_reminder() -> None:
    ana = customer()
    due = next_reminder(
        DAYS_3_10,
        ana,
        reminders_sent=1,
        cooldown=timedelta(days=14),
        last_reminded_at=T0 + timedelta(days=3),
    )
    assert due is not None and due.due_at == T0 + timedelta(days=17)


@pytest.mark.parametrize(
    ("changes", "flags"),
    [
        ({"status": Status.ACCEPTED}, {}),
        ({"status": Status.ADDED, "invited_at": None}, {}),
        ({"archived": True}, {}),
        ({"unsubscribed": True}, {}),
        ({}, {"undeliverable": True}),
    ],
)
def test_reminders_stop_at_accept_unsubscribe_undeliverable_archive(
    changes: dict[str, object], flags: dict[str, bool]
) -> None:
    later = T0 + timedelta(days=30)
    assert next_reminder(DAYS_3_10, customer(**changes), reminders_sent=0, **flags) is None
    assert (
        reminder_due(
            DAYS_3_10, customer(**changes), now=later, reminders_sent=0, pending=False, **flags
        )
        is None
    )


def test_no_reminder_while_something_is_pending() -> None:
    later = T0 + timedelta(days=30)
    assert reminder_due(DAYS_3_10, customer(), now=later, reminders_sent=0, pending=True) is None


delays = st.lists(st.integers(1, 40), min_size=0, max_size=5, unique=True).map(
    lambda days: Reminders(after=tuple(timedelta(days=d) for d in sorted(days)))
)


@given(
    delays,
    st.sampled_from(Status),
    st.booleans(),
    st.booleans(),
    st.booleans(),
    st.none() | st.integers(1, 20).map(lambda d: timedelta(days=d)),
)
def test_following_the_decision_day_by_day_sends_each_reminder_once_at_its_time(
    reminders: Reminders,
    status: Status,
    archived: bool,
    unsubscribed: bool,
    undeliverable: bool,
    cooldown: timedelta | None,
) -> None:
    ana = customer(status=status, archived=archived, unsubscribed=unsubscribed)
    sent: list[tuple[int, datetime]] = []
    for hour in range(0, 24 * 120, 6):
        now = T0 + timedelta(hours=hour)
        due = reminder_due(
            reminders,
            ana,
            now=now,
            reminders_sent=len(sent),
            pending=False,
            undeliverable=undeliverable,
            cooldown=cooldown,
            last_reminded_at=sent[-1][1] if sent else None,
        )
        if due is not None:
            assert due.number == len(sent) + 1
            sent.append((due.number, now))
    blocked = status is not Status.INVITED or archived or unsubscribed or undeliverable
    if blocked:
        assert sent == []
        return
    assert [number for number, _ in sent] == list(range(1, len(reminders.after) + 1))
    previous = T0
    for (number, at), delay in zip(sent, reminders.after, strict=True):
        assert at >= T0 + delay, number
        assert cooldown is None or at - previous >= cooldown
        previous = at


def test_an_undeliverable_customer_is_skipped_with_its_reason() -> None:
    reason = invitation_block(customer(), now=T0, pending=False, undeliverable=True)
    assert reason is SkipReason.UNDELIVERABLE
    assert SkipReason.UNDELIVERABLE.message == "cannot receive email at this address (it bounced)"
    # The more permanent facts come first.
    accepted = customer(status=Status.ACCEPTED)
    assert (
        invitation_block(accepted, now=T0, pending=True, undeliverable=True) is SkipReason.ACCEPTED
    )


def test_the_cooldown_can_count_from_the_last_reminder() -> None:
    week = timedelta(days=7)
    reminded = T0 + timedelta(days=3)
    ana = customer()
    now = T0 + timedelta(days=8)
    assert invitation_block(ana, now=now, pending=False, cooldown=week) is None
    blocked = invitation_block(ana, now=now, pending=False, cooldown=week, last_mailed_at=reminded)
    assert blocked is SkipReason.INVITED_RECENTLY


def test_the_new_enum_members_have_their_stored_values() -> None:
    assert (EventKind.BOUNCED, EventKind.COMPLAINED) == ("bounced", "complained")
    assert EventKind("bounced") is EventKind.BOUNCED
    assert SkipReason("undeliverable") is SkipReason.UNDELIVERABLE


# Funnel and circuit breaker --------------------------------------------------------------


def test_a_campaign_report_has_the_funnel_in_total_and_per_bucket() -> None:
    spanish = FunnelCounts(queued=3, sent=3, bounced=1, link_opened=2, accepted=1)
    report = CampaignReport(
        campaign_id="cmp_1",
        queued=5,
        scheduled=1,
        sent=4,
        failed=0,
        bounced=1,
        complained=0,
        link_opened=2,
        accepted=1,
        unsubscribed=0,
        reminders_sent=2,
        paused=False,
        pause_reason=None,
        by_group={"Monday class": spanish},
        by_locale={"es": spanish, "de": FunnelCounts(queued=2, scheduled=1, sent=1)},
    )
    assert report.by_locale["es"].link_opened == 2
    assert report.sent == 4 and report.reminders_sent == 2
    assert {f.name for f in attrs.fields(CampaignReport)} == {
        "campaign_id",
        "queued",
        "scheduled",
        "sent",
        "failed",
        "bounced",
        "complained",
        "link_opened",
        "accepted",
        "unsubscribed",
        "reminders_sent",
        "paused",
        "pause_reason",
        "by_group",
        "by_locale",
    }


def test_a_campaign_is_paused_while_it_has_a_pause_time() -> None:
    campaign = Campaign(id="cmp_1", business_id="studio-1", created_at=T0)
    assert not campaign.paused
    paused = attrs.evolve(campaign, paused_at=T0, pause_reason="too many bounces")
    assert paused.paused


@pytest.mark.parametrize(
    ("sent", "hard", "trips"),
    [
        (99, 50, False),  # too few sends to judge
        (100, 5, False),  # 5% is not more than 5%
        (100, 6, True),
        (1000, 50, False),
        (1000, 51, True),
        (0, 0, False),
    ],
)
def test_the_default_breaker_trips_above_five_percent_of_at_least_100(
    sent: int, hard: int, trips: bool
) -> None:
    assert CircuitBreaker().trips(sent=sent, hard_bounces=hard) is trips


def test_the_breaker_is_exact_about_its_share() -> None:
    breaker = CircuitBreaker(share=0.29, minimum=1)
    assert not breaker.trips(sent=100, hard_bounces=29)  # 0.29 * 100 is 28.999... in floats
    assert breaker.trips(sent=100, hard_bounces=30)


def test_a_tripped_breaker_says_why() -> None:
    reason = CircuitBreaker(share=0.025, minimum=40).pause_reason(sent=40, hard_bounces=2)
    assert reason is not None
    assert reason.startswith("2 of the first 40 messages bounced hard (5.0%, more than 2.5%)")
    assert CircuitBreaker().pause_reason(sent=40, hard_bounces=2) is None


@pytest.mark.parametrize(
    "changes",
    [{"share": 0}, {"share": 1}, {"share": 5}, {"share": True}, {"minimum": 0}, {"minimum": 2.5}],
)
def test_a_breaker_that_makes_no_sense_is_refused(changes: dict[str, object]) -> None:
    with pytest.raises(ConfigurationError, match="CircuitBreaker"):
        CircuitBreaker(**changes)  # type: ignore[arg-type]


@given(st.integers(1, 500), st.integers(0, 10_000), st.integers(0, 10_000))
def test_the_breaker_trips_exactly_when_the_share_is_passed(
    minimum: int, sent: int, hard: int
) -> None:
    hard = min(hard, sent)
    breaker = CircuitBreaker(share=0.05, minimum=minimum)
    assert breaker.trips(sent=sent, hard_bounces=hard) == (sent >= minimum and hard * 20 > sent)
