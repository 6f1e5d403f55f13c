"""Queueing the account emails: a reset link, a sign-in hint, a sign-up confirmation.

They go through the outbox like invitations, so answering a request costs the
same whether or not an email results; their delivery changes no status.
"""

from __future__ import annotations

from datetime import datetime

from invitekit.account_mail import AccountEmail, compose_account_email
from invitekit.compose import Recipient
from invitekit.flows.context import Context
from invitekit.model import Customer, MessageKind, OutboxMessage, Purpose, Registration
from invitekit.tokens import link_url

__all__ = ["account_message", "verification_message"]

# Each account email: the outbox kind it is queued as, and the purpose of its link.
_KINDS: dict[AccountEmail, tuple[MessageKind, Purpose | None]] = {
    AccountEmail.PASSWORD_RESET: (MessageKind.PASSWORD_RESET, Purpose.PASSWORD_RESET),
    AccountEmail.ACTIVATION_REQUEST: (MessageKind.PASSWORD_RESET, Purpose.ACTIVATION),
    AccountEmail.PROVIDER_HINT: (MessageKind.PROVIDER_HINT, None),
    AccountEmail.ACCOUNT_EXISTS: (MessageKind.ACCOUNT_EXISTS, Purpose.PASSWORD_RESET),
}


def account_message(
    ctx: Context, customer: Customer, email: AccountEmail, now: datetime
) -> OutboxMessage:
    """The account email ``email`` to ``customer``'s stored address, with its link signed."""
    kind, purpose = _KINDS[email]
    # A provider hint has no link: sign (and drop) one anyway, so that this
    # answer costs what a reset does.
    token = ctx.tokens.sign(customer, purpose or Purpose.PASSWORD_RESET)
    recipient = Recipient(
        email=customer.email, first_name=customer.first_name, locale=customer.locale
    )
    return ctx.message(
        customer,
        kind,
        now,
        lambda message_id: compose_account_email(
            email,
            business=ctx.business,
            recipient=recipient,
            message_id=message_id,
            link=None if purpose is None else link_url(ctx.business, purpose, token),
            valid_until=None if purpose is None else ctx.tokens.expires_at(purpose),
            provider=customer.auth_provider or "",
            layout=ctx.layout,
        ),
    )


def verification_message(
    ctx: Context, registration: Registration, customer: Customer | None, now: datetime
) -> OutboxMessage:
    """The link confirming a sign-up, to the customer's stored address or the new one."""
    token = ctx.tokens.sign_verification(registration, customer)
    recipient = Recipient(
        email=registration.email if customer is None else customer.email,
        first_name=registration.first_name if customer is None else customer.first_name,
        locale=registration.locale if customer is None else customer.locale,
    )
    return ctx.message(
        customer,
        MessageKind.EMAIL_VERIFICATION,
        now,
        lambda message_id: compose_account_email(
            AccountEmail.EMAIL_VERIFICATION,
            business=ctx.business,
            recipient=recipient,
            message_id=message_id,
            link=link_url(ctx.business, Purpose.EMAIL_VERIFICATION, token),
            valid_until=ctx.tokens.expires_at(Purpose.EMAIL_VERIFICATION),
            layout=ctx.layout,
        ),
    )
