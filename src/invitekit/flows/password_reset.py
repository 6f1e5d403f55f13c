""" "Forgot password": the same answer for every address, a reset link for customers."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from datetime import datetime

import attrs

from invitekit import transitions
from invitekit.account_mail import AccountEmail
from invitekit.accounts import ResetAnswer, reset_answer
from invitekit.addresses import parse_email
from invitekit.compose import locale_for
from invitekit.flows.account_mail import account_message
from invitekit.flows.context import Context
from invitekit.flows.links import check_link, set_password_by_link
from invitekit.i18n import clean_locale
from invitekit.ids import new_id
from invitekit.model import (
    Customer,
    EventKind,
    EventNote,
    LinkCheck,
    MessageKind,
    OutboxMessage,
    Purpose,
    Status,
)
from invitekit.ports import Transaction
from invitekit.throttle import email_key, mail_key
from invitekit.tokens import require_link

__all__ = [
    "check_password_reset",
    "in_page_locale",
    "mail_throttled",
    "request_password_reset",
    "reset_password",
]

_EMAILS = {
    ResetAnswer.PROVIDER_HINT: AccountEmail.PROVIDER_HINT,
    ResetAnswer.ACTIVATION_LINK: AccountEmail.ACTIVATION_REQUEST,
    ResetAnswer.RESET_LINK: AccountEmail.PASSWORD_RESET,
}
_STAND_IN = AccountEmail.PASSWORD_RESET  # what is queued, and undone, when nothing is sent


def request_password_reset(ctx: Context, email: str, *, locale: str | None = None) -> None:
    """Queue the email that answers "forgot password" for ``email``, if any.

    ``locale`` is the page's: the email is in it when the customer has none.

    Every answer does the same work, so its time tells nothing: an outbox row
    and an event are written in every case, and undone when they must not be
    kept (see :func:`_write`).  When there is nothing to send, the row is
    made for a stand-in customer; when one is pending for the customer
    already, a stand-in of the row is inserted and undone.

    Raises:
        ConfigurationError: the business has no ``reset_url``, whatever the address.
    """
    require_link(ctx.business, Purpose.PASSWORD_RESET)
    address = parse_email(email)
    page_locale = clean_locale(locale)
    with ctx.store.transaction() as tx:
        now = ctx.clock.now()
        customer = tx.find_customer(ctx.business.id, address.key)
        answer = reset_answer(customer)
        if customer is None or answer is ResetAnswer.NOTHING:
            recipient, kind, real = _stand_in(ctx, address.address, now), _STAND_IN, False
        else:
            recipient, kind, real = customer, _EMAILS[answer], True
        message = account_message(ctx, recipient, kind, now)
        message = in_page_locale(ctx, message, recipient, page_locale)
        event = ctx.event(recipient, EventKind.PASSWORD_RESET_REQUESTED, now, answer.value)
        if mail_throttled(ctx, tx, address.key, now):
            return
        # At most one pending per customer: a repeated request adds no mail.
        pending = tx.pending_customer_ids(ctx.business.id, message.kind, [recipient.id])
        queue = real and not pending
        row = message if queue else attrs.evolve(message, customer_id=new_id("cus"))
        _write(tx, lambda: ctx.enqueue(tx, [row]), keep=queue)
        _write(tx, lambda: tx.add_events([event]), keep=real)


def in_page_locale(
    ctx: Context, message: OutboxMessage, customer: Customer, page_locale: str | None
) -> OutboxMessage:
    """``message`` in the language of the page the visitor used, when ``customer`` has none.

    The language is negotiated as the customer's would be (``pt`` falls back to
    the business default); a customer's own locale always wins.
    """
    if page_locale is None or customer.locale is not None:
        return message
    return attrs.evolve(message, locale=str(locale_for(page_locale, ctx.business)))


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
        # A reset link still queued would be signed for the new password when it
        # is sent: withdraw it, as a link sent before the change dies with it.
        for kind in (MessageKind.PASSWORD_RESET, MessageKind.ACCOUNT_EXISTS):
            tx.cancel_pending(
                ctx.business.id, current.id, reason=EventNote.PASSWORD_CHANGED, kind=kind
            )
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


class _Undo(Exception):
    """Raised inside a savepoint to undo the stand-in's writes."""


def _write(tx: Transaction, write: Callable[[], object], *, keep: bool) -> None:
    """Run ``write`` in a savepoint, and undo it unless ``keep``.

    The same statements run either way, ending in a release or a rollback of
    the savepoint, so what is not kept leaves no row behind and costs what a
    kept write does.
    """
    with contextlib.suppress(_Undo), tx.savepoint():
        write()
        if not keep:
            raise _Undo


def _stand_in(ctx: Context, typed: str, now: datetime) -> Customer:
    """A customer that is never stored, for the work of an answer without an email.

    A fresh id each time, so that nothing is ever pending for it.
    """
    return Customer(
        id=new_id("cus"),
        business_id=ctx.business.id,
        email=typed,
        email_key=typed,
        status=Status.ACCEPTED,
        created_at=now,
        updated_at=now,
    )
