"""Bounces and complaints: addresses that stop being mailed, campaigns that pause themselves.

A report names a message by its ``Message-ID``, ``<{outbox id}@{sender domain}>``
(:func:`~invitekit.compose.message_id_for`): the outbox id is taken from it and
the row read, and the whole ``Message-ID`` must be the one that row's business
gives it.  So a forged report can touch a business's customer only if it names
a real message of that business.  Everything a report changes is written in one
transaction: the event, the customer, the withdrawn invitations, the campaign's
pause.

Recording is idempotent per message and kind: the event's detail ends with
``(message <outbox id>)``, and a report whose message and kind are already in
the customer's history changes nothing.  Every recorded report writes the
customer (a new version, compare-and-set), so two processes recording the same
report at once cannot both pass that check: the second one's write is refused,
and its retry sees the first one's event.
"""

from __future__ import annotations

import logging
from datetime import datetime

import attrs

from invitekit import transitions
from invitekit.bounces import (
    BounceKind,
    BounceOutcome,
    BounceReport,
    BounceSettings,
    bounce_kind,
    parse_report,
)
from invitekit.campaigns import clean_actor
from invitekit.compose import header_safe, message_id_for
from invitekit.events import EventNote
from invitekit.exceptions import (
    CampaignNotFound,
    ConcurrentUpdate,
    MessageNotFound,
    ValidationError,
)
from invitekit.flows.context import Context
from invitekit.funnel import Campaign
from invitekit.model import (
    Business,
    Customer,
    Event,
    EventKind,
    MessageKind,
    OutboxMessage,
    storable,
)
from invitekit.ports import Clock, Store, Transaction
from invitekit.text import quoted

__all__ = [
    "BouncePorts",
    "apply_bounce",
    "clear_undeliverable",
    "outbox_id_of",
    "process_report",
    "record_bounce",
    "resume_campaign",
]

log = logging.getLogger("invitekit")

_ATTEMPTS = 5  # a customer written meanwhile: read again and decide again
_RESETS = (EventKind.EMAIL_CHANGED, EventKind.UNDELIVERABLE_CLEARED)


@attrs.frozen(kw_only=True)
class BouncePorts:
    """What recording a bounce works with, for one business or for every business of a store."""

    store: Store
    clock: Clock
    settings: BounceSettings


def outbox_id_of(message_id: str) -> str | None:
    """The outbox id a ``Message-ID`` names (``"<msg_1@studio.example>"``), or ``None``."""
    text = message_id.strip()
    if text.startswith("<") and text.endswith(">"):
        text = text[1:-1]
    local, at, domain = text.rpartition("@")
    if not at or not local or not domain or len(local) > 64 or not storable(local):
        return None
    return local


def _normal(message_id: str) -> str:
    text = message_id.strip().removeprefix("<").removesuffix(">")
    local, _, domain = text.rpartition("@")
    return f"{local}@{domain.lower()}"


def _names(message: OutboxMessage, message_id: str, business: Business | None) -> bool:
    """Whether ``message_id`` is the ``Message-ID`` the row's business gives the row."""
    given = _normal(message_id)
    known = {_normal(message.message_id)} if message.message_id else set()
    if business is not None:
        known.add(_normal(message_id_for(message.id, business)))
    return given in known


def record_bounce(
    ports: BouncePorts,
    message_id: str,
    kind: BounceKind | str,
    *,
    detail: str,
    business: Business | None,
) -> BounceOutcome:
    """Apply a bounce or complaint to the message ``message_id`` names (see the module).

    Args:
        business: the business whose messages may be named; ``None``: any
            business of the store (its stored settings name its messages).

    Raises:
        InvalidBounceKind: ``kind`` is not a :class:`BounceKind`.
        ValidationError: ``detail`` is not text.
        MessageNotFound: no message of the business (or store) has this ``Message-ID``.
    """
    checked = bounce_kind(kind)
    if not isinstance(detail, str):
        raise ValidationError(f"detail must be text, got {type(detail).__name__}", field="detail")
    note = header_safe(detail, limit=500)
    outbox_id = outbox_id_of(message_id) if isinstance(message_id, str) else None
    missing = MessageNotFound(f"no message with Message-ID {quoted(message_id)}")
    if outbox_id is None:
        raise missing
    for attempt in range(_ATTEMPTS):
        try:
            with ports.store.transaction() as tx:
                message = tx.get_outbox(outbox_id)
                if message is None or (
                    business is not None and message.business_id != business.id
                ):
                    raise missing
                owner = business or tx.get_business(message.business_id)
                if not _names(message, message_id, owner):
                    raise missing
                return apply_bounce(
                    tx, message, checked, note, now=ports.clock.now(), settings=ports.settings
                )
        except ConcurrentUpdate:
            if attempt == _ATTEMPTS - 1:
                raise
    raise AssertionError("unreachable")  # pragma: no cover


def process_report(
    ports: BouncePorts, raw_bytes: bytes, *, business: Business | None
) -> tuple[str, BounceReport | None, BounceOutcome | None]:
    """Read a report and apply it: ``("applied", report, outcome)``, ``("not a report",
    None, None)``, or ``("unknown message", report, None)`` (no message of the business
    or store has its ``Message-ID``).

    Raises:
        InvalidReport: ``raw_bytes`` is not bytes.
    """
    report = parse_report(raw_bytes)
    if report is None:
        return "not a report", None, None
    detail = " ".join(part for part in (report.status or "", report.detail) if part)
    try:
        outcome = record_bounce(
            ports, report.message_id, report.kind, detail=detail, business=business
        )
    except MessageNotFound:
        log.info("a %s report about an unknown message was ignored", report.kind.value)
        return "unknown message", report, None
    return "applied", report, outcome


def apply_bounce(
    tx: Transaction,
    message: OutboxMessage,
    kind: BounceKind,
    detail: str,
    *,
    now: datetime,
    settings: BounceSettings,
) -> BounceOutcome:
    """Record a bounce or complaint of ``message`` in ``tx``; what it did.

    Also used at delivery, for a permanent refusal of the recipient (a hard bounce).
    """
    business_id = message.business_id
    outcome = BounceOutcome(
        message_id=message.id,
        business_id=business_id,
        kind=kind,
        customer_id=message.customer_id,
        campaign_id=message.campaign_id,
    )
    # The campaign first: whoever decides about its pause holds it (and in one order
    # everywhere, campaign then customer, so two recorders never wait for each other).
    campaign = None
    if kind is BounceKind.HARD and message.campaign_id is not None:
        campaign = tx.lock_campaign(business_id, message.campaign_id)
    customer = (
        None if message.customer_id is None else tx.get_customer(business_id, message.customer_id)
    )
    if customer is None:
        return outcome
    history = tx.list_events(business_id, customer.id)
    tag = f"(message {message.id})"
    event_kind = EventKind.COMPLAINED if kind is BounceKind.COMPLAINT else EventKind.BOUNCED
    if any(
        e.kind is event_kind and e.detail.startswith(f"{kind.value}:") and e.detail.endswith(tag)
        for e in history
    ):
        return attrs.evolve(
            outcome, undeliverable=customer.undeliverable, unsubscribed=customer.unsubscribed
        )
    text = f"{kind.value}: {detail} {tag}" if detail else f"{kind.value}: {tag}"
    events = [_event(customer, event_kind, now, text, message.campaign_id)]
    updated = _decide(customer, message, kind, detail, history, now=now, settings=settings)
    if (updated.unsubscribed and not customer.unsubscribed) or (
        updated.undeliverable and not customer.undeliverable
    ):
        complained = kind is BounceKind.COMPLAINT
        why = EventNote.CUSTOMER_COMPLAINED if complained else EventNote.ADDRESS_BOUNCED
        if tx.cancel_pending(business_id, customer.id, reason=why, kind=MessageKind.INVITATION):
            events.append(_event(customer, EventKind.INVITATION_CANCELLED, now, why, None))
    tx.update_customer(updated, expected_version=customer.version)
    tx.add_events(events)
    paused = False
    if campaign is not None and not campaign.paused:
        paused = _maybe_pause(tx, campaign, now=now, settings=settings)
    return attrs.evolve(
        outcome,
        recorded=True,
        undeliverable=updated.undeliverable,
        unsubscribed=updated.unsubscribed,
        paused=paused,
    )


def _decide(
    customer: Customer,
    message: OutboxMessage,
    kind: BounceKind,
    detail: str,
    history: list[Event],
    *,
    now: datetime,
    settings: BounceSettings,
) -> Customer:
    """The customer after this report (always a new version: see the module)."""
    if kind is BounceKind.COMPLAINT:
        if customer.unsubscribed:
            return transitions.touch(customer, now=now)
        return transitions.unsubscribe(customer, now=now)
    # A bounce of a message written to an earlier address says nothing of this one.
    current = not message.recipient or message.recipient == customer.email
    if not current or customer.undeliverable:
        return transitions.touch(customer, now=now)
    if kind is BounceKind.HARD:
        return transitions.mark_undeliverable(customer, now=now, reason=f"hard bounce: {detail}")
    # Soft bounces count since the address last changed or was cleared.
    since = max((e.at for e in history if e.kind in _RESETS), default=None)
    earlier = [
        e.at
        for e in history
        if e.kind is EventKind.BOUNCED
        and e.detail.startswith("soft:")
        and (since is None or e.at >= since)
    ]
    if not settings.rule.makes_undeliverable(kind, now=now, soft_bounces=earlier):
        return transitions.touch(customer, now=now)
    soft = 1 + sum(1 for at in earlier if at > now - settings.soft_window)
    days = settings.soft_window.days
    reason = f"{soft} soft bounces within {days} days: {detail}".rstrip(": ")
    return transitions.mark_undeliverable(customer, now=now, reason=reason)


def _maybe_pause(
    tx: Transaction, campaign: Campaign, *, now: datetime, settings: BounceSettings
) -> bool:
    sent, hard = tx.campaign_sends(campaign.business_id, campaign.id, since=campaign.resumed_at)
    reason = settings.breaker.pause_reason(sent=sent, hard_bounces=hard)
    if reason is None:
        return False
    tx.update_campaign(attrs.evolve(campaign, paused_at=now, pause_reason=reason))
    paused = tx.pause_outbox(campaign.business_id, campaign.id)
    log.warning("campaign %s paused (%d messages held): %s", campaign.id, paused, reason)
    return True


def _event(
    customer: Customer, kind: EventKind, at: datetime, detail: str, campaign_id: str | None
) -> Event:
    return Event(
        business_id=customer.business_id,
        customer_id=customer.id,
        kind=kind,
        at=at,
        detail=detail,
        campaign_id=campaign_id,
    )


def clear_undeliverable(ctx: Context, customer_id: str, *, by: str | None) -> Customer:
    """The business says the customer's address works again; an event, unless it was not marked."""
    by = clean_actor(by)
    with ctx.store.transaction() as tx:
        current = ctx.customer(tx, customer_id)
        if not current.undeliverable:
            return current
        now = ctx.clock.now()
        updated = transitions.clear_undeliverable(current, now=now)
        tx.update_customer(updated, expected_version=current.version)
        tx.add_events(
            [ctx.event(current, EventKind.UNDELIVERABLE_CLEARED, now, current.email, by=by)]
        )
        return updated


def resume_campaign(ctx: Context, campaign_id: str, *, by: str | None) -> Campaign:
    """Send the rest of a paused campaign: its held messages are pending again."""
    by = clean_actor(by)
    with ctx.store.transaction() as tx:
        campaign = (
            tx.lock_campaign(ctx.business.id, campaign_id) if storable(campaign_id) else None
        )
        if campaign is None:
            raise CampaignNotFound(f"no campaign with id {quoted(campaign_id)}")
        if not campaign.paused:
            return campaign
        resumed = attrs.evolve(
            campaign,
            paused_at=None,
            pause_reason=None,
            resumed_at=ctx.clock.now(),
            resumed_by=by,
        )
        tx.update_campaign(resumed)
        tx.resume_outbox(ctx.business.id, campaign.id)
        return resumed
