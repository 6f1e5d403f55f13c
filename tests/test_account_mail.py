"""The account emails: addressed, escaped and header-safe."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from invitekit import account_mail
from invitekit.compose import Recipient
from invitekit.model import Business

BUSINESS = Business(
    id="studio-1",
    name="Studio\r\nBcc: everyone@example.com",
    sender="hello@studio.example",
    timezone="Europe/Vienna",
    activation_url="https://studio.example/activate/{token}",
    unsubscribe_url="https://studio.example/unsubscribe/{token}",
    reset_url="https://studio.example/reset/{token}",
    verify_url="https://studio.example/verify/{token}",
)
RECIPIENT = Recipient(email="ana@example.com", first_name="<b>Ana</b>")
LINK = "https://studio.example/reset/abc.def.ghi"


@pytest.mark.parametrize(
    "compose",
    [
        account_mail.compose_password_reset,
        account_mail.compose_activation_request,
        account_mail.compose_email_verification,
        account_mail.compose_account_exists,
    ],
)
def test_link_emails_carry_link_expiry_and_escape_names(compose) -> None:
    email = compose(
        business=BUSINESS,
        recipient=RECIPIENT,
        link=LINK,
        valid_until=datetime(2026, 1, 5, 10, 0, tzinfo=UTC),
        message_id="<msg_1@studio.example>",
    )
    assert email.to == "ana@example.com"
    assert "\n" not in email.subject
    assert "\r" not in email.subject
    assert LINK in email.text
    assert "2026-01-05 11:00 (Europe/Vienna)" in email.text
    assert email.html is not None
    assert "<b>Ana</b>" not in email.html
    assert "&lt;b&gt;Ana&lt;/b&gt;" in email.html
    assert email.message_id == "<msg_1@studio.example>"
    assert email.header("List-Unsubscribe") is None


def test_provider_hint_names_the_provider_and_has_no_link() -> None:
    email = account_mail.compose_provider_hint(
        business=BUSINESS, recipient=RECIPIENT, provider="github", message_id="<m@s.example>"
    )
    assert "Sign in with GitHub" in email.text
    assert "https://" not in email.text


def test_unknown_provider_is_shown_as_given_without_control_characters() -> None:
    assert account_mail.provider_label("Acme\nSSO") == "Acme SSO"
