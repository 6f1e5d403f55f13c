"""Delivery: claim due messages, compose them, hand them to the mailer, record what happened.

Each batch is claimed with a lease, so several workers can deliver from one
Store without sending a message twice while its claim holds.  A claimed row is
an intent: its customer (and template revision, and sign-up) are read in the
claim's transaction, whether it may still be sent is decided again, and the
email is composed and its links signed just before the mailer is called, as of
the row's ``links_issued_at`` (set when it was first claimed).  Sent messages are
recorded in groups of ``OutboxSettings.record_every``, one transaction each (also
at the end of a batch, and once half the lease has passed).  Delivery is
at-least-once: a process that dies after the mail server accepted a message and
before its group was committed sends it again once the lease ends, composed from
the same row into the same bytes (the same ``Message-ID``, links and ``Date``).
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any

import attrs

from invitekit import transitions
from invitekit.bounces import BounceKind
from invitekit.email_change import EmailChange
from invitekit.exceptions import (
    ConcurrentUpdate,
    CustomerNotFound,
    DeliveryError,
    MessageNotFound,
    PermanentDeliveryError,
    TemplateError,
)
from invitekit.flows import pacing, reminders
from invitekit.flows.account_mail import compose_account_message
from invitekit.flows.bounces import apply_bounce
from invitekit.flows.context import Context
from invitekit.flows.templates import compose_invitation_message
from invitekit.identities import providers_of
from invitekit.ids import new_id
from invitekit.model import (
    Customer,
    Email,
    Event,
    EventKind,
    MessageKind,
    OutboxMessage,
    OutboxState,
    Registration,
    TemplateRevision,
    storable,
)
from invitekit.ports import Clock, Mailer, MailerSession, Store, Transaction
from invitekit.reports import DeliveryReport
from invitekit.settings import OutboxSettings
from invitekit.text import quoted

__all__ = [
    "ContextOf",
    "DeliveryPorts",
    "deliver",
    "deliver_from",
    "outbox_messages",
    "render_message",
]

log = logging.getLogger("invitekit")

_Totals = dict[str, int]

# Invitations and reminders: composed from a business's text, with an activation link.
_CAMPAIGN_MAIL = frozenset({MessageKind.INVITATION, MessageKind.REMINDER})

ContextOf = Callable[[Transaction, str], Context | None]
"""The context to compose a business's email in, given its id (``None``: unknown business)."""


@attrs.frozen(kw_only=True)
class DeliveryPorts:
    """What a delivery run works with, whatever business its messages are for."""

    store: Store
    mailer: Mailer
    clock: Clock
    outbox: OutboxSettings


@attrs.frozen(kw_only=True)
class _Parcel:
    """A claimed row with what its email is composed from, read in the claim's transaction."""

    ctx: Context
    message: OutboxMessage
    customer: Customer | None
    registration: Registration | None
    revision: TemplateRevision | None
    providers: tuple[str, ...] = ()  # a provider hint's: every provider the customer uses
    change: EmailChange | None = None

    def compose(self) -> Email:
        """The email, composed and signed as of the row's ``links_issued_at``."""
        ctx, message = self.ctx, self.message
        issued_at = message.links_issued_at
        assert issued_at is not None  # set by the claim
        if message.kind in _CAMPAIGN_MAIL:
            assert self.customer is not None  # a stale invitation or reminder is withdrawn
            email = compose_invitation_message(
                ctx, message, self.customer, self.revision, issued_at
            )
        else:
            email = compose_account_message(
                ctx,
                message,
                self.customer,
                self.registration,
                issued_at,
                providers=self.providers,
                change=self.change,
            )
        return email if email.date == issued_at else attrs.evolve(email, date=issued_at)


def deliver(ctx: Context, *, limit: int | None) -> DeliveryReport:
    """Queue the business's due reminders, then hand its due messages to the mailer.

    Until none is left (or ``limit``).
    """
    reminders.queue_due_reminders(ctx)
    ports = DeliveryPorts(store=ctx.store, mailer=ctx.mailer, clock=ctx.clock, outbox=ctx.outbox)
    return deliver_from(
        ports, lambda _tx, _business_id: ctx, business_id=ctx.business.id, limit=limit
    )


def deliver_from(
    ports: DeliveryPorts,
    context_of: ContextOf,
    *,
    business_id: str | None,
    limit: int | None,
    session: MailerSession | None = None,
) -> DeliveryReport:
    """Hand due messages to the mailer until none is left (or ``limit``); count outcomes.

    Args:
        ports: the store, mailer, clock and outbox settings.
        context_of: the context each message's email is composed in, by business.
        business_id: deliver only this business's messages; ``None``: every business's.
        limit: at most this many messages.
        session: an open mailer session to send through (the caller's to close);
            ``None``: one is opened from ``ports.mailer`` when the first batch is
            claimed and closed at the end.
    """
    totals = {"sent": 0, "retrying": 0, "failed": 0, "cancelled": 0, "held_back": 0}
    remaining = limit
    # One mailer session (one SMTP connection) serves every batch of this call;
    # it is opened when the first batch is claimed, so an idle call connects nowhere.
    try:
        with contextlib.ExitStack() as mailer:
            while remaining is None or remaining > 0:
                size = min(ports.outbox.batch_size, remaining or ports.outbox.batch_size)
                claim_token, claimed, sendable = _claim(
                    ports, context_of, business_id, size, totals
                )
                if not claimed:
                    break
                if remaining is not None:
                    remaining -= len(claimed)
                if session is None:
                    try:
                        session = mailer.enter_context(ports.mailer.session())
                    except DeliveryError as err:  # could not connect: try later
                        for parcel in sendable:
                            _record_failure(parcel.ctx, parcel.message, claim_token, err, totals)
                        break
                _send_batch(session, sendable, claim_token, totals)
    except DeliveryError as err:
        # Closing a connection that had already dropped; every message was handled.
        log.debug("closing the mailer session failed: %s", err)
    return DeliveryReport(**totals)


def outbox_messages(
    ctx: Context, *, customer_id: str | None, state: OutboxState | None
) -> list[OutboxMessage]:
    """The outbox of the business, oldest first, addresses and Message-IDs filled in."""
    with ctx.store.transaction(readonly=True) as tx:
        messages = tx.list_outbox(ctx.business.id, customer_id=customer_id, state=state)
        # A waiting row's address is its customer's (Context.resolved): read once each.
        unaddressed = {m.customer_id for m in messages if m.recipient is None and m.customer_id}
        customers = {c: tx.get_customer(ctx.business.id, c) for c in unaddressed if c}
        return [ctx.resolved(m, customers.get(m.customer_id or "")) for m in messages]


def render_message(ctx: Context, message_id: str) -> Email:
    """A queued or sent message composed again, with links that activate nothing.

    An invitation gets test links (as a preview does); an account email gets
    its link with :data:`~invitekit.flows.account_mail.PREVIEW_TOKEN` in place
    of a token.  The text is the row's template revision in the row's locale,
    dated when its links were issued (when it was queued, if never claimed).
    """
    with ctx.store.transaction(readonly=True) as tx:
        message = tx.get_outbox(message_id) if storable(message_id) else None
        if message is None or message.business_id != ctx.business.id:
            raise MessageNotFound(f"no message with id {quoted(message_id)}")
        customer = ctx.customer_or_none(tx, message.customer_id)
        message = ctx.resolved(message, customer)
        named = _providers(ctx, tx, message, customer)
        revision = (
            None
            if message.template_id is None
            else tx.get_template_revision(ctx.business.id, message.template_id)
        )
    issued_at = message.links_issued_at or message.created_at
    if message.kind in _CAMPAIGN_MAIL:
        if customer is None:
            raise CustomerNotFound(f"the customer of message {quoted(message_id)} is gone")
        email = compose_invitation_message(ctx, message, customer, revision, issued_at, test=True)
    else:
        email = compose_account_message(
            ctx, message, customer, None, issued_at, live=False, providers=named
        )
    return attrs.evolve(email, date=issued_at)


def _claim(
    ports: DeliveryPorts,
    context_of: ContextOf,
    business_id: str | None,
    size: int,
    totals: _Totals,
) -> tuple[str, list[OutboxMessage], list[_Parcel]]:
    """Lease up to ``size`` due messages; withdraw the stale ones at once."""
    claim_token = new_id("clm")
    with ports.store.transaction() as tx:
        now = ports.clock.now()
        claimed = tx.claim_outbox(
            now=now,
            lease_until=now + ports.outbox.lease,
            claim_token=claim_token,
            limit=size,
            business_id=business_id,
        )
        sendable = _withdraw_stale(ports, context_of, tx, claimed, claim_token, totals)
    return claim_token, claimed, sendable


def _withdraw_stale(
    ports: DeliveryPorts,
    context_of: ContextOf,
    tx: Transaction,
    claimed: list[OutboxMessage],
    claim_token: str,
    totals: _Totals,
) -> list[_Parcel]:
    """Read what each claimed row needs; cancel those that may no longer be sent.

    An invitation or reminder that pacing holds back goes back to pending, due
    when it may go (see :mod:`invitekit.flows.pacing`).
    """
    sendable = []
    revisions: dict[tuple[str, str], TemplateRevision | None] = {}
    now = ports.clock.now()
    # Per business, once a message was held back in this claim: until when.
    # The limits do not open again within one claim, so the others wait too.
    holding: dict[str, datetime] = {}
    for message in claimed:
        ctx = context_of(tx, message.business_id)
        if ctx is None:
            # No settings stored for its business (queued by an older invitekit):
            # it waits, and is tried again once a kit of that business stored them.
            tx.update_outbox(
                attrs.evolve(
                    message,
                    claimed_until=None,
                    last_error="no settings are stored for this business",
                    not_before=ports.clock.now() + ports.outbox.backoff(message.attempts),
                ),
                claim_token=claim_token,
            )
            totals["retrying"] += 1
            continue
        customer = ctx.customer_or_none(tx, message.customer_id)
        registration = None
        if message.registration_id is not None:
            registration = tx.get_registration(ctx.business.id, message.registration_id)
        change = None
        if message.kind is MessageKind.EMAIL_CHANGE and message.customer_id is not None:
            change = tx.get_email_change(ctx.business.id, message.customer_id)
        reason = transitions.message_stale(
            message.kind,
            customer,
            for_customer=message.customer_id is not None,
            queued_to=message.recipient,
            registration_found=registration is not None,
            change_current=change is not None and change.email == message.recipient,
            **_reminder_facts(ctx, tx, message, customer),
        )
        if reason is None and message.kind in pacing.PACED:
            until = holding.get(message.business_id) or pacing.reserve_slot(tx, ctx.business, now)
            if until is not None:
                holding[message.business_id] = until
                tx.update_outbox(pacing.held_back(message, until), claim_token=claim_token)
                totals["held_back"] += 1
                continue
        if reason is None:
            revision = None
            if message.template_id is not None:
                key = (message.business_id, message.template_id)
                if key not in revisions:
                    revisions[key] = tx.get_template_revision(*key)
                revision = revisions[key]
            sendable.append(
                _Parcel(
                    ctx=ctx,
                    message=ctx.resolved(message, customer),
                    customer=customer,
                    registration=registration,
                    revision=revision,
                    providers=_providers(ctx, tx, message, customer),
                    change=change,
                )
            )
            continue
        tx.update_outbox(
            attrs.evolve(
                message, state=OutboxState.CANCELLED, claimed_until=None, last_error=reason
            ),
            claim_token=claim_token,
        )
        totals["cancelled"] += 1
    return sendable


def _providers(
    ctx: Context, tx: Transaction, message: OutboxMessage, customer: Customer | None
) -> tuple[str, ...]:
    """The providers a provider hint names: the customer's as stored now."""
    if message.kind is not MessageKind.PROVIDER_HINT or customer is None:
        return ()
    return providers_of(customer, tx.identities_of(ctx.business.id, customer.id))


def _reminder_facts(
    ctx: Context, tx: Transaction, message: OutboxMessage, customer: Customer | None
) -> dict[str, Any]:
    """What decides whether a queued reminder is stale, besides the customer."""
    if message.kind is not MessageKind.REMINDER or customer is None:
        return {}
    pending = tx.pending_customer_ids(ctx.business.id, MessageKind.INVITATION, [customer.id])
    return {
        "queued_at": message.created_at,
        "undeliverable": reminders.undeliverable(customer),
        "invitation_pending": bool(pending),
    }


def _send_batch(
    session: MailerSession,
    parcels: list[_Parcel],
    claim_token: str,
    totals: _Totals,
) -> None:
    sent: list[_Parcel] = []  # sent, not recorded yet (see OutboxSettings.record_every)
    for parcel in parcels:
        ctx, message = parcel.ctx, parcel.message
        try:
            email = parcel.compose()
        except TemplateError as err:  # a text stored before today's sandbox rules
            failure = PermanentDeliveryError(f"the email cannot be composed: {err}")
            _record_failure(ctx, message, claim_token, failure, totals)
            continue
        try:
            session.send(email)
        except DeliveryError as err:
            _record_failure(ctx, message, claim_token, err, totals)
        else:
            totals["sent"] += 1
            sent.append(parcel)
            if len(sent) >= ctx.outbox.record_every or _lease_half_gone(ctx, message):
                _record_sent_group(sent, claim_token)
                sent = []
    if sent:
        _record_sent_group(sent, claim_token)


def _lease_half_gone(ctx: Context, message: OutboxMessage) -> bool:
    """Whether half of the claim's lease has passed: record before it can run out."""
    assert message.claimed_until is not None  # claimed
    return ctx.clock.now() >= message.claimed_until - ctx.outbox.lease / 2


def _record_sent_group(group: list[_Parcel], claim_token: str) -> None:
    """Record the sent messages of ``group`` in one transaction (each alone if that fails).

    An invitation's customer is written as read in the claim's transaction: if
    it changed since, the group falls back to recording each message alone,
    which reads its customer again.
    """
    if len(group) > 1:
        first = group[0].ctx
        try:
            with first.store.transaction() as tx:
                now = first.clock.now()
                events = [
                    _write_sent(
                        parcel.ctx, tx, parcel.message, claim_token, now, read=parcel.customer
                    )
                    for parcel in group
                ]
                tx.add_events([event for event in events if event is not None])  # one insert
            return
        except ConcurrentUpdate:
            pass  # a customer changed meanwhile, or a claim was lost: one by one
    for parcel in group:
        _record_sent(parcel.ctx, parcel.message, claim_token)


def _write_sent(
    ctx: Context,
    tx: Transaction,
    message: OutboxMessage,
    claim_token: str,
    now: datetime,
    *,
    read: Customer | None = None,
) -> Event | None:
    """Mark ``message`` sent in ``tx``, its customer Invited (an invitation); the event to add.

    ``read``: an invitation's customer as read when it was claimed, written back
    without reading it again; the write's version check raises ConcurrentUpdate
    if it changed (or is gone) since.
    """
    tx.update_outbox(
        attrs.evolve(
            message, state=OutboxState.SENT, sent_at=now, claimed_until=None, last_error=None
        ),
        claim_token=claim_token,
    )
    if read is not None and message.kind is MessageKind.INVITATION:
        customer: Customer | None = read
    else:
        customer = ctx.customer_or_none(tx, message.customer_id)
    if customer is None:
        return None
    if message.kind is MessageKind.INVITATION:
        updated = transitions.mark_delivered(customer, now=now)
        tx.update_customer(updated, expected_version=customer.version)
    return ctx.event(customer, EventKind.DELIVERED, now, message.kind.value)


def _record_sent(ctx: Context, message: OutboxMessage, claim_token: str) -> None:
    for attempt in range(3):
        try:
            with ctx.store.transaction() as tx:
                event = _write_sent(ctx, tx, message, claim_token, ctx.clock.now())
                if event is not None:
                    tx.add_events([event])
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
    return stored is None or not stored.state.waiting


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
    # A refusal of the address itself is a hard bounce, recorded with the failure.
    bounced = isinstance(error, PermanentDeliveryError) and error.recipient_refused
    try:
        with ctx.store.transaction() as tx:
            if bounced and message.campaign_id is not None:
                # Campaign before anything else, as every bounce recorder takes it.
                tx.lock_campaign(message.business_id, message.campaign_id)
            now = ctx.clock.now()
            stored = tx.get_outbox(message.id)
            if stored is None or stored.state is OutboxState.CANCELLED:
                # Withdrawn while we were trying (the customer was archived,
                # unsubscribed...): a failure must not bring it back to life.
                totals["cancelled"] += 1
                return
            # Paused meanwhile (circuit breaker): a retry waits for the resume too.
            retry = (
                OutboxState.PAUSED if stored.state is OutboxState.PAUSED else OutboxState.PENDING
            )
            failed_row = attrs.evolve(
                message,
                state=OutboxState.FAILED if give_up else retry,
                claimed_until=None,
                last_error=text,
                not_before=now + ctx.outbox.backoff(message.attempts),
            )
            tx.update_outbox(failed_row, claim_token=claim_token)
            customer = ctx.customer_or_none(tx, message.customer_id)
            if customer is not None:
                detail = f"{text} (attempt {message.attempts}{', gave up' if give_up else ''})"
                if message.kind is MessageKind.INVITATION:
                    updated = transitions.mark_delivery_failed(customer, now=now, reason=text)
                    tx.update_customer(updated, expected_version=customer.version)
                tx.add_events([ctx.event(customer, EventKind.DELIVERY_FAILED, now, detail)])
            if bounced:
                apply_bounce(tx, failed_row, BounceKind.HARD, text, now=now, settings=ctx.bounces)
    except ConcurrentUpdate:
        log.warning("outbox message %s: failure not recorded, claim lost", message.id)
        return
    totals["failed" if give_up else "retrying"] += 1
