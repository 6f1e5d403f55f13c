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

# Built once: every first look at an activation link asks it (see flows.activation);
# building a statement costs SQLAlchemy more than running it.
_LAST_CAMPAIGN = (
    sa.select(_outbox.c.campaign_id)
    .where(
        _outbox.c.business_id == sa.bindparam("p_business_id"),
        _outbox.c.customer_id == sa.bindparam("p_customer_id"),
        _outbox.c.kind == MessageKind.INVITATION.value,
        _outbox.c.state == OutboxState.SENT.value,
        _outbox.c.campaign_id.is_not(None),
    )
    .order_by(_outbox.c.sent_at.desc(), _outbox.c.seq.desc())
    .limit(1)
)


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
            _LAST_CAMPAIGN, {"p_business_id": business_id, "p_customer_id": customer_id}
        ).scalar()
        return None if found is None else str(found)

    def campaign_counts(
        self, business_id: str, campaign_id: str, *, now: datetime
    ) -> CampaignCounts:
        # GROUP BY queries over the campaign's rows, found through the indexes on
        # (campaign_id, state) and (campaign_id, kind) alone: with the business in
        # the WHERE clause too, SQLite reads every row of the business instead.
        # Campaign ids are unique, so checking the campaign's owner once is enough.
        if self.get_campaign(business_id, campaign_id) is None:
            return CampaignCounts()
        o, e = _outbox, _events
        # A NULL not_before stands for created_at (see the outbox table).
        not_before = sa.func.coalesce(o.c.not_before, o.c.created_at)
        later = sa.case((not_before > now, 1), else_=0).label("later")
        messages: list[MessageRow] = []
        scopes: list[tuple[Scope, sa.ColumnElement[Any]]] = [
            ("locale", o.c.locale),
            ("group", _groups.c.name),
        ]
        for scope, name in scopes:
            keys = [name, o.c.kind, o.c.state, later]
            query = (
                sa.select(*keys, sa.func.count())
                .where(o.c.campaign_id == campaign_id)
                .group_by(*keys)
            )
            if scope == "group":
                query = _in_groups(query, business_id, o)
            for row in self._run(query):
                label, kind, state, is_later, n = tuple(row)
                counted = (str(kind), str(state), bool(is_later), int(n))
                messages.append((scope, str(label), *counted))
                if scope == "locale":  # every row has one locale: the total is their sum
                    messages.append(("total", "", *counted))
        invitation = (
            (o.c.business_id == e.c.business_id)
            & (o.c.customer_id == e.c.customer_id)
            & (o.c.campaign_id == e.c.campaign_id)
            & (o.c.kind == MessageKind.INVITATION.value)
        )
        customers: list[CustomerRow] = []
        for scope, name in scopes:
            query = (
                sa.select(name, e.c.kind, sa.func.count(e.c.customer_id.distinct()))
                .join_from(e, o, invitation)
                .where(e.c.campaign_id == campaign_id, e.c.kind.in_(STEP_EVENTS))
                .group_by(name, e.c.kind)
            )
            if scope == "group":
                query = _in_groups(query, business_id, e)
            for row in self._run(query):
                label, kind, n = tuple(row)
                customers.append((scope, str(label), str(kind), int(n)))
                if scope == "locale":  # one invitation, so one locale, per customer
                    customers.append(("total", "", str(kind), int(n)))
        return tally(messages, customers)


def _in_groups(query: sa.Select[Any], business_id: str, rows: sa.Table) -> sa.Select[Any]:
    """``query`` over ``rows`` (the outbox or the events), joined to its customers' groups.

    The business's group members are read once, as a grouped subquery (which no
    database merges into the join): without statistics SQLite would otherwise
    read every member of the business again for each row of the campaign.
    """
    m = _members.c
    members = (
        sa.select(m.business_id, m.customer_id, m.group_id)
        .where(m.business_id == business_id)
        .group_by(m.business_id, m.customer_id, m.group_id)
        .subquery("members")
    )
    return query.join(
        members,
        (members.c.business_id == rows.c.business_id)
        & (members.c.customer_id == rows.c.customer_id),
    ).join(
        _groups,
        (_groups.c.business_id == members.c.business_id) & (_groups.c.id == members.c.group_id),
    )
