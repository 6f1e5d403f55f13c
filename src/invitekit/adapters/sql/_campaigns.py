"""The campaigns of the SQL store's transactions, and the customers due a reminder."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from invitekit.adapters.sql._read import Lookup, ObjectLookup
from invitekit.adapters.sql._schema import UTCDateTime
from invitekit.adapters.sql._tables import (
    _CAMPAIGN,
    _CUSTOMER,
    _campaigns,
    _customers,
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
from invitekit.model import Customer, EventKind, MessageKind, OutboxState, Status
from invitekit.text import quoted
from invitekit.transitions import ReminderCandidate

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
_last = _LAST_CAMPAIGN.subquery("last_campaign")
# The last campaign, unless the customer's history holds the open of its link:
# one read for a link check.  The opened campaigns are a subquery of their own,
# so that SQLite finds them by the events' index by customer (a customer has a
# few events), never by the index by campaign (a campaign has many).
_UNOPENED_CAMPAIGN = sa.select(_last.c.campaign_id).where(
    _last.c.campaign_id.not_in(
        sa.select(_events.c.campaign_id).where(
            _events.c.business_id == sa.bindparam("p_business_id"),
            _events.c.customer_id == sa.bindparam("p_customer_id"),
            _events.c.kind == EventKind.LINK_OPENED.value,
            _events.c.campaign_id.is_not(None),
        )
    )
)
# The customer, and the campaign of _UNOPENED_CAMPAIGN as its last column: what
# an activation link's check reads, in one statement.
_CUSTOMER_AND_UNOPENED = sa.select(
    _customers, _UNOPENED_CAMPAIGN.scalar_subquery().label("unopened_campaign")
).where(
    _customers.c.business_id == sa.bindparam("p_business_id"),
    _customers.c.id == sa.bindparam("p_customer_id"),
)
_LAST_CAMPAIGN_FAST = Lookup(_LAST_CAMPAIGN)
_CUSTOMER_AND_UNOPENED_FAST = ObjectLookup(_CUSTOMER_AND_UNOPENED, _CUSTOMER, extra=1)


class Campaigns:
    """The campaign rows of the SQL store's transactions.

    A part of ``_SQLTransaction``, which provides how a statement runs, and
    writes the events added so far before anything reads events (see _feed.py).
    """

    _conn: sa.Connection
    _dialect: str
    _run: Callable[..., sa.CursorResult[Any]]
    _write_events_before: Callable[[sa.Executable], None]

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
        return self._campaign_id(_LAST_CAMPAIGN, _LAST_CAMPAIGN_FAST, business_id, customer_id)

    def customer_and_unopened_campaign(
        self, business_id: str, customer_id: str
    ) -> tuple[Customer | None, str | None]:
        key = {"p_business_id": business_id, "p_customer_id": customer_id}
        if self._dialect == "sqlite":  # see _read.py
            self._write_events_before(_CUSTOMER_AND_UNOPENED)  # as _run does
            found = _CUSTOMER_AND_UNOPENED_FAST.first_and_extra(self._conn, key)
            if found is None:
                return None, None
            customer, (campaign_id,) = found
        else:
            row = self._run(_CUSTOMER_AND_UNOPENED, key).first()
            if row is None:
                return None, None
            customer, campaign_id = _CUSTOMER.load(row._mapping), row.unopened_campaign
        return customer, None if campaign_id is None else str(campaign_id)

    def _campaign_id(
        self, statement: sa.Select[Any], fast: Lookup, business_id: str, customer_id: str
    ) -> str | None:
        key = {"p_business_id": business_id, "p_customer_id": customer_id}
        if self._dialect == "sqlite":  # see _read.py
            self._write_events_before(statement)  # as _run does, which this goes around
            row = fast.first(self._conn, key)
            found = None if row is None else row["campaign_id"]
        else:
            found = self._run(statement, key).scalar()
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
