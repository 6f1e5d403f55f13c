"""Every invitation belongs to a campaign; changes made by staff say who made them."""

from __future__ import annotations

from datetime import timedelta

import pytest

from invitekit import (
    Audience,
    EventKind,
    GroupNotFound,
    InvitationRefused,
    InviteKit,
    Status,
    ValidationError,
)
from invitekit.adapters.memory import MemoryMailer
from invitekit.testing import FakeClock

from .helpers import ACTIVATE, PASSWORD, UNSUBSCRIBE, snapshot, token_in


def _campaign_events(kit: InviteKit, customer_id: str, campaign_id: str) -> list[str]:
    return [e.kind.value for e in kit.history(customer_id) if e.campaign_id == campaign_id]


def test_a_campaign_records_its_audience_and_who_started_it(
    invitekit_kit: InviteKit, invitekit_clock: FakeClock
) -> None:
    ana = invitekit_kit.add_customer("ana@example.com")
    ben = invitekit_kit.add_customer("ben@example.com")

    report = invitekit_kit.invite_audience(Audience.status(Status.ADDED), by="owner")

    (campaign,) = invitekit_kit.list_campaigns()
    assert report.campaign_id == campaign.id
    assert (campaign.audience, campaign.by, campaign.paused) == ("status:added", "owner", False)
    assert campaign.created_at == invitekit_clock.now()
    for customer in (ana, ben):
        (queued,) = [e for e in invitekit_kit.history(customer.id) if e.by]
        assert (queued.kind, queued.by) == (EventKind.INVITATION_QUEUED, "owner")
    # The outbox rows say which campaign queued them (the events need not).
    outbox = invitekit_kit.outbox_messages()
    assert {m.campaign_id for m in outbox} == {campaign.id}


def test_each_call_is_its_own_campaign_newest_first(invitekit_kit: InviteKit) -> None:
    invitekit_kit.create_group("Monday class")
    ana = invitekit_kit.add_customer("ana@example.com", groups=["Monday class"])
    ben = invitekit_kit.add_customer("ben@example.com")

    first = invitekit_kit.invite_audience(Audience.group("Monday class"))
    second = invitekit_kit.invite(ben.id, by="front-desk")

    campaigns = invitekit_kit.list_campaigns()
    assert [c.id for c in campaigns] == [second.campaign_id, first.campaign_id]
    assert [c.audience for c in campaigns] == [f"customer:{ben.id}", "group:Monday class"]
    assert [c.by for c in campaigns] == ["front-desk", None]
    assert invitekit_kit.outbox_messages(customer_id=ana.id)[0].campaign_id == first.campaign_id


def test_a_campaign_that_queues_nobody_is_still_recorded(invitekit_kit: InviteKit) -> None:
    report = invitekit_kit.invite_audience(Audience.all())

    assert report.queued == 0
    assert [c.id for c in invitekit_kit.list_campaigns()] == [report.campaign_id]


def test_a_refused_call_leaves_no_campaign(invitekit_kit: InviteKit) -> None:
    ana = invitekit_kit.add_customer("ana@example.com", invite=True)
    before = snapshot(invitekit_kit)

    with pytest.raises(InvitationRefused):
        invitekit_kit.invite(ana.id)
    with pytest.raises(GroupNotFound):
        invitekit_kit.invite_audience(Audience.group("nobody"))

    assert snapshot(invitekit_kit) == before


def test_adding_or_importing_with_an_invitation_starts_a_campaign(
    invitekit_kit: InviteKit,
) -> None:
    ana = invitekit_kit.add_customer("ana@example.com", invite=True)
    report = invitekit_kit.import_customers(
        "email\nben@example.com\ncara@example.com\n", invite=True
    )
    quiet = invitekit_kit.import_customers("email\ndan@example.com\n")

    imported, added = invitekit_kit.list_campaigns()
    assert (added.audience, imported.audience) == (f"customer:{ana.id}", "import")
    assert report.campaign_id == imported.id and report.queued == 2
    assert quiet.campaign_id is None


def test_acceptance_and_unsubscribing_count_for_the_campaign_that_reached_them_last(
    invitekit_kit: InviteKit, invitekit_mailer: MemoryMailer, invitekit_clock: FakeClock
) -> None:
    ana = invitekit_kit.add_customer("ana@example.com")
    ben = invitekit_kit.add_customer("ben@example.com")
    cara = invitekit_kit.add_customer("cara@example.com")
    first = invitekit_kit.invite_audience(Audience.all())
    invitekit_kit.deliver()
    invitekit_clock.advance(timedelta(days=8))
    second = invitekit_kit.invite(ana.id)
    # Queued, not sent: cara's newest sent invitation is still the first campaign's.
    third = invitekit_kit.invite(cara.id)
    invitekit_kit.deliver(limit=1)

    ana_link = token_in(invitekit_mailer.to(ana.email)[-1], ACTIVATE)
    invitekit_kit.accept_invitation(ana_link, PASSWORD)
    invitekit_kit.unsubscribe(token_in(invitekit_mailer.to(ben.email)[-1], UNSUBSCRIBE))
    invitekit_kit.unsubscribe(token_in(invitekit_mailer.to(cara.email)[-1], UNSUBSCRIBE))

    assert _campaign_events(invitekit_kit, ana.id, str(first.campaign_id)) == []
    assert _campaign_events(invitekit_kit, ana.id, str(second.campaign_id)) == ["accepted"]
    assert _campaign_events(invitekit_kit, ben.id, str(first.campaign_id)) == ["unsubscribed"]
    assert _campaign_events(invitekit_kit, cara.id, str(first.campaign_id)) == ["unsubscribed"]
    assert _campaign_events(invitekit_kit, cara.id, str(third.campaign_id)) == []
    # Queueing, delivery and failures are the outbox's to tell, not the events'.
    assert all(
        e.campaign_id is None
        for e in invitekit_kit.history(ana.id)
        if e.kind in (EventKind.INVITATION_QUEUED, EventKind.DELIVERED)
    )


def test_staff_changes_record_who_made_them(invitekit_kit: InviteKit) -> None:
    ana = invitekit_kit.add_customer("ana@example.com")

    invitekit_kit.update_customer(ana.id, first_name="Ana", by="front-desk")
    invitekit_kit.update_customer(ana.id, email="ana@example.org", by="front-desk")
    invitekit_kit.archive_customer(ana.id, by=" owner ")
    invitekit_kit.restore_customer(ana.id)

    by = [(e.kind, e.by) for e in invitekit_kit.history(ana.id)]
    assert by == [
        (EventKind.ADDED, None),
        (EventKind.UPDATED, "front-desk"),
        (EventKind.EMAIL_CHANGED, "front-desk"),
        (EventKind.ARCHIVED, "owner"),
        (EventKind.RESTORED, None),
    ]


@pytest.mark.parametrize(
    "by",
    ["", "   ", "x" * 65, "staff\nBcc: evil@example.com", "staff\x00", 7],
    ids=["empty", "blank", "too-long", "line-break", "nul", "not-text"],
)
def test_a_bad_by_is_refused_and_changes_nothing(invitekit_kit: InviteKit, by: object) -> None:
    ana = invitekit_kit.add_customer("ana@example.com")
    before = snapshot(invitekit_kit)

    for call in (
        lambda: invitekit_kit.invite(ana.id, by=by),  # type: ignore[arg-type]
        lambda: invitekit_kit.invite_audience(Audience.all(), by=by),  # type: ignore[arg-type]
        lambda: invitekit_kit.archive_customer(ana.id, by=by),  # type: ignore[arg-type]
        lambda: invitekit_kit.restore_customer(ana.id, by=by),  # type: ignore[arg-type]
        lambda: invitekit_kit.update_customer(ana.id, first_name="A", by=by),  # type: ignore[arg-type]
    ):
        with pytest.raises(ValidationError, match="by must"):
            call()

    assert snapshot(invitekit_kit) == before
