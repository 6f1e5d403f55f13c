"""Invitation campaigns: planning an audience, queueing invitations, withdrawing them."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime

import attrs

from invitekit import transitions
from invitekit.audience import Audience, AudienceKind, InvitationPlan, Skipped, SkipReason
from invitekit.campaigns import audience_label, clean_actor
from invitekit.compose import locale_for, locale_name
from invitekit.exceptions import InvitationRefused
from invitekit.flows import templates
from invitekit.flows.context import Context
from invitekit.flows.templates import Override
from invitekit.funnel import Campaign
from invitekit.ids import short_id
from invitekit.model import Customer, Event, EventKind, MessageKind, OutboxMessage
from invitekit.ports import Transaction
from invitekit.reports import InvitationReport

__all__ = [
    "cancel_pending",
    "invite",
    "invite_audience",
    "list_campaigns",
    "new_campaign",
    "plan_invitations",
    "queue_many",
    "queue_one",
]


def plan_invitations(ctx: Context, audience: Audience) -> InvitationPlan:
    """Who a campaign would reach, and who it would skip and why; nothing changes."""
    recipients: list[Customer] = []
    skipped: list[Skipped] = []
    for recipient, reason in _walk_audience(ctx, audience, queue=False):
        if reason is None:
            recipients.append(recipient)
        else:
            skipped.append(Skipped(customer=recipient, reason=reason))
    return InvitationPlan(audience=audience, recipients=tuple(recipients), skipped=tuple(skipped))


def invite(
    ctx: Context,
    customer_id: str,
    *,
    subject: str | None,
    body: str | None,
    save: bool,
    by: str | None,
) -> OutboxMessage:
    """Queue an invitation to one customer, or raise ``InvitationRefused`` with the reason.

    The invitation is a campaign of its own (audience ``customer:<id>``).
    """
    override = Override.checked(subject, body, save)
    by = clean_actor(by)
    with ctx.store.transaction() as tx:
        customer = ctx.customer(tx, customer_id)
        now = ctx.clock.now()
        pending = bool(
            tx.pending_customer_ids(ctx.business.id, MessageKind.INVITATION, [customer.id])
        )
        reason = transitions.invitation_block(
            customer, now=now, pending=pending, cooldown=ctx.business.invitation_cooldown
        )
        if reason is not None:
            raise InvitationRefused(
                f"cannot invite {customer.email}: {customer.email} {reason.message}",
                reason=reason,
                customer_id=customer.id,
            )
        campaign = new_campaign(ctx, now, audience_label(Audience.customer(customer.id)), by)
        message = queue_one(ctx, tx, customer, now, campaign, override)
        if message is None:
            raise InvitationRefused(
                f"cannot invite {customer.email}: {SkipReason.ALREADY_PENDING.message}",
                reason=SkipReason.ALREADY_PENDING,
                customer_id=customer.id,
            )
        return message


def invite_audience(
    ctx: Context,
    audience: Audience,
    *,
    subject: str | None,
    body: str | None,
    save: bool,
    by: str | None,
) -> InvitationReport:
    """Queue invitations for everyone in ``audience`` who can be invited, batch by batch.

    The call is one campaign, stored with its first batch.
    """
    override = Override.checked(subject, body, save)
    by = clean_actor(by)
    campaign = new_campaign(ctx, ctx.clock.now(), audience_label(audience), by)
    if override is not None and override.save:
        with ctx.store.transaction() as tx:
            templates.save_override(ctx, tx, locale_for(None, ctx.business), override)
        override = attrs.evolve(override, save=False)
    queued = 0
    skipped: dict[SkipReason, int] = {}
    # One revision per locale for the whole campaign, whatever is saved meanwhile.
    revisions: dict[str, str | None] = {}
    walk = _walk_audience(
        ctx, audience, queue=True, override=override, revisions=revisions, campaign=campaign
    )
    for _customer, reason in walk:
        if reason is None:
            queued += 1
        else:
            skipped[reason] = skipped.get(reason, 0) + 1
    return InvitationReport(queued=queued, skipped=skipped, campaign_id=campaign.id)


def new_campaign(ctx: Context, now: datetime, audience: str, by: str | None) -> Campaign:
    """A campaign of this business started ``now``, not stored yet."""
    return Campaign(
        id=short_id("cmp"), business_id=ctx.business.id, created_at=now, audience=audience, by=by
    )


def list_campaigns(ctx: Context) -> list[Campaign]:
    """The business's campaigns, newest first."""
    with ctx.store.transaction(readonly=True) as tx:
        return tx.list_campaigns(ctx.business.id)


def queue_one(
    ctx: Context,
    tx: Transaction,
    customer: Customer,
    now: datetime,
    campaign: Campaign,
    override: Override | None = None,
) -> OutboxMessage | None:
    """Queue an invitation to ``customer`` in ``tx``; ``None`` if one was already pending.

    ``campaign`` is stored with it (and only if it is queued).
    """
    if override is not None and override.save:
        templates.save_override(ctx, tx, locale_for(customer.locale, ctx.business), override)
    messages, lost = _queue(ctx, tx, [customer], now, campaign, override, {})
    if lost:
        return None
    tx.insert_campaign(campaign)
    return ctx.resolved(messages[0], customer)


def queue_many(
    ctx: Context,
    tx: Transaction,
    customers: Sequence[Customer],
    now: datetime,
    campaign: Campaign,
    override: Override | None,
    revisions: dict[str, str | None] | None = None,
) -> set[str]:
    """Queue an invitation to each of ``customers``; the ids that already had one pending.

    The invitations belong to ``campaign``, which the caller stores.
    ``revisions`` maps a locale to the template revision its invitations use;
    locales missing from it are looked up (and, with ``override``, created) and
    added, so that several batches of one campaign share them.
    """
    return _queue(
        ctx, tx, customers, now, campaign, override, {} if revisions is None else revisions
    )[1]


def cancel_pending(
    ctx: Context,
    tx: Transaction,
    customer: Customer,
    now: datetime,
    reason: str,
    kind: MessageKind | None = None,
) -> list[Event]:
    """Withdraw ``customer``'s pending mail (of ``kind``, or all); the event to record, if any."""
    if tx.cancel_pending(ctx.business.id, customer.id, reason=reason, kind=kind):
        return [ctx.event(customer, EventKind.INVITATION_CANCELLED, now, reason)]
    return []


def _queue(
    ctx: Context,
    tx: Transaction,
    customers: Sequence[Customer],
    now: datetime,
    campaign: Campaign,
    override: Override | None,
    revisions: dict[str, str | None],
) -> tuple[list[OutboxMessage], set[str]]:
    messages = [
        _invitation_message(ctx, tx, c, now, campaign.id, override, revisions) for c in customers
    ]
    lost = ctx.enqueue(tx, messages)
    queued = [c for c in customers if c.id not in lost]
    tx.add_events([ctx.event(c, EventKind.INVITATION_QUEUED, now, by=campaign.by) for c in queued])
    return messages, lost


def _invitation_message(
    ctx: Context,
    tx: Transaction,
    customer: Customer,
    now: datetime,
    campaign_id: str,
    override: Override | None,
    revisions: dict[str, str | None],
) -> OutboxMessage:
    locale = locale_name(customer.locale, ctx.business)
    if locale not in revisions:
        revisions[locale] = templates.invitation_revision(ctx, tx, locale, override)
    return ctx.message(
        customer,
        MessageKind.INVITATION,
        now,
        recipient=customer.email,
        locale=locale,
        template_id=revisions[locale],
        campaign_id=campaign_id,
    )


def _walk_audience(
    ctx: Context,
    audience: Audience,
    *,
    queue: bool,
    override: Override | None = None,
    revisions: dict[str, str | None] | None = None,
    campaign: Campaign | None = None,
) -> Iterator[tuple[Customer, SkipReason | None]]:
    """Yield each customer of the audience with the reason they are skipped, or ``None``.

    With ``queue=True`` the invitable ones are queued, batch by batch, in the
    transaction that decided it, as invitations of ``campaign``, which is stored
    with the first batch (once the audience is known to exist).
    """
    after: str | None = None
    batch_size = ctx.outbox.campaign_batch_size
    while True:
        with ctx.store.transaction(readonly=not queue) as tx:
            batch = _audience_batch(ctx, tx, audience, after=after, limit=batch_size)
            if campaign is not None and after is None:
                tx.insert_campaign(campaign)
            if not batch:
                return
            now = ctx.clock.now()
            pending = tx.pending_customer_ids(
                ctx.business.id, MessageKind.INVITATION, [c.id for c in batch]
            )
            decided: list[tuple[Customer, SkipReason | None]] = []
            invitable: list[Customer] = []
            for customer in batch:
                reason = transitions.invitation_block(
                    customer,
                    now=now,
                    pending=customer.id in pending,
                    cooldown=ctx.business.invitation_cooldown,
                )
                decided.append((customer, reason))
                if reason is None:
                    invitable.append(customer)
            if queue and invitable:
                assert campaign is not None
                lost = queue_many(ctx, tx, invitable, now, campaign, override, revisions)
                decided = [
                    (c, SkipReason.ALREADY_PENDING if c.id in lost else r) for c, r in decided
                ]
        yield from decided
        if len(batch) < batch_size or audience.kind is AudienceKind.CUSTOMER:
            return
        after = batch[-1].id


def _audience_batch(
    ctx: Context, tx: Transaction, audience: Audience, *, after: str | None, limit: int
) -> list[Customer]:
    if audience.kind is AudienceKind.CUSTOMER:
        assert audience.customer_id is not None
        return [ctx.customer(tx, audience.customer_id)]
    group_id = None
    if audience.kind is AudienceKind.GROUP:
        assert audience.group_name is not None
        group_id = ctx.group(tx, audience.group_name).id
    return tx.list_customers(
        ctx.business.id,
        status=audience.status_filter,
        group_id=group_id,
        after=after,
        limit=limit,
    )
