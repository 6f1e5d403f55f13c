"""Revision 0003 from a database at revision 0002 with outbox rows in every state.

The 0002 database is the v1 fixture upgraded to 0002 (sent, pending, retrying,
failed and cancelled rows, an account email and a sign-up's verification), plus
what only 0002 writes: a row a worker claimed, issuing its links, and died
holding, and a row whose stored Message-ID no longer follows from its id (its
business's sender changed since it was queued).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa

from invitekit import OutboxState
from invitekit.adapters.sql import current, head, upgrade
from invitekit.testing import FakeClock
from tests.migrations.expectations import _kit, _plain

LEASE_END = datetime(2026, 1, 5, 12, 0, tzinfo=UTC)
LEGACY_ID = "<legacy-0001@old-domain.example>"


def _outbox_rows(engine: sa.Engine) -> dict[str, dict[str, Any]]:
    with engine.connect() as conn:
        outbox = sa.Table("invitekit_outbox", sa.MetaData(), autoload_with=conn)
        rows = conn.execute(sa.select(outbox)).mappings().all()
    return {row["id"]: {key: _plain(value) for key, value in row.items()} for row in rows}


def _at_0002(engine: sa.Engine) -> dict[str, dict[str, Any]]:
    """Upgrade the v1 fixture to 0002, add the 0002-only states; its outbox rows."""
    upgrade(engine, to="0002")
    assert current(engine) == "0002"
    rows = _outbox_rows(engine)
    waiting = sorted(
        (row["recipient"], row["id"])
        for row in rows.values()
        if row["state"] == "pending" and row["kind"] == "invitation"
    )
    (_, claimed), (_, renamed) = waiting[:2]
    with engine.begin() as conn:
        outbox = sa.Table("invitekit_outbox", sa.MetaData(), autoload_with=conn)
        conn.execute(
            outbox.update()
            .where(outbox.c.id == claimed)
            .values(
                claimed_until=LEASE_END,
                claim_token="clm_died",
                links_issued_at=LEASE_END - timedelta(minutes=5),
                attempts=outbox.c.attempts + 1,
            )
        )
        conn.execute(outbox.update().where(outbox.c.id == renamed).values(message_id=LEGACY_ID))
    return _outbox_rows(engine)


def test_every_outbox_row_is_kept_with_next_attempt_at_as_not_before(v1_engine: sa.Engine) -> None:
    before = _at_0002(v1_engine)
    states = {row["state"] for row in before.values()}
    assert states == {"pending", "sent", "failed", "cancelled"}
    assert any(row["claim_token"] for row in before.values())

    assert upgrade(v1_engine) == ("0002", head())

    after = _outbox_rows(v1_engine)
    assert set(after) == set(before)
    for row_id, old in before.items():
        want = dict(old)
        want["not_before"] = want.pop("next_attempt_at")
        want["campaign_id"] = None  # revision 0004: rows from before campaigns have none
        assert after[row_id] == want, row_id


def test_rows_queued_before_the_upgrade_are_sent_once_with_their_stored_message_id(
    v1_engine: sa.Engine,
) -> None:
    before = _at_0002(v1_engine)
    upgrade(v1_engine)
    clock = FakeClock(LEASE_END + timedelta(minutes=1))
    kit, mailer = _kit(v1_engine, "studio-1", clock)

    kit.deliver()
    kit.deliver()

    waiting = {
        row["message_id"]: row["recipient"]
        for row in before.values()
        if row["state"] == "pending" and row["business_id"] == "studio-1"
    }
    assert LEGACY_ID in waiting
    assert {email.message_id: email.to for email in mailer.outbox} == waiting
    after = _outbox_rows(v1_engine)
    for row_id, row in before.items():
        if row["state"] == "pending":
            assert after[row_id]["state"] == OutboxState.SENT
            assert (after[row_id]["message_id"], after[row_id]["recipient"]) == (
                row["message_id"],
                row["recipient"],
            )


def test_a_row_queued_after_the_upgrade_stores_neither_address_nor_message_id_until_sent(
    v1_engine: sa.Engine,
) -> None:
    upgrade(v1_engine)
    clock = FakeClock(LEASE_END)
    kit, mailer = _kit(v1_engine, "studio-1", clock)
    ana = kit.find_customer("ana@example.com")
    assert ana is not None

    queued = kit.invite(ana.id)
    stored = _outbox_rows(v1_engine)[queued.id]
    kit.deliver()

    assert (stored["recipient"], stored["message_id"], stored["not_before"]) == (None, None, None)
    assert (queued.recipient, queued.message_id) == (
        "ana@example.com",
        f"<{queued.id}@studio-1.example>",
    )
    assert [email.message_id for email in mailer.outbox if email.to == "ana@example.com"] == [
        queued.message_id
    ]
    sent = _outbox_rows(v1_engine)[queued.id]
    assert (sent["state"], sent["recipient"], sent["message_id"]) == (
        "sent",
        "ana@example.com",
        queued.message_id,
    )
