"""Activation links issued without email: for the front desk, a QR code, a text message.

The link is the one an invitation email carries, signed by the same
:class:`~invitekit.tokens.Tokens` and redeemed by the same
:mod:`invitekit.flows.links`, so it obeys the same rules (single use, expiry,
bound to the business, dead on archive or address change).  Its token is marked
*handed* so that opening or following it counts for no campaign.
"""

from __future__ import annotations

from invitekit import transitions
from invitekit.campaigns import clean_actor
from invitekit.exceptions import InvitationRefused
from invitekit.flows.context import Context
from invitekit.model import EventKind, Purpose
from invitekit.tokens import link_url

__all__ = ["issue_activation_link"]


def issue_activation_link(ctx: Context, customer_id: str, *, by: str | None) -> str:
    """An activation URL for an Added or Invited customer, recorded in their history.

    The status does not change: a customer becomes Invited when an invitation
    email reaches the mail server, and none did.
    """
    by = clean_actor(by)
    with ctx.store.transaction() as tx:
        customer = ctx.customer(tx, customer_id)
        reason = transitions.activation_link_block(customer)
        if reason is not None:
            raise InvitationRefused(
                f"no activation link for {customer.email}: the customer {reason.message}",
                reason=reason,
                customer_id=customer.id,
            )
        now = ctx.clock.now()
        token = ctx.tokens.sign(customer, Purpose.ACTIVATION, handed=True, issued_at=now)
        tx.add_events([ctx.event(customer, EventKind.ACTIVATION_LINK_ISSUED, now, by=by)])
    return link_url(ctx.business, Purpose.ACTIVATION, token)
