"""Automatic reminders: queue those that are due, before a delivery run sends anything.

A business with :class:`~invitekit.Reminders` gets, for each customer still
Invited, one reminder per delay after their last delivered invitation
(``Customer.invited_at``).  :func:`queue_due_reminders` asks the store for the
candidates, batch by batch (:meth:`~invitekit.ports.Transaction.reminder_candidates`:
the store filters and counts, customers who had every reminder are not read),
decides with :func:`invitekit.transitions.reminder_due`, and queues a
:attr:`~invitekit.model.MessageKind.REMINDER` row per customer due one, of the
campaign of their last invitation.  The row holds intent only: the email is
composed from the reminder template, and its links signed, at delivery, which
checks again that the customer may still be reminded.
"""

from __future__ import annotations

from invitekit import transitions
from invitekit.compose import locale_for
from invitekit.flows import templates
from invitekit.flows.context import Context
from invitekit.model import Customer, MessageKind, OutboxMessage

__all__ = ["queue_due_reminders", "undeliverable"]


def undeliverable(customer: Customer) -> bool:
    """Whether mail to ``customer`` bounced for good (:attr:`Customer.undeliverable`).

    The queueing and the check at delivery both ask this function.
    """
    return customer.undeliverable


def queue_due_reminders(ctx: Context) -> int:
    """Queue the reminders due now to the business's customers; how many were queued.

    Each batch (``OutboxSettings.batch_size`` candidates) is decided and queued
    in one transaction.  Nobody gets a reminder while an invitation or a
    reminder to them is pending, and a customer gets at most one pending
    reminder even when two processes queue at once (the store's one pending
    message per customer and kind).  A customer whose last invitation's
    campaign is paused by the circuit breaker gets no reminder until it is
    resumed.
    """
    schedule = ctx.business.reminders
    if not schedule.after:
        return 0
    queued = 0
    after: str | None = None
    size = ctx.outbox.batch_size
    revisions: dict[str, str | None] = {}
    while True:
        with ctx.store.transaction() as tx:
            now = ctx.clock.now()
            batch = tx.reminder_candidates(
                ctx.business.id,
                invited_before=now - schedule.after[0],
                max_reminders=len(schedule.after),
                after=after,
                limit=size,
            )
            if not batch:
                return queued
            ids = [candidate.customer.id for candidate in batch]
            pending = tx.pending_customer_ids(
                ctx.business.id, MessageKind.INVITATION, ids
            ) | tx.pending_customer_ids(ctx.business.id, MessageKind.REMINDER, ids)
            messages: list[OutboxMessage] = []
            paused: dict[str, bool] = {}  # campaign id: held by the circuit breaker
            for candidate in batch:
                customer = candidate.customer
                due = transitions.reminder_due(
                    schedule,
                    customer,
                    now=now,
                    reminders_sent=candidate.reminders_sent,
                    pending=customer.id in pending,
                    undeliverable=undeliverable(customer),
                    cooldown=ctx.business.invitation_cooldown,
                    last_reminded_at=candidate.last_reminded_at,
                )
                if due is None:
                    continue
                campaign_id = tx.last_campaign_of(ctx.business.id, customer.id)
                if campaign_id is not None:
                    if campaign_id not in paused:
                        campaign = tx.get_campaign(ctx.business.id, campaign_id)
                        paused[campaign_id] = campaign is not None and campaign.paused
                    if paused[campaign_id]:
                        # The circuit breaker holds the rest of this campaign, its
                        # reminders too: this one is queued after the campaign resumes.
                        continue
                locale = str(locale_for(customer.locale, ctx.business))
                if locale not in revisions:
                    revisions[locale] = templates.reminder_revision(ctx, tx, locale)
                messages.append(
                    ctx.message(
                        customer,
                        MessageKind.REMINDER,
                        now,
                        recipient=customer.email,
                        locale=locale,
                        template_id=revisions[locale],
                        campaign_id=campaign_id,
                    )
                )
            lost = ctx.enqueue(tx, messages)
            queued += len(messages) - len(lost)
        if len(batch) < size:
            return queued
        after = batch[-1].customer.id
