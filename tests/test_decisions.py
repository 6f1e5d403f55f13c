"""The pure decisions behind the account flows, delivery and throttling, as properties.

Each decision is a function of the customer as stored (or of counts), so it is
checked here over every combination of status, archive, provider and password,
without a Store.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import attrs
from hypothesis import given
from hypothesis import strategies as st

from invitekit.access import can_log_in, can_use_portal, login_refusal
from invitekit.accounts import ResetAnswer, SignupAnswer, reset_answer, signup_answer
from invitekit.model import Business, Customer, Purpose, Status
from invitekit.throttle import LoginThrottle, client_key, email_key, mail_key, retry_at
from invitekit.tokens import link_url
from invitekit.transitions import invitation_stale

NOW = datetime(2026, 3, 1, 12, tzinfo=UTC)


@st.composite
def customers(draw: st.DrawFn) -> Customer:
    status = draw(st.sampled_from(Status))
    provider = draw(st.sampled_from([None, "google", "facebook"]))
    has_password = status is Status.ACCEPTED and draw(st.booleans())
    return Customer(
        id="cus_1",
        business_id="studio-1",
        email="ana@example.com",
        email_key="ana@example.com",
        status=status,
        archived=draw(st.booleans()),
        unsubscribed=draw(st.booleans()),
        auth_provider=provider,
        password_hash="$argon2id$hash" if has_password else None,
        created_at=NOW,
        updated_at=NOW,
    )


maybe_customers = st.none() | customers()


@given(maybe_customers)
def test_forgot_password_mails_only_an_active_customer(customer: Customer | None) -> None:
    answer = reset_answer(customer)
    if customer is None or customer.archived:
        assert answer is ResetAnswer.NOTHING
    elif customer.password_hash is None and customer.auth_provider:
        assert answer is ResetAnswer.PROVIDER_HINT
    elif customer.status is not Status.ACCEPTED:
        assert answer is ResetAnswer.ACTIVATION_LINK
    elif customer.password_hash is None:
        assert answer is ResetAnswer.NOTHING
    else:
        assert answer is ResetAnswer.RESET_LINK


@given(maybe_customers)
def test_a_reset_link_goes_only_to_who_can_log_in_after_it(customer: Customer | None) -> None:
    if reset_answer(customer) is ResetAnswer.RESET_LINK:
        assert can_log_in(customer)


@given(maybe_customers)
def test_sign_up_never_activates_without_proving_the_address(customer: Customer | None) -> None:
    answer = signup_answer(customer)
    if customer is None:
        assert answer is SignupAnswer.VERIFY_ADDRESS
    elif customer.archived:
        assert answer is SignupAnswer.NOTHING
    elif customer.password_hash is None and customer.auth_provider:
        assert answer is SignupAnswer.PROVIDER_HINT
    elif customer.status is Status.ACCEPTED:
        assert answer is SignupAnswer.ACCOUNT_EXISTS
    else:
        assert answer is SignupAnswer.VERIFY_ADDRESS


@given(customers())
def test_only_accepted_active_customers_with_a_password_log_in(customer: Customer) -> None:
    allowed = can_log_in(customer)
    assert allowed == (
        customer.status is Status.ACCEPTED
        and not customer.archived
        and customer.password_hash is not None
    )
    if allowed:
        assert can_use_portal(customer)
        assert login_refusal(customer) == "wrong password"
    else:
        assert login_refusal(customer) != "wrong password"


def test_nobody_logs_in_as_an_unknown_address() -> None:
    assert not can_log_in(None)


@given(st.none() | customers(), st.sampled_from(["ana@example.com", "old@example.com"]))
def test_a_queued_invitation_is_stale_once_it_could_not_be_queued_again(
    customer: Customer | None, queued_to: str
) -> None:
    stale = invitation_stale(customer, queued_to=queued_to)
    if customer is None:
        assert stale
    else:
        blocked = customer.status is Status.ACCEPTED or customer.archived
        blocked = blocked or customer.unsubscribed or customer.email != queued_to
        assert stale == blocked


@given(
    st.lists(st.integers(0, 3600), max_size=12),
    st.integers(1, 6),
    st.integers(1, 3600),
)
def test_retry_at_is_the_first_second_the_key_allows_an_attempt(
    ages: list[int], limit: int, window_seconds: int
) -> None:
    window = timedelta(seconds=window_seconds)
    moments = [NOW - timedelta(seconds=age) for age in ages]

    def count_since(since: datetime, now: datetime = NOW) -> int:
        return sum(1 for moment in moments if since <= moment <= now)

    def allowed_at(moment: datetime) -> bool:
        return sum(1 for m in moments if moment - window <= m <= NOW) < limit

    until = retry_at(count_since, limit=limit, window=window, now=NOW)
    if until is None:
        assert allowed_at(NOW)
    else:
        assert not allowed_at(NOW)
        assert allowed_at(until)
        assert not allowed_at(until - timedelta(seconds=1))


@given(st.text(max_size=200))
def test_client_keys_are_short_and_storable(client: str) -> None:
    key = client_key(client)
    assert key.startswith("client:")
    assert len(key) <= len("client:") + 64
    assert "\x00" not in key
    key.encode("utf-8")  # no lone surrogate


def test_keys_name_what_they_count() -> None:
    throttle = LoginThrottle(max_failures=3, client_max_failures=9)
    assert throttle.keys("ana@example.com", "203.0.113.7") == [
        (email_key("ana@example.com"), 3),
        (client_key("203.0.113.7"), 9),
    ]
    assert throttle.keys(None, None) == []
    assert attrs.evolve(throttle, client_max_failures=None).keys(None, "x") == []
    assert mail_key("ana@example.com") != email_key("ana@example.com")


@given(st.sampled_from(Purpose), st.text(alphabet="abcXYZ0-_.", min_size=1, max_size=40))
def test_every_purpose_has_its_own_link(purpose: Purpose, token: str) -> None:
    business = Business(
        id="studio-1",
        name="Studio One",
        sender="hello@studio.example",
        activation_url="https://studio.example/activate/{token}",
        unsubscribe_url="https://studio.example/unsubscribe/{token}",
        reset_url="https://studio.example/reset/{token}",
        verify_url="https://studio.example/verify/{token}",
        booking_url="https://studio.example/booking/{token}",
        email_change_url="https://studio.example/email-change/{token}",
    )
    url = link_url(business, purpose, token)
    assert url.endswith("/" + token)
    others = {link_url(business, p, token) for p in Purpose if p is not purpose}
    assert url not in others
