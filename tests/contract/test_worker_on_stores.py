"""A Worker delivers the outbox of every business in one store, on every store."""

from __future__ import annotations

import attrs

from invitekit import Audience, OutboxState, Status, Worker
from invitekit.adapters.memory import MemoryMailer
from invitekit.ports import Store
from invitekit.testing import TEST_SECRET, FakeClock, extract_token, make_business, make_kit

STUDIO = make_business(default_locale="en")
CLUB = make_business(
    id="club-2",
    name="Tennis Club",
    sender="club@tennis.example",
    default_locale="de",
    activation_url="https://tennis.example/a/{token}",
    unsubscribe_url="https://tennis.example/u/{token}",
)


def test_a_worker_composes_each_business_s_email_from_its_stored_settings(store: Store) -> None:
    clock = FakeClock()
    studio = make_kit(store=store, business=STUDIO, clock=clock)
    club = make_kit(store=store, business=CLUB, clock=clock)
    ana = studio.add_customer("ana@example.com", first_name="Ana", invite=True)
    jonas = club.add_customer("jonas@example.com", first_name="Jonas", invite=True)
    # The club's name changes after its invitation was queued: the newest settings compose.
    renamed = attrs.evolve(CLUB, name="Tennis Club Wien")
    assert make_kit(store=store, business=renamed, clock=clock).store_business() == 2
    mailer = MemoryMailer()

    report = Worker(store=store, mailer=mailer, secret_keys=[TEST_SECRET], clock=clock).deliver()

    assert report.sent == 2
    (to_ana,) = mailer.to("ana@example.com")
    (to_jonas,) = mailer.to("jonas@example.com")
    assert to_ana.sender == "Studio One <hello@studio.example>"
    assert to_jonas.sender == "Tennis Club Wien <club@tennis.example>"
    assert "Hallo Jonas," in to_jonas.text  # the club's default language
    token = extract_token(to_jonas, CLUB.activation_url)
    assert club.check_activation(token).customer_id == jonas.id
    assert studio.check_activation(extract_token(to_ana, STUDIO.activation_url)).email == (
        "ana@example.com"
    )
    assert studio.get_customer(ana.id).status is Status.INVITED
    assert club.get_customer(jonas.id).status is Status.INVITED


def test_a_message_of_a_business_without_stored_settings_waits(store: Store) -> None:
    clock = FakeClock()
    studio = make_kit(store=store, business=STUDIO, clock=clock)
    studio.add_customer("ana@example.com", invite=True)
    with store.transaction() as tx:  # as if queued before settings were stored
        (message,) = tx.list_outbox(STUDIO.id)
        tx.update_outbox(attrs.evolve(message, business_id="gone-1"), claim_token=None)
    mailer = MemoryMailer()
    worker = Worker(store=store, mailer=mailer, secret_keys=[TEST_SECRET], clock=clock)

    report = worker.deliver()

    assert (report.sent, report.retrying) == (0, 1)
    assert mailer.outbox == []


def test_a_worker_delivers_a_campaign_like_the_kit_would(store: Store) -> None:
    clock = FakeClock()
    studio = make_kit(store=store, business=STUDIO, clock=clock)
    for number in range(5):
        studio.add_customer(f"c{number}@example.com")
    studio.invite_audience(Audience.all(), subject="Hi from {{ business_name }}")
    mailer = MemoryMailer()

    Worker(store=store, mailer=mailer, secret_keys=[TEST_SECRET], clock=clock).deliver(limit=3)
    Worker(store=store, mailer=mailer, secret_keys=[TEST_SECRET], clock=clock).deliver()

    assert sorted(m.to for m in mailer.outbox) == [f"c{n}@example.com" for n in range(5)]
    assert {m.subject for m in mailer.outbox} == {"Hi from Studio One"}
    assert {m.state for m in studio.outbox_messages()} == {OutboxState.SENT}
