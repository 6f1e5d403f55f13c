"""Pacing, quiet hours and scheduled sends at delivery: held back is scheduled, not failed."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, time, timedelta

import pytest

from invitekit import (
    Audience,
    InviteKit,
    Pacing,
    Reminders,
    Status,
    ValidationError,
)
from invitekit.adapters.memory import MemoryMailer
from invitekit.model import MessageKind, OutboxState
from invitekit.ports import Store
from invitekit.settings import OutboxSettings
from invitekit.testing import FakeClock, make_accepted_customer, make_business, make_kit
from tests.stores import open_store

from .helpers import snapshot

HOUR = timedelta(hours=1)
DAY = timedelta(days=1)
# A Monday, 09:00 UTC (10:00 in Vienna, the business's zone).
T0 = datetime(2026, 1, 5, 9, tzinfo=UTC)


@pytest.fixture(params=["memory", "sqlite"])
def store(request: pytest.FixtureRequest) -> Iterator[Store]:
    with open_store(request.param) as opened:
        yield opened


def _kit(
    store: Store, clock: FakeClock, mailer: MemoryMailer, pacing: Pacing, **business: object
) -> InviteKit:
    return make_kit(
        store=store,
        mailer=mailer,
        clock=clock,
        business=make_business(pacing=pacing, **business),
        outbox=OutboxSettings(batch_size=3),
    )


def _add(kit: InviteKit, count: int) -> None:
    for n in range(count):
        kit.add_customer(f"person{n}@example.com", first_name=f"P{n}")


def test_no_more_than_the_hourly_limit_goes_and_the_rest_waits_for_its_slot(
    store: Store,
) -> None:
    clock, mailer = FakeClock(T0), MemoryMailer()
    kit = _kit(store, clock, mailer, Pacing(per_hour=4))
    _add(kit, 10)
    kit.invite_audience(Audience.all())

    report = kit.deliver()

    assert (report.sent, report.held_back, report.failed, report.retrying) == (4, 6, 0, 0)
    waiting = kit.outbox_messages(state=OutboxState.PENDING)
    # Held back is scheduled, not failed: no attempt spent, no link issued yet.
    assert {(m.next_attempt_at, m.attempts, m.links_issued_at) for m in waiting} == {
        (T0 + HOUR, 0, None)
    }
    assert kit.status_counts()[Status.INVITED] == 4
    assert kit.deliver().sent == 0  # nothing is due before the slot opens

    clock.advance(HOUR - timedelta(seconds=1))
    assert kit.deliver().sent == 0
    clock.advance(timedelta(seconds=1))
    assert kit.deliver().sent == 4
    clock.advance(HOUR)
    assert kit.deliver().sent == 2
    assert len(mailer.outbox) == 10
    # Each email's links and date are those of the claim that sent it.
    dates = sorted(email.date for email in mailer.outbox if email.date is not None)
    assert dates == [T0] * 4 + [T0 + HOUR] * 4 + [T0 + 2 * HOUR] * 2


def test_the_daily_limit_holds_over_a_sliding_day(store: Store) -> None:
    clock, mailer = FakeClock(T0), MemoryMailer()
    kit = _kit(store, clock, mailer, Pacing(per_hour=3, per_day=5))
    _add(kit, 9)
    kit.invite_audience(Audience.all())

    sent = []
    for _ in range(6):
        sent.append(kit.deliver().sent)
        clock.advance(HOUR)

    assert sent == [3, 2, 0, 0, 0, 0]
    (first_waiting, *_) = kit.outbox_messages(state=OutboxState.PENDING)
    assert first_waiting.next_attempt_at == T0 + DAY


def test_nothing_is_sent_in_the_quiet_hours_of_the_business(store: Store) -> None:
    # 21:30 in Vienna (20:30 UTC): quiet until 08:00 there (07:00 UTC).
    clock, mailer = FakeClock(datetime(2026, 1, 5, 20, 30, tzinfo=UTC)), MemoryMailer()
    kit = _kit(store, clock, mailer, Pacing(quiet_hours=(time(21), time(8))))
    _add(kit, 2)
    kit.invite_audience(Audience.all())

    report = kit.deliver()

    assert (report.sent, report.held_back) == (0, 2)
    morning = datetime(2026, 1, 6, 7, tzinfo=UTC)
    waiting = kit.outbox_messages(state=OutboxState.PENDING)
    assert {m.next_attempt_at for m in waiting} == {morning}
    clock.advance(morning - clock.now())
    assert kit.deliver().sent == 2


@pytest.mark.parametrize(
    ("evening_utc", "morning_utc"),
    [
        # Vienna springs forward on 2026-03-29 (02:00 -> 03:00): 08:00 is 06:00 UTC.
        (datetime(2026, 3, 28, 20, 30, tzinfo=UTC), datetime(2026, 3, 29, 6, tzinfo=UTC)),
        # ... and falls back on 2026-10-25 (03:00 -> 02:00): 08:00 is 07:00 UTC.
        (datetime(2026, 10, 24, 19, 30, tzinfo=UTC), datetime(2026, 10, 25, 7, tzinfo=UTC)),
    ],
)
def test_quiet_hours_end_at_the_local_morning_across_a_clock_change(
    store: Store, evening_utc: datetime, morning_utc: datetime
) -> None:
    clock, mailer = FakeClock(evening_utc), MemoryMailer()
    kit = _kit(store, clock, mailer, Pacing(quiet_hours=(time(21), time(8))))
    _add(kit, 1)
    kit.invite_audience(Audience.all())

    assert kit.deliver().held_back == 1
    (waiting,) = kit.outbox_messages(state=OutboxState.PENDING)
    assert waiting.next_attempt_at == morning_utc
    clock.advance(morning_utc - evening_utc - timedelta(seconds=1))
    assert kit.deliver().sent == 0
    clock.advance(timedelta(seconds=1))
    assert kit.deliver().sent == 1


def test_account_emails_are_never_held_back(store: Store) -> None:
    clock, mailer = FakeClock(T0), MemoryMailer()
    kit = _kit(store, clock, mailer, Pacing(per_hour=1, quiet_hours=(time(21), time(8))))
    make_accepted_customer(kit, "ana@example.com")  # its invitation took the hour's slot
    kit.add_customer("ben@example.com", invite=True)

    clock.advance(timedelta(minutes=5))
    kit.request_password_reset("ana@example.com")
    within_the_limit = kit.deliver()
    clock.advance(timedelta(hours=12))  # 22:05 in Vienna: quiet
    kit.request_password_reset("ana@example.com")
    in_the_quiet_hours = kit.deliver()

    assert (within_the_limit.sent, within_the_limit.held_back) == (1, 1)  # ben's invitation waits
    assert (in_the_quiet_hours.sent, in_the_quiet_hours.held_back) == (1, 1)
    sent = kit.outbox_messages(state=OutboxState.SENT)
    assert [m.kind for m in sent] == [
        MessageKind.INVITATION,
        MessageKind.PASSWORD_RESET,
        MessageKind.PASSWORD_RESET,
    ]


def test_reminders_are_paced_with_the_invitations(store: Store) -> None:
    clock, mailer = FakeClock(T0), MemoryMailer()
    kit = _kit(
        store, clock, mailer, Pacing(per_hour=2), reminders=Reminders(after=timedelta(days=3))
    )
    _add(kit, 3)
    kit.invite_audience(Audience.all())
    for _ in range(2):
        kit.deliver()
        clock.advance(HOUR)
    assert kit.status_counts()[Status.INVITED] == 3
    clock.advance(3 * DAY)

    report = kit.deliver()

    assert (report.sent, report.held_back) == (2, 1)
    (waiting,) = kit.outbox_messages(state=OutboxState.PENDING)
    assert waiting.kind is MessageKind.REMINDER


# Scheduled sends -------------------------------------------------------------------------


def test_a_campaign_scheduled_for_later_waits_until_then(store: Store) -> None:
    clock, mailer = FakeClock(T0), MemoryMailer()
    kit = _kit(store, clock, mailer, Pacing())
    _add(kit, 2)
    send_at = datetime(2026, 1, 6, 8, tzinfo=UTC)

    report = kit.invite_audience(Audience.all(), send_at=send_at.astimezone())

    (campaign,) = kit.list_campaigns()
    assert (campaign.id, campaign.send_at) == (report.campaign_id, send_at)
    assert {m.next_attempt_at for m in kit.outbox_messages()} == {send_at}
    assert kit.deliver().sent == 0
    clock.advance(send_at - T0)
    assert kit.deliver().sent == 2


def test_one_invitation_can_be_scheduled(store: Store) -> None:
    clock, mailer = FakeClock(T0), MemoryMailer()
    kit = _kit(store, clock, mailer, Pacing())
    ana = kit.add_customer("ana@example.com")

    message = kit.invite(ana.id, send_at=T0 + 2 * HOUR)

    assert message.next_attempt_at == T0 + 2 * HOUR
    assert kit.list_campaigns()[0].send_at == T0 + 2 * HOUR


def test_a_moment_already_past_means_now(store: Store) -> None:
    clock, mailer = FakeClock(T0), MemoryMailer()
    kit = _kit(store, clock, mailer, Pacing())
    _add(kit, 1)

    kit.invite_audience(Audience.all(), send_at=T0 - DAY)

    assert kit.list_campaigns()[0].send_at == T0
    assert kit.deliver().sent == 1


@pytest.mark.parametrize("bad", [datetime(2026, 1, 6, 8), "2026-01-06T08:00:00+00:00"])
def test_a_naive_or_non_datetime_send_at_is_refused_and_nothing_is_stored(
    store: Store, bad: object
) -> None:
    clock, mailer = FakeClock(T0), MemoryMailer()
    kit = _kit(store, clock, mailer, Pacing())
    _add(kit, 1)
    (ana,) = kit.list_customers()
    before = snapshot(kit)

    with pytest.raises(ValidationError, match="send_at"):
        kit.invite_audience(Audience.all(), send_at=bad)  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match="send_at"):
        kit.invite(ana.id, send_at=bad)  # type: ignore[arg-type]

    assert snapshot(kit) == before


def test_a_scheduled_campaign_is_paced_from_its_moment_on(store: Store) -> None:
    clock, mailer = FakeClock(T0), MemoryMailer()
    kit = _kit(store, clock, mailer, Pacing(per_hour=1))
    _add(kit, 2)
    kit.invite_audience(Audience.all(), send_at=T0 + DAY)
    clock.advance(DAY)

    assert (kit.deliver().sent, kit.deliver().sent) == (1, 0)
    clock.advance(HOUR)
    assert kit.deliver().sent == 1


def test_sends_older_than_a_day_are_forgotten_as_sending_goes_on(store: Store) -> None:
    clock, mailer = FakeClock(T0), MemoryMailer()
    kit = _kit(store, clock, mailer, Pacing(per_hour=500, per_day=5000))
    _add(kit, 120)
    kit.invite_audience(Audience.all())
    assert kit.deliver().sent == 120
    clock.advance(2 * DAY)
    kit.invite_audience(Audience.all())  # the 120 again (Invited may be invited again)

    assert kit.deliver().sent == 120

    with store.transaction(readonly=True) as tx:
        for key in ("pacing:hour", "pacing:day"):
            kept = tx.attempt_times(kit.business.id, key, since=T0 - DAY)
            assert T0 not in kept
            assert set(kept) == {T0 + 2 * DAY}
