""" "Forgot password": the same answer for every address, a reset link for customers."""

from __future__ import annotations

from datetime import datetime

from invitekit import transitions
from invitekit.account_mail import AccountEmail
from invitekit.accounts import ResetAnswer, reset_answer
from invitekit.addresses import parse_email
from invitekit.flows.account_mail import account_message
from invitekit.flows.context import Context
from invitekit.flows.links import check_link, set_password_by_link
from invitekit.model import Customer, EventKind, LinkCheck, OutboxMessage, Purpose, Status
from invitekit.ports import Transaction
from invitekit.throttle import email_key, mail_key

__all__ = ["check_password_reset", "mail_throttled", "request_password_reset", "reset_password"]

_EMAILS = {
    ResetAnswer.PROVIDER_HINT: AccountEmail.PROVIDER_HINT,
    ResetAnswer.ACTIVATION_LINK: AccountEmail.ACTIVATION_REQUEST,
    ResetAnswer.RESET_LINK: AccountEmail.PASSWORD_RESET,
}


def request_password_reset(ctx: Context, email: str) -> None:
    """Queue the email that answers "forgot password" for ``email``, if any."""
    address = parse_email(email)
    with ctx.store.transaction() as tx:
        now = ctx.clock.now()
        customer = tx.find_customer(ctx.business.id, address.key)
        answer = reset_answer(customer)
        if customer is None or answer is ResetAnswer.NOTHING:
            # Compose (and drop) a reset email anyway, so that this case costs
            # about what the others do.
            account_message(
                ctx, _decoy(ctx, address.address, now), AccountEmail.PASSWORD_RESET, now
            )
            message: OutboxMessage | None = None
        else:
            message = account_message(ctx, customer, _EMAILS[answer], now)
        if mail_throttled(ctx, tx, address.key, now):
            return
        if customer is not None and message is not None:
            # At most one pending per customer: a repeated request adds no mail.
            tx.enqueue([message])
            event = ctx.event(customer, EventKind.PASSWORD_RESET_REQUESTED, now, answer.value)
            tx.add_events([event])


def check_password_reset(ctx: Context, token: str) -> LinkCheck:
    """Whom a password-reset link is for, and whether it still works; changes nothing."""
    return check_link(ctx, token, Purpose.PASSWORD_RESET)


def reset_password(ctx: Context, token: str, new_password: str) -> Customer:
    """Set a new password with a reset link; the address's failed logins are forgotten."""
    with set_password_by_link(ctx, token, Purpose.PASSWORD_RESET, new_password) as link:
        tx, current, password_hash = link
        now = ctx.clock.now()
        updated = transitions.set_password(current, now=now, password_hash=password_hash)
        tx.update_customer(updated, expected_version=current.version)
        tx.clear_attempts(ctx.business.id, email_key(current.email_key))
        tx.add_events([ctx.event(current, EventKind.PASSWORD_RESET, now)])
    return updated


def mail_throttled(ctx: Context, tx: Transaction, address_key: str, now: datetime) -> bool:
    """Count a request for an account email to an address; whether it is one too many.

    Counting is atomic (:meth:`~invitekit.ports.Transaction.reserve_attempt`):
    simultaneous requests never pass the cap together.
    """
    throttle = ctx.mail_throttle
    key = mail_key(address_key)
    since = now - throttle.window
    reserved = tx.reserve_attempt(
        ctx.business.id, key, at=now, since=since, limit=throttle.max_emails
    )
    if reserved is not None:
        return False
    # A refused request counts too (still under the reservation's lock), so an
    # address requested without pause is sent nothing more.
    tx.record_attempt(ctx.business.id, key, now)
    return True


def _decoy(ctx: Context, typed: str, now: datetime) -> Customer:
    return Customer(
        id="cus_decoy",
        business_id=ctx.business.id,
        email=typed,
        email_key=typed,
        status=Status.ACCEPTED,
        created_at=now,
        updated_at=now,
    )
