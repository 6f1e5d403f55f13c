"""The event feed on every store: positions, cursors, rollbacks, and what flows write to it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import attrs
import pytest

from invitekit import Audience, EventKind, InvalidCursor, ValidationError
from invitekit.adapters.memory import MemoryMailer
from invitekit.events import Event
from invitekit.exceptions import ConcurrentUpdate
from invitekit.ports import Store
from invitekit.testing import FakeClock, make_business, make_kit
from invitekit.webhooks import Webhook

T0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
BIZ = "studio-1"


def _event(detail: str, *, business_id: str = BIZ, customer_id: str = "cus_1") -> Event:
    return Event(
        business_id=business_id,
        customer_id=customer_id,
        kind=EventKind.UPDATED,
        at=T0,
        detail=detail,
    )


def test_events_get_growing_positions_in_the_order_added(store: Store) -> None:
    with store.transaction() as tx:
        tx.add_events([_event("a"), _event("b")])
    with store.transaction() as tx:
        tx.add_events([_event("c")])
    with store.transaction(readonly=True) as tx:
        feed = tx.read_feed(BIZ, after=0, limit=10)
        head = tx.feed_head(BIZ)
    assert [item.event.detail for item in feed] == ["a", "b", "c"]
    assert [item.position for item in feed] == [1, 2, 3]
    assert head == 3
    assert feed[0].event == _event("a")


def test_each_business_has_its_own_feed(store: Store) -> None:
    with store.transaction() as tx:
        tx.add_events([_event("a"), _event("x", business_id="studio-2"), _event("b")])
    with store.transaction(readonly=True) as tx:
        mine = tx.read_feed(BIZ, after=0, limit=10)
        theirs = tx.read_feed("studio-2", after=0, limit=10)
        nobody = tx.read_feed("studio-3", after=0, limit=10)
        head = tx.feed_head("studio-3")
    # Positions are numbered for the whole store: each feed is its business's events.
    assert [(i.position, i.event.detail) for i in mine] == [(1, "a"), (3, "b")]
    assert [(i.position, i.event.detail) for i in theirs] == [(2, "x")]
    assert (nobody, head) == ([], 3)


def test_reading_after_a_position_pages_through_the_feed(store: Store) -> None:
    with store.transaction() as tx:
        tx.add_events([_event(str(n)) for n in range(7)])
    pages = []
    after = 0
    while True:
        with store.transaction(readonly=True) as tx:
            page = tx.read_feed(BIZ, after=after, limit=3)
        if not page:
            break
        pages.append([item.event.detail for item in page])
        after = page[-1].position
    assert pages == [["0", "1", "2"], ["3", "4", "5"], ["6"]]


def test_a_rolled_back_transaction_leaves_nothing_in_the_feed(store: Store) -> None:
    with pytest.raises(RuntimeError), store.transaction() as tx:
        tx.add_events([_event("lost")])
        tx.list_events(BIZ, "cus_1")  # written before the end, undone all the same
        raise RuntimeError
    with store.transaction() as tx:
        tx.add_events([_event("kept")])
    with store.transaction(readonly=True) as tx:
        feed = tx.read_feed(BIZ, after=0, limit=10)
    assert [item.event.detail for item in feed] == ["kept"]


def test_events_added_in_an_undone_savepoint_are_not_kept(store: Store) -> None:
    with store.transaction() as tx:
        tx.add_events([_event("before")])
        with pytest.raises(RuntimeError), tx.savepoint():
            tx.add_events([_event("undone")])
            raise RuntimeError
        tx.add_events([_event("after")])
    with store.transaction(readonly=True) as tx:
        feed = tx.read_feed(BIZ, after=0, limit=10)
    assert [item.event.detail for item in feed] == ["before", "after"]


def test_events_added_are_read_back_in_their_own_transaction(store: Store) -> None:
    with store.transaction() as tx:
        tx.add_events([_event("a")])
        history = tx.list_events(BIZ, "cus_1")
        feed = tx.read_feed(BIZ, after=0, limit=10)
    assert [e.detail for e in history] == ["a"]
    assert [i.event.detail for i in feed] == ["a"]


# The facade: events_since --------------------------------------------------------------


def test_events_since_reads_every_kind_of_change_with_a_cursor(store: Store) -> None:
    clock = FakeClock(T0)
    kit = make_kit(store=store, clock=clock, mailer=MemoryMailer())
    ana = kit.add_customer("ana@example.com", first_name="Ana", invite=False)
    kit.invite_audience(Audience.all())
    clock.advance(timedelta(minutes=1))
    kit.deliver()
    kit.archive_customer(ana.id)

    events, cursor = kit.events_since(limit=2)
    rest, end = kit.events_since(cursor)
    kinds = [item.event.kind for item in [*events, *rest]]
    assert kinds == [
        EventKind.ADDED,
        EventKind.INVITATION_QUEUED,
        EventKind.DELIVERED,
        EventKind.ARCHIVED,
    ]
    assert [item.event.customer_id for item in [*events, *rest]] == [ana.id] * 4
    assert cursor == events[-1].cursor and end == rest[-1].cursor
    assert kit.events_since(end) == ([], end)


def test_a_cursor_is_kept_across_a_new_kit_on_the_same_store(store: Store) -> None:
    kit = make_kit(store=store, clock=FakeClock(T0))
    kit.add_customer("ana@example.com", invite=False)
    _, cursor = kit.events_since()
    later = make_kit(store=store, clock=FakeClock(T0))
    later.add_customer("ben@example.com", invite=False)
    events, _ = later.events_since(cursor)
    assert [item.event.kind for item in events] == [EventKind.ADDED]


def test_another_business_never_sees_the_feed(store: Store) -> None:
    kit = make_kit(store=store, clock=FakeClock(T0))
    other = make_kit(store=store, clock=FakeClock(T0), business=make_business(id="studio-2"))
    kit.add_customer("ana@example.com", invite=False)
    _, cursor = kit.events_since()
    assert other.events_since() == ([], "f1.0")
    assert other.events_since(cursor) == ([], cursor)


@pytest.mark.parametrize(
    "cursor",
    ["", "f1.", "f1.-1", "f1.01", "1", "f2.3", "f1.1x", "f1.٣", "f1." + "9" * 30, "x" * 99],
)
def test_a_cursor_not_handed_out_is_refused(store: Store, cursor: str) -> None:
    kit = make_kit(store=store, clock=FakeClock(T0))
    with pytest.raises(InvalidCursor):
        kit.events_since(cursor)


@pytest.mark.parametrize("limit", [0, -1, 1001, True, 2.5])
def test_a_limit_out_of_range_is_refused(store: Store, limit: int) -> None:
    kit = make_kit(store=store, clock=FakeClock(T0))
    with pytest.raises(ValidationError):
        kit.events_since(limit=limit)


# Webhook rows --------------------------------------------------------------------------

HOOK = Webhook(
    id="whk_1",
    business_id=BIZ,
    url="https://crm.example/hook",
    secret="whsec_" + "A" * 44,
    created_at=T0,
)


def test_an_endpoint_is_claimed_only_with_events_to_deliver_and_once_per_lease(
    store: Store,
) -> None:
    lease = T0 + timedelta(minutes=5)
    with store.transaction() as tx:
        tx.insert_webhook(HOOK)
        nothing = tx.claim_webhooks(now=T0, lease_until=lease, claim_token="a", limit=5)
        tx.add_events([_event("a")])
    with store.transaction() as tx:
        first = tx.claim_webhooks(now=T0, lease_until=lease, claim_token="a", limit=5)
    with store.transaction() as tx:
        second = tx.claim_webhooks(now=T0, lease_until=lease, claim_token="b", limit=5)
    with store.transaction() as tx:
        after_lease = tx.claim_webhooks(
            now=lease + timedelta(seconds=1),
            lease_until=lease + timedelta(minutes=9),
            claim_token="c",
            limit=5,
        )
    assert nothing == [] and second == []
    assert [h.id for h in first] == [HOOK.id] and first[0].claimed_until == lease
    assert [h.id for h in after_lease] == [HOOK.id]
    with pytest.raises(ConcurrentUpdate), store.transaction() as tx:
        tx.update_webhook(attrs.evolve(first[0], delivered_through=1), claim_token="a")
    with store.transaction() as tx:
        tx.update_webhook(
            attrs.evolve(after_lease[0], delivered_through=1, claimed_until=None), claim_token="c"
        )
        (stored,) = tx.list_webhooks(BIZ)
        again = tx.claim_webhooks(now=lease, lease_until=lease, claim_token="d", limit=5)
    assert stored.delivered_through == 1 and stored.claimed_until is None
    assert again == []


def test_a_disabled_or_backed_off_endpoint_is_not_claimed(store: Store) -> None:
    with store.transaction() as tx:
        tx.insert_webhook(attrs.evolve(HOOK, enabled=False))
        tx.insert_webhook(attrs.evolve(HOOK, id="whk_2", not_before=T0 + timedelta(1)))
        tx.add_events([_event("a")])
    with store.transaction() as tx:
        claimed = tx.claim_webhooks(now=T0, lease_until=T0, claim_token="a", limit=5)
        gone = tx.delete_webhook(BIZ, "whk_2")
        not_there = tx.delete_webhook(BIZ, "whk_2")
        left = [h.id for h in tx.list_webhooks(BIZ)]
    assert claimed == []
    assert (gone, not_there, left) == (True, False, ["whk_1"])


def test_an_endpoint_no_worker_claims_is_updated_without_a_claim(store: Store) -> None:
    lease = T0 + timedelta(minutes=5)
    with store.transaction() as tx:
        tx.insert_webhook(attrs.evolve(HOOK, enabled=False, failures=10))
        tx.insert_webhook(attrs.evolve(HOOK, id="whk_2"))
        tx.add_events([_event("a")])
    with store.transaction() as tx:
        (claimed,) = tx.claim_webhooks(now=T0, lease_until=lease, claim_token="a", limit=5)
        tx.update_webhook(attrs.evolve(HOOK, enabled=True, failures=0), claim_token=None)
    # A claimed endpoint is the worker's until it lets go.
    with pytest.raises(ConcurrentUpdate), store.transaction() as tx:
        tx.update_webhook(attrs.evolve(claimed, failures=3), claim_token=None)
    with pytest.raises(ConcurrentUpdate), store.transaction() as tx:
        tx.update_webhook(attrs.evolve(HOOK, id="whk_gone"), claim_token=None)
    with store.transaction() as tx:
        tx.update_webhook(attrs.evolve(claimed, claimed_until=None), claim_token="a")
        tx.update_webhook(attrs.evolve(claimed, failures=3, claimed_until=None), claim_token=None)
        stored = {h.id: (h.enabled, h.failures) for h in tx.list_webhooks(BIZ)}
    assert claimed.id == "whk_2"
    assert stored == {"whk_1": (True, 0), "whk_2": (True, 3)}


def test_an_event_inserted_around_the_store_never_gets_its_position_taken(store: Store) -> None:
    """A row written by hand (an import, a script) keeps its seq; the feed numbers after it."""
    from invitekit.adapters.sql import SQLStore
    from invitekit.adapters.sql._schema import metadata

    if not isinstance(store, SQLStore):
        pytest.skip("the memory store has no way around it")
    with store.transaction() as tx:
        tx.add_events([_event("first")])
    events = metadata.tables["invitekit_events"]
    with store.engine.begin() as conn:
        conn.execute(
            events.insert().values(
                seq=50, business_id=BIZ, customer_id="cus_1", kind="updated", at=T0, detail="hand"
            )
        )
    with store.transaction() as tx:
        tx.add_events([_event("after")])
    with store.transaction(readonly=True) as tx:
        feed = tx.read_feed(BIZ, after=0, limit=10)
    assert [(i.position, i.event.detail) for i in feed] == [
        (1, "first"),
        (50, "hand"),
        (51, "after"),
    ]


def test_a_statement_on_the_events_sees_the_events_added_before_it(store: Store) -> None:
    """The SQL store writes waiting events before any statement on their table runs."""
    from invitekit.adapters.sql import SQLStore
    from invitekit.adapters.sql._schema import metadata

    if not isinstance(store, SQLStore):
        pytest.skip("the memory store writes events at once")
    events = metadata.tables["invitekit_events"]
    with store.transaction() as tx:
        tx.add_events([_event("gone"), _event("kept", customer_id="cus_2")])
        tx._run(events.delete().where(events.c.customer_id == "cus_1"))  # type: ignore[attr-defined]
    with store.transaction(readonly=True) as tx:
        feed = tx.read_feed(BIZ, after=0, limit=10)
    assert [item.event.detail for item in feed] == ["kept"]
