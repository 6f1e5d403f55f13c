"""Signing in with a provider, every rule, on every store (memory, SQLite, PostgreSQL, MariaDB)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from invitekit import (
    CustomerNotFound,
    EventKind,
    IdentityNotFound,
    InvalidEmail,
    InvalidIdentity,
    LastWayIn,
    ProviderEmailNotVerified,
    ProviderSignInRefused,
    Status,
)
from invitekit.adapters.memory import MemoryMailer
from invitekit.ports import Store
from invitekit.testing import (
    TEST_PASSWORD,
    FakeClock,
    make_accepted_customer,
    make_business,
    make_kit,
)

BUSINESS = make_business(default_locale="en", signature="")
OTHER = make_business(
    id="studio-2",
    sender="hello@studio2.example",
    activation_url="https://studio2.example/activate/{token}",
    unsubscribe_url="https://studio2.example/unsubscribe/{token}",
    reset_url="https://studio2.example/reset/{token}",
)
SUB = "108234917782345"


def _kinds(kit: object, customer_id: str) -> list[EventKind]:
    return [event.kind for event in kit.history(customer_id)]  # type: ignore[attr-defined]


def test_a_verified_email_links_an_invited_customer_who_becomes_accepted(store: Store) -> None:
    mailer = MemoryMailer()
    kit = make_kit(store=store, mailer=mailer, business=BUSINESS)
    ana = kit.add_customer("ana@example.com", first_name="Ana")
    kit.invite(ana.id)
    kit.deliver()
    kit.invite(ana.id)  # a second invitation, still queued

    signed_in = kit.sign_in_with_provider(
        "Google", SUB, email="ANA@example.com", email_verified=True, first_name="Mallory"
    )

    assert signed_in.id == ana.id
    assert signed_in.status is Status.ACCEPTED
    assert signed_in.auth_provider == "google"
    assert signed_in.first_name == "Ana"  # the provider's names never replace the business's
    assert kit.get_customer(ana.id) == signed_in
    assert [(i.provider, i.subject) for i in kit.identities(ana.id)] == [("google", SUB)]
    assert _kinds(kit, ana.id)[-3:] == [
        EventKind.ACCEPTED,
        EventKind.PROVIDER_LINKED,
        EventKind.PROVIDER_SIGNED_IN,
    ]
    assert kit.history(ana.id)[-3].note_value == "google"
    assert kit.deliver().sent == 0  # the queued invitation was withdrawn


def test_an_added_customer_is_linked_and_accepted_too(store: Store) -> None:
    kit = make_kit(store=store, business=BUSINESS)
    sam = kit.add_customer("sam@example.com")

    signed_in = kit.sign_in_with_provider(
        "google", SUB, email="sam@example.com", email_verified=True
    )

    assert (signed_in.id, signed_in.status) == (sam.id, Status.ACCEPTED)


def test_an_accepted_customer_keeps_the_password_and_gains_a_second_way_in(store: Store) -> None:
    kit = make_kit(store=store, business=BUSINESS)
    ana = make_accepted_customer(kit, "ana@example.com").customer

    signed_in = kit.sign_in_with_provider(
        "google", SUB, email="ana@example.com", email_verified=True
    )

    assert signed_in.id == ana.id
    assert signed_in.auth_provider is None  # she has a password: no label needed
    assert kit.login("ana@example.com", TEST_PASSWORD).id == ana.id
    assert (
        kit.sign_in_with_provider("google", SUB, email="x@example.com", email_verified=False).id
        == ana.id
    )


def test_an_unverified_email_never_links_to_an_existing_customer(store: Store) -> None:
    mailer = MemoryMailer()
    kit = make_kit(store=store, mailer=mailer, business=BUSINESS)
    invited = kit.add_customer("ana@example.com")
    accepted = make_accepted_customer(kit, "bob@example.com").customer
    before = [kit.get_customer(invited.id), kit.get_customer(accepted.id)]
    mailer.clear()

    for address in ("ana@example.com", "bob@example.com", "new@example.com"):
        with pytest.raises(ProviderEmailNotVerified) as refused:
            kit.sign_in_with_provider("google", SUB, email=address, email_verified=False)
        assert (refused.value.email, refused.value.provider) == (address, "google")
        assert refused.value.can_sign_up is True
        assert refused.value.reason == "email_not_verified"

    assert [kit.get_customer(invited.id), kit.get_customer(accepted.id)] == before
    assert kit.identities(invited.id) == kit.identities(accepted.id) == []
    assert kit.find_customer("new@example.com") is None
    kit.deliver()
    assert mailer.outbox == []  # nothing is sent: the app offers its sign-up form


@pytest.mark.parametrize("claim", ["true", 1, "True", None])
def test_only_true_counts_as_verified(store: Store, claim: object) -> None:
    kit = make_kit(store=store, business=BUSINESS)
    kit.add_customer("ana@example.com")
    with pytest.raises(ProviderEmailNotVerified):
        kit.sign_in_with_provider("google", SUB, email="ana@example.com", email_verified=claim)  # type: ignore[arg-type]


def test_a_linked_identity_signs_its_customer_in_whatever_address_it_gives(store: Store) -> None:
    kit = make_kit(store=store, business=BUSINESS)
    first = kit.sign_in_with_provider("google", SUB, email="ana@example.com", email_verified=True)
    kit.add_customer("other@example.com")

    again = kit.sign_in_with_provider(
        "google", SUB, email="other@example.com", email_verified=False
    )

    assert again.id == first.id
    assert _kinds(kit, first.id).count(EventKind.PROVIDER_SIGNED_IN) == 2


def test_a_new_address_becomes_a_new_accepted_customer(store: Store) -> None:
    kit = make_kit(store=store, business=BUSINESS)

    new = kit.sign_in_with_provider(
        "facebook",
        "42",
        email="neu@example.com",
        email_verified=True,
        first_name="Neu",
        last_name="Kunde",
        locale="de_AT",
    )

    assert (new.status, new.auth_provider, new.password_hash) == (
        Status.ACCEPTED,
        "facebook",
        None,
    )
    assert (new.first_name, new.last_name, new.locale) == ("Neu", "Kunde", "de_AT")
    assert _kinds(kit, new.id) == [
        EventKind.ADDED,
        EventKind.ACCEPTED,
        EventKind.PROVIDER_LINKED,
        EventKind.PROVIDER_SIGNED_IN,
    ]


def test_unusable_profile_values_from_the_provider_are_left_out(store: Store) -> None:
    kit = make_kit(store=store, business=BUSINESS)
    new = kit.sign_in_with_provider(
        "google",
        SUB,
        email="neu@example.com",
        email_verified=True,
        first_name="Win a prize at bit.ly/x",
        last_name="A\u202eB",
        locale="xx-not-a-locale",
    )
    assert (new.first_name, new.last_name, new.locale) == (None, None, None)


def test_without_signup_an_unknown_address_is_refused_clearly(store: Store) -> None:
    kit = make_kit(store=store, business=BUSINESS)
    with pytest.raises(ProviderSignInRefused) as refused:
        kit.sign_in_with_provider(
            "google", SUB, email="neu@example.com", email_verified=True, allow_signup=False
        )
    assert refused.value.reason == "signup_disabled"
    assert kit.find_customer("neu@example.com") is None
    with pytest.raises(ProviderEmailNotVerified) as unverified:
        kit.sign_in_with_provider(
            "google", SUB, email="neu@example.com", email_verified=False, allow_signup=False
        )
    assert unverified.value.can_sign_up is False


def test_without_signup_known_customers_still_link(store: Store) -> None:
    kit = make_kit(store=store, business=BUSINESS)
    ana = kit.add_customer("ana@example.com")
    signed_in = kit.sign_in_with_provider(
        "google", SUB, email="ana@example.com", email_verified=True, allow_signup=False
    )
    assert signed_in.id == ana.id


def test_archived_customers_are_refused_by_identity_and_by_address(store: Store) -> None:
    kit = make_kit(store=store, business=BUSINESS)
    linked = kit.sign_in_with_provider("google", SUB, email="ana@example.com", email_verified=True)
    other = kit.add_customer("bob@example.com")
    kit.archive_customer(linked.id)
    kit.archive_customer(other.id)

    for subject, address in ((SUB, "ana@example.com"), ("99", "bob@example.com")):
        with pytest.raises(ProviderSignInRefused) as refused:
            kit.sign_in_with_provider("google", subject, email=address, email_verified=True)
        assert refused.value.reason == "archived"
    assert kit.identities(other.id) == []


def test_several_providers_per_customer_and_unlinking_keeps_a_way_in(store: Store) -> None:
    kit = make_kit(store=store, business=BUSINESS)
    ana = kit.sign_in_with_provider("google", SUB, email="ana@example.com", email_verified=True)
    kit.sign_in_with_provider("facebook", "fb-1", email="ana@example.com", email_verified=True)
    assert sorted(i.provider for i in kit.identities(ana.id)) == ["facebook", "google"]

    after = kit.unlink_provider(ana.id, "GOOGLE")

    assert after.auth_provider == "facebook"  # the label follows a provider still linked
    assert [i.provider for i in kit.identities(ana.id)] == ["facebook"]
    assert _kinds(kit, ana.id)[-1] is EventKind.PROVIDER_UNLINKED
    with pytest.raises(LastWayIn) as last:
        kit.unlink_provider(ana.id, "facebook")
    assert (last.value.customer_id, last.value.provider) == (ana.id, "facebook")
    with pytest.raises(IdentityNotFound):
        kit.unlink_provider(ana.id, "google")
    # The unlinked identity signs nobody in any more; a verified address links it again.
    with pytest.raises(ProviderEmailNotVerified):
        kit.sign_in_with_provider("google", SUB, email="ana@example.com", email_verified=False)


def test_a_customer_with_a_password_may_unlink_the_only_provider(store: Store) -> None:
    kit = make_kit(store=store, business=BUSINESS)
    ana = make_accepted_customer(kit, "ana@example.com").customer
    kit.sign_in_with_provider("google", SUB, email="ana@example.com", email_verified=True)
    assert kit.unlink_provider(ana.id, "google").password_hash is not None
    assert kit.identities(ana.id) == []


def test_unlink_of_an_unknown_customer(store: Store) -> None:
    kit = make_kit(store=store, business=BUSINESS)
    with pytest.raises(CustomerNotFound):
        kit.unlink_provider("cus_nobody", "google")
    with pytest.raises(CustomerNotFound):
        kit.identities("cus_nobody")


def test_the_same_identity_at_two_businesses_is_two_independent_links(store: Store) -> None:
    one = make_kit(store=store, business=BUSINESS)
    two = make_kit(store=store, business=OTHER)
    ana_one = one.add_customer("ana@example.com")
    two.add_customer("ana@example.com")

    at_one = one.sign_in_with_provider("google", SUB, email="ana@example.com", email_verified=True)
    with pytest.raises(ProviderEmailNotVerified):
        two.sign_in_with_provider("google", SUB, email="ana@example.com", email_verified=False)
    at_two = two.sign_in_with_provider("google", SUB, email="ana@example.com", email_verified=True)

    assert at_one.id == ana_one.id and at_two.business_id == OTHER.id
    assert two.identities(at_two.id)[0].customer_id == at_two.id
    two.unlink_provider(at_two.id, "google") if at_two.password_hash else None
    assert one.identities(ana_one.id)[0].subject == SUB


def test_subjects_are_compared_exactly(store: Store) -> None:
    kit = make_kit(store=store, business=BUSINESS)
    lower = kit.sign_in_with_provider(
        "apple", "abc.DEF", email="a@example.com", email_verified=True
    )
    upper = kit.sign_in_with_provider(
        "apple", "ABC.def", email="b@example.com", email_verified=True
    )
    assert lower.id != upper.id
    again = kit.sign_in_with_provider(
        "apple", "ABC.def", email="a@example.com", email_verified=True
    )
    assert again.id == upper.id


@pytest.mark.parametrize(
    ("provider", "subject", "field", "code"),
    [
        ("", SUB, "provider", "empty"),
        ("   ", SUB, "provider", "empty"),
        ("g" * 41, SUB, "provider", "too_long"),
        ("goo gle", SUB, "provider", "malformed"),
        ("goo\ngle", SUB, "provider", "malformed"),
        ("gøøgle", SUB, "provider", "malformed"),
        ("-google", SUB, "provider", "malformed"),
        (None, SUB, "provider", "not_text"),
        ("google", "", "subject", "empty"),
        ("google", "a" * 256, "subject", "too_long"),
        ("google", "a" * 1_000_000, "subject", "too_long"),
        ("p" * 1_000_000, SUB, "provider", "too_long"),
        ("google", "a b", "subject", "malformed"),
        ("google", " 123", "subject", "malformed"),
        ("google", "12\x003", "subject", "malformed"),
        ("google", "ünïcode", "subject", "malformed"),
        ("google", "\ud800", "subject", "malformed"),
        ("google", 123, "subject", "not_text"),
    ],
)
def test_bad_providers_and_subjects_are_refused_before_anything_is_read(
    store: Store, provider: object, subject: object, field: str, code: str
) -> None:
    kit = make_kit(store=store, business=BUSINESS)
    with pytest.raises(InvalidIdentity) as refused:
        kit.sign_in_with_provider(provider, subject, email="a@example.com", email_verified=True)  # type: ignore[arg-type]
    assert (refused.value.field, refused.value.code) == (field, code)


def test_a_bad_email_is_refused(store: Store) -> None:
    kit = make_kit(store=store, business=BUSINESS)
    with pytest.raises(InvalidEmail):
        kit.sign_in_with_provider("google", SUB, email="not an address", email_verified=True)


def test_forgot_password_names_every_provider_in_the_customers_language(store: Store) -> None:
    mailer = MemoryMailer()
    clock = FakeClock(datetime(2026, 3, 2, 9, tzinfo=UTC))
    kit = make_kit(store=store, mailer=mailer, business=BUSINESS, clock=clock)
    jonas = kit.sign_in_with_provider(
        "google", SUB, email="jonas@example.com", email_verified=True, locale="de"
    )
    clock.advance(timedelta(minutes=1))
    kit.sign_in_with_provider("facebook", "fb", email="jonas@example.com", email_verified=True)

    kit.request_password_reset("jonas@example.com")
    kit.deliver()

    (email,) = mailer.to(jonas.email)
    assert "Google oder Facebook" in email.text
    assert "/reset/" not in email.text
    clock.advance(timedelta(hours=2))
    kit.unlink_provider(jonas.id, "google")
    kit.request_password_reset("jonas@example.com")
    kit.deliver()
    assert "Facebook" in mailer.outbox[-1].text and "Google" not in mailer.outbox[-1].text
