"""The emails of the account flows: password reset, sign-in hints, verification, email change.

They are composed like every invitekit email (:func:`invitekit.compose.render_email`
and its :class:`~invitekit.compose.Layout`), from one table of texts,
:data:`TEXTS`: a subject, what happened, the link's label, and a closing line.
The texts are English msgids of the ``invitekit`` catalogs; each email is written
in the recipient's language (:func:`invitekit.compose.locale_for`: their locale,
else the locale of the page they used, else the business default, else English),
with the validity of its link in the locale's date style in the business's zone.

These emails are transactional: they answer something the visitor just did, so
they carry no ``List-Unsubscribe`` header and are sent to unsubscribed
customers too.  They always go to the address we have on file (a customer's
stored address, or the address a new visitor typed for their own sign-up).
"""

from __future__ import annotations

import enum
import functools
from collections.abc import Sequence
from datetime import datetime

import attrs
from babel.lists import format_list

from invitekit.compose import (
    LINK_HINT,
    Content,
    Layout,
    Recipient,
    greeting,
    header_safe,
    render_email,
    signature,
    validity,
)
from invitekit.compose import link as labelled_link
from invitekit.i18n import gettext_noop as _
from invitekit.i18n import negotiate_locale, translate, translations
from invitekit.model import Business, Email

__all__ = [
    "TEXTS",
    "AccountEmail",
    "AccountText",
    "compose_account_email",
    "compose_account_exists",
    "compose_activation_request",
    "compose_email_change",
    "compose_email_change_notice",
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


class AccountEmail(enum.StrEnum):
    """The account emails invitekit sends (each answers something the visitor did)."""

    PASSWORD_RESET = "password_reset"  # noqa: S105 (a kind of email, not a password)
    ACTIVATION_REQUEST = "activation_request"
    PROVIDER_HINT = "provider_hint"
    EMAIL_VERIFICATION = "email_verification"
    ACCOUNT_EXISTS = "account_exists"
    EMAIL_CHANGE = "email_change"
    EMAIL_CHANGE_NOTICE = "email_change_notice"


@attrs.frozen(kw_only=True)
class AccountText:
    """What one account email says; ``{business}`` and ``{provider}`` are filled in.

    Attributes:
        subject: the subject line.
        message: what happened and what to do.
        action: the label of the link, or ``None`` for an email without one.
        closing: the line after the link ("If you did not ask for this...").
    """

    subject: str
    message: str
    action: str | None
    closing: str


TEXTS: dict[AccountEmail, AccountText] = {
    AccountEmail.PASSWORD_RESET: AccountText(
        subject=_("Reset your password for {business}"),
        message=_(
            "Someone (hopefully you) asked to reset the password of your profile with "
            "{business}. Choose a new password here:"
        ),
        action=_("Choose a new password"),
        closing=_("If you did not ask for this, ignore this email: your password stays as it is."),
    ),
    AccountEmail.ACTIVATION_REQUEST: AccountText(
        subject=_("Activate your profile with {business}"),
        message=_(
            "Someone (hopefully you) asked for a password for your profile with "
            "{business}. You have not activated it yet: choose a password here to activate it."
        ),
        action=_("Activate my profile"),
        closing=_("If you did not ask for this, ignore this email: nothing changes."),
    ),
    AccountEmail.PROVIDER_HINT: AccountText(
        subject=_("How to sign in to {business}"),
        message=_(
            "Someone (hopefully you) asked for a password for your profile with "
            "{business}. Your profile does not use a password: you sign in with {provider}. "
            "Choose “Sign in with {provider}” on the booking page."
        ),
        action=None,
        closing=_("If you did not ask for this, ignore this email: nothing changes."),
    ),
    AccountEmail.EMAIL_VERIFICATION: AccountText(
        subject=_("Confirm your email address for {business}"),
        message=_(
            "Someone (hopefully you) signed up with {business} using this address. "
            "Confirm that it is yours to activate your profile:"
        ),
        action=_("Confirm my email address"),
        closing=_("If you did not sign up, ignore this email: nothing happens without it."),
    ),
    AccountEmail.ACCOUNT_EXISTS: AccountText(
        subject=_("You already have a profile with {business}"),
        message=_(
            "Someone (hopefully you) tried to sign up with {business} using this "
            "address, but you already have a profile. Log in with your password on the "
            "booking page. If you forgot it, choose a new one here:"
        ),
        action=_("Choose a new password"),
        closing=_("If you did not try to sign up, ignore this email: nothing changes."),
    ),
    AccountEmail.EMAIL_CHANGE: AccountText(
        subject=_("Confirm your new email address for {business}"),
        message=_(
            "Someone (hopefully you) asked to use this address for their profile with "
            "{business}. Confirm it here; the profile keeps its old address until you do:"
        ),
        action=_("Confirm my new email address"),
        closing=_("If you did not ask for this, ignore this email: nothing changes."),
    ),
    AccountEmail.EMAIL_CHANGE_NOTICE: AccountText(
        subject=_("Your email address with {business} is being changed"),
        message=_(
            "Someone (hopefully you) asked to change the email address of your profile "
            "with {business}. We sent a link to the new address: the change happens only "
            "when that link is followed."
        ),
        action=None,
        closing=_(
            "If you did not ask for this, someone may know your password: choose a new "
            "one and tell {business}."
        ),
    ),
}
"""The text of each account email."""


def provider_label(provider: str) -> str:
    """How to name an external sign-in provider in an email (``"google"`` -> ``"Google"``)."""
    return _PROVIDERS.get(provider.strip().lower(), header_safe(provider, limit=40))


def compose_account_email(
    kind: AccountEmail,
    *,
    business: Business,
    recipient: Recipient,
    message_id: str,
    link: str | None = None,
    valid_until: datetime | None = None,
    provider: str = "",
    providers: Sequence[str] = (),
    layout: Layout | None = None,
    page_locale: str | None = None,
) -> Email:
    """The account email ``kind`` for ``recipient``, laid out like every invitekit email.

    Args:
        kind: which email.
        business: whose email it is.
        recipient: where it goes (always an address on file).
        message_id: the ``Message-ID``.
        link: the signed link, for the kinds that carry one.
        valid_until: when the link stops working, or ``None``.
        provider: for :attr:`AccountEmail.PROVIDER_HINT`, the customer's provider.
        providers: for :attr:`AccountEmail.PROVIDER_HINT`, every provider the
            customer signs in with (``("google", "facebook")``), named as a
            list in the email's language ("Google oder Facebook"); it takes
            the place of ``provider`` when given.
        layout: the layout; the packaged one when ``None``.
        page_locale: the locale of the page the visitor used, for a recipient
            without a locale of their own; the business default when ``None``.
    """
    text = TEXTS[kind]
    locale = negotiate_locale([recipient.locale, page_locale], default=business.default_locale)
    catalog = translations(locale)

    def tr(message: str) -> str:
        return translate(catalog, message, formal=business.formal)

    named = [provider_label(p) for p in dict.fromkeys(providers)] or [provider_label(provider)]
    values = {
        "business": header_safe(business.name),
        "provider": format_list(named, style="or", locale=locale),
    }
    action = None
    if text.action is not None and link is not None:
        action = labelled_link(catalog, tr(text.action), link)
    content = Content(
        lang=str(locale).replace("_", "-"),
        subject=tr(text.subject).format(**values),
        greeting=greeting(catalog, recipient.first_name),
        paragraphs=(tr(text.message).format(**values),),
        action=action,
        link_hint=tr(LINK_HINT),
        validity=(
            None
            if valid_until is None
            else validity(catalog, locale, valid_until, business.timezone)
        ),
        closing=(tr(text.closing).format(**values),),
        signature=signature(business),
    )
    return render_email(
        content, business=business, to=recipient.email, message_id=message_id, layout=layout
    )


compose_password_reset = functools.partial(compose_account_email, AccountEmail.PASSWORD_RESET)
"""The email with a link to choose a new password (keywords of :func:`compose_account_email`)."""

compose_activation_request = functools.partial(
    compose_account_email, AccountEmail.ACTIVATION_REQUEST
)
"""The answer to "forgot password" for a customer who never activated the profile.

Its link is an activation link: choosing a password activates the profile.
"""

compose_provider_hint = functools.partial(compose_account_email, AccountEmail.PROVIDER_HINT)
"""The answer to "forgot password" or a sign-up for a profile with external sign-in.

Give ``provider``: the customer's ``auth_provider`` (``"google"``...); it has no link.
"""

compose_email_verification = functools.partial(
    compose_account_email, AccountEmail.EMAIL_VERIFICATION
)
"""The email that confirms a sign-up's address (a new one, or an existing customer's)."""

compose_account_exists = functools.partial(compose_account_email, AccountEmail.ACCOUNT_EXISTS)
"""The answer to a sign-up with the address of a customer who already has a profile.

Its ``link`` is a password-reset link, in case they forgot the password.
"""

compose_email_change = functools.partial(compose_account_email, AccountEmail.EMAIL_CHANGE)
"""The email to a customer's new address with the link that confirms the change."""

compose_email_change_notice = functools.partial(
    compose_account_email, AccountEmail.EMAIL_CHANGE_NOTICE
)
"""The notice to a customer's old address that a change of address was asked for (no link)."""
