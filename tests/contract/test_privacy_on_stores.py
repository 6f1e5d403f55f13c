"""Export and purge through the facade, on every store."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import attrs
import pytest

from invitekit import (
    Audience,
    ConfigurationError,
    InvalidCredentials,
    InviteKit,
    PurgeReport,
    Retention,
)
from invitekit.adapters.memory import MemoryMailer
from invitekit.model import EventKind, OutboxState
from invitekit.ports import Store
from invitekit.testing import FakeClock, make_business, make_kit
from invitekit.throttle import LoginThrottle
from tests.helpers import ACTIVATE, PASSWORD, token_in

BUSINESS = make_business(default_locale="en", signature="")


def busy_studio(store: Store, retention: Retention | None = None) -> tuple[InviteKit, FakeClock]:
    """A campaign delivered and bounced, an activation, failed logins, a reset, a sign-up."""
    clock = FakeClock()
    mailer = MemoryMailer()
    kit = make_kit(store=store, mailer=mailer, clock=clock, business=BUSINESS, retention=retention)
    ana = kit.add_customer("Ana@example.com", first_name="Ana", last_name="Ruiz", locale="es")
    kit.add_customer("bob@example.com")
    kit.create_group("Yoga")
    kit.add_to_group("Yoga", [ana.id])
    kit.invite_audience(Audience.all())
    kit.deliver()
    bob_mail = mailer.to("bob@example.com")[-1]
    kit.record_bounce(bob_mail.message_id, "hard", detail="5.1.1 bob@example.com unknown")
    kit.accept_invitation(token_in(mailer.to(ana.email)[-1], ACTIVATE), PASSWORD)
    for _ in range(2):
        with pytest.raises(InvalidCredentials):
            kit.login("ana@example.com", "not the password")
    kit.request_password_reset("ana@example.com")
    kit.register("new@example.com", first_name="Neu", password="a long pass phrase")
    kit.deliver()
    return kit, clock


def test_an_export_holds_everything_stored_about_the_customer_as_json(store: Store) -> None:
    kit, clock = busy_studio(store)
    kit.register("ANA@example.com", password="someone else's phrase")  # an accepted address
    ana = kit.find_customer("ana@example.com")
    assert ana is not None

    exported = kit.export_customer(ana.id)

    assert json.loads(json.dumps(exported)) == exported
    assert exported["format"] == "invitekit.customer-export.v1"
    assert exported["exported_at"] == clock.now().isoformat()
    assert exported["customer"]["email"] == "Ana@example.com"
    assert exported["customer"]["last_name"] == "Ruiz"
    assert exported["customer"]["status"] == "accepted"
    assert exported["customer"]["has_password"] is True
    assert "password_hash" not in json.dumps(exported)
    assert exported["groups"] == [{"id": kit.list_groups()[0].id, "name": "Yoga"}]
    kinds = [e["kind"] for e in exported["events"]]
    assert kinds[:2] == ["added", "group_joined"]
    assert kinds.count("login_failed") == 2
    assert [(m["kind"], m["state"], m["to"]) for m in exported["messages"]] == [
        ("invitation", "sent", "Ana@example.com"),
        ("password_reset", "sent", "Ana@example.com"),
        ("account_exists", "pending", "Ana@example.com"),
    ]
    assert len(exported["login_failures"]) == 2
    assert len(exported["account_email_requests"]) == 2  # the reset, and the sign-up
    assert all(
        datetime.fromisoformat(t).utcoffset() == timedelta(0) for t in exported["login_failures"]
    )
    assert set(exported) == {
        "format",
        "exported_at",
        "business_id",
        "customer",
        "groups",
        "identities",
        "email_change",
        "events",
        "messages",
        "login_failures",
        "account_email_requests",
        "signups",
    }
    assert (exported["identities"], exported["email_change"]) == ([], None)


def test_an_export_holds_the_provider_sign_ins_and_a_pending_email_change(store: Store) -> None:
    kit, clock = busy_studio(store)
    ana = kit.find_customer("ana@example.com")
    assert ana is not None
    kit.sign_in_with_provider("google", "ana-at-google", email=ana.email, email_verified=True)
    kit.request_email_change(ana.id, "ana.new@example.net", password=PASSWORD)

    exported = kit.export_customer(ana.id)

    assert exported["identities"] == [
        {"provider": "google", "subject": "ana-at-google", "linked_at": clock.now().isoformat()}
    ]
    assert exported["email_change"] == {
        "email": "ana.new@example.net",
        "requested_at": clock.now().isoformat(),
    }


def test_purge_removes_each_kind_once_past_its_retention(store: Store) -> None:
    kit, clock = busy_studio(store)
    campaign = kit.list_campaigns()[0].id
    report = kit.campaign_report(campaign)
    start = clock.now()

    nothing_yet = kit.purge()
    attempts = kit.purge(start + timedelta(days=3))
    signups = kit.purge(start + timedelta(days=8))
    messages = kit.purge(start + timedelta(days=91))
    events = kit.purge(start + timedelta(days=731))
    again = kit.purge(start + timedelta(days=731))

    assert nothing_yet == PurgeReport()
    assert attempts == PurgeReport(attempts=4)  # 2 failed logins, the reset, the sign-up
    assert signups == PurgeReport(signups=1)
    # The reset and the verification go; the invitations stay, without their addresses.
    assert messages == PurgeReport(messages_deleted=2, messages_scrubbed=2)
    assert events.events_deleted > 0
    assert events.events_scrubbed == 1  # bob's bounce keeps "hard:" only
    assert again == PurgeReport()
    assert kit.campaign_report(campaign) == report
    bob = kit.find_customer("bob@example.com")
    assert bob is not None
    assert [(e.kind, e.detail) for e in kit.history(bob.id)] == [(EventKind.BOUNCED, "hard:")]
    with store.transaction(readonly=True) as tx:
        kept = tx.list_outbox(BUSINESS.id)
    assert [(m.kind, m.state, m.recipient) for m in kept] == [
        ("invitation", OutboxState.SENT, None),
        ("invitation", OutboxState.SENT, None),
    ]


def test_purge_works_in_batches_of_the_given_size(store: Store) -> None:
    kit, clock = busy_studio(store, Retention(batch_size=1))
    later = clock.now() + timedelta(days=731)

    report = kit.purge(later)

    assert attrs.evolve(report, events_deleted=0) == PurgeReport(
        signups=1, attempts=4, messages_deleted=2, messages_scrubbed=2, events_scrubbed=1
    )
    assert kit.purge(later) == PurgeReport()


def test_a_retention_shorter_than_a_throttle_window_is_refused() -> None:
    with pytest.raises(ConfigurationError, match="at least a day"):
        Retention(attempts=timedelta(hours=1))
    with pytest.raises(ConfigurationError, match="positive"):
        Retention(events=timedelta(0))
    with pytest.raises(ConfigurationError, match="batch size"):
        Retention(batch_size=0)
    with pytest.raises(ConfigurationError, match="throttles' windows"):
        make_kit(login_throttle=LoginThrottle(window=timedelta(days=3)))


def test_the_feed_says_what_the_event_log_says_after_erasure_and_purge(store: Store) -> None:
    kit, clock = busy_studio(store)
    ana, bob = kit.find_customer("ana@example.com"), kit.find_customer("bob@example.com")
    assert ana is not None and bob is not None
    kit.erase_customer(ana.id, by="front-desk")
    assert kit.events_since(limit=1000)[0][-1].event.kind is EventKind.ERASED
    clock.advance(days=800)
    kit.add_customer("late@example.com")  # an event younger than every retention
    assert kit.purge().events_deleted > 0

    feed, cursor = [], None
    while True:
        page, cursor = kit.events_since(cursor, limit=7)
        if not page:
            break
        feed.extend(item.event for item in page)
    with store.transaction(readonly=True) as tx:
        for customer_id in (ana.id, bob.id):
            logged = tx.list_events(BUSINESS.id, customer_id)
            assert [e for e in feed if e.customer_id == customer_id] == logged
    # What is left of Ana is her campaign's funnel, anonymised: ERASED went with the rest.
    assert [e for e in feed if e.customer_id == ana.id]
    assert all(e.campaign_id for e in feed if e.customer_id == ana.id)
    assert "ana@example.com" not in repr(feed).lower()


def test_purge_removes_an_email_change_never_confirmed_with_the_sign_ups(store: Store) -> None:
    kit, clock = busy_studio(store)
    ana = kit.find_customer("ana@example.com")
    assert ana is not None
    kit.request_email_change(ana.id, "ana.new@example.net", password=PASSWORD)
    kit.deliver()
    clock.advance(days=6)
    assert kit.purge().email_changes == 0  # younger than Retention.signups (7 days)

    clock.advance(days=2)

    assert kit.purge().email_changes == 1
    with store.transaction(readonly=True) as tx:
        assert tx.get_email_change(BUSINESS.id, ana.id) is None
    # What stays is the confirmation email's metadata, for Retention.messages.
    assert kit.export_customer(ana.id)["email_change"] is None
