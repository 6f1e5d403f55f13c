"""The feed under concurrent writers: a reader following its cursor misses nothing, in order.

Writers (threads, and processes on the SQL stores) add events in many small
transactions; some make the store write their events before the transaction
ends (reading them back, as a flow may) and then wait a moment before
committing, holding their positions uncommitted while others commit.  With
numbers handed out by an autoincrement column, a reader that reads a later
position in that moment stores a cursor past the waiting one and never sees
it; the feed must not allow that.  Some transactions roll back: their events
must never appear.  A fresh store's first writer that rolls back while others
wait for the counter lets them all commit.
"""

from __future__ import annotations

import multiprocessing
import random
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import attrs
import pytest
import sqlalchemy as sa

from invitekit.adapters.sql import SQLStore
from invitekit.events import Event, EventKind
from invitekit.exceptions import InviteKitError
from invitekit.feed import FeedEvent
from invitekit.ports import Store
from tests.stores import (
    SERVER_KINDS,
    StoreRecipe,
    open_store,
    recipe_of,
    store_from_recipe,
    store_params,
)

T0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
BIZ = "studio-1"
TRANSACTIONS = 40  # per writer


class _Abandon(Exception):
    """Raised in a writer's transaction to roll it back."""


def write(store: Store, writer: str, seed: int) -> list[str]:
    """Add events as ``writer`` in many transactions; the details of those committed, in order."""
    rng = random.Random(seed)
    committed: list[str] = []
    for n in range(TRANSACTIONS):
        details = [f"{writer}:{n}:{i}" for i in range(rng.randint(1, 3))]
        events = [
            Event(
                business_id=BIZ,
                customer_id=f"cus_{writer}",
                kind=EventKind.UPDATED,
                at=T0,
                detail=d,
            )
            for d in details
        ]
        # Another business's events in the same transactions: positions are per business.
        other = Event(business_id="studio-2", customer_id="cus_x", kind=EventKind.ADDED, at=T0)
        abandon = rng.random() < 0.15
        try:
            with store.transaction() as tx:
                tx.add_events([*events, other])
                if rng.random() < 0.5:
                    tx.list_events(BIZ, f"cus_{writer}")  # written now, committed later
                    time.sleep(rng.uniform(0, 0.01))
                if abandon:
                    raise _Abandon
        except _Abandon:
            continue
        committed += details
    return committed


def _write_in_process(recipe: Any, writer: str, seed: int, start: Any, results: Any) -> None:
    store = store_from_recipe(recipe)
    start.wait()
    results.put((writer, write(store, writer, seed)))
    store.engine.dispose()


def follow(store: Store, done: Callable[[], bool]) -> list[FeedEvent]:
    """Read the feed after the cursor until the writers are done and nothing is left."""
    seen: list[FeedEvent] = []
    after = 0
    while True:
        finished = done()  # before reading: a last read after every commit
        with store.transaction(readonly=True) as tx:
            page = tx.read_feed(BIZ, after=after, limit=17)
        seen += page
        if page:
            after = page[-1].position
        elif finished:
            return seen


@pytest.mark.slow
@pytest.mark.parametrize("kind", store_params())
def test_a_reader_following_the_cursor_sees_every_committed_event_once_in_order(
    kind: str,
) -> None:
    with open_store(kind) as store:
        threads_results: dict[str, list[str]] = {}
        writers = [f"t{n}" for n in range(3)]

        def run(writer: str, seed: int) -> None:
            threads_results[writer] = write(store, writer, seed)

        threads = [threading.Thread(target=run, args=(w, seed)) for seed, w in enumerate(writers)]
        processes: list[Any] = []
        results: Any = None
        if isinstance(store, SQLStore):
            context = multiprocessing.get_context("spawn")
            start, results = context.Barrier(3), context.Queue()
            processes = [
                context.Process(
                    target=_write_in_process,
                    args=(recipe_of(store), f"p{n}", 100 + n, start, results),
                )
                for n in range(2)
            ]
            for process in processes:
                process.start()
            start.wait(timeout=120)  # the children are ready: all write at once
        for thread in threads:
            thread.start()

        def done() -> bool:
            alive = [t.is_alive() for t in threads] + [p.exitcode is None for p in processes]
            return not any(alive)

        seen = follow(store, done)
        for thread in threads:
            thread.join()
        for process in processes:
            process.join(timeout=60)
        assert [p.exitcode for p in processes] == [0] * len(processes)
        # A writer thread that raised stored no result (a store error must fail the test).
        assert sorted(threads_results) == writers
        children = dict(results.get(timeout=10) for _ in processes)

        expected = {**threads_results, **children}
        details = [item.event.detail for item in seen]
        positions = [item.position for item in seen]
        assert positions == sorted(set(positions))  # strictly growing: in order, no repeat
        assert sorted(details) == sorted(d for committed in expected.values() for d in committed)
        for writer, committed in expected.items():
            assert [d for d in details if d.startswith(f"{writer}:")] == committed
        with store.transaction(readonly=True) as tx:
            assert tx.read_feed(BIZ, after=0, limit=10_000) == seen
            assert tx.feed_head(BIZ) >= positions[-1]
            others = tx.read_feed("studio-2", after=0, limit=10_000)
        assert len(others) == sum(
            len({d.rsplit(":", 1)[0] for d in committed}) for committed in expected.values()
        )


def _add_one(store: Store, writer: str) -> str:
    """One event of ``writer`` in a transaction of its own: "committed", or the error."""
    event = Event(business_id=BIZ, customer_id=f"cus_{writer}", kind=EventKind.UPDATED, at=T0)
    try:
        with store.transaction() as tx:
            tx.add_events([attrs.evolve(event, detail=writer)])
    except InviteKitError as err:
        return f"{type(err).__name__}: {err}"
    return "committed"


def _add_one_in_process(recipe: StoreRecipe, writer: str, results: Any) -> None:
    store = store_from_recipe(recipe)
    results.put(_add_one(store, writer))
    store.engine.dispose()


def _until_waiting_on_the_counter(store: Store, kind: str, count: int) -> None:
    """Return once ``count`` transactions wait for the feed's counter row.

    The servers show their waiting sessions; SQLite and the memory store do not,
    so there the writers get a moment to arrive (arriving later, they must
    commit all the same).
    """
    if kind not in SERVER_KINDS:
        time.sleep(0.2)
        return
    assert isinstance(store, SQLStore)
    schema = store.engine.get_execution_options()["schema_translate_map"][None]
    # Sessions running a statement on the counter while this one holds its row:
    # waiting for it.  (MariaDB's information_schema.innodb_trx can miss a waiting
    # transaction; its process list does not.)
    if kind == "mysql":
        waiting = sa.text(
            "SELECT COUNT(*) FROM information_schema.processlist"
            " WHERE command = 'Query' AND info LIKE :pattern AND id <> CONNECTION_ID()"
        )
    else:
        waiting = sa.text(
            "SELECT COUNT(*) FROM pg_stat_activity"
            " WHERE state = 'active' AND query LIKE :pattern AND pid <> pg_backend_pid()"
        )
    pattern = f"%{schema}%invitekit_feed%"
    for _ in range(6000):  # a minute at most: writers that never wait are a failure
        with store.engine.connect() as conn:
            if conn.execute(waiting, {"pattern": pattern}).scalar_one() >= count:
                return
        time.sleep(0.01)
    pytest.fail(f"{count} writers never waited for the feed's counter")


@pytest.mark.parametrize("kind", store_params())
def test_writers_waiting_behind_a_first_writer_that_rolls_back_all_commit(kind: str) -> None:
    """A fresh store's first events are taken back while two more writers wait: both commit.

    On MariaDB the first writer once inserted the counter's row: rolled back, it
    left both waiting writers to insert it, and one of them was rolled back as
    a deadlock (error 1213).
    """
    first = Event(business_id=BIZ, customer_id="cus_0", kind=EventKind.ADDED, at=T0)
    with open_store(kind) as store:
        outcomes: list[str] = []
        waiting: list[Any] = [
            threading.Thread(target=lambda: outcomes.append(_add_one(store, "a")))
        ]
        results: Any = None
        if isinstance(store, SQLStore):  # the other one in a process of its own
            context = multiprocessing.get_context("spawn")
            results = context.Queue()
            waiting.append(
                context.Process(target=_add_one_in_process, args=(recipe_of(store), "b", results))
            )
        else:
            waiting.append(threading.Thread(target=lambda: outcomes.append(_add_one(store, "b"))))
        with pytest.raises(_Abandon), store.transaction() as tx:
            tx.add_events([first])
            tx.list_events(BIZ, "cus_0")  # its position taken now, the counter held
            for writer in waiting:
                writer.start()
            _until_waiting_on_the_counter(store, kind, 2)
            raise _Abandon
        if results is not None:
            outcomes.append(results.get(timeout=120))
        for writer in waiting:
            writer.join()
        assert outcomes == ["committed", "committed"]
        with store.transaction(readonly=True) as tx:
            feed = tx.read_feed(BIZ, after=0, limit=10)
        assert [item.position for item in feed] == [1, 2]
        assert sorted(item.event.detail for item in feed) == ["a", "b"]


@pytest.mark.parametrize("kind", store_params(["sqlite", *SERVER_KINDS]))
def test_many_writers_of_one_business_number_their_events_without_gaps(kind: str) -> None:
    """Threads adding events for one business at once: each waits its turn, none is lost."""
    with open_store(kind) as store:
        barrier = threading.Barrier(6)

        def one(n: int) -> None:
            barrier.wait()
            for i in range(10):
                with store.transaction() as tx:
                    tx.add_events(
                        [
                            Event(
                                business_id=BIZ,
                                customer_id="cus_1",
                                kind=EventKind.UPDATED,
                                at=T0,
                                detail=f"{n}:{i}",
                            )
                        ]
                    )

        threads = [threading.Thread(target=one, args=(n,)) for n in range(6)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        with store.transaction(readonly=True) as tx:
            feed = tx.read_feed(BIZ, after=0, limit=1000)
        assert [item.position for item in feed] == list(range(1, 61))
