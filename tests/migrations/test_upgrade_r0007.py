"""Revision 0007 from a database at revision 0006 with customers and outbox rows in every state.

The 0006 database is the v1 fixture upgraded to 0006 (customers Added, Invited,
Accepted, archived, unsubscribed; outbox rows pending, sent, failed, cancelled),
plus what only 0005 writes: an undeliverable customer and a paused campaign's row.
The revision only adds the empty table of pending email changes: every row
stays as it was, and mail queued before it is sent after it.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa

from invitekit.adapters.sql import current, upgrade
from invitekit.testing import FakeClock
from tests.migrations.expectations import _kit, _plain

NOW = datetime(2026, 1, 7, 9, 0, tzinfo=UTC)


def _rows(engine: sa.Engine, table: str) -> dict[tuple[Any, ...], dict[str, Any]]:
    with engine.connect() as conn:
        found = sa.Table(table, sa.MetaData(), autoload_with=conn)
        key = [found.c[c.name] for c in found.primary_key.columns]
        rows = conn.execute(sa.select(found)).mappings().all()
    return {
        tuple(row[c.name] for c in key): {k: _plain(v) for k, v in row.items()} for row in rows
    }


def _at_0006(engine: sa.Engine) -> None:
    upgrade(engine, to="0006")
    assert current(engine) == "0006"
    with engine.begin() as conn:
        customers = sa.Table("invitekit_customers", sa.MetaData(), autoload_with=conn)
        conn.execute(
            customers.update()
            .where(customers.c.email_key == "bounce@example.net")
            .values(undeliverable_at=NOW, undeliverable_reason="hard bounce: 5.1.1")
        )


def test_every_row_is_kept_and_the_new_table_is_empty(v1_engine: sa.Engine) -> None:
    _at_0006(v1_engine)
    tables = ["invitekit_customers", "invitekit_outbox", "invitekit_events"]
    before = {table: _rows(v1_engine, table) for table in tables}
    states = {row["state"] for row in before["invitekit_outbox"].values()}
    assert states == {"pending", "sent", "failed", "cancelled"}

    assert upgrade(v1_engine, to="0007") == ("0006", "0007")

    assert {table: _rows(v1_engine, table) for table in tables} == before
    assert _rows(v1_engine, "invitekit_email_changes") == {}


def test_mail_queued_before_is_sent_after_and_an_undeliverable_mark_stays(
    v1_engine: sa.Engine,
) -> None:
    _at_0006(v1_engine)
    pending = sorted(
        row["id"]
        for row in _rows(v1_engine, "invitekit_outbox").values()
        if row["state"] == "pending" and row["business_id"] == "studio-1"
    )
    upgrade(v1_engine)
    kit, _mailer = _kit(v1_engine, "studio-1", FakeClock(NOW))

    kit.deliver()

    after = {row["id"]: row for row in _rows(v1_engine, "invitekit_outbox").values()}
    assert pending
    assert {after[row_id]["state"] for row_id in pending} == {"sent"}
    bounced = kit.find_customer("bounce@example.net")
    assert bounced is not None and bounced.undeliverable
