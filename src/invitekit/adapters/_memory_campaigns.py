"""The campaign methods of the memory store's transactions: campaigns, pauses, reminders, funnel.

A part of ``invitekit.adapters.memory`` (see :class:`~invitekit.adapters.memory.MemoryStore`),
in a module of its own for length.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any

import attrs

from invitekit.exceptions import ConcurrentUpdate
from invitekit.funnel import STEP_EVENTS, Campaign, CampaignCounts, CustomerRow, MessageRow, tally
from invitekit.model import Customer, EventKind, MessageKind, OutboxMessage, OutboxState, Status
from invitekit.text import quoted
from invitekit.transitions import ReminderCandidate

if TYPE_CHECKING:
    from invitekit.adapters.memory import MemoryStore

__all__: list[str] = []


class _Campaigns:
    """The campaign methods of :class:`_MemoryTransaction` (a part of it)."""

    _s: MemoryStore
    _undo: list[Callable[[], None]]

    def _set(self, table: dict[Any, Any], key: Any, value: Any) -> None:
        raise NotImplementedError  # _MemoryTransaction's

    def _write_outbox(self, message: OutboxMessage) -> None:
        raise NotImplementedError  # _MemoryTransaction's

    # Campaigns ---------------------------------------------------------------------------

    def insert_campaign(self, campaign: Campaign) -> None:
        self._set(self._s._campaigns, (campaign.business_id, campaign.id), campaign)

    def update_campaign(self, campaign: Campaign) -> None:
        key = (campaign.business_id, campaign.id)
        stored = self._s._campaigns.get(key)
        if stored is None:
            raise ConcurrentUpdate(f"no campaign {quoted(campaign.id)}")
        self._set(
            self._s._campaigns,
            key,
            attrs.evolve(
                stored,
                paused_at=campaign.paused_at,
                pause_reason=campaign.pause_reason,
                resumed_at=campaign.resumed_at,
                resumed_by=campaign.resumed_by,
            ),
        )

    def lock_campaign(self, business_id: str, campaign_id: str) -> Campaign | None:
        # One transaction at a time holds the store's lock: the campaign is locked too.
        return self.get_campaign(business_id, campaign_id)

    def pause_outbox(self, business_id: str, campaign_id: str) -> int:
        paused = 0
        for message_id in list(self._s._due):
            message = self._s._outbox[message_id]
            if message.business_id == business_id and message.campaign_id == campaign_id:
                self._write_outbox(attrs.evolve(message, state=OutboxState.PAUSED))
                paused += 1
        return paused

    def resume_outbox(self, business_id: str, campaign_id: str) -> int:
        resumed = 0
        for message in list(self._s._outbox.values()):
            if (
                message.state is OutboxState.PAUSED
                and message.business_id == business_id
                and message.campaign_id == campaign_id
            ):
                self._write_outbox(attrs.evolve(message, state=OutboxState.PENDING))
                resumed += 1
        if resumed:
            # Claims take the oldest first: the resumed rows go back to their place.
            due, order = self._s._due, self._s._outbox_order
            self._s._due = {m: None for m in order if m in due}
            self._undo.append(lambda: setattr(self._s, "_due", due))
        return resumed

    def campaign_sends(
        self, business_id: str, campaign_id: str, *, since: datetime | None = None
    ) -> tuple[int, int]:
        sent = 0
        for message in self._s._outbox.values():
            if message.business_id != business_id or message.campaign_id != campaign_id:
                continue
            if message.state is OutboxState.SENT:
                at = message.sent_at
            elif message.state is OutboxState.FAILED:
                at = message.not_before
            else:
                continue
            if since is None or (at is not None and at >= since):
                sent += 1
        hard = 0
        for (owner, _customer), events in self._s._events.items():
            if owner != business_id:
                continue
            hard += sum(
                1
                for e in events
                if e.campaign_id == campaign_id
                and e.kind is EventKind.BOUNCED
                and e.detail.startswith("hard:")
                and (since is None or e.at >= since)
            )
        return sent, hard

    def get_campaign(self, business_id: str, campaign_id: str) -> Campaign | None:
        return self._s._campaigns.get((business_id, campaign_id))

    def list_campaigns(self, business_id: str) -> list[Campaign]:
        found = [c for (owner, _), c in self._s._campaigns.items() if owner == business_id]
        return found[::-1]

    def last_campaign_of(self, business_id: str, customer_id: str) -> str | None:
        last = self._s._last_campaign.get((business_id, customer_id))
        return None if last is None else last[1]

    def customer_and_unopened_campaign(
        self, business_id: str, customer_id: str
    ) -> tuple[Customer | None, str | None]:
        customer = self._s._customers.get((business_id, customer_id))
        last = None if customer is None else self.last_campaign_of(business_id, customer_id)
        if last is None:
            return customer, None
        events = self._s._events.get((business_id, customer_id), ())
        opened = any(e.kind is EventKind.LINK_OPENED and e.campaign_id == last for e in events)
        return customer, None if opened else last

    # Reminders and the funnel ------------------------------------------------------------

    def reminder_candidates(
        self,
        business_id: str,
        *,
        invited_before: datetime,
        max_reminders: int,
        after: str | None = None,
        limit: int = 100,
    ) -> list[ReminderCandidate]:
        ids = self._s._customer_order.get(business_id, [])
        found: list[ReminderCandidate] = []
        for customer_id in ids[0 if after is None else bisect.bisect_right(ids, after) :]:
            customer = self._s._customers[(business_id, customer_id)]
            invited_at = customer.invited_at
            if (
                customer.status is not Status.INVITED
                or customer.archived
                or customer.unsubscribed
                or invited_at is None
                or invited_at > invited_before
            ):
                continue
            sent = self._s._reminders_sent.get((business_id, customer_id), ())
            since = [at for at in sent if at > invited_at]
            if len(since) >= max_reminders:
                continue
            found.append(
                ReminderCandidate(
                    customer=customer,
                    reminders_sent=len(since),
                    last_reminded_at=since[-1] if since else None,
                )
            )
            if len(found) >= limit:
                break
        return found

    def campaign_counts(
        self, business_id: str, campaign_id: str, *, now: datetime
    ) -> CampaignCounts:
        if (business_id, campaign_id) not in self._s._campaigns:
            return CampaignCounts()
        messages: list[MessageRow] = []
        locales: dict[str, str] = {}  # customer id -> the locale of their invitation
        for m in self._s._outbox.values():
            if m.business_id != business_id or m.campaign_id != campaign_id:
                continue
            later = m.state is OutboxState.PENDING and m.not_before > now
            row = (m.kind.value, m.state.value, later, 1)
            messages += [("total", "", *row), ("locale", m.locale, *row)]
            if m.customer_id is None:
                continue
            if m.kind is MessageKind.INVITATION:
                locales[m.customer_id] = m.locale
            messages += [
                ("group", g, *row) for g in self._group_names_of(business_id, m.customer_id)
            ]
        customers: list[CustomerRow] = []
        for customer_id, locale in locales.items():
            kinds = {
                e.kind.value
                for e in self._s._events.get((business_id, customer_id), ())
                if e.campaign_id == campaign_id and e.kind.value in STEP_EVENTS
            }
            for kind in kinds:
                customers.append(("total", "", kind, 1))
                customers.append(("locale", locale, kind, 1))
                customers += [
                    ("group", g, kind, 1) for g in self._group_names_of(business_id, customer_id)
                ]
        return tally(messages, customers)

    def _group_names_of(self, business_id: str, customer_id: str) -> list[str]:
        return [
            self._s._groups[(business_id, group_id)].name
            for group_id in self._s._memberships.get((business_id, customer_id), ())
        ]
