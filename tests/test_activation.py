from __future__ import annotations

from datetime import timedelta

import attrs
import pytest

from invitekit import (
    CustomerArchived,
    EventKind,
    InviteKit,
    Status,
    TokenError,
    TokenExpired,
    TokenInvalid,
    TokenUsed,
    TokenWrongBusiness,
    TokenWrongPurpose,
    WeakPassword,
)
from invitekit.adapters.memory import MemoryMailer, MemoryStore
from invitekit.model import Business
from invitekit.testing import TEST_SECRET, FakeClock, make_kit

from .helpers import ACTIVATE, UNSUBSCRIBE, snapshot, token_in

PASSWORD = "correct horse battery staple"


@pytest.fixture
def invited(invitekit_kit: InviteKit, invitekit_mailer: MemoryMailer) -> tuple[str, str]:
    """An invited customer's id and activation token."""
    ana = invitekit_kit.add_customer("ana@example.com", first_name="Ana", invite=True)
    invitekit_kit.deliver()
    return ana.id, token_in(invitekit_mailer.outbox[-1], ACTIVATE)


def test_check_activation_tells_who_and_changes_nothing(
    invitekit_kit: InviteKit, invited: tuple[str, str], invitekit_clock: FakeClock
) -> None:
    customer_id, token = invited
    before = snapshot(invitekit_kit)
    check = invitekit_kit.check_activation(token)
    assert (check.customer_id, check.email, check.first_name) == (
        customer_id,
        "ana@example.com",
        "Ana",
    )
    assert check.expires_at == invitekit_clock.now() + timedelta(days=14)
    # Only the campaign's funnel learns of the first open: one event, nothing else.
    after = snapshot(invitekit_kit)
    opened = after["events"][customer_id].pop()
    assert (opened.kind, opened.campaign_id) == (
        EventKind.LINK_OPENED,
        invitekit_kit.list_campaigns()[0].id,
    )
    assert after == before
    first = snapshot(invitekit_kit)
    invitekit_kit.check_activation(token)  # a mail scanner's second GET changes nothing
    assert snapshot(invitekit_kit) == first


def test_accept_sets_password_and_status(
    invitekit_kit: InviteKit, invited: tuple[str, str]
) -> None:
    customer_id, token = invited
    customer = invitekit_kit.accept_invitation(token, PASSWORD)
    assert customer.status is Status.ACCEPTED
    assert customer.password_hash is not None and customer.password_hash.startswith("$argon2id$")
    assert invitekit_kit.password_hasher.verify(customer.password_hash, PASSWORD)
    assert invitekit_kit.get_customer(customer_id) == customer
    assert invitekit_kit.history(customer_id)[-1].kind is EventKind.ACCEPTED


def test_second_use_is_refused_as_used(invitekit_kit: InviteKit, invited: tuple[str, str]) -> None:
    _, token = invited
    invitekit_kit.accept_invitation(token, PASSWORD)
    before = snapshot(invitekit_kit)
    with pytest.raises(TokenUsed, match="already activated"):
        invitekit_kit.accept_invitation(token, "another long password")
    with pytest.raises(TokenUsed):
        invitekit_kit.check_activation(token)
    assert snapshot(invitekit_kit) == before


def test_weak_password_keeps_the_link_valid(
    invitekit_kit: InviteKit, invited: tuple[str, str]
) -> None:
    _, token = invited
    with pytest.raises(WeakPassword, match="at least 8"):
        invitekit_kit.accept_invitation(token, "short")
    with pytest.raises(WeakPassword):
        invitekit_kit.accept_invitation(token, "ana@example.com")
    assert invitekit_kit.accept_invitation(token, PASSWORD).status is Status.ACCEPTED


def test_expiry_boundary(
    invitekit_kit: InviteKit, invited: tuple[str, str], invitekit_clock: FakeClock
) -> None:
    _, token = invited
    invitekit_clock.advance(days=14)
    invitekit_kit.check_activation(token)  # exactly at the limit: still valid
    invitekit_clock.advance(seconds=1)
    with pytest.raises(TokenExpired) as caught:
        invitekit_kit.check_activation(token)
    assert caught.value.expired_at == invitekit_clock.now() - timedelta(seconds=1)


def test_expired_link_of_an_accepted_profile_says_used(
    invitekit_kit: InviteKit, invitekit_mailer: MemoryMailer, invitekit_clock: FakeClock
) -> None:
    ana = invitekit_kit.add_customer("ana@example.com", invite=True)
    invitekit_kit.deliver()
    old = token_in(invitekit_mailer.outbox[-1], ACTIVATE)
    invitekit_kit.invite(ana.id)
    invitekit_kit.deliver()
    invitekit_kit.accept_invitation(token_in(invitekit_mailer.outbox[-1], ACTIVATE), PASSWORD)
    invitekit_clock.advance(days=30)
    with pytest.raises(TokenUsed):
        invitekit_kit.check_activation(old)


@pytest.mark.parametrize("cut", [1, 5, 20])
def test_truncated_token_is_invalid(
    invitekit_kit: InviteKit, invited: tuple[str, str], cut: int
) -> None:
    _, token = invited
    with pytest.raises(TokenInvalid):
        invitekit_kit.check_activation(token[:-cut])


def test_tampered_payload_is_invalid(invitekit_kit: InviteKit, invited: tuple[str, str]) -> None:
    _, token = invited
    payload, rest = token.split(".", 1)
    flipped = payload[:-1] + ("A" if payload[-1] != "A" else "B")
    with pytest.raises(TokenInvalid):
        invitekit_kit.accept_invitation(f"{flipped}.{rest}", PASSWORD)


def test_unsubscribe_token_is_the_wrong_purpose(
    invitekit_kit: InviteKit, invitekit_mailer: MemoryMailer, invited: tuple[str, str]
) -> None:
    unsubscribe = token_in(invitekit_mailer.outbox[-1], UNSUBSCRIBE)
    with pytest.raises(TokenWrongPurpose):
        invitekit_kit.check_activation(unsubscribe)


def test_other_business_refuses_the_token_even_with_the_same_secret(
    invitekit_kit: InviteKit,
    invited: tuple[str, str],
    invitekit_store: MemoryStore,
    invitekit_clock: FakeClock,
    invitekit_business: Business,
) -> None:
    _, token = invited
    other = make_kit(
        store=invitekit_store,
        clock=invitekit_clock,
        business=attrs.evolve(invitekit_business, id="studio-2"),
    )
    with pytest.raises(TokenWrongBusiness):
        other.check_activation(token)


def test_archived_customer_cannot_activate_even_after_restore(
    invitekit_kit: InviteKit, invited: tuple[str, str]
) -> None:
    customer_id, token = invited
    invitekit_kit.archive_customer(customer_id)
    with pytest.raises(CustomerArchived):
        invitekit_kit.check_activation(token)
    invitekit_kit.restore_customer(customer_id)
    with pytest.raises(TokenUsed):  # archiving killed every link already sent
        invitekit_kit.accept_invitation(token, PASSWORD)


def test_email_change_kills_the_link(invitekit_kit: InviteKit, invited: tuple[str, str]) -> None:
    customer_id, token = invited
    invitekit_kit.update_customer(customer_id, email="ana.new@example.com")
    with pytest.raises(TokenUsed):
        invitekit_kit.check_activation(token)


def test_unsubscribed_customer_can_still_activate(
    invitekit_kit: InviteKit, invitekit_mailer: MemoryMailer, invited: tuple[str, str]
) -> None:
    customer_id, token = invited
    customer = invitekit_kit.unsubscribe(token_in(invitekit_mailer.outbox[-1], UNSUBSCRIBE))
    assert customer.unsubscribed
    assert invitekit_kit.get_customer(customer_id).unsubscribed
    assert invitekit_kit.accept_invitation(token, PASSWORD).status is Status.ACCEPTED


@pytest.mark.parametrize("garbage", ["", "x", "a.b.c", "💥" * 10, "A" * 5000, "eyJ9.e30.AAAA"])
def test_garbage_tokens_are_invalid(invitekit_kit: InviteKit, garbage: str) -> None:
    with pytest.raises(TokenError):
        invitekit_kit.check_activation(garbage)


def test_short_secret_keys_are_refused(invitekit_business: Business) -> None:
    from invitekit import ConfigurationError

    with pytest.raises(ConfigurationError):
        make_kit(business=invitekit_business, secret_keys=["short"])
    with pytest.raises(ConfigurationError):
        make_kit(business=invitekit_business, secret_keys=TEST_SECRET)  # a string, not a list
