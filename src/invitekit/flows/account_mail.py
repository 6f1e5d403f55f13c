"""The account emails: a reset link, a sign-in hint, a sign-up confirmation.

They go through the outbox like invitations, so answering a request costs the
same whether or not an email results; their delivery changes no status.  What
is queued is the intent (the kind, and the purpose of its link); the email is
composed and its link signed at delivery, by :func:`compose_account_message`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from invitekit.account_mail import AccountEmail, compose_account_email
from invitekit.compose import Recipient
from invitekit.email_change import EmailChange
from invitekit.flows.context import Context
from invitekit.model import Customer, Email, MessageKind, OutboxMessage, Purpose, Registration
from invitekit.tokens import link_url

__all__ = ["PREVIEW_TOKEN", "account_message", "compose_account_message", "verification_message"]

PREVIEW_TOKEN = "preview"  # noqa: S105 (a placeholder, not a secret)
"""What stands in the link of an account email shown again: no token, nothing to redeem."""

# Each account email: the outbox kind it is queued as, and the purpose of its link.
_KINDS: dict[AccountEmail, tuple[MessageKind, Purpose | None]] = {
    AccountEmail.PASSWORD_RESET: (MessageKind.PASSWORD_RESET, Purpose.PASSWORD_RESET),
    AccountEmail.ACTIVATION_REQUEST: (MessageKind.PASSWORD_RESET, Purpose.ACTIVATION),
    AccountEmail.PROVIDER_HINT: (MessageKind.PROVIDER_HINT, None),
    AccountEmail.ACCOUNT_EXISTS: (MessageKind.ACCOUNT_EXISTS, Purpose.PASSWORD_RESET),
    AccountEmail.EMAIL_VERIFICATION: (MessageKind.EMAIL_VERIFICATION, Purpose.EMAIL_VERIFICATION),
    AccountEmail.EMAIL_CHANGE: (MessageKind.EMAIL_CHANGE, Purpose.EMAIL_CHANGE),
    AccountEmail.EMAIL_CHANGE_NOTICE: (MessageKind.EMAIL_CHANGE_NOTICE, None),
}
_EMAILS = {kind_and_purpose: email for email, kind_and_purpose in _KINDS.items()}


def account_message(
    ctx: Context, customer: Customer, email: AccountEmail, now: datetime
) -> OutboxMessage:
    """The intent to send the account email ``email`` to ``customer``'s stored address."""
    kind, purpose = _KINDS[email]
    return ctx.message(
        customer, kind, now, recipient=customer.email, locale=customer.locale, purpose=purpose
    )


def verification_message(
    ctx: Context, registration: Registration, customer: Customer | None, now: datetime
) -> OutboxMessage:
    """The intent to confirm a sign-up, to the customer's stored address or the new one."""
    return ctx.message(
        customer,
        MessageKind.EMAIL_VERIFICATION,
        now,
        recipient=registration.email if customer is None else customer.email,
        locale=registration.locale if customer is None else customer.locale,
        purpose=Purpose.EMAIL_VERIFICATION,
        registration_id=registration.id,
    )


def compose_account_message(
    ctx: Context,
    message: OutboxMessage,
    customer: Customer | None,
    registration: Registration | None,
    issued_at: datetime,
    *,
    live: bool = True,
    providers: Sequence[str] = (),
    change: EmailChange | None = None,
) -> Email:
    """The email of a queued account message, its link signed as of ``issued_at``.

    Args:
        ctx: the business's context.
        message: the queued intent.
        customer: its customer as stored now (``None`` only for the verification
            of a new address).
        registration: an email verification's sign-up.
        issued_at: the row's ``links_issued_at``.
        providers: every provider the customer signs in with, for a provider
            hint (:func:`invitekit.identities.providers_of`).
        live: ``False`` shows the email again with a link that works nowhere
            (``.../preview`` instead of a token), for the business to read.
        change: an email change's pending request (its link confirms it).
    """
    kind = _EMAILS[(message.kind, message.purpose)]
    address, message_id = ctx.sent_as(message, customer)
    link = None
    if not live:
        if message.purpose is not None:
            link = link_url(ctx.business, message.purpose, PREVIEW_TOKEN)
    elif message.purpose is Purpose.EMAIL_VERIFICATION:
        assert registration is not None  # a verification without one is withdrawn
        token = ctx.tokens.sign_verification(registration, customer, issued_at=issued_at)
        link = link_url(ctx.business, message.purpose, token)
    elif message.purpose is Purpose.EMAIL_CHANGE:
        assert customer is not None  # else withdrawn as stale
        assert change is not None
        token = ctx.tokens.sign_email_change(customer, change, issued_at=issued_at)
        link = link_url(ctx.business, message.purpose, token)
    elif message.purpose is not None:
        assert customer is not None
        token = ctx.tokens.sign(customer, message.purpose, issued_at=issued_at)
        link = link_url(ctx.business, message.purpose, token)
    person: Customer | Registration | None = customer or registration
    if kind is AccountEmail.EMAIL_CHANGE:
        # The new address is not proven yet: whoever reads it (a typo's owner,
        # another customer) is not told the requester's name.
        person = None
    return compose_account_email(
        kind,
        business=ctx.business,
        recipient=Recipient(
            email=address,
            first_name=None if person is None else person.first_name,
            locale=message.locale,
        ),
        message_id=message_id,
        link=link,
        valid_until=(
            None
            if message.purpose is None
            else ctx.tokens.expires_at(message.purpose, issued_at=issued_at)
        ),
        provider="" if customer is None else customer.auth_provider or "",
        providers=providers,
        layout=ctx.layout,
    )
