"""Self sign-up: verification first, existing profiles activated only with proof."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from invitekit.exceptions import (
    CustomerArchived,
    InvalidCredentials,
    InvalidName,
    TokenUsed,
    TokenWrongPurpose,
    VerificationSuperseded,
    WeakPassword,
)
from invitekit.model import Customer, EventKind, Status
from invitekit.ports import Store

from .helpers import (
    ACTIVATE,
    PASSWORD,
    RESET,
    UNSUBSCRIBE,
    VERIFY,
    accepted_customer,
    invite_and_deliver,
    last_mail_to,
    token_in,
)
from .stores import open_store, store_params

CHOSEN = "my own sign-up password"


@pytest.fixture(params=store_params())
def invitekit_store(request: pytest.FixtureRequest) -> Iterator[Store]:
    """Every test here runs on each store kind (the plugin's kit picks this store up)."""
    with open_store(request.param) as store:
        yield store


def verification_token(kit, mailer, address: str) -> str:
    kit.deliver()
    return token_in(last_mail_to(mailer, address), VERIFY)


def test_new_address_gets_a_verification_link_and_no_customer_yet(
    invitekit_kit, invitekit_mailer
) -> None:
    assert invitekit_kit.register("neu@example.com", first_name="Neu", password=CHOSEN) is None
    assert invitekit_kit.find_customer("neu@example.com") is None
    invitekit_kit.deliver()
    mail = last_mail_to(invitekit_mailer, "neu@example.com")
    assert mail.subject == "Bestätige deine E-Mail-Adresse für Studio One"


def test_following_the_link_creates_an_accepted_customer(invitekit_kit, invitekit_mailer) -> None:
    invitekit_kit.register("neu@example.com", first_name="Neu", locale="de_AT", password=CHOSEN)
    token = verification_token(invitekit_kit, invitekit_mailer, "neu@example.com")
    customer = invitekit_kit.verify_email(token, password=CHOSEN)
    assert (customer.status, customer.first_name, customer.locale) == (
        Status.ACCEPTED,
        "Neu",
        "de_AT",
    )
    assert invitekit_kit.login("neu@example.com", CHOSEN).id == customer.id
    kinds = [e.kind for e in invitekit_kit.history(customer.id)]
    assert kinds == [EventKind.ADDED, EventKind.ACCEPTED, EventKind.LOGGED_IN]


def test_verification_link_works_once(invitekit_kit, invitekit_mailer) -> None:
    invitekit_kit.register("neu@example.com", password=CHOSEN)
    token = verification_token(invitekit_kit, invitekit_mailer, "neu@example.com")
    invitekit_kit.verify_email(token, password=CHOSEN)
    with pytest.raises(TokenUsed):
        invitekit_kit.verify_email(token, password=CHOSEN)


def test_checking_the_verification_link_changes_nothing(invitekit_kit, invitekit_mailer) -> None:
    invitekit_kit.register("neu@example.com", first_name="Neu", password=CHOSEN)
    token = verification_token(invitekit_kit, invitekit_mailer, "neu@example.com")
    check = invitekit_kit.check_email_verification(token)
    assert (check.email, check.customer_id, check.first_name) == ("neu@example.com", None, "Neu")
    assert invitekit_kit.find_customer("neu@example.com") is None


def test_invited_customer_gets_the_link_at_the_stored_address(
    invitekit_kit, invitekit_mailer
) -> None:
    bo = invitekit_kit.add_customer("Bo@example.com", first_name="Bo")
    invitekit_kit.register("bo@EXAMPLE.com", first_name="Mallory", password=CHOSEN)
    invitekit_kit.deliver()
    assert [m.to for m in invitekit_mailer.outbox] == ["Bo@example.com"]
    assert "Hallo Bo," in invitekit_mailer.outbox[0].text
    assert invitekit_kit.get_customer(bo.id).status is Status.ADDED


def test_following_the_link_activates_the_existing_profile(
    invitekit_kit, invitekit_mailer
) -> None:
    bo = invitekit_kit.add_customer("bo@example.com", first_name="Bo")
    invite_and_deliver(invitekit_kit, invitekit_mailer, bo)
    invitekit_kit.register("bo@example.com", password=CHOSEN)
    activated = invitekit_kit.verify_email(
        verification_token(invitekit_kit, invitekit_mailer, "bo@example.com"), password=CHOSEN
    )
    assert (activated.id, activated.status, activated.first_name) == (
        bo.id,
        Status.ACCEPTED,
        "Bo",
    )
    assert invitekit_kit.login("bo@example.com", CHOSEN).id == bo.id
    assert len(invitekit_kit.list_customers()) == 1


def test_the_names_typed_at_sign_up_fill_only_what_the_profile_lacks(
    invitekit_kit, invitekit_mailer
) -> None:
    lena = invitekit_kit.add_customer("lena@example.com", last_name="Berger", locale="de_AT")
    invitekit_kit.register(
        "lena@example.com", first_name="Lena", last_name="Typed", locale="en", password=CHOSEN
    )
    invitekit_kit.deliver()
    email = last_mail_to(invitekit_mailer, "lena@example.com")
    # Before the address is proven the email greets by the name on file (none): the
    # name typed by whoever signed up is not put in an email to the customer.
    assert email.text.startswith("Hallo,")
    activated = invitekit_kit.verify_email(token_in(email, VERIFY), password=CHOSEN)
    assert (activated.id, activated.first_name, activated.last_name, activated.locale) == (
        lena.id,
        "Lena",
        "Berger",
        "de_AT",
    )


def test_sign_up_without_the_link_never_attaches(invitekit_kit) -> None:
    bo = invitekit_kit.add_customer("bo@example.com")
    invitekit_kit.register("bo@example.com", password=CHOSEN)
    with pytest.raises(InvalidCredentials):
        invitekit_kit.login("bo@example.com", CHOSEN)
    assert invitekit_kit.get_customer(bo.id).password_hash is None


def test_activation_by_invitation_kills_the_verification_link(
    invitekit_kit, invitekit_mailer
) -> None:
    bo = invitekit_kit.add_customer("bo@example.com")
    invitation = invite_and_deliver(invitekit_kit, invitekit_mailer, bo)
    invitekit_kit.register("bo@example.com", password=CHOSEN)
    token = verification_token(invitekit_kit, invitekit_mailer, "bo@example.com")
    invitekit_kit.accept_invitation(token_in(invitation, ACTIVATE), PASSWORD)
    with pytest.raises(TokenUsed):
        invitekit_kit.verify_email(token)
    assert invitekit_kit.login("bo@example.com", PASSWORD).id == bo.id


def test_archiving_kills_the_verification_link(invitekit_kit, invitekit_mailer) -> None:
    bo = invitekit_kit.add_customer("bo@example.com")
    invitekit_kit.register("bo@example.com", password=CHOSEN)
    token = verification_token(invitekit_kit, invitekit_mailer, "bo@example.com")
    invitekit_kit.archive_customer(bo.id)
    with pytest.raises(CustomerArchived):
        invitekit_kit.verify_email(token)


def test_email_change_kills_the_verification_link(invitekit_kit, invitekit_mailer) -> None:
    bo = invitekit_kit.add_customer("bo@example.com")
    invitekit_kit.register("bo@example.com", password=CHOSEN)
    token = verification_token(invitekit_kit, invitekit_mailer, "bo@example.com")
    invitekit_kit.update_customer(bo.id, email="bo.new@example.com")
    with pytest.raises(TokenUsed):
        invitekit_kit.verify_email(token)
    assert invitekit_kit.find_customer("bo@example.com") is None


@pytest.fixture
def added_since(invitekit_kit, invitekit_mailer) -> tuple[str, Customer]:
    """A verification link for a new address, and the customer the business added since."""
    invitekit_kit.register("neu@example.com", password=CHOSEN)
    token = verification_token(invitekit_kit, invitekit_mailer, "neu@example.com")
    return token, invitekit_kit.add_customer("Neu@example.com", first_name="Neu")


def test_a_link_for_a_new_address_does_not_activate_a_customer_added_since(
    invitekit_kit, added_since
) -> None:
    token, added = added_since
    with pytest.raises(VerificationSuperseded):
        invitekit_kit.verify_email(token, password=CHOSEN)
    stored = invitekit_kit.get_customer(added.id)
    assert (stored.status, stored.password_hash) == (Status.ADDED, None)
    assert len(invitekit_kit.list_customers()) == 1


def test_a_superseded_link_is_replaced_by_one_to_the_customers_stored_address(
    invitekit_kit, invitekit_mailer, added_since
) -> None:
    old, added = added_since
    with pytest.raises(VerificationSuperseded):
        invitekit_kit.verify_email(old, password=CHOSEN)
    invitekit_kit.deliver()
    mail = last_mail_to(invitekit_mailer, "Neu@example.com")
    assert "Hallo Neu," in mail.text
    fresh = token_in(mail, VERIFY)
    assert invitekit_kit.check_email_verification(fresh).customer_id == added.id
    with pytest.raises(TokenUsed):
        invitekit_kit.verify_email(old, password=CHOSEN)  # the old link is gone
    with pytest.raises(InvalidCredentials):
        invitekit_kit.verify_email(fresh)  # the new one needs the password too
    assert invitekit_kit.verify_email(fresh, password=CHOSEN).id == added.id
    assert invitekit_kit.login("neu@example.com", CHOSEN).id == added.id


def test_a_superseded_link_followed_without_the_password_sends_nothing(
    invitekit_kit, invitekit_mailer
) -> None:
    invitekit_kit.register("neu@example.com", password="the stranger's password")
    token = verification_token(invitekit_kit, invitekit_mailer, "neu@example.com")
    invitekit_kit.add_customer("neu@example.com")
    invitekit_mailer.clear()
    with pytest.raises(InvalidCredentials):
        invitekit_kit.verify_email(token, password="the customer guesses")
    assert invitekit_kit.check_email_verification(token).customer_id is None  # GET: no change
    invitekit_kit.deliver()
    assert invitekit_mailer.outbox == []


def test_a_customer_added_while_the_password_is_checked_is_not_activated(
    invitekit_kit, invitekit_mailer, monkeypatch
) -> None:
    invitekit_kit.register("neu@example.com", password=CHOSEN)
    token = verification_token(invitekit_kit, invitekit_mailer, "neu@example.com")
    hasher = invitekit_kit.password_hasher
    check = hasher.verify

    def business_adds_the_address_meanwhile(password_hash: str | None, password: str) -> bool:
        invitekit_kit.add_customer("neu@example.com", first_name="Neu")
        return check(password_hash, password)

    monkeypatch.setattr(hasher, "verify", business_adds_the_address_meanwhile)
    with pytest.raises(VerificationSuperseded):
        invitekit_kit.verify_email(token, password=CHOSEN)
    (customer,) = invitekit_kit.list_customers()
    assert (customer.status, customer.password_hash) == (Status.ADDED, None)


def test_a_customer_accepted_since_the_sign_up_makes_the_link_used(
    invitekit_kit, invitekit_mailer
) -> None:
    invitekit_kit.register("neu@example.com", password=CHOSEN)
    token = verification_token(invitekit_kit, invitekit_mailer, "neu@example.com")
    accepted_customer(invitekit_kit, invitekit_mailer, "neu@example.com")
    with pytest.raises(TokenUsed):
        invitekit_kit.verify_email(token, password=CHOSEN)


def test_accepted_customer_is_told_they_have_a_profile(
    invitekit_kit, invitekit_mailer, ana
) -> None:
    invitekit_kit.register("ana@example.com", password=CHOSEN)
    invitekit_kit.deliver()
    mail = last_mail_to(invitekit_mailer, "ana@example.com")
    assert mail.subject == "Du hast bereits ein Profil bei Studio One"
    token = token_in(mail, RESET)
    assert invitekit_kit.check_password_reset(token).customer_id == ana.id
    assert invitekit_kit.login("ana@example.com", PASSWORD).id == ana.id


def test_provider_backed_customer_is_told_to_use_the_provider(
    invitekit_kit, invitekit_mailer
) -> None:
    invitekit_kit.add_customer("gina@example.com", auth_provider="facebook")
    invitekit_kit.register("gina@example.com", password=CHOSEN)
    invitekit_kit.deliver()
    assert (
        "Du meldest dich mit Facebook an"
        in last_mail_to(invitekit_mailer, "gina@example.com").text
    )


def test_archived_customer_gets_nothing(invitekit_kit, invitekit_mailer) -> None:
    bo = invitekit_kit.add_customer("bo@example.com")
    invitekit_kit.archive_customer(bo.id)
    invitekit_kit.register("bo@example.com", password=CHOSEN)
    invitekit_kit.deliver()
    assert invitekit_mailer.outbox == []


def test_weak_password_is_refused_before_anything_happens(invitekit_kit, invitekit_mailer) -> None:
    with pytest.raises(WeakPassword):
        invitekit_kit.register("neu@example.com", password="short")
    invitekit_kit.deliver()
    assert invitekit_mailer.outbox == []


def test_verification_token_is_not_a_reset_token(invitekit_kit, invitekit_mailer) -> None:
    invitekit_kit.register("neu@example.com", password=CHOSEN)
    token = verification_token(invitekit_kit, invitekit_mailer, "neu@example.com")
    with pytest.raises(TokenWrongPurpose):
        invitekit_kit.reset_password(token, "a brand new password")


def test_existing_profile_page_must_ask_for_the_sign_up_password(
    invitekit_kit, invitekit_mailer
) -> None:
    invitekit_kit.add_customer("bo@example.com")
    invitekit_kit.register("bo@example.com", password=CHOSEN)
    token = verification_token(invitekit_kit, invitekit_mailer, "bo@example.com")
    assert invitekit_kit.check_email_verification(token).needs_password


def test_stranger_signing_up_with_a_customers_address_cannot_take_the_profile_over(
    invitekit_kit, invitekit_mailer
) -> None:
    bo = invitekit_kit.add_customer("bo@example.com")
    invitekit_kit.register("bo@example.com", password="the stranger's password")
    token = verification_token(invitekit_kit, invitekit_mailer, "bo@example.com")
    # Bo clicks "confirm" without knowing the stranger's password.
    with pytest.raises(InvalidCredentials):
        invitekit_kit.verify_email(token)
    with pytest.raises(InvalidCredentials):
        invitekit_kit.verify_email(token, password="bo guesses something")
    assert invitekit_kit.get_customer(bo.id).status is Status.ADDED


def test_wrong_password_keeps_the_verification_link_valid(invitekit_kit, invitekit_mailer) -> None:
    invitekit_kit.register("neu@example.com", password=CHOSEN)
    token = verification_token(invitekit_kit, invitekit_mailer, "neu@example.com")
    with pytest.raises(InvalidCredentials):
        invitekit_kit.verify_email(token, password="not what I chose")
    assert invitekit_kit.verify_email(token, password=CHOSEN).status is Status.ACCEPTED


def test_a_new_address_needs_the_sign_up_password_too(invitekit_kit, invitekit_mailer) -> None:
    invitekit_kit.register("neu@example.com", password="the stranger's password")
    token = verification_token(invitekit_kit, invitekit_mailer, "neu@example.com")
    assert invitekit_kit.check_email_verification(token).needs_password
    # The owner of the mailbox clicks "confirm" without the stranger's password.
    with pytest.raises(InvalidCredentials):
        invitekit_kit.verify_email(token)
    assert invitekit_kit.find_customer("neu@example.com") is None
    # So the business can still add the address as its own customer.
    assert invitekit_kit.add_customer("neu@example.com").status is Status.ADDED


def test_unsubscribing_keeps_a_sign_up_confirmation_queued(
    invitekit_kit, invitekit_mailer
) -> None:
    # Found by the reliability campaign (tests/reliability/test_model.py).
    customer = invitekit_kit.add_customer("bob@example.com")
    invitation = invite_and_deliver(invitekit_kit, invitekit_mailer, customer)
    invitekit_kit.register("bob@example.com", password="first secret phrase")

    invitekit_kit.unsubscribe(token_in(invitation, UNSUBSCRIBE))
    invitekit_kit.deliver()

    confirmation = last_mail_to(invitekit_mailer, "bob@example.com")
    token = token_in(confirmation, VERIFY)
    accepted = invitekit_kit.verify_email(token, password="first secret phrase")
    assert (accepted.id, accepted.status) == (customer.id, Status.ACCEPTED)


@pytest.mark.parametrize(
    "first_name",
    ["Claim your prize at bit.ly/x", "A stranger's eighty-character first name " * 2],
)
def test_a_link_or_a_long_name_at_sign_up_is_refused_and_nothing_is_sent(
    invitekit_kit, invitekit_mailer, first_name: str
) -> None:
    with pytest.raises(InvalidName):
        invitekit_kit.register("neu@example.com", first_name=first_name, password=CHOSEN)
    invitekit_kit.deliver()
    assert invitekit_mailer.outbox == []


def test_a_known_customer_without_a_language_reads_the_sign_up_pages(
    invitekit_kit, invitekit_mailer
) -> None:
    invitekit_kit.add_customer("bo@example.com", first_name="Bo")
    invitekit_kit.register("bo@example.com", password=CHOSEN, locale="es")
    invitekit_kit.deliver()
    mail = last_mail_to(invitekit_mailer, "bo@example.com")
    assert mail.subject == "Confirma tu dirección de correo para Studio One"
    assert mail.text.startswith("Hola Bo:\n")
