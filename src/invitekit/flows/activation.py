"""Following an invitation: activating the profile, or unsubscribing from invitations."""

from __future__ import annotations

import logging

from invitekit import transitions
from invitekit.exceptions import StorageError
from invitekit.flows import campaigns, funnel
from invitekit.flows.context import Context
from invitekit.flows.links import (
    check_link,
    link_check,
    matched,
    redeem,
    set_password_by_link,
    verified,
)
from invitekit.model import Customer, EventKind, EventNote, LinkCheck, MessageKind, Purpose

__all__ = ["accept_invitation", "check_activation", "check_unsubscribe", "unsubscribe"]

log = logging.getLogger("invitekit")


def check_activation(ctx: Context, token: str) -> LinkCheck:
    """Who an activation link is for, and whether it still works.

    It changes nothing of the customer: the link is checked in a read-only
    transaction.  The first open of a customer's link after an invitation of a
    campaign is recorded for the campaign's funnel (an ``EventKind.LINK_OPENED``
    event, written in a short transaction of its own, only when none is
    recorded yet); a store that refuses that write costs the count, not the page.
    A link issued without email (``issue_activation_link``) counts for no campaign.
    """
    with ctx.store.transaction(readonly=True) as tx:
        claims = verified(ctx, tx, token, Purpose.ACTIVATION)
        if claims.handed or claims.customer_id is None:
            found, campaign_id = ctx.customer_or_none(tx, claims.customer_id), None
        else:  # who the link is for, and whether this is its campaign's first open
            found, campaign_id = tx.customer_and_unopened_campaign(
                ctx.business.id, claims.customer_id
            )
        customer = matched(claims, found)
    if campaign_id is not None:
        try:
            funnel.record_link_open(ctx, customer, campaign_id)
        except StorageError as err:
            log.warning("the open of a link of campaign %s was not recorded: %s", campaign_id, err)
    return link_check(ctx, claims, customer)


def accept_invitation(ctx: Context, token: str, password: str) -> Customer:
    """Set the password and make the customer Accepted; one of simultaneous submits wins.

    Accepting through a link issued without email counts for no campaign: the
    ``ACCEPTED`` event says ``EventNote.HANDED_LINK`` instead.
    """
    with set_password_by_link(ctx, token, Purpose.ACTIVATION, password) as link:
        tx, current, password_hash = link
        # The token was verified by set_password_by_link; only its mark is read here.
        handed = ctx.tokens.peek(token, Purpose.ACTIVATION).handed
        now = ctx.clock.now()
        accepted = transitions.accept(current, now=now, password_hash=password_hash)
        tx.update_customer(accepted, expected_version=current.version)
        tx.cancel_pending(ctx.business.id, current.id, reason=EventNote.CUSTOMER_ACCEPTED)
        if handed:
            event = ctx.event(current, EventKind.ACCEPTED, now, EventNote.HANDED_LINK)
        else:
            campaign_id = tx.last_campaign_of(ctx.business.id, current.id)
            event = ctx.event(current, EventKind.ACCEPTED, now, campaign_id=campaign_id)
        tx.add_events([event])
    return accepted


def check_unsubscribe(ctx: Context, token: str) -> LinkCheck:
    """Whom an unsubscribe link is for; changes nothing."""
    return check_link(ctx, token, Purpose.UNSUBSCRIBE)


def unsubscribe(ctx: Context, token: str) -> Customer:
    """Opt the customer out of invitation emails; a queued invitation is withdrawn."""
    with ctx.store.transaction() as tx:
        _claims, current = redeem(ctx, tx, token, Purpose.UNSUBSCRIBE)
        if current.unsubscribed:
            return current
        now = ctx.clock.now()
        updated = transitions.unsubscribe(current, now=now)
        tx.update_customer(updated, expected_version=current.version)
        # Only campaign mail (an invitation, a reminder): an account email the
        # customer asked for (a password reset, a sign-up confirmation) still goes out.
        events = [
            event
            for kind in (MessageKind.INVITATION, MessageKind.REMINDER)
            for event in campaigns.cancel_pending(
                ctx, tx, current, now, EventNote.CUSTOMER_UNSUBSCRIBED, kind=kind
            )
        ]
        campaign_id = tx.last_campaign_of(ctx.business.id, current.id)
        unsubscribed = ctx.event(current, EventKind.UNSUBSCRIBED, now, campaign_id=campaign_id)
        tx.add_events([*events, unsubscribed])
        return updated
