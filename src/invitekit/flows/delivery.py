"""Delivery: claim due messages, hand them to the mailer, record what happened.

Each batch is claimed with a lease, so several workers can deliver from one
Store without sending a message twice while its claim holds.  Delivery is
at-least-once: a process that dies after the mail server accepted a message
and before the commit sends it again later, with the same ``Message-ID``.
"""

from __future__ import annotations

import contextlib
import logging

import attrs

from invitekit import transitions
from invitekit.exceptions import ConcurrentUpdate, DeliveryError, PermanentDeliveryError
from invitekit.flows.context import Context
from invitekit.ids import new_id
from invitekit.model import EventKind, MessageKind, OutboxMessage, OutboxState
from invitekit.ports import MailerSession, Transaction
from invitekit.reports import DeliveryReport

__all__ = ["deliver", "outbox_messages"]

log = logging.getLogger("invitekit")

_Totals = dict[str, int]


def deliver(ctx: Context, *, limit: int | None) -> DeliveryReport:
    """Hand due messages to the mailer until none is left (or ``limit``); count outcomes."""
    totals = {"sent": 0, "retrying": 0, "failed": 0, "cancelled": 0}
    remaining = limit
    # One mailer session (one SMTP connection) serves every batch of this call;
    # it is opened when the first batch is claimed, so an idle call connects nowhere.
    try:
        with contextlib.ExitStack() as mailer:
            session: MailerSession | None = None
            while remaining is None or remaining > 0:
                size = min(ctx.outbox.batch_size, remaining or ctx.outbox.batch_size)
                claim_token, claimed, sendable = _claim(ctx, size, totals)
                if not claimed:
                    break
                if remaining is not None:
                    remaining -= len(claimed)
                if session is None:
                    try:
                        session = mailer.enter_context(ctx.mailer.session())
                    except DeliveryError as err:  # could not connect: try later
                        for message in sendable:
                            _record_failure(ctx, message, claim_token, err, totals)
                        break
                _send_batch(ctx, session, sendable, claim_token, totals)
    except DeliveryError as err:
        # Closing a connection that had already dropped; every message was handled.
        log.debug("closing the mailer session failed: %s", err)
    return DeliveryReport(**totals)


def outbox_messages(
    ctx: Context, *, customer_id: str | None, state: OutboxState | None
) -> list[OutboxMessage]:
    """The outbox of the business, oldest first."""
    with ctx.store.transaction(readonly=True) as tx:
        return tx.list_outbox(ctx.business.id, customer_id=customer_id, state=state)


def _claim(
    ctx: Context, size: int, totals: _Totals
) -> tuple[str, list[OutboxMessage], list[OutboxMessage]]:
    """Lease up to ``size`` due messages; withdraw the stale ones at once."""
    claim_token = new_id("clm")
    with ctx.store.transaction() as tx:
        now = ctx.clock.now()
        claimed = tx.claim_outbox(
            now=now,
            lease_until=now + ctx.outbox.lease,
            claim_token=claim_token,
            limit=size,
            business_id=ctx.business.id,
        )
        sendable = _withdraw_stale(ctx, tx, claimed, claim_token, totals)
    return claim_token, claimed, sendable


def _withdraw_stale(
    ctx: Context,
    tx: Transaction,
    claimed: list[OutboxMessage],
    claim_token: str,
    totals: _Totals,
) -> list[OutboxMessage]:
    """Cancel claimed invitations whose customer can no longer receive them."""
    sendable = []
    for message in claimed:
        if message.kind is not MessageKind.INVITATION:
            sendable.append(message)
            continue
        customer = ctx.customer_or_none(tx, message.customer_id)
        if not transitions.invitation_stale(customer, queued_to=message.email.to):
            sendable.append(message)
            continue
        tx.update_outbox(
            attrs.evolve(
                message,
                state=OutboxState.CANCELLED,
                claimed_until=None,
                last_error="the customer can no longer be invited",
            ),
            claim_token=claim_token,
        )
        totals["cancelled"] += 1
    return sendable


def _send_batch(
    ctx: Context,
    session: MailerSession,
    messages: list[OutboxMessage],
    claim_token: str,
    totals: _Totals,
) -> None:
    for message in messages:
        try:
            session.send(message.email)
        except DeliveryError as err:
            _record_failure(ctx, message, claim_token, err, totals)
        else:
            _record_sent(ctx, message, claim_token)
            totals["sent"] += 1


def _record_sent(ctx: Context, message: OutboxMessage, claim_token: str) -> None:
    for attempt in range(3):
        try:
            with ctx.store.transaction() as tx:
                now = ctx.clock.now()
                tx.update_outbox(
                    attrs.evolve(
                        message,
                        state=OutboxState.SENT,
                        sent_at=now,
                        claimed_until=None,
                        last_error=None,
                    ),
                    claim_token=claim_token,
                )
                customer = ctx.customer_or_none(tx, message.customer_id)
                if customer is None:
                    return
                if message.kind is MessageKind.INVITATION:
                    updated = transitions.mark_delivered(customer, now=now)
                    tx.update_customer(updated, expected_version=customer.version)
                tx.add_events([ctx.event(customer, EventKind.DELIVERED, now, message.kind.value)])
                return
        except ConcurrentUpdate:
            # Either the customer changed between read and write (retry), or our
            # lease was lost and another worker owns the message (give up: it
            # was sent, and the other worker will record it).
            if attempt == 2 or _lease_lost(ctx, message):
                log.warning("outbox message %s: sent, but the claim was lost", message.id)
                return


def _lease_lost(ctx: Context, message: OutboxMessage) -> bool:
    with ctx.store.transaction() as tx:
        stored = tx.get_outbox(message.id)
    return stored is None or stored.state is not OutboxState.PENDING


def _record_failure(
    ctx: Context,
    message: OutboxMessage,
    claim_token: str,
    error: DeliveryError,
    totals: _Totals,
) -> None:
    text = str(error) or type(error).__name__
    give_up = isinstance(error, PermanentDeliveryError) or (
        message.attempts >= ctx.outbox.max_attempts
    )
    try:
        with ctx.store.transaction() as tx:
            now = ctx.clock.now()
            stored = tx.get_outbox(message.id)
            if stored is None or stored.state is OutboxState.CANCELLED:
                # Withdrawn while we were trying (the customer was archived,
                # unsubscribed...): a failure must not bring it back to life.
                totals["cancelled"] += 1
                return
            tx.update_outbox(
                attrs.evolve(
                    message,
                    state=OutboxState.FAILED if give_up else OutboxState.PENDING,
                    claimed_until=None,
                    last_error=text,
                    next_attempt_at=now + ctx.outbox.backoff(message.attempts),
                ),
                claim_token=claim_token,
            )
            customer = ctx.customer_or_none(tx, message.customer_id)
            if customer is not None:
                detail = f"{text} (attempt {message.attempts}{', gave up' if give_up else ''})"
                if message.kind is MessageKind.INVITATION:
                    updated = transitions.mark_delivery_failed(customer, now=now, reason=text)
                    tx.update_customer(updated, expected_version=customer.version)
                tx.add_events([ctx.event(customer, EventKind.DELIVERY_FAILED, now, detail)])
    except ConcurrentUpdate:
        log.warning("outbox message %s: failure not recorded, claim lost", message.id)
        return
    totals["failed" if give_up else "retrying"] += 1
