"""Booking tokens at the token level: properties of signing and verifying (hypothesis)."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from invitekit.booking_links import BOOKING_ID_MAX_LENGTH, clean_booking_id
from invitekit.email_change import EmailChange
from invitekit.exceptions import TokenError, TokenExpired, ValidationError
from invitekit.model import Customer
from invitekit.testing import TEST_SECRET, FakeClock
from invitekit.tokens import Purpose, TokenExpiry, Tokens

T0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
ANA = Customer(
    id="cus_1",
    business_id="studio-1",
    email="ana@example.com",
    email_key="ana@example.com",
    created_at=T0,
    updated_at=T0,
)


def _tokens() -> tuple[Tokens, FakeClock]:
    clock = FakeClock(T0)
    return Tokens(business_id="studio-1", secret_keys=[TEST_SECRET], clock=clock), clock


def _booking_ids() -> st.SearchStrategy[str]:
    def acceptable(text: str) -> bool:
        try:
            clean_booking_id(text)
        except ValidationError:
            return False
        return True

    return st.text(min_size=1, max_size=BOOKING_ID_MAX_LENGTH).filter(acceptable)


@given(
    booking_id=_booking_ids(),
    ahead=st.timedeltas(min_value=timedelta(seconds=1), max_value=timedelta(days=3650)),
)
@settings(max_examples=200)
def test_a_booking_token_says_what_it_was_signed_with_until_its_end(
    booking_id: str, ahead: timedelta
) -> None:
    tokens, clock = _tokens()
    valid_until = T0 + ahead
    claims = tokens.verify(tokens.sign_booking(ANA, booking_id, valid_until), Purpose.BOOKING)
    assert claims.booking_id == booking_id
    assert claims.customer_id == ANA.id
    assert claims.valid_until == datetime.fromtimestamp(math.floor(valid_until.timestamp()), UTC)
    assert claims.valid_until is not None and claims.valid_until <= valid_until
    clock.set(claims.valid_until)
    with pytest.raises(TokenExpired):
        tokens.verify(tokens.sign_booking(ANA, booking_id, valid_until), Purpose.BOOKING)


@given(data=st.data())
@settings(max_examples=200)
def test_every_single_character_change_of_a_booking_token_is_refused(data: st.DataObject) -> None:
    tokens, _clock = _tokens()
    token = tokens.sign_booking(ANA, "bk-42", T0 + timedelta(days=3))
    position = data.draw(st.integers(min_value=0, max_value=len(token) - 1))
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_."
    replacement = data.draw(st.sampled_from(alphabet).filter(lambda c: c != token[position]))
    changed = token[:position] + replacement + token[position + 1 :]
    with pytest.raises(TokenError):
        tokens.verify(changed, Purpose.BOOKING)


@pytest.mark.parametrize("purpose", [p for p in Purpose if p is not Purpose.BOOKING])
def test_a_booking_token_is_no_other_token_and_no_other_is_a_booking_token(
    purpose: Purpose,
) -> None:
    tokens, _clock = _tokens()
    booking = tokens.sign_booking(ANA, "bk-42", T0 + timedelta(days=3))
    with pytest.raises(TokenError, match="for booking"):
        tokens.verify(booking, purpose)
    if purpose is Purpose.EMAIL_CHANGE:
        change = EmailChange(
            id="chg_1",
            business_id=ANA.business_id,
            customer_id=ANA.id,
            email="ana.new@example.com",
            email_key="ana.new@example.com",
            requested_at=T0,
        )
        with pytest.raises(TokenError, match="not booking"):
            tokens.verify(tokens.sign_email_change(ANA, change), Purpose.BOOKING)
    elif purpose is not Purpose.EMAIL_VERIFICATION:
        with pytest.raises(TokenError, match="not booking"):
            tokens.verify(tokens.sign(ANA, purpose), Purpose.BOOKING)


def test_sign_refuses_the_booking_purpose_and_expiry_has_none_for_it() -> None:
    tokens, _clock = _tokens()
    with pytest.raises(ValueError, match="sign_booking"):
        tokens.sign(ANA, Purpose.BOOKING)
    assert TokenExpiry().of(Purpose.BOOKING) is None
