"""Booking links: signing a link to one booking, and checking one.

Signing reads the customer (it may not be archived); checking is read-only
(``GET``-safe: a mail scanner that opens the link changes nothing) and goes
through :func:`invitekit.flows.links.redeem`, the one place every link is
checked against the stored customer.
"""

from __future__ import annotations

from datetime import datetime

from invitekit.booking_links import BookingLinkCheck, clean_booking_id, clean_valid_until
from invitekit.exceptions import CustomerArchived, TokenInvalid
from invitekit.flows.context import Context
from invitekit.flows.links import redeem
from invitekit.model import Purpose
from invitekit.tokens import link_url, require_link

__all__ = ["booking_link", "check_booking_link"]


def booking_link(ctx: Context, customer_id: str, booking_id: str, *, valid_until: datetime) -> str:
    """``booking_url`` with a token for the customer's booking ``booking_id``, until then."""
    require_link(ctx.business, Purpose.BOOKING)
    booking_id = clean_booking_id(booking_id)
    until = clean_valid_until(valid_until, now=ctx.clock.now())
    with ctx.store.transaction(readonly=True) as tx:
        customer = ctx.customer(tx, customer_id)
    if customer.archived:
        raise CustomerArchived(f"no booking link for {customer.email}: the customer is archived")
    token = ctx.tokens.sign_booking(customer, booking_id, until)
    return link_url(ctx.business, Purpose.BOOKING, token)


def check_booking_link(ctx: Context, token: str) -> BookingLinkCheck:
    """Whose booking a link opens, and until when; changes nothing."""
    with ctx.store.transaction(readonly=True) as tx:
        claims, customer = redeem(ctx, tx, token, Purpose.BOOKING)
    if claims.booking_id is None or claims.valid_until is None:  # verify() ensures both
        raise TokenInvalid("this link is not valid")
    return BookingLinkCheck(
        customer=customer,
        booking_id=claims.booking_id,
        valid_until=claims.valid_until,
        issued_at=claims.issued_at,
    )
