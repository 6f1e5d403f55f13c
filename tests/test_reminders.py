"""Automatic reminders: queued before delivery, composed from their own template, and when not."""

from __future__ import annotations

from datetime import datetime, timedelta

import attrs
import pytest

from invitekit import (
    Audience,
    BounceSettings,
    Business,
    CircuitBreaker,
    EventKind,
    InviteKit,
    Reminders,
    Status,
    TemplateError,
    Worker,
)
from invitekit.adapters.memory import MemoryMailer, MemoryStore
from invitekit.model import Email, MessageKind, OutboxMessage, OutboxState
from invitekit.testing import TEST_SECRET, FakeClock, make_business, make_kit

from .helpers import ACTIVATE, PASSWORD, UNSUBSCRIBE, token_in

DAY = timedelta(days=1)


@pytest.fixture
def invitekit_business() -> Business:
    return make_business(reminders=Reminders(after=(3 * DAY, 10 * DAY)))


def _invited(kit: InviteKit, email: str = "ana@example.com", **details: object) -> str:
    customer = kit.add_customer(email, first_name="Ana", invite=True, **details)  # type: ignore[arg-type]
    assert kit.deliver().sent == 1
    return customer.id


def _reminders(kit: InviteKit, customer_id: str) -> list[OutboxState]:
    return [
        m.state
        for m in kit.outbox_messages(customer_id=customer_id)
        if m.kind is MessageKind.REMINDER
    ]


def test_a_customer_still_invited_is_reminded_after_each_delay_and_no_more(
    invitekit_kit: InviteKit, invitekit_clock: FakeClock, invitekit_mailer: MemoryMailer
) -> None:
    ana = _invited(invitekit_kit)
    invited_at = invitekit_kit.get_customer(ana).invited_at
    invitekit_mailer.clear()

    invitekit_clock.advance(3 * DAY - timedelta(seconds=1))
    assert invitekit_kit.deliver().sent == 0
    invitekit_clock.advance(timedelta(seconds=1))
    assert invitekit_kit.deliver().sent == 1
    invitekit_clock.advance(7 * DAY)
    assert invitekit_kit.deliver().sent == 1
    invitekit_clock.advance(30 * DAY)
    assert invitekit_kit.deliver().sent == 0

    assert _reminders(invitekit_kit, ana) == [OutboxState.SENT, OutboxState.SENT]
    assert len(invitekit_mailer.outbox) == 2
    # A reminder changes no status and does not restart the count.
    customer = invitekit_kit.get_customer(ana)
    assert (customer.status, customer.invited_at) == (Status.INVITED, invited_at)


def test_a_reminder_is_composed_like_an_invitation_with_its_own_text_and_a_fresh_link(
    invitekit_kit: InviteKit, invitekit_clock: FakeClock, invitekit_mailer: MemoryMailer
) -> None:
    ana = _invited(invitekit_kit)
    (invitation,) = invitekit_mailer.outbox
    invitekit_clock.advance(3 * DAY)

    invitekit_kit.deliver()

    reminder = invitekit_mailer.outbox[-1]
    assert reminder.subject == "Erinnerung: Dein Online-Profil bei Studio One wartet auf dich"
    assert reminder.text.startswith("Hallo Ana,")
    assert "Vor Kurzem haben wir dich eingeladen" in reminder.text
    assert reminder.header("List-Unsubscribe-Post") == "List-Unsubscribe=One-Click"
    assert (reminder.header("List-Unsubscribe") or "").startswith(f"<{UNSUBSCRIBE}")
    assert reminder.message_id != invitation.message_id
    # Its link is signed when it is sent: valid three days longer than the invitation's.
    first = invitekit_kit.check_activation(token_in(invitation, ACTIVATE))
    check = invitekit_kit.check_activation(token_in(reminder, ACTIVATE))
    assert check.customer_id == ana
    assert first.expires_at is not None and check.expires_at == first.expires_at + 3 * DAY
    accepted = invitekit_kit.accept_invitation(token_in(reminder, ACTIVATE), PASSWORD)
    assert accepted.status is Status.ACCEPTED


def test_a_reminder_belongs_to_the_campaign_of_the_last_invitation(
    invitekit_kit: InviteKit, invitekit_clock: FakeClock
) -> None:
    ana = _invited(invitekit_kit)
    (invitation,) = invitekit_kit.outbox_messages(customer_id=ana)
    invitekit_clock.advance(3 * DAY)

    invitekit_kit.deliver()

    reminder = invitekit_kit.outbox_messages(customer_id=ana)[-1]
    assert (reminder.kind, reminder.campaign_id) == (MessageKind.REMINDER, invitation.campaign_id)
    assert reminder.state is OutboxState.SENT
    # What was sent is the outbox's to tell: the delivered events name no campaign.
    delivered = [e for e in invitekit_kit.history(ana) if e.kind is EventKind.DELIVERED]
    assert [(e.detail, e.campaign_id) for e in delivered] == [
        ("invitation", None),
        ("reminder", None),
    ]


def test_no_reminder_of_a_campaign_while_the_circuit_breaker_holds_it(
    invitekit_business: Business, invitekit_clock: FakeClock
) -> None:
    mailer = MemoryMailer()
    kit = make_kit(
        mailer=mailer,
        clock=invitekit_clock,
        business=invitekit_business,
        bounces=BounceSettings(breaker=CircuitBreaker(share=0.3, minimum=2)),
    )
    ana = kit.add_customer("ana@example.com", first_name="Ana")
    bea = kit.add_customer("bea@example.com", first_name="Bea")
    campaign_id = kit.invite_audience(Audience.all()).campaign_id
    assert kit.deliver().sent == 2
    (to_ana,) = [email for email in mailer.outbox if email.to == ana.email]
    assert kit.record_bounce(to_ana.message_id, "hard").paused
    invitekit_clock.advance(3 * DAY)

    assert kit.deliver().sent == 0
    assert _reminders(kit, bea.id) == []

    kit.resume_campaign(campaign_id)
    assert kit.deliver().sent == 1
    reminder = kit.outbox_messages(customer_id=bea.id)[-1]
    assert (reminder.kind, reminder.campaign_id) == (MessageKind.REMINDER, campaign_id)
    assert _reminders(kit, ana.id) == []  # undeliverable


def test_a_saved_reminder_template_is_used_and_checked_by_the_sandbox(
    invitekit_kit: InviteKit, invitekit_clock: FakeClock, invitekit_mailer: MemoryMailer
) -> None:
    shipped = invitekit_kit.reminder_template("es")
    assert (shipped.customised, shipped.subject) == (
        False,
        "Recordatorio: tu perfil en línea de {{ business_name }} te espera",
    )
    with pytest.raises(TemplateError):
        invitekit_kit.save_reminder_template("es", subject="{{ secret }}", body="x")
    saved = invitekit_kit.save_reminder_template(
        "es", subject="¿Sigues ahí, {{ first_name }}?", body="Te esperamos en {{ business_name }}."
    )
    assert invitekit_kit.reminder_template("es_MX") == saved
    # The invitation's text is its own.
    assert invitekit_kit.invitation_template("es").customised is False
    _invited(invitekit_kit, locale="es_MX")
    invitekit_clock.advance(3 * DAY)

    invitekit_kit.deliver()

    reminder = invitekit_mailer.outbox[-1]
    assert reminder.subject == "¿Sigues ahí, Ana?"
    assert "Te esperamos en Studio One." in reminder.text
    assert reminder.text.startswith("Hola Ana:")


@pytest.mark.parametrize(
    ("locale", "formal", "subject"),
    [
        ("en", False, "Reminder: your online profile with Studio One is waiting"),
        ("fr", False, "Rappel : votre profil en ligne chez Studio One vous attend"),
        ("es", True, "Recordatorio: su perfil en línea de Studio One le espera"),
        ("de", True, "Erinnerung: Ihr Online-Profil bei Studio One wartet auf Sie"),
    ],
)
def test_the_shipped_reminder_speaks_the_customers_language_formally_when_asked(
    locale: str, formal: bool, subject: str
) -> None:
    clock, mailer = FakeClock(), MemoryMailer()
    business = make_business(reminders=Reminders(after=3 * DAY), formal=formal)
    kit = make_kit(store=MemoryStore(), mailer=mailer, clock=clock, business=business)
    _invited(kit, locale=locale)
    clock.advance(3 * DAY)

    kit.deliver()

    assert mailer.outbox[-1].subject == subject


def _stop(kit: InviteKit, customer_id: str, invitation: Email, stop: str) -> None:
    """The customer accepts or unsubscribes by a link of ``invitation``, is archived, bounces."""
    if stop == "accept":
        kit.accept_invitation(token_in(invitation, ACTIVATE), PASSWORD)
    elif stop == "unsubscribe":
        kit.unsubscribe(token_in(invitation, UNSUBSCRIBE))
    elif stop == "bounce":
        kit.record_bounce(invitation.message_id, "hard", detail="5.1.1 user unknown")
    else:
        kit.archive_customer(customer_id)


@pytest.mark.parametrize("stop", ["accept", "unsubscribe", "archive", "bounce"])
def test_reminders_stop_when_the_customer_accepts_unsubscribes_or_is_archived(
    invitekit_kit: InviteKit,
    invitekit_clock: FakeClock,
    invitekit_mailer: MemoryMailer,
    stop: str,
) -> None:
    ana = _invited(invitekit_kit)
    (invitation,) = invitekit_mailer.outbox
    _stop(invitekit_kit, ana, invitation, stop)
    invitekit_clock.advance(30 * DAY)

    report = invitekit_kit.deliver()

    assert (report.sent, _reminders(invitekit_kit, ana)) == (0, [])


@pytest.mark.parametrize("stop", ["accept", "unsubscribe", "archive", "bounce"])
def test_a_queued_reminder_is_withdrawn_when_the_customer_no_longer_may_get_it(
    invitekit_kit: InviteKit,
    invitekit_clock: FakeClock,
    invitekit_mailer: MemoryMailer,
    stop: str,
) -> None:
    ana = _invited(invitekit_kit)
    (invitation,) = invitekit_mailer.outbox
    invitekit_clock.advance(3 * DAY)
    invitekit_kit.deliver(limit=0)  # queues the reminder, sends nothing
    assert _reminders(invitekit_kit, ana) == [OutboxState.PENDING]
    _stop(invitekit_kit, ana, invitation, stop)

    report = invitekit_kit.deliver()

    assert report.sent == 0
    assert _reminders(invitekit_kit, ana) == [OutboxState.CANCELLED]
    assert len(invitekit_mailer.outbox) == 1


def test_an_invitation_replaces_a_pending_reminder_and_restarts_the_count(
    invitekit_kit: InviteKit, invitekit_clock: FakeClock
) -> None:
    ana = _invited(invitekit_kit)
    invitekit_clock.advance(3 * DAY)
    invitekit_kit.deliver(limit=0)

    invitekit_kit.invite(ana)

    pending = invitekit_kit.outbox_messages(customer_id=ana, state=OutboxState.PENDING)
    assert [m.kind for m in pending] == [MessageKind.INVITATION]
    assert _reminders(invitekit_kit, ana) == [OutboxState.CANCELLED]
    assert invitekit_kit.deliver().sent == 1
    # The count starts again from the new invitation.
    invitekit_clock.advance(3 * DAY - timedelta(seconds=1))
    assert invitekit_kit.deliver().sent == 0
    invitekit_clock.advance(timedelta(seconds=1))
    assert invitekit_kit.deliver().sent == 1


def test_no_reminder_while_an_invitation_is_pending(
    invitekit_kit: InviteKit, invitekit_clock: FakeClock
) -> None:
    ana = _invited(invitekit_kit)
    invitekit_clock.advance(3 * DAY)
    invitekit_kit.invite(ana)

    invitekit_kit.deliver(limit=0)

    assert _reminders(invitekit_kit, ana) == []


def test_a_reminder_queued_beside_an_invitation_is_withdrawn_at_delivery(
    invitekit_kit: InviteKit, invitekit_clock: FakeClock, invitekit_store: MemoryStore
) -> None:
    # Two processes at once: one queued the reminder, the other the invitation.
    ana = _invited(invitekit_kit)
    invitekit_clock.advance(3 * DAY)
    invitekit_kit.deliver(limit=0)
    (reminder,) = invitekit_kit.outbox_messages(customer_id=ana, state=OutboxState.PENDING)
    racing = _another_invitation(invitekit_kit, ana, reminder.created_at)
    with invitekit_store.transaction() as tx:
        tx.enqueue([racing])

    report = invitekit_kit.deliver()

    assert (report.sent, report.cancelled) == (1, 1)
    assert _reminders(invitekit_kit, ana) == [OutboxState.CANCELLED]


def _another_invitation(kit: InviteKit, customer_id: str, at: datetime) -> OutboxMessage:
    (first,) = [
        m for m in kit.outbox_messages(customer_id=customer_id) if m.kind is MessageKind.INVITATION
    ]
    return attrs.evolve(
        first,
        id="msg_racing",
        state=OutboxState.PENDING,
        sent_at=None,
        attempts=0,
        links_issued_at=None,
        created_at=at,
        not_before=at,
    )


def test_reminders_obey_the_cooldown(invitekit_clock: FakeClock) -> None:
    mailer = MemoryMailer()
    business = make_business(
        reminders=Reminders(after=(DAY, 2 * DAY)), invitation_cooldown=5 * DAY
    )
    kit = make_kit(store=MemoryStore(), mailer=mailer, clock=invitekit_clock, business=business)
    _invited(kit)

    sent_on = []
    for day in range(1, 15):
        invitekit_clock.advance(DAY)
        if kit.deliver().sent:
            sent_on.append(day)

    assert sent_on == [5, 10]


def test_the_worker_queues_the_reminders_of_every_business(invitekit_clock: FakeClock) -> None:
    store, mailer = MemoryStore(), MemoryMailer()
    kits = [
        make_kit(
            store=store,
            mailer=mailer,
            clock=invitekit_clock,
            business=make_business(id=business_id, reminders=Reminders(after=after)),
        )
        for business_id, after in (("studio-1", 3 * DAY), ("studio-2", 5 * DAY))
    ]
    quiet = make_kit(
        store=store, mailer=mailer, clock=invitekit_clock, business=make_business(id="studio-3")
    )
    for kit in (*kits, quiet):
        kit.add_customer("ana@example.com", invite=True)
    worker = Worker(store=store, mailer=mailer, secret_keys=[TEST_SECRET], clock=invitekit_clock)
    assert worker.deliver().sent == 3

    invitekit_clock.advance(3 * DAY)
    assert worker.deliver().sent == 1
    invitekit_clock.advance(2 * DAY)
    assert worker.deliver().sent == 1
    invitekit_clock.advance(30 * DAY)
    assert worker.deliver().sent == 0
