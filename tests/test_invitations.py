from __future__ import annotations

from datetime import timedelta

import attrs
import pytest

from invitekit import (
    Audience,
    Business,
    EventKind,
    InvitationRefused,
    InviteKit,
    OutboxState,
    SkipReason,
    Status,
)
from invitekit.adapters.memory import MemoryMailer, MemoryStore
from invitekit.testing import FakeClock, make_business, make_kit

from .helpers import ACTIVATE, UNSUBSCRIBE, snapshot, token_in


def _accept(kit: InviteKit, mailer: MemoryMailer, email: str) -> None:
    kit.accept_invitation(token_in(mailer.to(email)[-1], ACTIVATE), "a long enough password")


def test_plan_lists_recipients_and_every_skip_with_its_reason(
    invitekit_kit: InviteKit, invitekit_mailer: MemoryMailer
) -> None:
    added = invitekit_kit.add_customer("added@example.com")
    accepted = invitekit_kit.add_customer("accepted@example.com", invite=True)
    invitekit_kit.deliver()
    _accept(invitekit_kit, invitekit_mailer, "accepted@example.com")
    archived = invitekit_kit.add_customer("archived@example.com")
    invitekit_kit.archive_customer(archived.id)
    pending = invitekit_kit.add_customer("pending@example.com", invite=True)
    before = snapshot(invitekit_kit)

    plan = invitekit_kit.plan_invitations(Audience.all())

    assert [c.id for c in plan.recipients] == [added.id]
    assert {(s.customer.id, s.reason) for s in plan.skipped} == {
        (accepted.id, SkipReason.ACCEPTED),
        (archived.id, SkipReason.ARCHIVED),
        (pending.id, SkipReason.ALREADY_PENDING),
    }
    assert plan.skipped_counts()[SkipReason.ACCEPTED] == 1
    assert "already accepted" in next(
        s.message for s in plan.skipped if s.customer.id == accepted.id
    )
    assert snapshot(invitekit_kit) == before  # planning stores nothing


def test_planning_accepted_customers_yields_nobody_and_says_so(
    invitekit_kit: InviteKit, invitekit_mailer: MemoryMailer
) -> None:
    invitekit_kit.add_customer("a@example.com", invite=True)
    invitekit_kit.deliver()
    _accept(invitekit_kit, invitekit_mailer, "a@example.com")
    plan = invitekit_kit.plan_invitations(Audience.status(Status.ACCEPTED))
    assert plan.recipients == ()
    assert plan.empty_reason == "accepted customers are never invited again"
    assert [s.reason for s in plan.skipped] == [SkipReason.ACCEPTED]


def test_invite_audience_by_status_group_and_single(invitekit_kit: InviteKit) -> None:
    invitekit_kit.create_group("Monday class")
    a = invitekit_kit.add_customer("a@example.com", groups=["Monday class"])
    b = invitekit_kit.add_customer("b@example.com")
    c = invitekit_kit.add_customer("c@example.com")
    assert invitekit_kit.invite_audience(Audience.group("Monday class")).queued == 1
    assert invitekit_kit.invite_audience(Audience.customer(b.id)).queued == 1
    report = invitekit_kit.invite_audience(Audience.status(Status.ADDED))
    assert report.queued == 1
    assert report.skipped == {SkipReason.ALREADY_PENDING: 2}
    queued = {m.customer_id for m in invitekit_kit.outbox_messages(state=OutboxState.PENDING)}
    assert queued == {a.id, b.id, c.id}


def test_queued_is_not_invited_until_delivered(invitekit_kit: InviteKit) -> None:
    ana = invitekit_kit.add_customer("ana@example.com")
    invitekit_kit.invite(ana.id)
    assert invitekit_kit.get_customer(ana.id).status is Status.ADDED
    assert invitekit_kit.deliver().sent == 1
    assert invitekit_kit.get_customer(ana.id).status is Status.INVITED


def test_same_campaign_twice_queues_nothing_new(invitekit_kit: InviteKit) -> None:
    for i in range(3):
        invitekit_kit.add_customer(f"c{i}@example.com")
    assert invitekit_kit.invite_audience(Audience.all()).queued == 3
    second = invitekit_kit.invite_audience(Audience.all())
    assert second.queued == 0
    assert second.skipped == {SkipReason.ALREADY_PENDING: 3}


def test_invited_then_added_as_the_seeds_recommend_does_not_double_send(
    invitekit_kit: InviteKit, invitekit_mailer: MemoryMailer
) -> None:
    invited = invitekit_kit.add_customer("invited@example.com", invite=True)
    invitekit_kit.deliver()
    invitekit_kit.add_customer("added@example.com")
    invitekit_mailer.clear()
    first = invitekit_kit.invite_audience(Audience.status(Status.INVITED))
    second = invitekit_kit.invite_audience(Audience.status(Status.ADDED))
    invitekit_kit.deliver()
    assert (first.queued, second.queued) == (1, 1)
    assert sorted(e.to for e in invitekit_mailer.outbox) == [
        "added@example.com",
        "invited@example.com",
    ]
    # Before delivery the Invited customer still had a pending one: not queued twice.
    third = invitekit_kit.invite_audience(Audience.status(Status.INVITED))
    assert third.queued == 2  # both are Invited now, none pending
    assert invitekit_kit.get_customer(invited.id).status is Status.INVITED


def test_reinviting_an_invited_customer_is_allowed(
    invitekit_kit: InviteKit, invitekit_mailer: MemoryMailer
) -> None:
    ana = invitekit_kit.add_customer("ana@example.com", invite=True)
    invitekit_kit.deliver()
    invitekit_kit.invite(ana.id)
    invitekit_kit.deliver()
    assert len(invitekit_mailer.to("ana@example.com")) == 2
    # Both links work until one is used: the first email is as good as the second.
    first, second = invitekit_mailer.to("ana@example.com")
    assert invitekit_kit.check_activation(token_in(first, ACTIVATE)).customer_id == ana.id
    assert invitekit_kit.check_activation(token_in(second, ACTIVATE)).customer_id == ana.id


@pytest.mark.parametrize(
    ("setup", "reason"),
    [
        ("accepted", SkipReason.ACCEPTED),
        ("archived", SkipReason.ARCHIVED),
        ("unsubscribed", SkipReason.UNSUBSCRIBED),
        ("pending", SkipReason.ALREADY_PENDING),
    ],
)
def test_invite_refuses_with_the_reason_and_changes_nothing(
    invitekit_kit: InviteKit, invitekit_mailer: MemoryMailer, setup: str, reason: SkipReason
) -> None:
    ana = invitekit_kit.add_customer("ana@example.com", invite=setup != "archived")
    if setup in {"accepted", "unsubscribed"}:
        invitekit_kit.deliver()
    if setup == "accepted":
        _accept(invitekit_kit, invitekit_mailer, "ana@example.com")
    if setup == "unsubscribed":
        invitekit_kit.unsubscribe(token_in(invitekit_mailer.outbox[-1], UNSUBSCRIBE))
    if setup == "archived":
        invitekit_kit.archive_customer(ana.id)
    before = snapshot(invitekit_kit)
    with pytest.raises(InvitationRefused) as caught:
        invitekit_kit.invite(ana.id)
    assert caught.value.reason is reason
    assert caught.value.customer_id == ana.id
    assert snapshot(invitekit_kit) == before


def test_cooldown_skips_customers_invited_recently(invitekit_clock: FakeClock) -> None:
    business = make_business(invitation_cooldown=timedelta(days=7))
    kit = make_kit(clock=invitekit_clock, business=business)
    ana = kit.add_customer("ana@example.com", invite=True)
    kit.deliver()
    invitekit_clock.advance(days=6, hours=23)
    assert kit.plan_invitations(Audience.all()).skipped[0].reason is SkipReason.INVITED_RECENTLY
    invitekit_clock.advance(hours=1)
    assert [c.id for c in kit.plan_invitations(Audience.all()).recipients] == [ana.id]


def test_add_and_invite_in_one_step(invitekit_kit: InviteKit) -> None:
    ana = invitekit_kit.add_customer("ana@example.com", first_name="Ana", invite=True)
    kinds = [e.kind for e in invitekit_kit.history(ana.id)]
    assert kinds == [EventKind.ADDED, EventKind.INVITATION_QUEUED]
    assert [m.customer_id for m in invitekit_kit.outbox_messages()] == [ana.id]


def test_large_audience_is_processed_in_batches(
    invitekit_store: MemoryStore,
    invitekit_mailer: MemoryMailer,
    invitekit_clock: FakeClock,
    invitekit_business: Business,
) -> None:
    from invitekit import OutboxSettings

    kit = make_kit(
        store=invitekit_store,
        mailer=invitekit_mailer,
        clock=invitekit_clock,
        business=invitekit_business,
        outbox=OutboxSettings(batch_size=7, campaign_batch_size=7),
    )
    for i in range(50):
        kit.add_customer(f"c{i:02}@example.com")
    assert kit.invite_audience(Audience.all()).queued == 50
    assert kit.deliver().sent == 50
    assert len({e.to for e in invitekit_mailer.outbox}) == 50


def test_email_carries_greeting_link_signature_and_unsubscribe_headers(
    invitekit_kit: InviteKit, invitekit_mailer: MemoryMailer
) -> None:
    invitekit_kit.add_customer("ana@example.com", first_name="Ana", locale="en", invite=True)
    invitekit_kit.deliver()
    (email,) = invitekit_mailer.outbox
    assert email.to == "ana@example.com"
    assert "Ana" in email.text
    assert ACTIVATE in email.text
    assert invitekit_kit.business.signature in email.text
    assert email.header("List-Unsubscribe-Post") == "List-Unsubscribe=One-Click"
    assert (email.header("List-Unsubscribe") or "").startswith(f"<{UNSUBSCRIBE}")


def test_another_business_sees_nothing(
    invitekit_kit: InviteKit,
    invitekit_store: MemoryStore,
    invitekit_clock: FakeClock,
    invitekit_business: Business,
) -> None:
    ana = invitekit_kit.add_customer("ana@example.com")
    other = make_kit(
        store=invitekit_store,
        clock=invitekit_clock,
        business=attrs.evolve(invitekit_business, id="studio-2"),
    )
    assert other.find_customer("ana@example.com") is None
    assert other.list_customers() == []
    assert other.plan_invitations(Audience.all()).recipients == ()
    # The same address can be a customer of both businesses.
    assert other.add_customer("ana@example.com").id != ana.id


@pytest.mark.parametrize("field", ["batch_size", "max_attempts", "campaign_batch_size"])
def test_outbox_sizes_below_one_are_refused(field: str) -> None:
    from invitekit import ConfigurationError, OutboxSettings

    with pytest.raises(ConfigurationError, match=field):
        OutboxSettings(**{field: 0})  # type: ignore[arg-type]
