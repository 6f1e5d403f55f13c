"""A customer changes their email address: asked for re-authenticated, confirmed by a link.

The request mails a confirmation link to the new address and a notice to the
old one, and answers the same whatever the new address is: whether it belongs
to another customer is found out only when the link is followed, and told only
to whoever holds it (the owner of the new address).  The confirmation switches
the address in one transaction that the store's uniqueness of addresses guards.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime

import attrs

from invitekit import transitions
from invitekit.account_mail import AccountEmail
from invitekit.addresses import EmailAddress, parse_email
from invitekit.email_change import EmailChange, Proof, reauthentication
from invitekit.exceptions import (
    ConcurrentUpdate,
    CustomerArchived,
    DuplicateCustomer,
    EmailAddressTaken,
    InvalidCredentials,
    InvalidEmail,
    ReauthenticationRequired,
    TokenUsed,
)
from invitekit.flows.account_mail import account_message
from invitekit.flows.context import Context
from invitekit.flows.links import link_check, redeem
from invitekit.flows.login import verify_password
from invitekit.flows.password_reset import mail_throttled
from invitekit.ids import new_id
from invitekit.model import Customer, EventKind, EventNote, LinkCheck, MessageKind, Purpose
from invitekit.ports import Transaction
from invitekit.text import quoted
from invitekit.tokens import TokenClaims, email_change_fingerprint, require_link

__all__ = ["check_email_change", "confirm_email_change", "request_email_change"]

_ARCHIVED = "this profile is archived; contact the business"
_TAKEN = "this address already belongs to another profile with {business}"
# Every kind a confirmed change withdraws: what would go to the old address, or
# carries a link signed for the old state.  The notice stays: it must reach the old address.
_WITHDRAWN = [k for k in MessageKind if k is not MessageKind.EMAIL_CHANGE_NOTICE]


def request_email_change(
    ctx: Context,
    customer_id: str,
    new_email: str,
    *,
    password: str | None,
    reauthenticated_at: datetime | None,
) -> None:
    """Queue the confirmation to ``new_email`` and the notice to the customer's address.

    See :meth:`~invitekit.InviteKit.request_email_change`.
    """
    require_link(ctx.business, Purpose.EMAIL_CHANGE)
    address = parse_email(new_email)
    with ctx.store.transaction(readonly=True) as tx:
        customer = ctx.customer(tx, customer_id)
    if customer.archived:
        raise CustomerArchived(_ARCHIVED)
    if address.key == customer.email_key:
        raise InvalidEmail(
            f"{quoted(address.address)} is already the address of this profile",
            field="new_email",
            code="unchanged",
        )
    proof = reauthentication(
        customer,
        password_given=password is not None,
        reauthenticated_at=reauthenticated_at,
        now=ctx.clock.now(),
    )
    if proof is Proof.MISSING:
        raise ReauthenticationRequired(
            "changing the email address needs the password (or a sign-in just now)"
        )
    if proof is Proof.PASSWORD:
        assert password is not None
        verify_password(ctx, customer, password)
    with ctx.store.transaction() as tx:
        now = ctx.clock.now()
        current = ctx.customer(tx, customer_id)
        if current.archived:
            raise CustomerArchived(_ARCHIVED)
        if current.password_hash != customer.password_hash and proof is Proof.PASSWORD:
            raise InvalidCredentials("the password is not right")  # changed meanwhile
        # Both addresses count: the new one against mail-bombing a stranger,
        # the old one against flooding the customer with notices.
        to_new = mail_throttled(ctx, tx, address.key, now)
        to_old = mail_throttled(ctx, tx, current.email_key, now)
        if to_new or to_old:
            return
        _queue(ctx, tx, current, address, now)


def _queue(
    ctx: Context, tx: Transaction, customer: Customer, address: EmailAddress, now: datetime
) -> None:
    """Store the request (replacing an older one: its link dies) and queue both emails."""
    change = EmailChange(
        id=new_id("chg"),
        business_id=ctx.business.id,
        customer_id=customer.id,
        email=address.address,
        email_key=address.key,
        requested_at=now,
    )
    tx.put_email_change(change)
    # An older confirmation still queued is replaced by this one.
    tx.cancel_pending(
        ctx.business.id,
        customer.id,
        reason=EventNote.EMAIL_CHANGE_REPLACED,
        kind=MessageKind.EMAIL_CHANGE,
    )
    notice = account_message(ctx, customer, AccountEmail.EMAIL_CHANGE_NOTICE, now)
    # To the address as it is now, even once the change is confirmed.
    notice = attrs.evolve(notice, recipient=customer.email)
    confirmation = ctx.message(
        customer,
        MessageKind.EMAIL_CHANGE,
        now,
        recipient=address.address,
        locale=customer.locale,
        purpose=Purpose.EMAIL_CHANGE,
    )
    # The notice first: it leaves no later than the link it announces.
    ctx.enqueue(tx, [notice, confirmation])
    tx.add_events([ctx.event(customer, EventKind.EMAIL_CHANGE_REQUESTED, now)])


def check_email_change(ctx: Context, token: str) -> LinkCheck:
    """Whom an email-change link is for and the new address; changes nothing."""
    with ctx.store.transaction(readonly=True) as tx:
        claims, customer, change = _redeem(ctx, tx, token)
        _refuse_taken(ctx, tx, customer, change)
    return attrs.evolve(link_check(ctx, claims, customer), email=change.email)


def confirm_email_change(ctx: Context, token: str) -> Customer:
    """Switch the customer's address to the confirmed one; every older link dies."""
    with _confirming(), ctx.store.transaction() as tx:
        now = ctx.clock.now()
        _claims, current, change = _redeem(ctx, tx, token)
        _refuse_taken(ctx, tx, current, change)
        address = EmailAddress(address=change.email, key=change.email_key)
        updated = attrs.evolve(
            transitions.change_email(current, now=now, email=address),
            version=current.version + 1,
        )
        # The store's uniqueness of addresses decides a race with another
        # customer taking the address: DuplicateCustomer, nothing written.
        tx.update_customer(updated, expected_version=current.version)
        tx.delete_email_change(ctx.business.id, current.id)
        withdrawn = sum(
            tx.cancel_pending(
                ctx.business.id, current.id, reason=EventNote.EMAIL_CHANGED, kind=kind
            )
            for kind in _WITHDRAWN
        )
        events = [ctx.event(current, EventKind.EMAIL_CHANGED, now, current.email)]
        if withdrawn:
            events.append(
                ctx.event(current, EventKind.INVITATION_CANCELLED, now, EventNote.EMAIL_CHANGED)
            )
        tx.add_events(events)
    return updated


@contextmanager
def _confirming() -> Iterator[None]:
    """Translate the store's refusals of a confirmation into the link's."""
    try:
        yield
    except ConcurrentUpdate as err:
        raise TokenUsed("this link was just used") from err
    except DuplicateCustomer as err:
        raise EmailAddressTaken(
            "this address already belongs to another profile; the address was not changed"
        ) from err


def _redeem(
    ctx: Context, tx: Transaction, token: str
) -> tuple[TokenClaims, Customer, EmailChange]:
    """Verify an email-change token against the customer and their pending request."""
    change: list[EmailChange] = []

    def state(customer: Customer) -> str | None:
        found = tx.get_email_change(ctx.business.id, customer.id)
        if found is None:
            return None
        change.append(found)
        return email_change_fingerprint(customer, found)

    claims, customer = redeem(ctx, tx, token, Purpose.EMAIL_CHANGE, state=state)
    return claims, customer, change[0]


def _refuse_taken(ctx: Context, tx: Transaction, customer: Customer, change: EmailChange) -> None:
    owner = tx.find_customer(ctx.business.id, change.email_key)
    if owner is not None and owner.id != customer.id:
        raise EmailAddressTaken(_TAKEN.format(business=ctx.business.name))
