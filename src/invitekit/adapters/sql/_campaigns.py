"""The campaigns of the SQL store's transactions."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from invitekit.adapters.sql._tables import (
    _CAMPAIGN,
    _campaigns,
    _events,
    _groups,
    _members,
    _outbox,
)
from invitekit.exceptions import ConcurrentUpdate
from invitekit.funnel import (
    STEP_EVENTS,
    Campaign,
    CampaignCounts,
    CustomerRow,
    MessageRow,
    Scope,
    tally,
)
from invitekit.model import MessageKind, OutboxState
from invitekit.text import quoted

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
            .values(paused_at=campaign.paused_at, pause_reason=campaign.pause_reason)
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

    def campaign_counts(
        self, business_id: str, campaign_id: str, *, now: datetime
    ) -> CampaignCounts:
        # GROUP BY queries over the campaign's rows, found through the indexes on
        # (campaign_id, state) and (campaign_id, kind); the customers' groups and
        # invitations are joined on (business_id, customer_id), which is indexed.
        o, e = _outbox, _events
        later = sa.case((o.c.next_attempt_at > now, 1), else_=0).label("later")
        counted = [o.c.kind, o.c.state, later]
        of_campaign = (o.c.campaign_id == campaign_id, o.c.business_id == business_id)
        messages: list[MessageRow] = []
        scopes: list[tuple[Scope, sa.ColumnElement[Any] | None]] = [
            ("total", None),
            ("locale", o.c.locale),
            ("group", _groups.c.name),
        ]
        for scope, name in scopes:
            keys = counted if name is None else [name, *counted]
            query = sa.select(*keys, sa.func.count()).where(*of_campaign).group_by(*keys)
            if scope == "group":
                query = query.join_from(o, _members, _same_customer(_members, o)).join(
                    _groups, _group_of(_members)
                )
            for row in self._run(query):
                values: tuple[Any, ...] = tuple(row)
                label = "" if name is None else str(values[0])
                kind, state, is_later, n = values[-4:]
                messages.append((scope, label, str(kind), str(state), bool(is_later), int(n)))
        invitation = (
            (o.c.business_id == e.c.business_id)
            & (o.c.customer_id == e.c.customer_id)
            & (o.c.campaign_id == e.c.campaign_id)
            & (o.c.kind == MessageKind.INVITATION.value)
        )
        customers: list[CustomerRow] = []
        for scope, name in scopes[1:]:
            assert name is not None
            query = (
                sa.select(name, e.c.kind, sa.func.count(e.c.customer_id.distinct()))
                .join_from(e, o, invitation)
                .where(
                    e.c.campaign_id == campaign_id,
                    e.c.business_id == business_id,
                    e.c.kind.in_(STEP_EVENTS),
                )
                .group_by(name, e.c.kind)
            )
            if scope == "group":
                query = query.join(_members, _same_customer(_members, e)).join(
                    _groups, _group_of(_members)
                )
            for row in self._run(query):
                label, kind, n = tuple(row)
                customers.append((scope, str(label), str(kind), int(n)))
        # Each customer has one invitation (so one locale) in a campaign: the
        # total is the sum over the locales.
        customers += [
            ("total", "", kind, n) for at, _, kind, n in list(customers) if at == "locale"
        ]
        return tally(messages, customers)


def _same_customer(members: sa.Table, other: sa.Table) -> sa.ColumnElement[bool]:
    return sa.and_(
        members.c.business_id == other.c.business_id,
        members.c.customer_id == other.c.customer_id,
    )


def _group_of(members: sa.Table) -> sa.ColumnElement[bool]:
    return sa.and_(
        _groups.c.business_id == members.c.business_id, _groups.c.id == members.c.group_id
    )
