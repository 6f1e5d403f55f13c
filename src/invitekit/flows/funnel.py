"""How a campaign did: its report, counted by the store, and the first opens of its links."""

from __future__ import annotations

from collections.abc import Iterable

import attrs

from invitekit.exceptions import CampaignNotFound
from invitekit.flows.context import Context
from invitekit.funnel import CampaignReport
from invitekit.model import Customer, Event, EventKind, storable
from invitekit.text import quoted

__all__ = ["campaign_report", "link_opened", "record_link_open"]


def campaign_report(ctx: Context, campaign_id: str) -> CampaignReport:
    """The campaign's funnel in total, per group and per locale, with its pause state.

    Raises:
        CampaignNotFound: the business has no campaign ``campaign_id``.
    """
    with ctx.store.transaction(readonly=True) as tx:
        found = tx.get_campaign(ctx.business.id, campaign_id) if storable(campaign_id) else None
        if found is None:
            raise CampaignNotFound(f"no campaign with id {quoted(campaign_id)}")
        counts = tx.campaign_counts(ctx.business.id, found.id, now=ctx.clock.now())
    return CampaignReport(
        campaign_id=found.id,
        reminders_sent=counts.reminders_sent,
        paused=found.paused,
        pause_reason=found.pause_reason,
        by_group=counts.by_group,
        by_locale=counts.by_locale,
        **attrs.asdict(counts.total),
    )


def link_opened(events: Iterable[Event], campaign_id: str) -> bool:
    """Whether a customer's history already holds the open of their link of ``campaign_id``."""
    return any(e.kind is EventKind.LINK_OPENED and e.campaign_id == campaign_id for e in events)


def record_link_open(ctx: Context, customer: Customer, campaign_id: str) -> None:
    """Record that ``customer`` opened their link of ``campaign_id``, unless that is recorded.

    A short writing transaction of its own, called only when the read-only
    check of the link found no open yet; it looks again before writing, so
    later opens write nothing.  Two opens at the same moment may both write an
    event: the funnel counts customers, not events.
    """
    with ctx.store.transaction() as tx:
        if link_opened(tx.list_events(ctx.business.id, customer.id), campaign_id):
            return
        now = ctx.clock.now()
        tx.add_events([ctx.event(customer, EventKind.LINK_OPENED, now, campaign_id=campaign_id)])
