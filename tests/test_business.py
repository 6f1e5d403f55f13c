"""A Business is checked when it is made, and a link it has no URL for is named."""

from __future__ import annotations

import pytest

from invitekit import Business, ConfigurationError
from invitekit.testing import make_business, make_kit

from .helpers import PASSWORD

REQUIRED = {
    "id": "studio-1",
    "name": "Studio One",
    "sender": "hello@studio.example",
    "activation_url": "https://studio.example/activate/{token}",
    "unsubscribe_url": "https://studio.example/unsubscribe/{token}",
}


def test_the_two_required_urls_are_enough() -> None:
    business = Business(**REQUIRED)
    assert (business.reset_url, business.verify_url) == (None, None)


@pytest.mark.parametrize("field", ["activation_url", "unsubscribe_url"])
def test_leaving_out_a_required_url_names_it(field: str) -> None:
    given = {name: value for name, value in REQUIRED.items() if name != field}
    with pytest.raises(ConfigurationError, match=f"Business needs {field}") as refused:
        Business(**given)
    assert "{token}" in str(refused.value)


@pytest.mark.parametrize("field", ["sender", "reply_to", "unsubscribe_mailto"])
def test_an_address_that_is_not_one_is_refused_when_made(field: str) -> None:
    with pytest.raises(ConfigurationError, match=f"Business {field} must be an email address"):
        Business(**{**REQUIRED, field: "not an email"})


def test_an_unknown_default_locale_is_refused_when_made() -> None:
    with pytest.raises(ConfigurationError, match="Business default_locale: unknown locale 'xx'"):
        Business(**REQUIRED, default_locale="xx")


def test_forgot_password_without_reset_url_names_the_field() -> None:
    kit = make_kit(business=make_business(reset_url=None))
    with pytest.raises(ConfigurationError, match="Business needs reset_url"):
        kit.request_password_reset("nobody@example.com")


def test_sign_up_without_verify_url_names_the_field() -> None:
    kit = make_kit(business=make_business(verify_url=None))
    with pytest.raises(ConfigurationError, match="Business needs verify_url"):
        kit.register("new@example.com", first_name="Neu", password=PASSWORD)


def test_invitations_need_neither_optional_url() -> None:
    kit = make_kit(business=make_business(reset_url=None, verify_url=None))
    kit.add_customer("ana@example.com", invite=True)
    assert kit.deliver().sent == 1
