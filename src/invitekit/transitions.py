"""The customer's life as pure functions: each takes a customer and returns a new one.

These functions decide nothing about storage or time: the caller passes the
moment (from its Clock) and stores the result.  They raise when a transition is
not allowed, so the rules live in one place.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import attrs

from invitekit.addresses import EmailAddress
from invitekit.audience import SkipReason
from invitekit.model import Customer, EventNote, MessageKind, Status

__all__ = [
    "accept",
    "archive",
    "change_email",
    "invitation_block",
    "invitation_stale",
    "mark_delivered",
    "message_stale",
    "restore",
    "set_password",
    "unsubscribe",
]


def invitation_block(
    customer: Customer,
    *,
    now: datetime,
    pending: bool,
    cooldown: timedelta | None = None,
) -> SkipReason | None:
    """Why ``customer`` cannot be invited now, or ``None`` if they can.

    The reasons are checked in a fixed order, so a customer who is both archived
    and accepted is reported as accepted (the more permanent fact first).

    Args:
        customer: the customer as stored.
        now: the current time.
        pending: whether the customer already has an invitation queued.
        cooldown: when set, a customer invited less than this long ago is blocked.
    """
    if customer.status is Status.ACCEPTED:
        return SkipReason.ACCEPTED
    if customer.archived:
        return SkipReason.ARCHIVED
    if customer.unsubscribed:
        return SkipReason.UNSUBSCRIBED
    if pending:
        return SkipReason.ALREADY_PENDING
    recent = customer.invited_at is not None and cooldown is not None
    if recent and now - customer.invited_at < cooldown:  # type: ignore[operator]
        return SkipReason.INVITED_RECENTLY
    return None


def invitation_stale(customer: Customer | None, *, queued_to: str | None) -> bool:
    """Whether an invitation queued for ``queued_to`` must not be sent any more.

    It is stale when the customer is gone, accepted, archived or unsubscribed
    since it was queued, or now has another address (the invitation was written
    for the old one).

    Args:
        customer: the customer as stored now (``None`` if gone).
        queued_to: the address the invitation was queued for; ``None``: the
            customer's stored address, whatever it is now.
    """
    return (
        customer is None
        or customer.status is Status.ACCEPTED
        or customer.archived
        or customer.unsubscribed
        or (queued_to is not None and customer.email != queued_to)
    )


def message_stale(
    kind: MessageKind,
    customer: Customer | None,
    *,
    for_customer: bool,
    queued_to: str | None,
    registration_found: bool,
) -> str | None:
    """Why a queued email must not be composed and sent any more, or ``None``.

    An invitation follows :func:`invitation_stale`.  An account email goes only
    to the address it was queued for, to a customer still there and not
    archived; an email verification only while its sign-up is stored.

    Args:
        kind: the email's kind.
        customer: its customer as stored now (``None`` if gone or never one).
        for_customer: whether it was queued for a customer.
        queued_to: the address it was queued for (``None``: the customer's, whatever it is).
        registration_found: for an email verification, whether its sign-up is stored.
    """
    if kind is MessageKind.INVITATION:
        stale = invitation_stale(customer, queued_to=queued_to)
        return EventNote.NOT_INVITABLE if stale else None
    if for_customer and (customer is None or customer.archived):
        return EventNote.CUSTOMER_GONE
    if customer is not None and queued_to is not None and customer.email != queued_to:
        return EventNote.ADDRESS_CHANGED
    if kind is MessageKind.EMAIL_VERIFICATION and not registration_found:
        return EventNote.SIGNUP_GONE
    return None


def _touch(customer: Customer, now: datetime, **changes: Any) -> Customer:
    return attrs.evolve(customer, updated_at=now, version=customer.version + 1, **changes)


def mark_delivered(customer: Customer, *, now: datetime) -> Customer:
    """An invitation was handed to the mail server: Added or Invited becomes Invited.

    An Accepted customer stays Accepted (a late delivery cannot undo activation).
    """
    if customer.status is Status.ACCEPTED:
        return _touch(customer, now, delivery_failure=None)
    return _touch(customer, now, status=Status.INVITED, invited_at=now, delivery_failure=None)


def mark_delivery_failed(customer: Customer, *, now: datetime, reason: str) -> Customer:
    """Record on the customer why their invitation could not be delivered."""
    return _touch(customer, now, delivery_failure=reason)


def accept(customer: Customer, *, now: datetime, password_hash: str) -> Customer:
    """The customer chose a password: the profile is Accepted.

    Raises:
        ValueError: if the customer is already Accepted or archived (callers check
            first and raise the library's own error; this guards the rule).
    """
    if customer.status is Status.ACCEPTED or customer.archived:
        raise ValueError("only a non-archived, not yet accepted customer can accept")
    return _touch(
        customer,
        now,
        status=Status.ACCEPTED,
        accepted_at=now,
        password_hash=password_hash,
        delivery_failure=None,
    )


def set_password(customer: Customer, *, now: datetime, password_hash: str) -> Customer:
    """A new password (after a reset).

    Every reset link dies, because its fingerprint covers the password hash.
    Activation and verification links died already, when the profile was
    accepted.  ``link_epoch`` does not move: unsubscribe links (in old
    invitations) keep working, as RFC 8058 asks.
    """
    return _touch(customer, now, password_hash=password_hash)


def archive(customer: Customer, *, now: datetime) -> Customer:
    """Archive: no more invitations or logins; every link already sent dies."""
    return _touch(customer, now, archived=True, link_epoch=customer.link_epoch + 1)


def restore(customer: Customer, *, now: datetime) -> Customer:
    """Bring an archived customer back, with the status they had."""
    return _touch(customer, now, archived=False)


def unsubscribe(customer: Customer, *, now: datetime) -> Customer:
    """The customer opted out of invitation emails."""
    return _touch(customer, now, unsubscribed=True)


def change_email(customer: Customer, *, now: datetime, email: EmailAddress) -> Customer:
    """A new address: every link already sent (to the old one) dies."""
    return _touch(
        customer,
        now,
        email=email.address,
        email_key=email.key,
        link_epoch=customer.link_epoch + 1,
        delivery_failure=None,
    )


def rename(customer: Customer, *, now: datetime, **names: str | None) -> Customer:
    """Change first name, last name or locale."""
    return _touch(customer, now, **names)
