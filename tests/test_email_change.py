"""A customer changes their email address: re-authenticated, confirmed, announced, single use."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from invitekit import InviteKit
from invitekit.adapters.memory import MemoryMailer
from invitekit.email_change import REAUTHENTICATION_WINDOW, Proof, reauthentication
from invitekit.exceptions import (
    ConfigurationError,
    CustomerArchived,
    EmailAddressTaken,
    InvalidCredentials,
    InvalidEmail,
    LoginThrottled,
    ReauthenticationRequired,
    TokenUsed,
    TokenWrongBusiness,
    TokenWrongPurpose,
    ValidationError,
)
from invitekit.model import Customer, EventKind, EventNote, MessageKind, OutboxState, Purpose
from invitekit.ports import Store
from invitekit.settings import business_from_json, business_json
from invitekit.testing import FakeClock, make_accepted_customer, make_business, make_kit
from invitekit.throttle import LoginThrottle

from .helpers import (
    EMAIL_CHANGE,
    PASSWORD,
    RESET,
    UNSUBSCRIBE,
    accepted_customer,
    last_mail_to,
    snapshot,
    token_in,
)
from .stores import open_store, store_params

NEW = "ana.neu@example.com"


@pytest.fixture(params=store_params())
def invitekit_store(request: pytest.FixtureRequest) -> Iterator[Store]:
    """Every test here runs on each store kind (the plugin's kit picks this store up)."""
    with open_store(request.param) as store:
        yield store


def change_token(kit: InviteKit, mailer: MemoryMailer, customer: Customer, new: str = NEW) -> str:
    """Ask for a change to ``new`` with the password; the token of the link mailed there."""
    kit.request_email_change(customer.id, new, password=PASSWORD)
    kit.deliver()
    return token_in(last_mail_to(mailer, new), EMAIL_CHANGE)


def test_the_new_address_gets_the_link_and_the_old_one_a_notice(
    invitekit_kit: InviteKit, invitekit_mailer: MemoryMailer, ana: Customer
) -> None:
    invitekit_kit.request_email_change(ana.id, NEW, password=PASSWORD)
    assert invitekit_mailer.outbox == []  # queued, composed at delivery
    invitekit_kit.deliver()

    link, notice = last_mail_to(invitekit_mailer, NEW), last_mail_to(invitekit_mailer, ana.email)
    assert link.subject == "Bestätige deine neue E-Mail-Adresse bei Studio One"
    assert notice.subject == "Deine E-Mail-Adresse bei Studio One wird geändert"
    assert EMAIL_CHANGE not in notice.text
    assert notice.text.startswith("Hallo Ana,")  # the address on file: the customer
    assert link.text.startswith("Hallo,\n")  # not proven yet: no name to a stranger
    assert invitekit_kit.get_customer(ana.id).email == ana.email  # not before confirming
    kinds = [e.kind for e in invitekit_kit.history(ana.id)]
    assert EventKind.EMAIL_CHANGE_REQUESTED in kinds
    assert EventKind.EMAIL_CHANGED not in kinds


def test_confirming_switches_the_address_and_records_the_old_one(
    invitekit_kit: InviteKit, invitekit_mailer: MemoryMailer, ana: Customer
) -> None:
    token = change_token(invitekit_kit, invitekit_mailer, ana)

    changed = invitekit_kit.confirm_email_change(token)

    assert changed.email == NEW
    assert invitekit_kit.get_customer(ana.id) == changed
    assert invitekit_kit.find_customer(ana.email) is None
    (event,) = [e for e in invitekit_kit.history(ana.id) if e.kind is EventKind.EMAIL_CHANGED]
    assert event.detail == ana.email
    assert invitekit_kit.login(NEW, PASSWORD).id == ana.id
    with pytest.raises(InvalidCredentials):
        invitekit_kit.login(ana.email, PASSWORD)


def test_opening_the_link_tells_the_new_address_and_changes_nothing(
    invitekit_kit: InviteKit, invitekit_mailer: MemoryMailer, ana: Customer
) -> None:
    token = change_token(invitekit_kit, invitekit_mailer, ana)
    before = snapshot(invitekit_kit)

    check = invitekit_kit.check_email_change(token)
    invitekit_kit.check_email_change(token)

    assert (check.purpose, check.email, check.customer_id) == (Purpose.EMAIL_CHANGE, NEW, ana.id)
    assert check.expires_at is not None
    assert snapshot(invitekit_kit) == before
    assert invitekit_kit.confirm_email_change(token).email == NEW


def test_the_link_is_single_use(
    invitekit_kit: InviteKit, invitekit_mailer: MemoryMailer, ana: Customer
) -> None:
    token = change_token(invitekit_kit, invitekit_mailer, ana)
    invitekit_kit.confirm_email_change(token)

    with pytest.raises(TokenUsed):
        invitekit_kit.confirm_email_change(token)
    with pytest.raises(TokenUsed):
        invitekit_kit.check_email_change(token)


def test_a_newer_request_kills_the_older_link(
    invitekit_kit: InviteKit, invitekit_mailer: MemoryMailer, ana: Customer
) -> None:
    older = change_token(invitekit_kit, invitekit_mailer, ana, "first@example.com")
    newer = change_token(invitekit_kit, invitekit_mailer, ana, "second@example.com")

    with pytest.raises(TokenUsed, match="replaced"):
        invitekit_kit.confirm_email_change(older)
    assert invitekit_kit.confirm_email_change(newer).email == "second@example.com"


def test_a_newer_request_to_the_same_address_kills_the_older_link(
    invitekit_kit: InviteKit, invitekit_mailer: MemoryMailer, ana: Customer
) -> None:
    older = change_token(invitekit_kit, invitekit_mailer, ana)
    newer = change_token(invitekit_kit, invitekit_mailer, ana)

    with pytest.raises(TokenUsed):
        invitekit_kit.confirm_email_change(older)
    assert invitekit_kit.confirm_email_change(newer).email == NEW


def test_a_newer_request_withdraws_the_older_confirmation_still_queued(
    invitekit_kit: InviteKit, invitekit_mailer: MemoryMailer, ana: Customer
) -> None:
    invitekit_kit.request_email_change(ana.id, "first@example.com", password=PASSWORD)
    invitekit_kit.request_email_change(ana.id, "second@example.com", password=PASSWORD)
    invitekit_kit.deliver()

    assert invitekit_mailer.to("first@example.com") == []
    assert len(invitekit_mailer.to("second@example.com")) == 1
    cancelled = invitekit_kit.outbox_messages(customer_id=ana.id, state=OutboxState.CANCELLED)
    assert [(m.kind, m.last_error) for m in cancelled] == [
        (MessageKind.EMAIL_CHANGE, EventNote.EMAIL_CHANGE_REPLACED)
    ]


def test_confirming_kills_every_older_link(
    invitekit_kit: InviteKit, invitekit_mailer: MemoryMailer
) -> None:
    accepted = make_accepted_customer(invitekit_kit, "ana@example.com")
    ana = accepted.customer
    unsubscribe = token_in(accepted.invitation, UNSUBSCRIBE)
    invitekit_kit.request_password_reset(ana.email)
    invitekit_kit.deliver()
    reset = token_in(last_mail_to(invitekit_mailer, ana.email), RESET)
    token = change_token(invitekit_kit, invitekit_mailer, ana)

    invitekit_kit.confirm_email_change(token)

    with pytest.raises(TokenUsed):
        invitekit_kit.check_password_reset(reset)
    with pytest.raises(TokenUsed):
        invitekit_kit.check_unsubscribe(unsubscribe)


def test_a_password_change_kills_a_pending_link(
    invitekit_kit: InviteKit, invitekit_mailer: MemoryMailer, ana: Customer
) -> None:
    token = change_token(invitekit_kit, invitekit_mailer, ana)
    invitekit_kit.request_password_reset(ana.email)
    invitekit_kit.deliver()
    reset = token_in(last_mail_to(invitekit_mailer, ana.email), RESET)
    invitekit_kit.reset_password(reset, "an entirely new password")

    with pytest.raises(TokenUsed):
        invitekit_kit.confirm_email_change(token)
    assert invitekit_kit.get_customer(ana.id).email == ana.email


def test_an_address_of_another_customer_gets_the_same_answer_and_the_link_fails(
    invitekit_kit: InviteKit, invitekit_mailer: MemoryMailer, ana: Customer
) -> None:
    bob = accepted_customer(invitekit_kit, invitekit_mailer, "bob@example.com")
    answer_free = invitekit_kit.request_email_change(ana.id, NEW, password=PASSWORD)
    pending = invitekit_kit.outbox_messages(state=OutboxState.PENDING)
    free = [(m.kind, m.recipient, m.locale) for m in pending]
    invitekit_kit.deliver()
    invitekit_mailer.clear()

    answer_taken = invitekit_kit.request_email_change(ana.id, bob.email, password=PASSWORD)
    queued = invitekit_kit.outbox_messages(state=OutboxState.PENDING)
    invitekit_kit.deliver()

    assert answer_free is None and answer_taken is None
    assert [(m.kind, m.recipient, m.locale) for m in queued] == [
        (kind, bob.email if kind is MessageKind.EMAIL_CHANGE else to, locale)
        for kind, to, locale in free
    ]
    assert last_mail_to(invitekit_mailer, ana.email).subject.endswith("wird geändert")
    token = token_in(last_mail_to(invitekit_mailer, bob.email), EMAIL_CHANGE)
    before = snapshot(invitekit_kit)
    with pytest.raises(EmailAddressTaken):
        invitekit_kit.check_email_change(token)
    with pytest.raises(EmailAddressTaken):
        invitekit_kit.confirm_email_change(token)
    assert snapshot(invitekit_kit) == before


def test_an_address_taken_after_the_request_fails_the_confirmation(
    invitekit_kit: InviteKit, invitekit_mailer: MemoryMailer, ana: Customer
) -> None:
    token = change_token(invitekit_kit, invitekit_mailer, ana)
    invitekit_kit.add_customer(NEW)

    with pytest.raises(EmailAddressTaken):
        invitekit_kit.confirm_email_change(token)
    assert invitekit_kit.get_customer(ana.id).email == ana.email


def test_a_wrong_password_is_a_failed_login_and_sends_nothing(
    invitekit_kit: InviteKit, invitekit_mailer: MemoryMailer, ana: Customer
) -> None:
    with pytest.raises(InvalidCredentials):
        invitekit_kit.request_email_change(ana.id, NEW, password="not the password")
    invitekit_kit.deliver()

    assert invitekit_mailer.outbox == []
    (failed,) = [e for e in invitekit_kit.history(ana.id) if e.kind is EventKind.LOGIN_FAILED]
    assert failed.note is EventNote.WRONG_PASSWORD


def test_wrong_passwords_count_against_the_login_throttle(invitekit_store: Store) -> None:
    mailer = MemoryMailer()
    kit = make_kit(
        store=invitekit_store, mailer=mailer, login_throttle=LoginThrottle(max_failures=3)
    )
    ana = accepted_customer(kit, mailer)
    for _ in range(3):
        with pytest.raises(InvalidCredentials):
            kit.request_email_change(ana.id, NEW, password="guess")

    with pytest.raises(LoginThrottled):
        kit.request_email_change(ana.id, NEW, password=PASSWORD)
    with pytest.raises(LoginThrottled):
        kit.login(ana.email, PASSWORD)


def test_the_right_password_forgets_earlier_failures(invitekit_store: Store) -> None:
    mailer = MemoryMailer()
    kit = make_kit(
        store=invitekit_store, mailer=mailer, login_throttle=LoginThrottle(max_failures=3)
    )
    ana = accepted_customer(kit, mailer)
    for _ in range(2):
        with pytest.raises(InvalidCredentials):
            kit.request_email_change(ana.id, NEW, password="guess")
    kit.request_email_change(ana.id, NEW, password=PASSWORD)
    for _ in range(2):
        with pytest.raises(InvalidCredentials):
            kit.login(ana.email, "guess")

    assert kit.login(ana.email, PASSWORD).id == ana.id


def test_no_password_for_a_customer_who_has_one_is_refused(
    invitekit_kit: InviteKit, invitekit_mailer: MemoryMailer, ana: Customer
) -> None:
    with pytest.raises(ReauthenticationRequired):
        invitekit_kit.request_email_change(ana.id, NEW)
    invitekit_kit.deliver()
    assert invitekit_mailer.outbox == []


def test_a_recent_reauthentication_the_app_vouches_for_is_enough(
    invitekit_kit: InviteKit,
    invitekit_mailer: MemoryMailer,
    invitekit_clock: FakeClock,
    ana: Customer,
) -> None:
    signed_in = invitekit_clock.now()
    invitekit_clock.advance(timedelta(minutes=10))

    invitekit_kit.request_email_change(ana.id, NEW, reauthenticated_at=signed_in)
    invitekit_kit.deliver()

    assert len(invitekit_mailer.to(NEW)) == 1


@pytest.mark.parametrize(
    "offset", [timedelta(minutes=-11), timedelta(minutes=2)], ids=["stale", "in-the-future"]
)
def test_a_reauthentication_that_is_not_recent_is_refused(
    invitekit_kit: InviteKit, invitekit_clock: FakeClock, ana: Customer, offset: timedelta
) -> None:
    with pytest.raises(ReauthenticationRequired):
        invitekit_kit.request_email_change(
            ana.id, NEW, reauthenticated_at=invitekit_clock.now() + offset
        )


def test_a_reauthentication_time_without_a_zone_is_refused(
    invitekit_kit: InviteKit, invitekit_clock: FakeClock, ana: Customer
) -> None:
    naive = invitekit_clock.now().replace(tzinfo=None)
    with pytest.raises(ValidationError) as caught:
        invitekit_kit.request_email_change(ana.id, NEW, reauthenticated_at=naive)
    assert caught.value.field == "reauthenticated_at"


def test_a_customer_without_a_password_needs_none(
    invitekit_kit: InviteKit, invitekit_mailer: MemoryMailer
) -> None:
    sam = invitekit_kit.add_customer("sam@example.com", auth_provider="google")

    invitekit_kit.request_email_change(sam.id, NEW)
    invitekit_kit.deliver()

    token = token_in(last_mail_to(invitekit_mailer, NEW), EMAIL_CHANGE)
    assert invitekit_kit.confirm_email_change(token).email == NEW


def test_archived_customers_are_refused(
    invitekit_kit: InviteKit, invitekit_mailer: MemoryMailer, ana: Customer
) -> None:
    token = change_token(invitekit_kit, invitekit_mailer, ana)
    invitekit_kit.archive_customer(ana.id)

    with pytest.raises(CustomerArchived):
        invitekit_kit.request_email_change(ana.id, "other@example.com", password=PASSWORD)
    with pytest.raises(CustomerArchived):
        invitekit_kit.confirm_email_change(token)
    invitekit_kit.restore_customer(ana.id)  # archiving killed the link for good
    with pytest.raises(TokenUsed):
        invitekit_kit.confirm_email_change(token)


@pytest.mark.parametrize(
    "new",
    ["ana\u200b@example.com", "ana@exam\u202eple.com", "not an address", "ANA@Example.com"],
    ids=["zero-width", "bidi", "garbage", "the-current-one"],
)
def test_an_address_that_is_invalid_or_the_current_one_is_refused(
    invitekit_kit: InviteKit, invitekit_mailer: MemoryMailer, ana: Customer, new: str
) -> None:
    with pytest.raises(InvalidEmail):
        invitekit_kit.request_email_change(ana.id, new, password=PASSWORD)
    invitekit_kit.deliver()
    assert invitekit_mailer.outbox == []


def test_the_current_address_is_refused_with_its_own_code(
    invitekit_kit: InviteKit, ana: Customer
) -> None:
    with pytest.raises(InvalidEmail) as caught:
        invitekit_kit.request_email_change(ana.id, "Ana@EXAMPLE.com", password=PASSWORD)
    assert (caught.value.code, caught.value.field) == ("unchanged", "new_email")


def test_the_new_address_is_stored_in_its_canonical_form(
    invitekit_kit: InviteKit, invitekit_mailer: MemoryMailer, ana: Customer
) -> None:
    invitekit_kit.request_email_change(ana.id, "  Ana.Neu@BÜCHER.example ", password=PASSWORD)
    invitekit_kit.deliver()
    mail = last_mail_to(invitekit_mailer, "Ana.Neu@xn--bcher-kva.example")

    changed = invitekit_kit.confirm_email_change(token_in(mail, EMAIL_CHANGE))

    assert changed.email == "Ana.Neu@xn--bcher-kva.example"
    assert invitekit_kit.find_customer("ana.neu@bücher.example") == changed


def test_the_mail_throttle_caps_the_emails_a_request_can_trigger(
    invitekit_kit: InviteKit, invitekit_mailer: MemoryMailer, ana: Customer
) -> None:
    for number in range(8):
        invitekit_kit.request_email_change(ana.id, f"new{number}@example.com", password=PASSWORD)
        invitekit_kit.deliver()

    notices = invitekit_mailer.to(ana.email)
    assert len(notices) == 5  # MailThrottle(): 5 per address and hour
    assert sum(len(invitekit_mailer.to(f"new{n}@example.com")) for n in range(8)) == 5


def test_a_stranger_cannot_be_mail_bombed_through_email_changes(
    invitekit_kit: InviteKit, invitekit_mailer: MemoryMailer
) -> None:
    for number in range(8):
        customer = accepted_customer(invitekit_kit, MemoryMailer(), f"c{number}@example.com")
        invitekit_kit.request_email_change(customer.id, "victim@example.com", password=PASSWORD)
    invitekit_kit.deliver()

    assert len(invitekit_mailer.to("victim@example.com")) == 5


@pytest.mark.parametrize(
    ("locale", "subject", "notice"),
    [
        ("en", "Confirm your new email address for Studio One", "is being changed"),
        ("es", "Confirma tu nueva dirección de correo para Studio One", "Estamos cambiando"),
        ("fr", "Confirmez votre nouvelle adresse e-mail chez Studio One", "va être changée"),
        ("de", "Bestätige deine neue E-Mail-Adresse bei Studio One", "wird geändert"),
    ],
)
def test_both_emails_are_in_the_customers_language(
    invitekit_kit: InviteKit,
    invitekit_mailer: MemoryMailer,
    locale: str,
    subject: str,
    notice: str,
) -> None:
    customer = accepted_customer(invitekit_kit, invitekit_mailer, "eva@example.com")
    customer = invitekit_kit.update_customer(customer.id, locale=locale)

    invitekit_kit.request_email_change(customer.id, NEW, password=PASSWORD)
    invitekit_kit.deliver()

    assert last_mail_to(invitekit_mailer, NEW).subject == subject
    assert notice in last_mail_to(invitekit_mailer, "eva@example.com").subject


def test_other_links_and_businesses_are_refused(
    invitekit_kit: InviteKit,
    invitekit_mailer: MemoryMailer,
    invitekit_store: Store,
    ana: Customer,
) -> None:
    invitekit_kit.request_password_reset(ana.email)
    invitekit_kit.deliver()
    reset = token_in(last_mail_to(invitekit_mailer, ana.email), RESET)
    token = change_token(invitekit_kit, invitekit_mailer, ana)
    other = make_kit(store=invitekit_store, business=make_business(id="studio-2"))

    with pytest.raises(TokenWrongPurpose):
        invitekit_kit.confirm_email_change(reset)
    with pytest.raises(TokenWrongPurpose):
        invitekit_kit.reset_password(token, "a brand new password")
    with pytest.raises(TokenWrongBusiness):
        other.confirm_email_change(token)
    assert invitekit_kit.get_customer(ana.id).email == ana.email


def test_a_business_without_an_email_change_page_is_told_which_field_is_missing(
    invitekit_store: Store,
) -> None:
    mailer = MemoryMailer()
    kit = make_kit(store=invitekit_store, mailer=mailer)
    ana = accepted_customer(kit, mailer)
    kit = make_kit(
        store=invitekit_store,
        mailer=mailer,
        business=attrs.evolve(make_business(), email_change_url=None),
    )

    with pytest.raises(ConfigurationError, match="email_change_url"):
        kit.request_email_change(ana.id, NEW, password=PASSWORD)


@given(
    offset=st.one_of(
        st.none(), st.timedeltas(min_value=-timedelta(days=1), max_value=timedelta(days=1))
    ),
    has_password=st.booleans(),
    password_given=st.booleans(),
)
def test_the_proof_a_request_carries(
    offset: timedelta | None, has_password: bool, password_given: bool
) -> None:
    now = FakeClock().now()
    customer = Customer(
        id="cus_1",
        business_id="studio-1",
        email="ana@example.com",
        email_key="ana@example.com",
        password_hash="$argon2id$..." if has_password else None,
        created_at=now,
        updated_at=now,
    )
    at = None if offset is None else now + offset

    proof = reauthentication(
        customer, password_given=password_given, reauthenticated_at=at, now=now
    )

    if password_given:
        assert proof is Proof.PASSWORD
    elif offset is not None:
        recent = -REAUTHENTICATION_WINDOW <= offset <= timedelta(minutes=1)
        assert proof is (Proof.RECENT_SIGN_IN if recent else Proof.MISSING)
    else:
        assert proof is (Proof.MISSING if has_password else Proof.NONE_NEEDED)


def test_settings_stored_before_email_change_url_keep_their_text() -> None:
    business = attrs.evolve(make_business(), email_change_url=None, booking_url=None)
    # What the store wrote before the fields existed: every field but those.
    later = {"email_change_url", "booking_url", "pacing", "reminders"}
    old = attrs.asdict(business, filter=lambda a, _: a.name not in later)
    old_text = json.dumps(old, sort_keys=True, ensure_ascii=False)

    assert business_json(business) == old_text  # saving it again adds no version
    assert business_from_json(old_text) == business
    assert business_from_json(business_json(make_business())) == make_business()
