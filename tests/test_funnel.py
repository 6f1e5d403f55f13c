"""A campaign's report end to end: what it counts, and the first open of a link."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest

from invitekit import (
    Audience,
    CampaignNotFound,
    EventKind,
    FunnelCounts,
    InviteKit,
    NotFound,
    TestInvitationToken,
)
from invitekit.adapters.memory import MemoryMailer
from invitekit.funnel import tally
from invitekit.ports import Store
from invitekit.testing import FakeClock

from .helpers import ACTIVATE, PASSWORD, UNSUBSCRIBE, token_in
from .stores import open_store, store_params


@pytest.fixture(params=store_params())
def invitekit_store(request: pytest.FixtureRequest) -> Iterator[Store]:
    """Every test here runs on each store kind (the plugin's kit picks this store up)."""
    with open_store(request.param) as store:
        yield store


def _opens(kit: InviteKit, customer_id: str) -> list[str | None]:
    return [e.campaign_id for e in kit.history(customer_id) if e.kind is EventKind.LINK_OPENED]


def test_a_campaign_report_follows_the_campaign_from_queued_to_accepted(
    invitekit_kit: InviteKit, invitekit_mailer: MemoryMailer
) -> None:
    kit = invitekit_kit
    kit.create_group("Monday class")
    ana = kit.add_customer("ana@example.com", locale="es", groups=["Monday class"])
    ben = kit.add_customer("ben@example.com", locale="fr", groups=["Monday class"])
    kit.add_customer("cleo@example.com", locale="es")
    campaign_id = kit.invite_audience(Audience.all()).campaign_id

    queued = kit.campaign_report(campaign_id)
    assert (queued.queued, queued.sent, queued.scheduled, queued.accepted) == (3, 0, 0, 0)

    kit.deliver()
    kit.check_activation(token_in(invitekit_mailer.to(ana.email)[-1], ACTIVATE))
    kit.accept_invitation(token_in(invitekit_mailer.to(ana.email)[-1], ACTIVATE), PASSWORD)
    kit.unsubscribe(token_in(invitekit_mailer.to(ben.email)[-1], UNSUBSCRIBE))

    report = kit.campaign_report(campaign_id)
    assert report.campaign_id == campaign_id
    assert (report.queued, report.sent, report.failed, report.scheduled) == (3, 3, 0, 0)
    assert (report.link_opened, report.accepted, report.unsubscribed) == (1, 1, 1)
    assert (report.bounced, report.complained, report.reminders_sent) == (0, 0, 0)
    assert (report.paused, report.pause_reason) == (False, None)
    assert report.by_locale == {
        "es": FunnelCounts(queued=2, sent=2, link_opened=1, accepted=1),
        "fr": FunnelCounts(queued=1, sent=1, unsubscribed=1),
    }
    assert report.by_group == {
        "Monday class": FunnelCounts(queued=2, sent=2, link_opened=1, accepted=1, unsubscribed=1)
    }


def test_a_later_campaign_counts_only_its_own(
    invitekit_kit: InviteKit, invitekit_mailer: MemoryMailer
) -> None:
    kit = invitekit_kit
    ana = kit.add_customer("ana@example.com")
    first = kit.invite(ana.id).campaign_id
    kit.deliver()
    assert first is not None
    kit.add_customer("ben@example.com")
    second = kit.invite_audience(Audience.all()).campaign_id

    assert kit.campaign_report(first).queued == 1
    # Ana is Invited, not pending: the second campaign invites her again, and Ben.
    assert kit.campaign_report(second).queued == 2
    assert kit.campaign_report(second).sent == 0


def test_an_unknown_campaign_is_not_found(invitekit_kit: InviteKit) -> None:
    for unknown in ("cmp_none", "", "\x00", "x" * 5000):
        with pytest.raises(CampaignNotFound) as raised:
            invitekit_kit.campaign_report(unknown)
        assert isinstance(raised.value, NotFound)
        assert isinstance(raised.value, LookupError)


def test_the_first_open_of_a_link_is_recorded_once_for_its_campaign(
    invitekit_kit: InviteKit, invitekit_mailer: MemoryMailer, invitekit_clock: FakeClock
) -> None:
    kit = invitekit_kit
    ana = kit.add_customer("ana@example.com")
    campaign_id = kit.invite(ana.id).campaign_id
    kit.deliver()
    token = token_in(invitekit_mailer.to(ana.email)[-1], ACTIVATE)
    before = kit.get_customer(ana.id)

    for _ in range(3):
        kit.check_activation(token)
        invitekit_clock.advance(timedelta(minutes=1))

    assert _opens(kit, ana.id) == [campaign_id]
    # The customer's state is untouched: the open is an event, nothing more.
    assert kit.get_customer(ana.id) == before
    assert kit.campaign_report(campaign_id).link_opened == 1


def test_a_link_opened_again_after_a_new_campaign_counts_for_the_new_one(
    invitekit_kit: InviteKit, invitekit_mailer: MemoryMailer, invitekit_clock: FakeClock
) -> None:
    kit = invitekit_kit
    ana = kit.add_customer("ana@example.com")
    first = kit.invite(ana.id).campaign_id
    kit.deliver()
    kit.check_activation(token_in(invitekit_mailer.to(ana.email)[-1], ACTIVATE))
    invitekit_clock.advance(timedelta(days=2))
    second = kit.invite(ana.id).campaign_id
    kit.deliver()

    kit.check_activation(token_in(invitekit_mailer.to(ana.email)[-1], ACTIVATE))

    assert _opens(kit, ana.id) == [first, second]


def test_a_link_of_no_campaign_a_test_invitation_or_a_preview_records_nothing(
    invitekit_kit: InviteKit, invitekit_mailer: MemoryMailer
) -> None:
    kit = invitekit_kit
    ana = kit.add_customer("ana@example.com")
    # Not invited yet: a "forgot password" answer carries an activation link.
    kit.request_password_reset(ana.email)
    kit.deliver()
    kit.check_activation(token_in(invitekit_mailer.to(ana.email)[-1], ACTIVATE))
    test = kit.send_test_invitation("owner@studio.example")
    preview = kit.preview_invitation(ana.id)

    for email in (test, preview):
        with pytest.raises(TestInvitationToken):
            kit.check_activation(token_in(email, ACTIVATE))

    assert _opens(kit, ana.id) == []


def test_two_opens_that_raced_count_one_customer(
    invitekit_kit: InviteKit, invitekit_mailer: MemoryMailer, invitekit_store: Store
) -> None:
    # Two opens that both read "not opened yet" write two events: one customer.
    kit = invitekit_kit
    ana = kit.add_customer("ana@example.com")
    campaign_id = kit.invite(ana.id).campaign_id
    kit.deliver()
    (event,) = [e for e in kit.history(ana.id) if e.kind is EventKind.DELIVERED]
    opened = [
        type(event)(
            business_id=event.business_id,
            customer_id=ana.id,
            kind=EventKind.LINK_OPENED,
            at=event.at,
            campaign_id=campaign_id,
        )
    ] * 2
    with invitekit_store.transaction() as tx:
        tx.add_events(opened)

    assert kit.campaign_report(campaign_id).link_opened == 1


def test_tally_counts_sent_reminders_and_paused_rows_as_the_other_branches_store_them() -> None:
    counts = tally(
        [
            ("total", "", "invitation", "paused", False, 4),
            ("total", "", "invitation", "pending", True, 1),
            ("total", "", "invitation", "pending", False, 2),
            ("total", "", "reminder", "sent", False, 3),
            ("total", "", "reminder", "pending", False, 1),
            ("locale", "es", "reminder", "sent", False, 3),
            ("total", "", "password_reset", "sent", False, 9),
        ],
        [("total", "", "delivered", 5)],
    )

    assert counts.total == FunnelCounts(queued=7, scheduled=5)
    assert counts.reminders_sent == 3
    assert counts.by_locale == {}


def test_a_paused_campaign_and_its_reminders_are_counted_from_real_rows(
    invitekit_store: Store,
) -> None:
    from invitekit import Audience, BounceSettings, CircuitBreaker, Reminders
    from invitekit.testing import make_business, make_kit

    clock, mailer = FakeClock(), MemoryMailer()
    kit = make_kit(
        store=invitekit_store,
        clock=clock,
        mailer=mailer,
        business=make_business(reminders=Reminders(after=(timedelta(days=3),))),
        bounces=BounceSettings(breaker=CircuitBreaker(share=0.4, minimum=2)),
    )
    for number in range(4):
        kit.add_customer(f"member{number}@example.com")
    campaign_id = kit.invite_audience(Audience.all()).campaign_id
    assert campaign_id is not None
    kit.deliver(limit=2)
    for email in mailer.outbox[:2]:
        kit.record_bounce(email.message_id, "hard")

    paused = kit.campaign_report(campaign_id)
    assert (paused.paused, paused.sent, paused.bounced, paused.scheduled) == (True, 2, 2, 2)
    assert paused.pause_reason

    kit.resume_campaign(campaign_id)
    kit.deliver()
    clock.advance(timedelta(days=3))
    kit.deliver()  # the two customers still deliverable get their reminder

    done = kit.campaign_report(campaign_id)
    assert (done.paused, done.sent, done.scheduled, done.reminders_sent) == (False, 4, 0, 2)
    assert done.queued == 4  # reminders are not invitations
