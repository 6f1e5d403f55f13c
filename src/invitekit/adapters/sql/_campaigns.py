"""The campaigns of the SQL store's transactions, and the customers due a reminder."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from invitekit.adapters.sql._schema import UTCDateTime
from invitekit.adapters.sql._tables import (
    _CAMPAIGN,
    _CUSTOMER,
    _campaigns,
    _customers,
    _events,
    _outbox,
)
from invitekit.exceptions import ConcurrentUpdate
from invitekit.funnel import Campaign
from invitekit.model import EventKind, MessageKind, OutboxState, Status
from invitekit.text import quoted
from invitekit.transitions import ReminderCandidate

__all__ = ["Campaigns"]


class Campaigns:
    """The campaign rows of the SQL store's transactions.

    A part of ``_SQLTransaction``, which provides how a statement runs.
    """

    _run: Callable[..., sa.CursorResult[Any]]

    def insert_campaign(self, campaign: Campaign) -> None:
        self._run(_campaigns.insert(), [_CAMPAIGN.values(campaign)])

    def update_campaign(self, campaign: Campaign) -> None:
        done = self._run(
            _campaigns.update()
            .where(
                _campaigns.c.business_id == campaign.business_id,
                _campaigns.c.id == campaign.id,
            )
            .values(
                paused_at=campaign.paused_at,
                pause_reason=campaign.pause_reason,
                resumed_at=campaign.resumed_at,
                resumed_by=campaign.resumed_by,
            )
        )
        if done.rowcount != 1:
            raise ConcurrentUpdate(f"no campaign {quoted(campaign.id)}")

    def get_campaign(self, business_id: str, campaign_id: str) -> Campaign | None:
        row = (
            self._run(
                sa.select(_campaigns).where(
                    _campaigns.c.business_id == business_id, _campaigns.c.id == campaign_id
                )
            )
            .mappings()
            .first()
        )
        return None if row is None else _CAMPAIGN.load(row)

    def lock_campaign(self, business_id: str, campaign_id: str) -> Campaign | None:
        # FOR UPDATE on PostgreSQL and MariaDB; SQLite's one writer is a lock already.
        row = (
            self._run(
                sa.select(_campaigns)
                .where(_campaigns.c.business_id == business_id, _campaigns.c.id == campaign_id)
                .with_for_update()
            )
            .mappings()
            .first()
        )
        return None if row is None else _CAMPAIGN.load(row)

    def pause_outbox(self, business_id: str, campaign_id: str) -> int:
        return self._move(business_id, campaign_id, OutboxState.PENDING, OutboxState.PAUSED)

    def resume_outbox(self, business_id: str, campaign_id: str) -> int:
        return self._move(business_id, campaign_id, OutboxState.PAUSED, OutboxState.PENDING)

    def _move(self, business_id: str, campaign_id: str, old: OutboxState, new: OutboxState) -> int:
        # pending_kind stays: a paused message keeps its customer's pending place.
        done = self._run(
            _outbox.update()
            .where(
                _outbox.c.campaign_id == campaign_id,
                _outbox.c.state == old.value,
                _outbox.c.business_id == business_id,
            )
            .values(state=new.value)
        )
        return int(done.rowcount)

    def campaign_sends(
        self, business_id: str, campaign_id: str, *, since: datetime | None = None
    ) -> tuple[int, int]:
        sent = _outbox.c.state == OutboxState.SENT.value
        failed = _outbox.c.state == OutboxState.FAILED.value
        if since is not None:
            sent = sa.and_(sent, _outbox.c.sent_at >= since)
            failed = sa.and_(failed, _outbox.c.not_before >= since)
        sends = self._run(
            sa.select(sa.func.count()).where(
                _outbox.c.campaign_id == campaign_id,
                _outbox.c.state.in_([OutboxState.SENT.value, OutboxState.FAILED.value]),
                _outbox.c.business_id == business_id,
                sa.or_(sent, failed),
            )
        ).scalar_one()
        bounces = sa.select(sa.func.count()).where(
            _events.c.campaign_id == campaign_id,
            _events.c.kind == EventKind.BOUNCED.value,
            _events.c.business_id == business_id,
            _events.c.detail.startswith("hard:", autoescape=True),
        )
        if since is not None:
            bounces = bounces.where(_events.c.at >= since)
        return int(sends), int(self._run(bounces).scalar_one())

    def list_campaigns(self, business_id: str) -> list[Campaign]:
        rows = self._run(
            sa.select(_campaigns)
            .where(_campaigns.c.business_id == business_id)
            .order_by(_campaigns.c.created_at.desc(), _campaigns.c.id.desc())
        ).mappings()
        return [_CAMPAIGN.load(row) for row in rows]

    def last_campaign_of(self, business_id: str, customer_id: str) -> str | None:
        found = self._run(
            sa.select(_outbox.c.campaign_id)
            .where(
                _outbox.c.business_id == business_id,
                _outbox.c.customer_id == customer_id,
                _outbox.c.kind == MessageKind.INVITATION.value,
                _outbox.c.state == OutboxState.SENT.value,
                _outbox.c.campaign_id.is_not(None),
            )
            .order_by(_outbox.c.sent_at.desc(), _outbox.c.seq.desc())
            .limit(1)
        ).scalar()
        return None if found is None else str(found)

    def reminder_candidates(
        self,
        business_id: str,
        *,
        invited_before: datetime,
        max_reminders: int,
        after: str | None = None,
        limit: int = 100,
    ) -> list[ReminderCandidate]:
        # The reminders sent since the customer's last delivered invitation,
        # counted by the database (the outbox's unique key on business,
        # customer, pending kind serves the lookup per customer).
        since_invited = (
            _outbox.c.business_id == _customers.c.business_id,
            _outbox.c.customer_id == _customers.c.id,
            _outbox.c.kind == MessageKind.REMINDER.value,
            _outbox.c.state == OutboxState.SENT.value,
            _outbox.c.sent_at > _customers.c.invited_at,
        )
        sent = sa.select(sa.func.count()).where(*since_invited).scalar_subquery()
        last = sa.type_coerce(
            sa.select(sa.func.max(_outbox.c.sent_at)).where(*since_invited).scalar_subquery(),
            UTCDateTime,
        )
        query = (
            sa.select(_customers, sent.label("ik_sent"), last.label("ik_last"))
            .where(
                _customers.c.business_id == business_id,
                _customers.c.status == Status.INVITED.value,
                sa.not_(_customers.c.archived),
                sa.not_(_customers.c.unsubscribed),
                _customers.c.invited_at <= invited_before,
                sent < max_reminders,
            )
            .order_by(_customers.c.id)
            .limit(limit)
        )
        if after is not None:
            query = query.where(_customers.c.id > after)
        return [
            ReminderCandidate(
                customer=_CUSTOMER.load(row),
                reminders_sent=int(row["ik_sent"]),
                last_reminded_at=row["ik_last"],
            )
            for row in self._run(query).mappings()
        ]
