"""The SQL Store's tables, row maps and prepared statements, built once at import."""

from __future__ import annotations

import functools
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import sqlalchemy as sa

from invitekit.adapters.sql._bulk import SQLiteBulkInsert
from invitekit.adapters.sql._compiled import SQLiteStatement
from invitekit.adapters.sql._rows import RowMap
from invitekit.adapters.sql._schema import metadata
from invitekit.email_change import EmailChange
from invitekit.funnel import Campaign
from invitekit.model import (
    Customer,
    Event,
    Group,
    OutboxMessage,
    OutboxState,
    Registration,
    TemplateRevision,
)

_customers = metadata.tables["invitekit_customers"]
_groups = metadata.tables["invitekit_groups"]
_members = metadata.tables["invitekit_group_members"]
_revisions = metadata.tables["invitekit_template_revisions"]
_businesses = metadata.tables["invitekit_businesses"]
_outbox = metadata.tables["invitekit_outbox"]
_events = metadata.tables["invitekit_events"]
_login_failures = metadata.tables["invitekit_login_failures"]
_registrations = metadata.tables["invitekit_registrations"]
_campaigns = metadata.tables["invitekit_campaigns"]
_email_changes = metadata.tables["invitekit_email_changes"]
# The unique constraints whose refusal means a duplicate (see _SQLTransaction._run).
_CUSTOMER_EMAIL = "invitekit_customers_email_key"
_CUSTOMER_ID = str(_customers.primary_key.name)
_GROUP_NAME = "invitekit_groups_name_key"

# Rows <-> value objects, a column per field (see RowMap).  An outbox row holds what
# to send, never the email; ``seq``, ``name_key``, ``pending_kind`` and
# ``claim_token`` are the store's own columns, set where rows are written.
_CUSTOMER = RowMap(Customer, _customers)
_GROUP = RowMap(Group, _groups)
_REVISION = RowMap(TemplateRevision, _revisions)
_MESSAGE = RowMap(OutboxMessage, _outbox)
_EVENT = RowMap(Event, _events, columns={"by": "actor"})
_CAMPAIGN = RowMap(Campaign, _campaigns, columns={"by": "actor"})
_REGISTRATION = RowMap(Registration, _registrations)
_EMAIL_CHANGE = RowMap(EmailChange, _email_changes)

# The statements of the per-message paths (delivery, lookups), built once: building
# and hashing a statement costs SQLAlchemy far more than running it.  Parameters are
# named ``p_*`` so they never collide with the columns an UPDATE sets.
_p = sa.bindparam
_GET_CUSTOMER = sa.select(_customers).where(
    _customers.c.business_id == _p("p_business_id"), _customers.c.id == _p("p_id")
)
_FIND_CUSTOMER = sa.select(_customers).where(
    _customers.c.business_id == _p("p_business_id"), _customers.c.email_key == _p("p_email_key")
)
_EMAIL_OWNER = sa.select(_customers.c.id).where(
    _customers.c.business_id == _p("p_business_id"), _customers.c.email_key == _p("p_email_key")
)
_VERSION_AND_EMAIL_OWNER = sa.select(_customers.c.id, _customers.c.version).where(
    _customers.c.business_id == _p("p_business_id"),
    sa.or_(_customers.c.id == _p("p_id"), _customers.c.email_key == _p("p_email_key")),
)
_UPDATE_CUSTOMER = _customers.update().where(
    _customers.c.business_id == _p("p_business_id"),
    _customers.c.id == _p("p_id"),
    _customers.c.version == _p("p_version"),
)
_GET_OUTBOX = sa.select(_outbox).where(_outbox.c.id == _p("p_id"))
_LIST_EVENTS = (
    sa.select(_events)
    .where(
        _events.c.business_id == _p("p_business_id"),
        _events.c.customer_id == _p("p_customer_id"),
    )
    .order_by(_events.c.seq)
)
_UPDATE_OUTBOX = _outbox.update().where(_outbox.c.id == _p("p_id"))
_UPDATE_CLAIMED_OUTBOX = _outbox.update().where(
    _outbox.c.id == _p("p_id"), _outbox.c.claim_token == _p("p_claim_token")
)
# The same, run on SQLite's driver (see _compiled.py): each message delivered runs them.
_SQLITE_VERSION_AND_EMAIL_OWNER = SQLiteStatement(_VERSION_AND_EMAIL_OWNER)
_SQLITE_UPDATE_CUSTOMER = SQLiteStatement(_UPDATE_CUSTOMER)
_SQLITE_UPDATE_OUTBOX = SQLiteStatement(_UPDATE_OUTBOX)
_SQLITE_UPDATE_CLAIMED_OUTBOX = SQLiteStatement(_UPDATE_CLAIMED_OUTBOX)

# A campaign's inserts on SQLite: the driver's executemany (see _bulk.py).  The
# conflict skipped is the one pending message per customer and kind.
_OUTBOX_ONE_PENDING = ("business_id", "customer_id", "pending_kind")
_SQLITE_INSERT_OUTBOX = SQLiteBulkInsert(_outbox, ignore_conflicts_on=_OUTBOX_ONE_PENDING)
# The columns of _outbox_row, in its order: the message's fields', then the store's own.
_OUTBOX_COLUMNS = (*_MESSAGE.columns, "pending_kind", "claim_token")
_NOT_BEFORE = _OUTBOX_COLUMNS.index("not_before")


def _outbox_row(message: OutboxMessage) -> list[Any]:
    """The values of an outbox row, in the order of ``_OUTBOX_COLUMNS`` (a campaign's rows)."""
    pending = message.state.waiting and message.customer_id is not None
    row = _MESSAGE.value_list(message)
    if message.not_before == message.created_at:
        row[_NOT_BEFORE] = None  # NULL stands for created_at (see the schema)
    row.append(str(message.kind) if pending else None)  # pending_kind
    row.append(None)  # claim_token
    return row


def _outbox_values(message: OutboxMessage) -> dict[str, Any]:
    """The columns of an outbox row: the message's fields and the store's own."""
    return dict(zip(_OUTBOX_COLUMNS, _outbox_row(message), strict=True))


def _outbox_from_row(row: Mapping[Any, Any], **given: Any) -> OutboxMessage:
    """The message an outbox row holds (fields in ``given`` taken from it instead)."""
    given.setdefault("not_before", row["not_before"] or row["created_at"])
    return _MESSAGE.load(row, **given)


@functools.cache
def _sqlite_pending_among(n: int) -> SQLiteStatement:
    """Which of n customers have a pending message of a kind, on SQLite.

    One statement per n: a campaign's pages are _CHUNK customers, and one remainder.
    """
    return SQLiteStatement(
        sa.select(_outbox.c.customer_id).where(
            _outbox.c.business_id == sa.bindparam("p_business_id"),
            _outbox.c.pending_kind == sa.bindparam("p_kind"),
            _outbox.c.customer_id.in_(
                [sa.bindparam(f"p_{i}", type_=_outbox.c.customer_id.type) for i in range(n)]
            ),
        )
    )


@functools.cache
def _customers_page(names: frozenset[str]) -> SQLiteStatement:
    """The customers of a business in id order, filtered by the parameters ``names``.

    One statement per combination of filters, with bound parameters, so that
    every page of a campaign runs the same compiled statement.
    """
    p = sa.bindparam
    query = sa.select(_customers).where(_customers.c.business_id == p("p_business_id"))
    if "p_group_id" in names:
        query = query.join(
            _members,
            sa.and_(
                _members.c.business_id == _customers.c.business_id,
                _members.c.customer_id == _customers.c.id,
                _members.c.group_id == p("p_group_id"),
            ),
        )
    if "p_status" in names:
        query = query.where(_customers.c.status == p("p_status"))
    if "p_archived" in names:
        query = query.where(_customers.c.archived == p("p_archived"))
    if "p_after" in names:
        query = query.where(_customers.c.id > p("p_after"))
    query = query.order_by(_customers.c.id)
    if "p_limit" in names:
        query = query.limit(p("p_limit", type_=sa.Integer))
    return SQLiteStatement(query)


@functools.cache
def _claimable(of_business: bool) -> SQLiteStatement:
    """A claim's read: the due, free outbox rows, oldest first (of ``p_business_id``).

    Parameters ``p_now`` and ``p_limit``.  A row is due when ``not_before`` (NULL
    stands for ``created_at``) has come, free when unleased or its lease ended.
    SKIP LOCKED: rows another worker is claiming right now are left to it, so
    workers never wait for one another (ignored by SQLite, whose ``BEGIN
    IMMEDIATE`` already lets one transaction at a time in).
    """
    o, now = _outbox.c, _p("p_now", type_=_outbox.c.not_before.type)
    query = sa.select(_outbox).where(
        o.state == OutboxState.PENDING.value,
        sa.or_(o.not_before <= now, sa.and_(o.not_before.is_(None), o.created_at <= now)),
        sa.or_(o.claimed_until.is_(None), o.claimed_until < now),
    )
    if of_business:
        query = query.where(o.business_id == _p("p_business_id"))
    query = query.order_by(o.created_at, o.id).limit(_p("p_limit", type_=sa.Integer))
    return SQLiteStatement(query.with_for_update(skip_locked=True))


_CHUNK = 500  # ids per ``IN (...)``: well below every backend's parameter limit


def _chunks(items: Sequence[Any]) -> Iterator[Sequence[Any]]:
    """``items`` in runs of at most ``_CHUNK``, one ``IN (...)`` each."""
    for start in range(0, len(items), _CHUNK):
        yield items[start : start + _CHUNK]
