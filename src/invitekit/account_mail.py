"""The emails of the account flows: password reset, sign-in hints, email verification.

Each function is pure: everything it needs (the business, the recipient, the
signed link, until when it works, the ``Message-ID``) comes in as keyword
arguments, and an :class:`~invitekit.model.Email` comes out.  English for now;
the signatures are the ones a localised version will keep (the recipient's
``locale`` is already passed in).

These emails are transactional: they answer something the visitor just did, so
they carry no ``List-Unsubscribe`` header and are sent to unsubscribed
customers too.  They always go to the address we have on file (a customer's
stored address, or the address a new visitor typed for their own sign-up).
"""

from __future__ import annotations

import html
from datetime import datetime
from zoneinfo import ZoneInfo

from invitekit.compose import Recipient, from_header, header_safe
from invitekit.model import Business, Email

__all__ = [
    "compose_account_exists",
    "compose_activation_request",
    "compose_email_verification",
    "compose_password_reset",
    "compose_provider_hint",
    "provider_label",
]

_PROVIDERS = {
    "apple": "Apple",
    "facebook": "Facebook",
    "github": "GitHub",
    "google": "Google",
    "microsoft": "Microsoft",
}


def provider_label(provider: str) -> str:
    """How to name an external sign-in provider in an email (``"google"`` -> ``"Google"``)."""
    return _PROVIDERS.get(provider.strip().lower(), header_safe(provider, limit=40))


def compose_password_reset(
    *,
    business: Business,
    recipient: Recipient,
    link: str,
    valid_until: datetime | None,
    message_id: str,
) -> Email:
    """The email with a link to choose a new password."""
    return _compose(
        business=business,
        recipient=recipient,
        message_id=message_id,
        subject=f"Reset your password for {business.name}",
        paragraphs=[
            "Someone (hopefully you) asked to reset the password of your profile with "
            f"{business.name}. Choose a new password here:",
        ],
        link=link,
        valid_until=valid_until,
        closing="If you did not ask for this, ignore this email: your password stays as it is.",
    )


def compose_activation_request(
    *,
    business: Business,
    recipient: Recipient,
    link: str,
    valid_until: datetime | None,
    message_id: str,
) -> Email:
    """The answer to "forgot password" for a customer who never activated the profile.

    The link is an activation link: choosing a password activates the profile.
    """
    return _compose(
        business=business,
        recipient=recipient,
        message_id=message_id,
        subject=f"Activate your profile with {business.name}",
        paragraphs=[
            f"Someone (hopefully you) asked for a password for your profile with "
            f"{business.name}. You have not activated it yet: choose a password here "
            "to activate it.",
        ],
        link=link,
        valid_until=valid_until,
        closing="If you did not ask for this, ignore this email: nothing changes.",
    )


def compose_provider_hint(
    *,
    business: Business,
    recipient: Recipient,
    provider: str,
    message_id: str,
) -> Email:
    """The answer to "forgot password" or a sign-up for a profile with external sign-in.

    Args:
        provider: the customer's ``auth_provider`` (``"google"``, ``"facebook"``...).
    """
    label = provider_label(provider)
    return _compose(
        business=business,
        recipient=recipient,
        message_id=message_id,
        subject=f"How to sign in to {business.name}",
        paragraphs=[
            f"Someone (hopefully you) asked for a password for your profile with "
            f"{business.name}. Your profile does not use a password: you sign in with "
            f"{label}. Choose “Sign in with {label}” on the booking page.",
        ],
        link=None,
        valid_until=None,
        closing="If you did not ask for this, ignore this email: nothing changes.",
    )


def compose_email_verification(
    *,
    business: Business,
    recipient: Recipient,
    link: str,
    valid_until: datetime | None,
    message_id: str,
) -> Email:
    """The email that confirms a sign-up's address (a new one, or an existing customer's)."""
    return _compose(
        business=business,
        recipient=recipient,
        message_id=message_id,
        subject=f"Confirm your email address for {business.name}",
        paragraphs=[
            f"Someone (hopefully you) signed up with {business.name} using this address. "
            "Confirm that it is yours to activate your profile:",
        ],
        link=link,
        valid_until=valid_until,
        closing="If you did not sign up, ignore this email: nothing happens without it.",
    )


def compose_account_exists(
    *,
    business: Business,
    recipient: Recipient,
    link: str,
    valid_until: datetime | None,
    message_id: str,
) -> Email:
    """The answer to a sign-up with the address of a customer who already has a profile.

    Args:
        link: a password-reset link, in case they forgot the password.
    """
    return _compose(
        business=business,
        recipient=recipient,
        message_id=message_id,
        subject=f"You already have a profile with {business.name}",
        paragraphs=[
            f"Someone (hopefully you) tried to sign up with {business.name} using this "
            "address, but you already have a profile. Log in with your password on the "
            "booking page. If you forgot it, choose a new one here:",
        ],
        link=link,
        valid_until=valid_until,
        closing="If you did not try to sign up, ignore this email: nothing changes.",
    )


def _compose(
    *,
    business: Business,
    recipient: Recipient,
    message_id: str,
    subject: str,
    paragraphs: list[str],
    link: str | None,
    valid_until: datetime | None,
    closing: str,
) -> Email:
    name = header_safe(recipient.first_name or "", limit=80)
    greeting = f"Hello {name}," if name else "Hello,"
    until = None if valid_until is None else _local_time(valid_until, business)
    text = [greeting, "", *paragraphs]
    markup = [f"<p>{html.escape(greeting)}</p>"]
    markup += [f"<p>{html.escape(p)}</p>" for p in paragraphs]
    if link is not None:
        text += ["", link]
        markup.append(f'<p><a href="{html.escape(link)}">{html.escape(link)}</a></p>')
    if until is not None:
        text.append(f"This link works until {until}.")
        markup.append(f"<p>This link works until {html.escape(until)}.</p>")
    signature = business.signature or business.name
    text += ["", closing, "", signature]
    markup.append(f"<p>{html.escape(closing)}</p>")
    markup.append(f"<p>{html.escape(signature).replace(chr(10), '<br>')}</p>")
    return Email(
        sender=from_header(business),
        to=recipient.email,
        subject=header_safe(subject),
        text="\n".join(text) + "\n",
        html="<!DOCTYPE html>\n<html><body>\n" + "\n".join(markup) + "\n</body></html>\n",
        message_id=message_id,
        headers=(("Auto-Submitted", "auto-generated"),),
    )


def _local_time(moment: datetime, business: Business) -> str:
    local = moment.astimezone(ZoneInfo(business.timezone))
    return f"{local:%Y-%m-%d %H:%M} ({business.timezone})"
