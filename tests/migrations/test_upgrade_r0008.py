"""Revision 0008 (the feed) from a database at revision 0007 with events of several businesses.

The 0007 database is the v1 fixture upgraded to 0007, plus events written at
0007 for two businesses in turn (so their ``seq`` interleave), among them a
campaign's funnel events and a bounce.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from invitekit.adapters.sql import current, head, upgrade
from invitekit.testing import FakeClock
from tests.migrations.expectations import _kit

AT = datetime(2026, 1, 6, 9, 0, tzinfo=UTC)


def _at_0007(engine: sa.Engine) -> list[tuple[str, int, str]]:
    """Upgrade to 0007, write events of two businesses in turn; each (business, seq, kind)."""
    upgrade(engine, to="0007")
    assert current(engine) == "0007"
    with engine.begin() as conn:
        events = sa.Table("invitekit_events", sa.MetaData(), autoload_with=conn)
        for n in range(6):
            for business in ("studio-1", "studio-2"):
                conn.execute(
                    events.insert().values(
                        business_id=business,
                        customer_id=f"cus_late{n}",
                        kind=["link_opened", "bounced", "accepted"][n % 3],
                        at=(AT + timedelta(minutes=n)).replace(tzinfo=None),
                        detail="hard: 5.1.1 (message m)" if n % 3 == 1 else "",
                        campaign_id="cmp_x" if n % 3 != 1 else None,
                    )
                )
        rows = conn.execute(
            sa.select(events.c.business_id, events.c.seq, events.c.kind).order_by(events.c.seq)
        ).all()
    return [(row.business_id, row.seq, row.kind) for row in rows]


def test_every_event_keeps_its_order_in_its_business_feed(v1_engine: sa.Engine) -> None:
    before = _at_0007(v1_engine)

    assert upgrade(v1_engine) == ("0007", head())

    clock = FakeClock(datetime(2026, 1, 7, 9, 0, tzinfo=UTC))
    for business in ("studio-1", "studio-2"):
        kit, _ = _kit(v1_engine, business, clock)
        feed, cursor = kit.events_since(limit=1000)
        mine = [(seq, kind) for owner, seq, kind in before if owner == business]
        assert [(item.position, item.event.kind.value) for item in feed] == mine
        hook = kit.add_webhook("https://crm.example/hook")
        kit.add_customer(f"new@{business}.example", invite=False)
        later, _ = kit.events_since(cursor)
        assert [item.event.kind.value for item in later] == ["added"]
        assert later[0].position > max(seq for seq, _ in mine)
        (stored,) = kit.list_webhooks()
        # It receives what comes after its registration: the new customer, not before.
        assert stored.id == hook.id
        assert feed[-1].position <= stored.delivered_through < later[0].position


def test_the_feed_counter_starts_after_the_newest_event(v1_engine: sa.Engine) -> None:
    before = _at_0007(v1_engine)
    upgrade(v1_engine)
    with v1_engine.connect() as conn:
        feed = sa.Table("invitekit_feed", sa.MetaData(), autoload_with=conn)
        counters = dict(conn.execute(sa.select(feed.c.id, feed.c.position)).all())
    assert counters == {1: max(seq for _, seq, _ in before)}
