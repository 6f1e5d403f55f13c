"""Composing emails: greeting + the business's text + link + signature -> :class:`Email`.

Pure: everything it needs (the business, the customer, the signed links, the
moment) is passed in.
"""

from __future__ import annotations

import re
from datetime import datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

import attrs

from invitekit.model import Business, Email

__all__ = ["Recipient", "compose_invitation", "header_safe", "message_id_for", "to_mime"]

_HEADER_UNSAFE = re.compile(r"[\x00-\x1f\x7f\u2028\u2029\x85]+")

DEFAULT_SUBJECT = "{business_name} invites you to book online"
DEFAULT_BODY = (
    "You can now book and manage your bookings with {business_name} online. "
    "Activate your profile by choosing a password."
)


@attrs.frozen(kw_only=True)
class Recipient:
    """Whom an email is for: a customer, or the business's own address for a test."""

    email: str
    first_name: str | None = None
    locale: str | None = None


def header_safe(value: str, *, limit: int = 200) -> str:
    """``value`` as a single header line: control characters become spaces, length is capped."""
    text = " ".join(_HEADER_UNSAFE.sub(" ", value).split())
    return text if len(text) <= limit else text[: limit - 1] + "\N{HORIZONTAL ELLIPSIS}"


def message_id_for(outbox_id: str, business: Business) -> str:
    """The ``Message-ID`` of a queued email, from its outbox id: a retry reuses it."""
    domain = business.sender.rpartition("@")[2] or "invitekit.invalid"
    return f"<{outbox_id}@{domain}>"


def compose_invitation(
    *,
    business: Business,
    recipient: Recipient,
    activation_link: str,
    unsubscribe_link: str,
    valid_until: datetime | None,
    message_id: str,
) -> Email:
    """The invitation email for ``recipient``."""
    name = header_safe(recipient.first_name or "", limit=80)
    greeting = f"Hello {name}," if name else "Hello,"
    body = DEFAULT_BODY.format(business_name=business.name)
    lines = [greeting, "", body, "", f"Activate your profile: {activation_link}"]
    if valid_until is not None:
        lines.append(f"This link is valid until {valid_until:%Y-%m-%d %H:%M} UTC.")
    lines += ["", business.signature or business.name, "", f"Unsubscribe: {unsubscribe_link}"]
    return Email(
        sender=_from_header(business),
        to=recipient.email,
        subject=header_safe(DEFAULT_SUBJECT.format(business_name=business.name)),
        text="\n".join(lines) + "\n",
        html=None,
        message_id=message_id,
        headers=(
            ("List-Unsubscribe", f"<{unsubscribe_link}>"),
            ("List-Unsubscribe-Post", "List-Unsubscribe=One-Click"),
            ("Auto-Submitted", "auto-generated"),
        ),
    )


def _from_header(business: Business) -> str:
    return str(
        Address(display_name=header_safe(business.name, limit=100), addr_spec=business.sender)
    )


def to_mime(email: Email, *, date: datetime | None = None) -> EmailMessage:
    """Build the standard-library message that a mailer sends or writes to a file."""
    message = EmailMessage()
    message["From"] = email.sender
    message["To"] = email.to
    message["Subject"] = email.subject
    message["Message-ID"] = email.message_id or make_msgid()
    if date is not None:
        message["Date"] = format_datetime(date)
    for name, value in email.headers:
        message[name] = value
    message.set_content(email.text)
    if email.html is not None:
        message.add_alternative(email.html, subtype="html")
    return message
