"""Bounces, complaints, undeliverable addresses and the circuit breaker, on every store."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from invitekit import (
    Audience,
    BounceKind,
    BounceProcessor,
    BounceSettings,
    CampaignNotFound,
    CircuitBreaker,
    EventKind,
    InvalidBounceKind,
    InvitationRefused,
    InviteKit,
    MessageNotFound,
    OutboxState,
    SkipReason,
    ValidationError,
    Worker,
)
from invitekit.adapters.memory import MemoryMailer
from invitekit.model import Customer, OutboxMessage
from invitekit.ports import Store
from invitekit.testing import TEST_SECRET, FakeClock, make_business, make_kit

FIXTURES = Path(__file__).parent.parent / "fixtures" / "bounces"
BUSINESS = make_business()
OTHER = make_business(id="studio-2", sender="hello@other.example")


def _kit(
    store: Store, clock: FakeClock, mailer: MemoryMailer | None = None, **options: object
) -> InviteKit:
    return make_kit(
        store=store, mailer=mailer or MemoryMailer(), clock=clock, business=BUSINESS, **options
    )


def _sent(kit: InviteKit, customer: Customer) -> OutboxMessage:
    """Invite ``customer`` alone, deliver, and return the sent row."""
    queued = kit.invite(customer.id)
    kit.deliver()
    (row,) = kit.outbox_messages(customer_id=customer.id, state=OutboxState.SENT)[-1:]
    assert row.id == queued.id
    return row


def _report(name: str, message_id: str) -> bytes:
    """A fixture report, made to be about ``message_id``."""
    raw = (FIXTURES / name).read_bytes()
    for old in (
        b"<msg_01JGX4ZQ8M3Y6T2B@studio.example>",
        b"<msg_01JGXC0MPLA1NT00@studio.example>",
    ):
        raw = raw.replace(old, message_id.encode())
    return raw


def _bounces(kit: InviteKit, customer_id: str) -> list[str]:
    kinds = (EventKind.BOUNCED, EventKind.COMPLAINED)
    return [e.detail for e in kit.history(customer_id) if e.kind in kinds]


def test_a_hard_bounce_makes_the_address_undeliverable_until_it_changes(store: Store) -> None:
    clock = FakeClock()
    kit = _kit(store, clock)
    ana = kit.add_customer("ana@example.com")
    row = _sent(kit, ana)

    outcome = kit.record_bounce(row.message_id, "hard", detail="5.1.1 user unknown")

    assert (outcome.recorded, outcome.undeliverable, outcome.paused) == (True, True, False)
    assert (outcome.customer_id, outcome.campaign_id) == (ana.id, row.campaign_id)
    stored = kit.get_customer(ana.id)
    assert stored.undeliverable and stored.undeliverable_at == clock.now()
    assert stored.undeliverable_reason == "hard bounce: 5.1.1 user unknown"
    (event,) = [e for e in kit.history(ana.id) if e.kind is EventKind.BOUNCED]
    assert event.detail == f"hard: 5.1.1 user unknown (message {row.id})"
    assert event.campaign_id == row.campaign_id
    plan = kit.plan_invitations(Audience.all())
    assert [(s.customer.id, s.reason) for s in plan.skipped] == [
        (ana.id, SkipReason.UNDELIVERABLE)
    ]
    with pytest.raises(InvitationRefused) as refused:
        kit.invite(ana.id)
    assert refused.value.reason is SkipReason.UNDELIVERABLE

    moved = kit.update_customer(ana.id, email="ana@new.example")

    assert not moved.undeliverable and moved.undeliverable_reason is None
    assert kit.invite_audience(Audience.all()).queued == 1


def test_clearing_an_undeliverable_address_is_an_event_and_lets_invitations_go(
    store: Store,
) -> None:
    kit = _kit(store, FakeClock())
    ana = kit.add_customer("ana@example.com")
    kit.record_bounce(_sent(kit, ana).message_id, BounceKind.HARD)

    cleared = kit.clear_undeliverable(ana.id, by="front-desk")
    again = kit.clear_undeliverable(ana.id)

    assert not cleared.undeliverable and again == cleared
    (event,) = [e for e in kit.history(ana.id) if e.kind is EventKind.UNDELIVERABLE_CLEARED]
    assert (event.by, event.detail) == ("front-desk", "ana@example.com")
    assert kit.plan_invitations(Audience.all()).skipped == ()
    with pytest.raises(ValidationError):
        kit.clear_undeliverable(ana.id, by="")


def test_a_queued_invitation_is_withdrawn_when_the_address_bounces(store: Store) -> None:
    mailer = MemoryMailer()
    kit = _kit(store, FakeClock(), mailer)
    ana = kit.add_customer("ana@example.com")
    kit.request_password_reset("ana@example.com")  # an account email, sent
    kit.deliver()
    (account_row,) = kit.outbox_messages(customer_id=ana.id, state=OutboxState.SENT)
    queued = kit.invite(ana.id)

    kit.record_bounce(account_row.message_id, "hard", detail="5.1.1")

    (row,) = [m for m in kit.outbox_messages(customer_id=ana.id) if m.id == queued.id]
    assert row.state is OutboxState.CANCELLED
    assert EventKind.INVITATION_CANCELLED in [e.kind for e in kit.history(ana.id)]
    mailer.clear()
    assert kit.deliver().sent == 0 and mailer.outbox == []


def test_three_soft_bounces_within_the_window_make_an_address_undeliverable(
    store: Store,
) -> None:
    clock = FakeClock()
    kit = _kit(store, clock)
    ana = kit.add_customer("ana@example.com")
    rows = []
    for _ in range(4):
        rows.append(_sent(kit, ana))
        clock.advance(days=1)

    # The first is too old once the others come (31 days later).
    kit.record_bounce(rows[0].message_id, "soft", detail="4.2.2 mailbox full")
    clock.advance(days=31)
    kit.record_bounce(rows[1].message_id, "soft", detail="4.2.2 mailbox full")
    second = kit.record_bounce(rows[2].message_id, "soft", detail="4.2.2 mailbox full")
    assert (second.recorded, second.undeliverable) == (True, False)
    clock.advance(days=29)
    third = kit.record_bounce(rows[3].message_id, "soft", detail="4.2.2 mailbox full")

    assert third.undeliverable
    reason = kit.get_customer(ana.id).undeliverable_reason
    assert reason == "3 soft bounces within 30 days: 4.2.2 mailbox full"


def test_the_soft_limit_and_window_are_settings(store: Store) -> None:
    kit = _kit(store, FakeClock(), bounces=BounceSettings(soft_limit=1))
    ana = kit.add_customer("ana@example.com")

    assert kit.record_bounce(_sent(kit, ana).message_id, "soft").undeliverable


def test_soft_bounces_before_a_clear_do_not_count(store: Store) -> None:
    clock = FakeClock()
    kit = _kit(store, clock, bounces=BounceSettings(soft_limit=2))
    ana = kit.add_customer("ana@example.com")
    first, second, third = (_sent(kit, ana) for _ in range(3))
    kit.record_bounce(first.message_id, "soft")
    kit.record_bounce(second.message_id, "soft")
    clock.advance(minutes=1)
    kit.clear_undeliverable(ana.id)
    clock.advance(minutes=1)

    assert not kit.record_bounce(third.message_id, "soft").undeliverable


def test_a_complaint_unsubscribes_and_withdraws_the_queued_invitation(store: Store) -> None:
    kit = _kit(store, FakeClock())
    ana = kit.add_customer("ana@example.com")
    row = _sent(kit, ana)
    assert kit.invite_audience(Audience.all()).queued == 1  # invited again: no cooldown

    outcome = kit.record_bounce(row.message_id, "complaint", detail="abuse")

    assert (outcome.unsubscribed, outcome.undeliverable) == (True, False)
    assert kit.get_customer(ana.id).unsubscribed
    (event,) = [e for e in kit.history(ana.id) if e.kind is EventKind.COMPLAINED]
    assert (event.detail, event.campaign_id) == (
        f"complaint: abuse (message {row.id})",
        row.campaign_id,
    )
    assert kit.outbox_messages(state=OutboxState.PENDING) == []
    assert kit.plan_invitations(Audience.all()).skipped[0].reason is SkipReason.UNSUBSCRIBED


def test_recording_the_same_report_twice_changes_nothing_the_second_time(store: Store) -> None:
    kit = _kit(store, FakeClock(), bounces=BounceSettings(soft_limit=2))
    ana = kit.add_customer("ana@example.com")
    row = _sent(kit, ana)

    first = kit.record_bounce(row.message_id, "soft", detail="4.2.2")
    again = kit.record_bounce(row.message_id.strip("<>"), "SOFT", detail="4.2.2 later copy")

    assert (first.recorded, again.recorded, again.undeliverable) == (True, False, False)
    assert _bounces(kit, ana.id) == [f"soft: 4.2.2 (message {row.id})"]
    # Another kind about the same message is another report.
    assert kit.record_bounce(row.message_id, "hard").recorded


def test_only_a_message_id_of_this_business_is_matched(store: Store) -> None:
    clock = FakeClock()
    kit = _kit(store, clock)
    other = make_kit(store=store, clock=clock, business=OTHER)
    ana = kit.add_customer("ana@example.com")
    theirs = _sent(other, other.add_customer("ana@example.com"))
    mine = _sent(kit, ana)

    for message_id in (
        theirs.message_id,  # another business's message
        mine.message_id.replace("studio.example", "forged.example"),  # a forged domain
        f"<{mine.id}x@studio.example>",
        "<msg_unknown@studio.example>",
        "no message id at all",
        "<\x00@studio.example>",
        "",
    ):
        with pytest.raises(MessageNotFound):
            kit.record_bounce(message_id, "hard")
    with pytest.raises(InvalidBounceKind):
        kit.record_bounce(mine.message_id, "bounced")
    with pytest.raises(InvalidBounceKind):
        kit.record_bounce(mine.message_id, 3)  # type: ignore[arg-type]
    with pytest.raises(ValidationError):
        kit.record_bounce(mine.message_id, "hard", detail=b"5.1.1")  # type: ignore[arg-type]
    assert _bounces(kit, ana.id) == [] and not kit.get_customer(ana.id).undeliverable
    # The domain is compared without case, as mail servers do; the detail is kept as
    # one line, control characters removed, at most 500 characters.
    same = mine.message_id.replace("studio", "STUDIO")
    assert kit.record_bounce(same, "hard", detail="5.1.1\r\nBcc: x" + "y" * 900).recorded
    (detail,) = _bounces(kit, ana.id)
    assert detail.startswith("hard: 5.1.1 Bcc: xyyy") and "\n" not in detail
    assert len(detail) <= len("hard: ") + 500 + len(f" (message {mine.id})")


def test_a_bounce_of_a_message_to_an_earlier_address_changes_nothing_but_history(
    store: Store,
) -> None:
    kit = _kit(store, FakeClock())
    ana = kit.add_customer("ana@example.com")
    row = _sent(kit, ana)
    kit.update_customer(ana.id, email="ana@new.example")

    outcome = kit.record_bounce(row.message_id, "hard", detail="5.1.1")

    assert (outcome.recorded, outcome.undeliverable) == (True, False)
    assert len(_bounces(kit, ana.id)) == 1


def test_process_report_applies_a_dsn_and_ignores_what_it_cannot_apply(store: Store) -> None:
    kit = _kit(store, FakeClock())
    ana = kit.add_customer("ana@example.com")
    row = _sent(kit, ana)

    report = kit.process_report(_report("postfix-user-unknown.eml", row.message_id))

    assert report is not None and report.kind is BounceKind.HARD
    assert kit.get_customer(ana.id).undeliverable
    (detail,) = _bounces(kit, ana.id)
    assert detail.startswith("hard: 5.1.1 ") and detail.endswith(f"(message {row.id})")
    assert kit.process_report((FIXTURES / "not-a-report-reply.eml").read_bytes()) is None
    unknown = _report("postfix-user-unknown.eml", "<msg_nobody@studio.example>")
    assert kit.process_report(unknown) is None
    # Applied again: the same report, nothing new.
    assert kit.process_report(_report("postfix-user-unknown.eml", row.message_id)) == report
    assert len(_bounces(kit, ana.id)) == 1


def test_a_processor_applies_reports_to_the_business_that_sent_each_message(
    store: Store,
) -> None:
    clock = FakeClock()
    kit = _kit(store, clock)
    other = make_kit(store=store, clock=clock, business=OTHER)
    ana = kit.add_customer("ana@example.com")
    ben = other.add_customer("ben@example.com")
    mine, theirs = _sent(kit, ana), _sent(other, ben)
    processor = BounceProcessor(store=store, clock=clock)

    applied = processor.process_report(_report("postfix-user-unknown.eml", mine.message_id))
    complaint = processor.process_report(_report("arf-abuse-complaint.eml", theirs.message_id))
    nothing = processor.process_report(b"Subject: hello\r\n\r\njust a reply\r\n")
    unknown = processor.process_report(
        _report("postfix-user-unknown.eml", mine.message_id.replace("studio", "other"))
    )

    assert applied[0] == "applied" and applied[1] is not None
    assert applied[1].business_id == BUSINESS.id
    assert complaint[0] == "applied" and other.get_customer(ben.id).unsubscribed
    assert (nothing, unknown) == (("not a report", None), ("unknown message", None))
    assert kit.get_customer(ana.id).undeliverable
    with pytest.raises(MessageNotFound):
        processor.record_bounce("<msg_nobody@studio.example>", "hard")


def test_a_recipient_refused_at_delivery_is_a_hard_bounce(store: Store) -> None:
    mailer = MemoryMailer(refuse={"ana@example.com"})
    kit = _kit(store, FakeClock(), mailer)
    ana = kit.add_customer("ana@example.com")
    queued = kit.invite(ana.id)

    report = kit.deliver()

    assert report.failed == 1
    customer = kit.get_customer(ana.id)
    assert customer.undeliverable and customer.delivery_failure is not None
    (detail,) = _bounces(kit, ana.id)
    assert detail.startswith("hard: ") and detail.endswith(f"(message {queued.id})")
    assert kit.plan_invitations(Audience.all()).skipped[0].reason is SkipReason.UNDELIVERABLE
    # A report about the same refusal, arriving later, is the same bounce.
    assert not kit.record_bounce(queued.message_id, "hard").recorded


def _campaign_of(kit: InviteKit, count: int) -> str:
    for number in range(count):
        kit.add_customer(f"c{number:03d}@example.com")
    campaign_id = kit.invite_audience(Audience.all()).campaign_id
    assert campaign_id is not None
    return campaign_id


def test_the_circuit_breaker_pauses_the_rest_of_a_campaign_until_resumed(store: Store) -> None:
    clock = FakeClock()
    mailer = MemoryMailer()
    breaker = CircuitBreaker(share=0.1, minimum=10)
    kit = _kit(store, clock, mailer, bounces=BounceSettings(breaker=breaker))
    campaign_id = _campaign_of(kit, 30)
    assert kit.deliver(limit=10).sent == 10
    sent = kit.outbox_messages(state=OutboxState.SENT)

    # 1 of 10 is not more than 10%: no pause; the second is.
    first = kit.record_bounce(sent[0].message_id, "hard")
    second = kit.record_bounce(sent[1].message_id, "hard")

    assert (first.paused, second.paused) == (False, True)
    (campaign,) = kit.list_campaigns()
    assert campaign.paused and campaign.paused_at == clock.now()
    assert campaign.pause_reason is not None
    assert campaign.pause_reason.startswith("2 of the first 10 messages bounced hard")
    assert len(kit.outbox_messages(state=OutboxState.PAUSED)) == 20
    assert kit.deliver().sent == 0
    # Paused rows still hold their customers' place: no second invitation is queued.
    plan = kit.plan_invitations(Audience.all())
    reasons = [s.reason for s in plan.skipped]
    assert reasons.count(SkipReason.ALREADY_PENDING) == 20
    assert reasons.count(SkipReason.UNDELIVERABLE) == 2
    # A third bounce does not pause it again.
    assert not kit.record_bounce(sent[2].message_id, "hard").paused

    clock.advance(hours=1)
    resumed = kit.resume_campaign(campaign_id, by="owner")

    assert (resumed.paused, resumed.resumed_at, resumed.resumed_by) == (
        False,
        clock.now(),
        "owner",
    )
    assert kit.list_campaigns()[0] == resumed
    assert kit.outbox_messages(state=OutboxState.PAUSED) == []
    # Judged again on what it sends since the resume: 1 of 10 more does not pause.
    assert kit.deliver(limit=10).sent == 10
    later = [m for m in kit.outbox_messages(state=OutboxState.SENT) if m.sent_at == clock.now()]
    assert not kit.record_bounce(later[0].message_id, "hard").paused
    assert kit.deliver().sent == 10
    assert kit.resume_campaign(campaign_id) == kit.list_campaigns()[0]  # not paused: as is
    with pytest.raises(CampaignNotFound):
        kit.resume_campaign("cmp_none")


def test_the_default_breaker_needs_a_hundred_sends(store: Store) -> None:
    kit = _kit(store, FakeClock())
    _campaign_of(kit, 12)
    kit.deliver()
    for message in kit.outbox_messages(state=OutboxState.SENT):
        assert not kit.record_bounce(message.message_id, "hard").paused
    assert not kit.list_campaigns()[0].paused


def test_refusals_at_delivery_trip_the_breaker_and_hold_the_rest(store: Store) -> None:
    mailer = MemoryMailer(refuse={f"c{n:03d}@example.com" for n in range(10)})
    breaker = CircuitBreaker(share=0.2, minimum=3)
    kit = _kit(store, FakeClock(), mailer, bounces=BounceSettings(breaker=breaker))
    _campaign_of(kit, 10)

    report = kit.deliver(limit=3)

    assert report.failed == 3
    assert kit.list_campaigns()[0].paused
    assert len(kit.outbox_messages(state=OutboxState.PAUSED)) == 7
    assert kit.deliver().sent == 0


def test_a_paused_row_in_flight_that_fails_for_now_stays_paused(store: Store) -> None:
    # Claimed, then its campaign paused, then a temporary failure: it waits for the resume.
    clock = FakeClock()
    kit = _kit(store, clock)
    campaign_id = _campaign_of(kit, 1)
    with store.transaction() as tx:
        (claimed,) = tx.claim_outbox(
            now=clock.now(),
            lease_until=clock.now() + timedelta(minutes=5),
            claim_token="c",
            limit=1,
        )
        assert tx.pause_outbox(BUSINESS.id, campaign_id) == 1
    from invitekit.exceptions import TemporaryDeliveryError
    from invitekit.flows import delivery

    totals = {"sent": 0, "retrying": 0, "failed": 0, "cancelled": 0}
    delivery._record_failure(kit._ctx, claimed, "c", TemporaryDeliveryError("421 later"), totals)

    assert totals["retrying"] == 1
    assert [m.state for m in kit.outbox_messages()] == [OutboxState.PAUSED]


def test_a_worker_records_refusals_as_bounces_with_its_own_breaker(store: Store) -> None:
    clock = FakeClock()
    kit = _kit(store, clock)
    _campaign_of(kit, 6)
    mailer = MemoryMailer(refuse={f"c{n:03d}@example.com" for n in range(6)})
    breaker = CircuitBreaker(share=0.5, minimum=2)
    worker = Worker(
        store=store,
        mailer=mailer,
        clock=clock,
        secret_keys=[TEST_SECRET],
        bounces=BounceSettings(breaker=breaker),
    )

    report = worker.deliver(limit=2)

    assert report.failed == 2
    assert kit.list_campaigns()[0].paused
    assert len(kit.outbox_messages(state=OutboxState.PAUSED)) == 4
    undeliverable = [c for c in kit.list_customers() if c.undeliverable]
    assert len(undeliverable) == 2
