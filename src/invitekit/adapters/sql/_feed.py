"""The event feed in SQL: events numbered in the order their transactions commit.

An ``AUTOINCREMENT`` or sequence number is no feed position on the server
databases: two transactions take 7 and 8, the one with 8 commits first, a
reader sees 8 and stores it as its cursor, and 7 -- committed a moment later
-- is never read.  So the store keeps a counter (the one row of
``invitekit_feed``): a transaction adding events bumps it by their number with
one upsert, which locks the row until the transaction ends, and numbers its
events (their ``seq``) with the positions it reserved.  Another writer waits on
the row, and reads the counter only once the first has committed (``READ
COMMITTED``, as the store requires): positions are committed in the order they
are handed out, so a reader that sees a position has seen every smaller one.
A transaction that rolls back gives its positions back with its counter update.

The row is made with the tables (``create_schema``; migration 0008 for an older
database), so a writer only ever updates it.  A writer that inserted it would,
on MariaDB, deadlock the writers waiting for it if it rolled back: the row gone,
each of them holds a lock on the gap it left and waits to insert into that gap
behind the other, and InnoDB rolls one of them back (error 1213).  The upsert
still makes the row if it is missing (deleted by hand), at that risk.

One counter for the whole store, not one per business: an event's position is
its ``seq``, the table's primary key, so the feed costs no column and no index
(a business's feed is the primary key read from the cursor on, skipping other
businesses' events), and positions are never reused (SQLite may reuse the
highest deleted ``rowid``; an explicit ``seq`` from the counter never is).  The
price: every transaction that adds events, for any business, takes its turn on
one row, for the time of its commit.

The events are written when the transaction commits, not when ``add_events``
is called: the counter row is then the last lock a transaction takes, so it is
held for the commit alone and is part of no deadlock with the rows a
transaction locks.  They are written earlier when the transaction makes a
savepoint, or runs a statement on ``invitekit_events`` (a read, an update, a
delete: ``_SQLTransaction._run`` checks, with :func:`touches_events`, while
events wait), so a transaction sees, and changes, every event it added.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import mysql, postgresql, sqlite
from sqlalchemy.sql.util import find_tables

from invitekit.adapters.sql._bulk import SQLiteBulkInsert
from invitekit.adapters.sql._rows import RowMap
from invitekit.adapters.sql._schema import metadata
from invitekit.events import Event
from invitekit.exceptions import ConcurrentUpdate
from invitekit.feed import FeedEvent
from invitekit.webhooks import Webhook

__all__ = ["NEW_COUNTER", "FeedTables", "touches_events"]

_events = metadata.tables["invitekit_events"]
_feed = metadata.tables["invitekit_feed"]
_webhooks = metadata.tables["invitekit_webhooks"]
_EVENT = RowMap(Event, _events, columns={"by": "actor"})
_WEBHOOK = RowMap(Webhook, _webhooks)
_SQLITE_INSERT_EVENTS = SQLiteBulkInsert(_events, numbered=True)
_COUNTER = 1  # the id of the counter's one row
_NEWEST = sa.select(sa.func.coalesce(sa.func.max(_events.c.seq), 0))
_HEAD = sa.select(_feed.c.position).where(_feed.c.id == _COUNTER)
NEW_COUNTER = _feed.insert().values(id=_COUNTER, position=0)
"""The counter's row as the tables are made: no position handed out yet."""


def _read_statement(dialect: str) -> sa.Select[Any]:
    """A business's events after ``p_after``, by ``seq``, read along the primary key.

    On SQLite ``+business_id`` keeps the planner off the customer index (which
    starts with business_id, and would read and sort all the business's events).
    """
    business = (
        sa.literal_column("+business_id", sa.String)
        if dialect == "sqlite"
        else _events.c.business_id
    )
    return (
        sa.select(_events)
        .where(business == sa.bindparam("p_business_id"), _events.c.seq > sa.bindparam("p_after"))
        .order_by(_events.c.seq)
        .limit(sa.bindparam("p_limit"))
    )


def _reserve_statement(dialect: str) -> sa.Executable:
    """The upsert that adds ``p_count`` to the counter (and locks its row).

    From the newest ``seq`` if an event was ever inserted around the store (by
    hand, an import): its ``seq`` is then never handed out again.  Reading the
    primary key's end costs one index lookup.
    """
    count = sa.bindparam("p_count", type_=sa.BigInteger)
    newest: Any = _NEWEST.scalar_subquery()
    if dialect == "mysql":
        # Read apart, as a plain (non-locking) read: InnoDB locks what a subquery
        # of an INSERT reads, and that lock deadlocks with the events' inserts.
        newest = sa.bindparam("p_newest", type_=sa.BigInteger)
    values: dict[str, Any] = {"id": _COUNTER, "position": newest + count}
    larger = sa.func.max if dialect == "sqlite" else sa.func.greatest
    # The row's position plus the count, or the proposed one (the newest seq plus the
    # count) if larger.  Not the subquery again: schema_translate_map misses it there.
    if dialect == "postgresql":
        pg = postgresql.insert(_feed).values(values)
        bumped = larger(_feed.c.position + count, pg.excluded.position)
        return pg.on_conflict_do_update(
            index_elements=["id"], set_={"position": bumped}
        ).returning(_feed.c.position)
    if dialect == "sqlite":
        lite = sqlite.insert(_feed).values(values)
        bumped = larger(_feed.c.position + count, lite.excluded.position)
        return lite.on_conflict_do_update(index_elements=["id"], set_={"position": bumped})
    my = mysql.insert(_feed).values(values)
    return my.on_duplicate_key_update(
        position=larger(_feed.c.position + count, my.inserted.position)
    )


_DIALECTS = ("postgresql", "sqlite", "mysql")
_RESERVE = {name: _reserve_statement(name) for name in _DIALECTS}
_READ = {name: _read_statement(name) for name in _DIALECTS}


def touches_events(statement: sa.Executable) -> bool:
    """Whether ``statement`` reads or writes ``invitekit_events`` (anywhere in it)."""
    if not isinstance(statement, sa.ClauseElement):
        return True  # unknown: write the events first, to be safe
    return _events in find_tables(statement, include_crud=True)


class FeedTables:
    """``add_events``, the feed and the webhook endpoints of the SQL store's transactions.

    A part of ``_SQLTransaction``, which provides the attributes declared here.
    """

    _conn: sa.Connection
    _dialect: str
    _run: Callable[..., sa.CursorResult[Any]]
    _unwritten: list[Event]

    def add_events(self, events: Sequence[Event]) -> None:
        self._unwritten.extend(events)

    def _write_events(self) -> None:
        """Number and insert the events added since the last call (see the module's notes)."""
        if not self._unwritten:
            return
        events, self._unwritten = self._unwritten, []
        last = self._reserve(len(events))
        rows = []
        for number, event in enumerate(events, start=last - len(events) + 1):
            row = _EVENT.values(event)
            row["seq"] = number
            rows.append(row)
        if self._dialect == "sqlite":
            _SQLITE_INSERT_EVENTS(self._conn, rows)
        else:
            self._run(_events.insert(), rows)

    @property
    def _kind(self) -> str:
        return "mysql" if self._dialect in ("mysql", "mariadb") else self._dialect

    def _reserve(self, count: int) -> int:
        """Add ``count`` to the counter; the newest position it now holds."""
        params = {"p_count": count}
        if self._kind == "mysql":
            params["p_newest"] = int(self._run(_NEWEST).scalar_one())
        result = self._run(_RESERVE[self._kind], params)
        if self._kind == "postgresql":
            return int(result.scalar_one())
        return int(self._run(_HEAD).scalar_one())

    def read_feed(self, business_id: str, *, after: int, limit: int) -> list[FeedEvent]:
        self._write_events()
        params = {"p_business_id": business_id, "p_after": after, "p_limit": limit}
        rows = self._run(_READ[self._kind], params)
        return [FeedEvent(position=int(row.seq), event=_EVENT.load(row._mapping)) for row in rows]

    def feed_head(self, business_id: str) -> int:
        self._write_events()
        head = self._run(_HEAD).scalar()
        return 0 if head is None else int(head)

    # Webhooks ----------------------------------------------------------------------------

    def insert_webhook(self, webhook: Webhook) -> None:
        self._run(_webhooks.insert(), _WEBHOOK.values(webhook))

    def list_webhooks(self, business_id: str) -> list[Webhook]:
        rows = self._run(
            sa.select(_webhooks)
            .where(_webhooks.c.business_id == business_id)
            .order_by(_webhooks.c.created_at, _webhooks.c.id)
        )
        return [_WEBHOOK.load(row._mapping) for row in rows]

    def delete_webhook(self, business_id: str, webhook_id: str) -> bool:
        result = self._run(
            _webhooks.delete().where(
                _webhooks.c.business_id == business_id, _webhooks.c.id == webhook_id
            )
        )
        return bool(result.rowcount)

    def claim_webhooks(
        self,
        *,
        now: datetime,
        lease_until: datetime,
        claim_token: str,
        limit: int,
        business_id: str | None = None,
    ) -> list[Webhook]:
        w = _webhooks
        # A subquery, not a join: the lock below must not take (or skip for) the
        # counter rows, which writers hold.
        head = _HEAD.scalar_subquery()
        query = (
            sa.select(w.c.business_id, w.c.id)
            .where(
                w.c.enabled.is_(True),
                sa.or_(w.c.not_before.is_(None), w.c.not_before <= now),
                sa.or_(w.c.claimed_until.is_(None), w.c.claimed_until < now),
                w.c.delivered_through < head,
            )
            .order_by(w.c.created_at, w.c.id)
            .limit(limit)
        )
        if business_id is not None:
            query = query.where(w.c.business_id == business_id)
        # SKIP LOCKED, as the outbox's claim: endpoints another worker is claiming are its.
        query = query.with_for_update(skip_locked=True)
        keys = [(row.business_id, row.id) for row in self._run(query)]
        claimed = []
        for owner, hook_id in keys:
            where = (w.c.business_id == owner, w.c.id == hook_id)
            self._run(
                w.update().where(*where).values(claimed_until=lease_until, claim_token=claim_token)
            )
            row = self._run(sa.select(w).where(*where)).one()
            claimed.append(_WEBHOOK.load(row._mapping))
        return claimed

    def update_webhook(self, webhook: Webhook, *, claim_token: str | None) -> None:
        w = _webhooks
        values = _WEBHOOK.values(webhook)
        for fixed in ("business_id", "id", "url", "secret", "created_at"):
            values.pop(fixed)
        values["claim_token"] = None if webhook.claimed_until is None else claim_token
        result = self._run(
            w.update()
            .where(
                w.c.business_id == webhook.business_id,
                w.c.id == webhook.id,
                w.c.claim_token.is_(None)
                if claim_token is None
                else w.c.claim_token == claim_token,
            )
            .values(values)
        )
        if not result.rowcount:
            raise ConcurrentUpdate("the claim on this webhook endpoint was lost")
