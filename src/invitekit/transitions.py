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
from invitekit.schedule import Reminders

__all__ = [
    "ReminderCandidate",
    "ReminderDue",
    "accept",
    "activation_link_block",
    "archive",
    "change_email",
    "clear_undeliverable",
    "invitation_block",
    "invitation_stale",
    "mark_delivered",
    "mark_undeliverable",
    "message_stale",
    "next_reminder",
    "reminder_due",
    "restore",
    "set_password",
    "touch",
    "unsubscribe",
]


def invitation_block(
    customer: Customer,
    *,
    now: datetime,
    pending: bool,
    cooldown: timedelta | None = None,
    undeliverable: bool = False,
    last_mailed_at: datetime | None = None,
) -> SkipReason | None:
    """Why ``customer`` cannot be invited now, or ``None`` if they can.

    The reasons are checked in a fixed order, so a customer who is both archived
    and accepted is reported as accepted (the more permanent fact first).

    Args:
        customer: the customer as stored.
        now: the current time.
        pending: whether the customer already has an invitation queued.
        cooldown: when set, a customer mailed less than this long ago is blocked.
        undeliverable: whether mail to the customer's address bounced for good
            (also when ``customer.undeliverable_at`` is set).
        last_mailed_at: when the last invitation or reminder was handed to the
            mail server, for the cooldown; ``customer.invited_at`` by default.
    """
    if customer.status is Status.ACCEPTED:
        return SkipReason.ACCEPTED
    if customer.archived:
        return SkipReason.ARCHIVED
    if customer.unsubscribed:
        return SkipReason.UNSUBSCRIBED
    if undeliverable or customer.undeliverable:
        return SkipReason.UNDELIVERABLE
    if pending:
        return SkipReason.ALREADY_PENDING
    mailed = last_mailed_at or customer.invited_at
    if mailed is not None and cooldown is not None and now - mailed < cooldown:
        return SkipReason.INVITED_RECENTLY
    return None


@attrs.frozen(kw_only=True)
class ReminderDue:
    """The next reminder a customer gets.

    Attributes:
        number: which reminder it is, 1 for the first.
        after: its delay from :attr:`Reminders.after <invitekit.Reminders.after>`.
        due_at: when it may be queued: its delay after the last delivered
            invitation, and not before the cooldown after the last mail.
    """

    number: int
    after: timedelta
    due_at: datetime


@attrs.frozen(kw_only=True)
class ReminderCandidate:
    """A customer who may be due a reminder, as a store finds them.

    Attributes:
        customer: the customer as stored (Invited, not archived, not unsubscribed).
        reminders_sent: how many reminders were sent to them after their last
            delivered invitation (``customer.invited_at``).
        last_reminded_at: when the last of those was sent, or ``None``.
    """

    customer: Customer
    reminders_sent: int
    last_reminded_at: datetime | None


def next_reminder(
    reminders: Reminders,
    customer: Customer,
    *,
    reminders_sent: int,
    undeliverable: bool = False,
    cooldown: timedelta | None = None,
    last_reminded_at: datetime | None = None,
) -> ReminderDue | None:
    """The next reminder ``customer`` is to get, due now or later, or ``None`` if none will come.

    Reminders are counted from the last delivered invitation
    (``customer.invited_at``): the first comes ``reminders.after[0]`` after it, the
    second ``reminders.after[1]`` after it, and so on; a new invitation starts
    the count again.  None comes to a customer who is not Invited (never
    invited, or accepted), is archived, unsubscribed or undeliverable, or has
    had them all.  The cooldown counts from the last mail, reminder or
    invitation.

    Args:
        reminders: the business's schedule.
        customer: the customer as stored.
        reminders_sent: how many reminders were delivered since the last
            delivered invitation.
        undeliverable: whether mail to the customer's address bounced for good
            (also when ``customer.undeliverable_at`` is set).
        cooldown: the business's ``invitation_cooldown``.
        last_reminded_at: when the last of those reminders was delivered.
    """
    if customer.status is not Status.INVITED or customer.invited_at is None:
        return None
    if customer.archived or customer.unsubscribed or undeliverable or customer.undeliverable:
        return None
    if not 0 <= reminders_sent < len(reminders.after):
        return None
    delay = reminders.after[reminders_sent]
    due_at = customer.invited_at + delay
    last_mail = max(customer.invited_at, last_reminded_at or customer.invited_at)
    if cooldown is not None:
        due_at = max(due_at, last_mail + cooldown)
    return ReminderDue(number=reminders_sent + 1, after=delay, due_at=due_at)


def reminder_due(
    reminders: Reminders,
    customer: Customer,
    *,
    now: datetime,
    reminders_sent: int,
    pending: bool,
    undeliverable: bool = False,
    cooldown: timedelta | None = None,
    last_reminded_at: datetime | None = None,
) -> ReminderDue | None:
    """The reminder to queue for ``customer`` now, or ``None``.

    :func:`next_reminder` when it is due at ``now``, and nothing is pending for
    the customer (an invitation or a reminder waiting to be sent: never two at
    once).  The other arguments are those of :func:`next_reminder`.

    Args:
        now: the current time.
        pending: whether an invitation or reminder to the customer is queued.
    """
    if pending:
        return None
    due = next_reminder(
        reminders,
        customer,
        reminders_sent=reminders_sent,
        undeliverable=undeliverable,
        cooldown=cooldown,
        last_reminded_at=last_reminded_at,
    )
    return due if due is not None and due.due_at <= now else None


def activation_link_block(customer: Customer) -> SkipReason | None:
    """Why ``customer`` may not be handed an activation link without email, or ``None``.

    Only what makes activating impossible counts: an Accepted profile
    (``SkipReason.ACCEPTED``) or an archived one (``SkipReason.ARCHIVED``).
    Unsubscribing, an undeliverable address, a queued invitation or a cooldown
    are about email, and a handed link sends none.
    """
    if customer.status is Status.ACCEPTED:
        return SkipReason.ACCEPTED
    if customer.archived:
        return SkipReason.ARCHIVED
    return None


def invitation_stale(customer: Customer | None, *, queued_to: str | None) -> bool:
    """Whether an invitation queued for ``queued_to`` must not be sent any more.

    It is stale when the customer is gone, accepted, archived, unsubscribed or
    undeliverable since it was queued, or now has another address (the
    invitation was written for the old one).

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
        or customer.undeliverable
        or (queued_to is not None and customer.email != queued_to)
    )


def message_stale(
    kind: MessageKind,
    customer: Customer | None,
    *,
    for_customer: bool,
    queued_to: str | None,
    registration_found: bool,
    queued_at: datetime | None = None,
    undeliverable: bool = False,
    invitation_pending: bool = False,
    change_current: bool = True,
) -> str | None:
    """Why a queued email must not be composed and sent any more, or ``None``.

    An invitation follows :func:`invitation_stale`.  A reminder too, and it
    goes only to a customer still Invited, not undeliverable, who was not
    invited again since it was queued (a newer invitation delivered, or one
    pending: it replaces the reminder).  An account email goes only to the
    address it was queued for, to a customer still there and not archived; an
    email verification only while its sign-up is stored.  The notice of an
    email change goes to the old address even once the change is confirmed;
    the confirmation goes to the new address while its request is the
    customer's pending one.

    Args:
        kind: the email's kind.
        customer: its customer as stored now (``None`` if gone or never one).
        for_customer: whether it was queued for a customer.
        queued_to: the address it was queued for (``None``: the customer's, whatever it is).
        registration_found: for an email verification, whether its sign-up is stored.
        queued_at: when it was queued (for a reminder).
        undeliverable: whether mail to the customer bounced for good (for a reminder).
        invitation_pending: whether an invitation to the customer is queued (for a reminder).
        change_current: for an email change's confirmation, whether the request
            it was queued for is still pending, for the address it goes to.
    """
    if kind is MessageKind.INVITATION:
        stale = invitation_stale(customer, queued_to=queued_to)
        return EventNote.NOT_INVITABLE if stale else None
    if kind is MessageKind.REMINDER:
        if invitation_stale(customer, queued_to=queued_to) or undeliverable:
            return EventNote.NOT_REMINDABLE
        assert customer is not None  # invitation_stale is True for no customer
        invited_at = customer.invited_at
        if customer.status is not Status.INVITED or invited_at is None:
            return EventNote.NOT_REMINDABLE
        if invitation_pending or (queued_at is not None and invited_at > queued_at):
            return EventNote.REPLACED_BY_INVITATION
        return None
    if for_customer and (customer is None or customer.archived):
        return EventNote.CUSTOMER_GONE
    if kind is MessageKind.EMAIL_CHANGE_NOTICE:
        return None
    if kind is MessageKind.EMAIL_CHANGE:
        return None if change_current else EventNote.EMAIL_CHANGE_REPLACED
    if customer is not None and queued_to is not None and customer.email != queued_to:
        return EventNote.ADDRESS_CHANGED
    if kind is MessageKind.EMAIL_VERIFICATION and not registration_found:
        return EventNote.SIGNUP_GONE
    return None


def _touch(customer: Customer, now: datetime, **changes: Any) -> Customer:
    return attrs.evolve(customer, updated_at=now, version=customer.version + 1, **changes)


def touch(customer: Customer, *, now: datetime) -> Customer:
    """A new version of ``customer`` that changes no field but ``updated_at``.

    For a change recorded about the customer in its history only (a bounce that
    does not change the address's standing): writing the customer makes two
    concurrent writers meet at its compare-and-set.
    """
    return _touch(customer, now)


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
    """A new address: every link already sent (to the old one) dies.

    The new address is deliverable: what bounced was the old one.
    """
    return _touch(
        customer,
        now,
        email=email.address,
        email_key=email.key,
        link_epoch=customer.link_epoch + 1,
        delivery_failure=None,
        undeliverable_at=None,
        undeliverable_reason=None,
    )


def mark_undeliverable(customer: Customer, *, now: datetime, reason: str) -> Customer:
    """Mail to the customer's address does not arrive: no invitation or reminder until cleared."""
    return _touch(customer, now, undeliverable_at=now, undeliverable_reason=reason)


def clear_undeliverable(customer: Customer, *, now: datetime) -> Customer:
    """The business says the address works again (the mailbox was fixed)."""
    return _touch(customer, now, undeliverable_at=None, undeliverable_reason=None)


def rename(customer: Customer, *, now: datetime, **names: str | None) -> Customer:
    """Change first name, last name or locale."""
    return _touch(customer, now, **names)
