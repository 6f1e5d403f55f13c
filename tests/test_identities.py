"""The pure rules of provider sign-in (invitekit.identities)."""

from __future__ import annotations

from datetime import UTC, datetime

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from invitekit import Customer, InvalidIdentity, Status
from invitekit.identities import (
    MAX_SUBJECT_LENGTH,
    Identity,
    SignInStep,
    clean_provider,
    clean_subject,
    has_way_in_without,
    linked,
    providers_of,
    sign_in_step,
    unlinked,
)

T0 = datetime(2026, 1, 5, 9, tzinfo=UTC)
ANA = Customer(
    id="cus_ana",
    business_id="b",
    email="ana@example.com",
    email_key="ana@example.com",
    created_at=T0,
    updated_at=T0,
)
ACCEPTED = attrs.evolve(ANA, status=Status.ACCEPTED, password_hash="$argon2id$x", accepted_at=T0)


def _identity(provider: str, subject: str = "s") -> Identity:
    return Identity(
        business_id="b", customer_id=ANA.id, provider=provider, subject=subject, linked_at=T0
    )


@pytest.mark.parametrize(
    ("linked_to", "at_address", "verified", "signup", "step"),
    [
        (ANA, None, False, False, SignInStep.SIGN_IN),
        (attrs.evolve(ANA, archived=True), None, True, True, SignInStep.ARCHIVED),
        (None, ANA, False, True, SignInStep.NOT_VERIFIED),
        (None, ACCEPTED, False, True, SignInStep.NOT_VERIFIED),
        (None, None, False, True, SignInStep.NOT_VERIFIED),
        (None, ANA, True, False, SignInStep.LINK_AND_ACCEPT),
        (None, attrs.evolve(ANA, status=Status.INVITED), True, True, SignInStep.LINK_AND_ACCEPT),
        (None, ACCEPTED, True, True, SignInStep.LINK),
        (None, attrs.evolve(ACCEPTED, archived=True), True, True, SignInStep.ARCHIVED),
        (None, None, True, True, SignInStep.CREATE),
        (None, None, True, False, SignInStep.NO_SIGNUP),
    ],
)
def test_sign_in_step(
    linked_to: Customer | None,
    at_address: Customer | None,
    verified: bool,
    signup: bool,
    step: SignInStep,
) -> None:
    assert (
        sign_in_step(
            linked=linked_to, at_address=at_address, email_verified=verified, allow_signup=signup
        )
        is step
    )


@given(st.one_of(st.none(), st.integers(), st.text(max_size=5), st.just(1)))
def test_only_true_is_verified(claim: object) -> None:
    step = sign_in_step(linked=None, at_address=ANA, email_verified=claim, allow_signup=True)  # type: ignore[arg-type]
    assert step is SignInStep.NOT_VERIFIED


def test_provider_names_are_lower_case_and_trimmed() -> None:
    assert clean_provider("  Google ") == "google"
    assert clean_provider("keycloak-staff.eu_1") == "keycloak-staff.eu_1"


@given(st.text(min_size=1, max_size=MAX_SUBJECT_LENGTH + 5))
def test_a_subject_is_kept_exactly_or_refused(text: str) -> None:
    acceptable = (
        len(text) <= MAX_SUBJECT_LENGTH
        and text.isascii()
        and text.isprintable()
        and " " not in text
    )
    if acceptable:
        assert clean_subject(text) == text
    else:
        with pytest.raises(InvalidIdentity) as refused:
            clean_subject(text)
        assert refused.value.field == "subject"


def test_linking_accepts_and_labels_a_customer_without_a_password() -> None:
    after = linked(ANA, "google", now=T0)
    assert after is not None
    assert (after.status, after.auth_provider, after.version) == (Status.ACCEPTED, "google", 2)
    assert linked(ACCEPTED, "google", now=T0) is None  # a second way in changes nothing
    labelled = attrs.evolve(ACCEPTED, password_hash=None, auth_provider="facebook")
    assert linked(labelled, "google", now=T0) is None


def test_a_way_in_is_a_password_or_another_provider() -> None:
    google, facebook = _identity("google"), _identity("facebook", "f")
    assert has_way_in_without(ACCEPTED, [google], "google")
    no_password = attrs.evolve(ACCEPTED, password_hash=None, auth_provider="google")
    assert not has_way_in_without(no_password, [google], "google")
    assert has_way_in_without(no_password, [google, facebook], "google")
    assert unlinked(no_password, "google", ["facebook"], now=T0).auth_provider == "facebook"
    assert providers_of(no_password, [facebook, google]) == ("facebook", "google")
