"""Tokens: each refusal, each expiry boundary, key rotation, business binding, tampering."""

from __future__ import annotations

import re
import secrets
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from itsdangerous import BadData
from itsdangerous.encoding import base64_decode, base64_encode

from invitekit.adapters.memory import MemoryStore
from invitekit.exceptions import (
    ConfigurationError,
    CustomerArchived,
    TestInvitationToken,
    TokenError,
    TokenExpired,
    TokenInvalid,
    TokenUsed,
    TokenWrongBusiness,
    TokenWrongPurpose,
)
from invitekit.model import Customer, Registration
from invitekit.testing import TEST_SECRET, FakeClock, make_business, make_kit
from invitekit.token_shape import _PART
from invitekit.tokens import InsecureKey, Purpose, TokenExpiry, Tokens, fingerprint

from .helpers import ACTIVATE, PASSWORD, RESET, UNSUBSCRIBE, invite_and_deliver, token_in

OLD_KEY = secrets.token_urlsafe(32)
NEW_KEY = secrets.token_urlsafe(32)


def customer(clock: FakeClock, business_id: str = "studio-1", **changes: object) -> Customer:
    fields: dict[str, object] = {
        "id": "cus_1",
        "business_id": business_id,
        "email": "ana@example.com",
        "email_key": "ana@example.com",
        "created_at": clock.now(),
        "updated_at": clock.now(),
        **changes,
    }
    return Customer(**fields)  # type: ignore[arg-type]


def tokens(clock: FakeClock, keys: list[str], business_id: str = "studio-1") -> Tokens:
    return Tokens(business_id=business_id, secret_keys=keys, clock=clock)


# Refusals, each its own exception, all TokenErrors -----------------------------------------


def test_refusal_types_are_token_errors() -> None:
    for error in (
        TokenInvalid,
        TokenExpired,
        TokenUsed,
        TokenWrongPurpose,
        TokenWrongBusiness,
        TestInvitationToken,
        CustomerArchived,
    ):
        assert issubclass(error, TokenError)


def test_tampered_token_is_refused_as_invalid(invitekit_kit, invitekit_mailer) -> None:
    c = invitekit_kit.add_customer("ana@example.com")
    token = token_in(invite_and_deliver(invitekit_kit, invitekit_mailer, c), ACTIVATE)
    payload, rest = token.split(".", 1)
    tampered = payload[:-2] + ("AA" if payload[-2:] != "AA" else "BB") + "." + rest
    with pytest.raises(TokenInvalid):
        invitekit_kit.check_activation(tampered)


def test_truncated_token_is_refused_as_invalid(invitekit_kit, invitekit_mailer) -> None:
    c = invitekit_kit.add_customer("ana@example.com")
    token = token_in(invite_and_deliver(invitekit_kit, invitekit_mailer, c), ACTIVATE)
    with pytest.raises(TokenInvalid):
        invitekit_kit.check_activation(token[:-5])


def test_expired_activation_is_refused_as_expired(
    invitekit_kit, invitekit_mailer, invitekit_clock
) -> None:
    c = invitekit_kit.add_customer("ana@example.com")
    token = token_in(invite_and_deliver(invitekit_kit, invitekit_mailer, c), ACTIVATE)
    invitekit_clock.advance(days=15)
    with pytest.raises(TokenExpired) as caught:
        invitekit_kit.accept_invitation(token, PASSWORD)
    assert caught.value.expired_at is not None


def test_used_activation_is_refused_as_used(invitekit_kit, invitekit_mailer) -> None:
    c = invitekit_kit.add_customer("ana@example.com")
    token = token_in(invite_and_deliver(invitekit_kit, invitekit_mailer, c), ACTIVATE)
    invitekit_kit.accept_invitation(token, PASSWORD)
    with pytest.raises(TokenUsed):
        invitekit_kit.accept_invitation(token, "another password here")


def test_unsubscribe_token_on_activation_page_is_wrong_purpose(
    invitekit_kit, invitekit_mailer
) -> None:
    c = invitekit_kit.add_customer("ana@example.com")
    invitation = invite_and_deliver(invitekit_kit, invitekit_mailer, c)
    with pytest.raises(TokenWrongPurpose):
        invitekit_kit.check_activation(token_in(invitation, UNSUBSCRIBE))


def test_activation_token_on_reset_page_is_wrong_purpose(invitekit_kit, invitekit_mailer) -> None:
    c = invitekit_kit.add_customer("ana@example.com")
    token = token_in(invite_and_deliver(invitekit_kit, invitekit_mailer, c), ACTIVATE)
    with pytest.raises(TokenWrongPurpose):
        invitekit_kit.reset_password(token, "a brand new password")


def test_token_of_another_business_is_refused_even_with_same_secret_and_customer_id() -> None:
    clock = FakeClock()
    token = tokens(clock, [TEST_SECRET], "studio-a").sign(
        customer(clock, "studio-a"), Purpose.ACTIVATION
    )
    with pytest.raises(TokenWrongBusiness):
        tokens(clock, [TEST_SECRET], "studio-b").verify(token, Purpose.ACTIVATION)


def test_kit_of_business_b_refuses_link_of_business_a_for_same_customer_id() -> None:
    store, clock = MemoryStore(), FakeClock()
    kits = {
        name: make_kit(
            store=store,
            clock=clock,
            business=make_business(id=name, name=name),
        )
        for name in ("studio-a", "studio-b")
    }
    same = customer(clock, "studio-a")
    with store.transaction() as tx:
        tx.insert_customer(same)
        tx.insert_customer(customer(clock, "studio-b"))
    token = kits["studio-a"].tokens.sign(same, Purpose.ACTIVATION)
    with pytest.raises(TokenWrongBusiness):
        kits["studio-b"].accept_invitation(token, PASSWORD)
    assert kits["studio-b"].get_customer("cus_1").password_hash is None


def test_test_invitation_link_is_refused_as_test(invitekit_kit) -> None:
    c = invitekit_kit.add_customer("ana@example.com")
    token = invitekit_kit.tokens.sign(c, Purpose.ACTIVATION, test=True)
    with pytest.raises(TestInvitationToken):
        invitekit_kit.accept_invitation(token, PASSWORD)
    assert invitekit_kit.get_customer(c.id).password_hash is None


def test_archived_customer_link_is_refused_as_archived(invitekit_kit, invitekit_mailer) -> None:
    c = invitekit_kit.add_customer("ana@example.com")
    token = token_in(invite_and_deliver(invitekit_kit, invitekit_mailer, c), ACTIVATE)
    invitekit_kit.archive_customer(c.id)
    with pytest.raises(CustomerArchived):
        invitekit_kit.check_activation(token)


def test_email_change_kills_links_already_sent(invitekit_kit, invitekit_mailer) -> None:
    c = invitekit_kit.add_customer("ana@example.com")
    token = token_in(invite_and_deliver(invitekit_kit, invitekit_mailer, c), ACTIVATE)
    invitekit_kit.update_customer(c.id, email="ana.new@example.com")
    with pytest.raises(TokenUsed):
        invitekit_kit.check_activation(token)


# Expiry boundaries ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("purpose", "validity"),
    [
        (Purpose.ACTIVATION, timedelta(days=14)),
        (Purpose.PASSWORD_RESET, timedelta(hours=1)),
        (Purpose.UNSUBSCRIBE, None),
    ],
)
def test_expiry_boundary_per_purpose(purpose: Purpose, validity: timedelta | None) -> None:
    clock = FakeClock()
    signer = tokens(clock, [TEST_SECRET])
    token = signer.sign(customer(clock), purpose)
    if validity is None:
        clock.advance(days=3650)
        assert signer.verify(token, purpose).customer_id == "cus_1"
        return
    clock.advance(validity - timedelta(seconds=1))
    assert signer.verify(token, purpose).customer_id == "cus_1"
    clock.advance(seconds=2)
    with pytest.raises(TokenExpired):
        signer.verify(token, purpose)


def test_a_token_signed_as_of_an_instant_is_the_same_each_time_and_ages_from_it() -> None:
    clock = FakeClock()
    signer = tokens(clock, [TEST_SECRET])
    ana = customer(clock)
    issued = clock.now()
    first = signer.sign(ana, Purpose.ACTIVATION, issued_at=issued)
    clock.advance(days=3)
    again = signer.sign(ana, Purpose.ACTIVATION, issued_at=issued)  # a resend, later

    assert again == first != signer.sign(ana, Purpose.ACTIVATION)
    assert signer.verify(again, Purpose.ACTIVATION).issued_at == issued.replace(microsecond=0)
    assert signer.expires_at(Purpose.ACTIVATION, issued_at=issued) == issued.replace(
        microsecond=0
    ) + timedelta(days=14)
    clock.advance(days=11, seconds=1)  # 14 days after it was issued, not after the resend
    with pytest.raises(TokenExpired):
        signer.verify(again, Purpose.ACTIVATION)


def test_expiry_boundary_of_email_verification() -> None:
    clock = FakeClock()
    signer = tokens(clock, [TEST_SECRET])
    registration = Registration(
        id="reg_1",
        business_id="studio-1",
        email="neu@example.com",
        email_key="neu@example.com",
        password_hash="$argon2id$fake",
        created_at=clock.now(),
    )
    token = signer.sign_verification(registration, None)
    clock.advance(hours=24, seconds=-1)
    assert signer.verify(token, Purpose.EMAIL_VERIFICATION).registration_id == "reg_1"
    clock.advance(seconds=2)
    with pytest.raises(TokenExpired):
        signer.verify(token, Purpose.EMAIL_VERIFICATION)


def test_reset_expiry_boundary_through_the_kit(
    invitekit_kit, invitekit_mailer, invitekit_clock, ana
) -> None:
    invitekit_kit.request_password_reset(ana.email)
    invitekit_kit.deliver()
    token = token_in(invitekit_mailer.to(ana.email)[-1], RESET)
    invitekit_clock.advance(minutes=59, seconds=59)
    assert invitekit_kit.check_password_reset(token).customer_id == ana.id
    invitekit_clock.advance(seconds=2)
    with pytest.raises(TokenExpired):
        invitekit_kit.reset_password(token, "a brand new password")


def test_configured_expiry_is_used() -> None:
    clock = FakeClock()
    signer = Tokens(
        business_id="studio-1",
        secret_keys=[TEST_SECRET],
        clock=clock,
        expiry=TokenExpiry(password_reset=timedelta(minutes=10)),
    )
    token = signer.sign(customer(clock), Purpose.PASSWORD_RESET)
    clock.advance(minutes=10, seconds=1)
    with pytest.raises(TokenExpired):
        signer.verify(token, Purpose.PASSWORD_RESET)


# Key rotation ---------------------------------------------------------------------------


def test_old_key_still_verifies_after_rotation() -> None:
    clock = FakeClock()
    token = tokens(clock, [OLD_KEY]).sign(customer(clock), Purpose.ACTIVATION)
    assert tokens(clock, [NEW_KEY, OLD_KEY]).verify(token, Purpose.ACTIVATION).customer_id


def test_newest_key_signs() -> None:
    clock = FakeClock()
    token = tokens(clock, [NEW_KEY, OLD_KEY]).sign(customer(clock), Purpose.ACTIVATION)
    assert tokens(clock, [NEW_KEY]).verify(token, Purpose.ACTIVATION).customer_id == "cus_1"
    with pytest.raises(TokenInvalid):
        tokens(clock, [OLD_KEY]).verify(token, Purpose.ACTIVATION)


def test_removed_key_refuses() -> None:
    clock = FakeClock()
    token = tokens(clock, [OLD_KEY]).sign(customer(clock), Purpose.ACTIVATION)
    with pytest.raises(TokenInvalid):
        tokens(clock, [NEW_KEY]).verify(token, Purpose.ACTIVATION)


def test_short_keys_are_refused() -> None:
    with pytest.raises(ConfigurationError):
        tokens(FakeClock(), ["short"])


# Secret keys: weak, published and misshapen ones are refused ------------------------------

MAKE_A_KEY = 'python -c "import secrets; print(secrets.token_urlsafe(32))"'
# Every key invitekit shows (or once showed) to its readers, by where it was shown.
PUBLISHED = {
    "README.md": "change-me-to-a-long-random-secret-key-of-32+-chars",
    "TEST_SECRET": str(TEST_SECRET),
    "examples/demo.py": "demo-only-secret-key-0123456789abcdefghijklmnop",
    "docs/security.md": "4b1f0c9e-new-key-0123456789abcdefghijklmnop",
    "docs/smtp.md": "a-long-random-secret-key-for-this-example-only",
    "docs/integrate.md": "a-long-random-secret-key-of-32-characters-or-more",
    "tests/typing/api.py": "a-secret-key-of-at-least-thirty-two-characters",
    "bench/subjects.py": "bench-secret-key-that-is-long-enough-0123456789",
}


@pytest.mark.parametrize(
    ("key", "reason"),
    [
        pytest.param(" " * 32, "256 byte values", id="spaces"),
        pytest.param("k" * 40, "256 byte values", id="one repeated character"),
        pytest.param("é" * 32, "256 byte values", id="one repeated two-byte character"),
        pytest.param("0123456789" * 3 + "01", "bits", id="low entropy"),
        pytest.param(secrets.token_urlsafe(32)[:31], "31 bytes", id="short"),
        pytest.param("a\ud800" * 32, "not valid text", id="lone surrogate"),
    ],
)
def test_a_weak_key_is_refused_with_how_to_make_a_good_one(key: str, reason: str) -> None:
    with pytest.raises(ConfigurationError) as refused:
        tokens(FakeClock(), [secrets.token_urlsafe(32), key])
    assert "secret_keys[1]" in str(refused.value)
    assert reason in str(refused.value)
    assert MAKE_A_KEY in str(refused.value)


@pytest.mark.parametrize("key", PUBLISHED.values(), ids=PUBLISHED.keys())
def test_a_key_invitekit_published_is_refused(key: str) -> None:
    with pytest.raises(ConfigurationError, match="published") as refused:
        tokens(FakeClock(), [key])
    assert MAKE_A_KEY in str(refused.value)


@pytest.mark.parametrize("keys", ["one long string of more than 32 bytes", None, b"k" * 40, 42])
def test_secret_keys_must_be_a_list_of_keys(keys: object) -> None:
    with pytest.raises(ConfigurationError, match="a list of keys"):
        tokens(FakeClock(), keys)  # type: ignore[arg-type]


def test_an_empty_list_or_a_key_that_is_no_string_is_refused() -> None:
    with pytest.raises(ConfigurationError, match="at least one key"):
        tokens(FakeClock(), [])
    with pytest.raises(ConfigurationError, match=r"secret_keys\[0\] must be a str"):
        tokens(FakeClock(), [b"k" * 40])  # type: ignore[list-item]


@pytest.mark.parametrize("keys", ["one long string of more than 32 bytes", None])
def test_the_kit_says_secret_keys_must_be_a_list_of_keys(keys: object) -> None:
    with pytest.raises(ConfigurationError, match="a list of keys"):
        make_kit(secret_keys=keys)  # type: ignore[arg-type]


def test_a_key_from_secrets_token_urlsafe_is_accepted() -> None:
    clock, key = FakeClock(), secrets.token_urlsafe(32)
    token = tokens(clock, [key]).sign(customer(clock), Purpose.ACTIVATION)
    assert tokens(clock, [key]).verify(token, Purpose.ACTIVATION).customer_id == "cus_1"
    assert make_kit(clock=clock, secret_keys=[key]).tokens.verify(token, Purpose.ACTIVATION)


def test_key_length_is_counted_in_bytes_not_characters() -> None:
    key = "Schlüssel:€5→Ω☃漢字ß7Q2x"  # 22 characters, 35 bytes
    assert len(key) < 32 <= len(key.encode())
    tokens(FakeClock(), [key])


def test_an_insecure_key_is_the_explicit_opt_in_for_published_and_weak_keys() -> None:
    clock = FakeClock()
    for key in (TEST_SECRET, InsecureKey(PUBLISHED["README.md"]), InsecureKey("k" * 32)):
        token = tokens(clock, [key]).sign(customer(clock), Purpose.ACTIVATION)
        assert tokens(clock, [key]).verify(token, Purpose.ACTIVATION).customer_id == "cus_1"
    assert isinstance(TEST_SECRET, InsecureKey)


# State binding ------------------------------------------------------------------------


def test_fingerprint_of_reset_changes_with_the_password() -> None:
    clock = FakeClock()
    before = customer(clock, password_hash="hash-1")
    after = customer(clock, password_hash="hash-2")
    assert fingerprint(before, Purpose.PASSWORD_RESET) != fingerprint(
        after, Purpose.PASSWORD_RESET
    )


def test_verification_purpose_needs_a_sign_up() -> None:
    clock = FakeClock()
    with pytest.raises(ValueError, match="sign_verification"):
        tokens(clock, [TEST_SECRET]).sign(customer(clock), Purpose.EMAIL_VERIFICATION)


# Property: any mutation of a token is refused with a TokenError -------------------------

_CLOCK = FakeClock()
_SIGNER = tokens(_CLOCK, [TEST_SECRET])
_TOKEN = _SIGNER.sign(customer(_CLOCK), Purpose.ACTIVATION)


@st.composite
def mutated_tokens(draw: st.DrawFn) -> str:
    token = _TOKEN
    kind = draw(st.sampled_from(["replace", "insert", "delete", "truncate", "append"]))
    at = draw(st.integers(0, len(token) - 1))
    char = draw(st.characters(codec="utf-8") | st.sampled_from("._-aA0="))
    if kind == "replace":
        token = token[:at] + char + token[at + 1 :]
    elif kind == "insert":
        token = token[:at] + char + token[at:]
    elif kind == "delete":
        token = token[:at] + token[at + 1 :]
    elif kind == "truncate":
        token = token[:at]
    else:
        token += draw(st.text(min_size=1, max_size=20))
    return token


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(mutated_tokens())
def test_any_mutation_is_refused_with_a_token_error(token: str) -> None:
    if token == _TOKEN:
        return
    with pytest.raises(TokenError):
        _SIGNER.verify(token, Purpose.ACTIVATION)


@settings(max_examples=200)
@given(st.text(max_size=300))
def test_arbitrary_text_is_refused_with_a_token_error(text: str) -> None:
    with pytest.raises(TokenError):
        _SIGNER.verify(text, Purpose.PASSWORD_RESET)


@settings(max_examples=100, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(mutated_tokens())
def test_the_kit_refuses_any_mutation_with_a_token_error(token: str) -> None:
    kit = make_kit(clock=_CLOCK)
    if token == _TOKEN:
        return
    for check in (kit.check_activation, kit.check_password_reset, kit.check_email_verification):
        with pytest.raises(TokenError):
            check(token)


# One spelling per token: base64 decoding ignores a last character's unused bits ----------

_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"


_PART_ONLY = re.compile(_PART)


def _canonical(part: str) -> bool:
    """The definition: the part decodes, and encodes back to itself."""
    try:
        return base64_encode(base64_decode(part)).decode("ascii") == part
    except BadData:
        return False


@settings(max_examples=500)
@given(st.text(alphabet=_ALPHABET, min_size=1, max_size=40))
def test_the_quick_canonical_check_accepts_exactly_the_canonical_parts(part: str) -> None:
    assert bool(_PART_ONLY.fullmatch(part)) == _canonical(part)


@given(st.binary(min_size=1, max_size=60))
def test_every_part_itsdangerous_writes_is_canonical(raw: bytes) -> None:
    assert _PART_ONLY.fullmatch(base64_encode(raw).decode("ascii"))


def test_a_token_spelled_another_way_is_refused(invitekit_kit, invitekit_mailer) -> None:
    customer = invitekit_kit.add_customer("ana@example.com", invite=False)
    token = invitekit_kit.tokens.sign(customer, Purpose.ACTIVATION)
    invitekit_kit.check_activation(token)
    # The signature's 43 characters carry 256 bits: the last one has 2 unused bits.
    last = _ALPHABET.index(token[-1])
    for other in {last ^ 1, last ^ 2, last ^ 3}:
        respelled = token[:-1] + _ALPHABET[other]
        assert base64_decode(respelled.rsplit(".", 1)[1]) == base64_decode(token.rsplit(".", 1)[1])
        with pytest.raises(TokenInvalid, match="incomplete"):
            invitekit_kit.check_activation(respelled)
