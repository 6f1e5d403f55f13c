"""The builders make ready objects, and every part can be given instead."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from invitekit import Business, OutboxSettings, Status
from invitekit.adapters.memory import MemoryMailer, MemoryStore
from invitekit.adapters.sql import SQLStore
from invitekit.model import Email
from invitekit.testing import (
    TEST_PASSWORD,
    TEST_SECRET,
    FakeClock,
    FlakyMailer,
    extract_token,
    fast_password_hasher,
    make_accepted_customer,
    make_business,
    make_kit,
)
from invitekit.tokens import Purpose


def test_the_business_is_studio_one_in_vienna_with_every_link() -> None:
    business = make_business()
    assert (business.id, business.name, business.timezone) == (
        "studio-1",
        "Studio One",
        "Europe/Vienna",
    )
    assert business.default_locale == "de"
    for url in (business.activation_url, business.reset_url, business.verify_url):
        assert url.startswith("https://studio.example/")


def test_any_field_of_the_business_can_be_changed() -> None:
    business = make_business(id="studio-2", timezone="UTC")
    assert (business.id, business.timezone, business.name) == ("studio-2", "UTC", "Studio One")


def test_the_kit_runs_on_memory_backends_a_fake_clock_and_the_test_key() -> None:
    kit = make_kit()
    assert isinstance(kit.store, MemoryStore)
    assert isinstance(kit.mailer, MemoryMailer)
    assert isinstance(kit.clock, FakeClock)
    assert kit.business == make_business()
    assert repr(kit.password_hasher) == repr(fast_password_hasher())
    token = kit.tokens.sign(kit.add_customer("ana@example.com"), Purpose.ACTIVATION)
    assert make_kit(secret_keys=[TEST_SECRET]).tokens.verify(token, Purpose.ACTIVATION)


def test_every_part_of_the_kit_can_be_given() -> None:
    store, mailer = MemoryStore(), FlakyMailer()
    clock = FakeClock(datetime(2030, 1, 1, tzinfo=UTC))
    business = Business(
        id="club",
        name="Tennis Club",
        sender="info@club.example",
        activation_url="https://club.example/activate/{token}",
        unsubscribe_url="https://club.example/unsubscribe/{token}",
    )
    kit = make_kit(
        store=store,
        mailer=mailer,
        clock=clock,
        business=business,
        outbox=OutboxSettings(max_attempts=2),
    )
    assert (kit.store, kit.mailer, kit.clock, kit.business) == (store, mailer, clock, business)
    assert kit.outbox.max_attempts == 2


def test_kits_do_not_share_their_parts() -> None:
    first, second = make_kit(), make_kit()
    first.add_customer("ana@example.com")
    assert second.list_customers() == []
    assert first.clock is not second.clock


def test_an_accepted_customer_can_log_in_with_the_password() -> None:
    kit = make_kit()
    ana = make_accepted_customer(kit, "ana@example.com", first_name="Ana", locale="es")
    assert ana.customer.status is Status.ACCEPTED
    assert (ana.customer.first_name, ana.customer.locale) == ("Ana", "es")
    assert ana.password == TEST_PASSWORD
    assert kit.login("ana@example.com", ana.password).id == ana.customer.id
    assert ana.invitation.to == "ana@example.com"


def test_an_accepted_customer_on_a_sql_store_with_another_mailer_and_password() -> None:
    mailer = FlakyMailer()
    kit = make_kit(store=SQLStore.from_url("sqlite://"), mailer=mailer)
    ben = make_accepted_customer(kit, "ben@example.com", password="another long password")
    assert kit.get_customer(ben.customer.id).status is Status.ACCEPTED
    assert mailer.sent == [ben.invitation]
    assert kit.login("ben@example.com", "another long password").id == ben.customer.id


def test_an_undelivered_invitation_is_a_lookup_error() -> None:
    kit = make_kit(mailer=FlakyMailer(fail=lambda _email: "permanent"))
    with pytest.raises(LookupError, match="not delivered"):
        make_accepted_customer(kit)


def test_extract_token_reads_the_token_of_a_link_template() -> None:
    email = Email(
        sender="Studio One <hello@studio.example>",
        to="ana@example.com",
        subject="Hi",
        text="Open https://studio.example/a/abc.DEF_1-2?x=1 or https://other.example/a/zzz",
        message_id="<1@studio.example>",
    )
    assert extract_token(email, "https://studio.example/a/{token}?x=1") == "abc.DEF_1-2"
    with pytest.raises(LookupError):
        extract_token(email, "https://studio.example/b/{token}")
    with pytest.raises(ValueError, match="token"):
        extract_token(email, "https://studio.example/a/")


def test_making_an_accepted_customer_does_not_move_the_clock() -> None:
    kit = make_kit()
    before = kit.clock.now()
    make_accepted_customer(kit)
    assert kit.clock.now() == before
