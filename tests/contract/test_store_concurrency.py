"""Several workers on one store at once: claims never overlap, campaigns never double up.

Reservations of one throttle key from many threads never exceed the limit, and
the lock a reservation takes ends with its transaction.
"""

from __future__ import annotations

import multiprocessing
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any

import attrs
import pytest

from invitekit import Audience, OutboxState, Status
from invitekit.adapters.sql import SQLStore
from invitekit.ids import new_id
from invitekit.model import Customer, OutboxMessage
from invitekit.ports import Store
from invitekit.testing import make_business, make_kit
from tests.stores import (
    SERVER_KINDS,
    StoreRecipe,
    open_store,
    recipe_of,
    store_from_recipe,
    store_params,
)

T0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
BUSINESS = make_business()


def test_concurrent_claims_never_hand_out_one_message_twice(store: Store) -> None:
    messages = [
        OutboxMessage(
            id=new_id("msg"),
            business_id="studio-1",
            customer_id=f"cus_{n:04d}",
            kind="invitation",
            recipient="t@x.example",
            message_id="m",
            locale="en",
            created_at=T0,
            not_before=T0,
        )
        for n in range(300)
    ]
    with store.transaction() as tx:
        tx.enqueue(messages)
    workers = 8
    start = threading.Barrier(workers)

    def worker(number: int) -> list[str]:
        start.wait()
        taken: list[str] = []
        while True:
            with store.transaction() as tx:
                claimed = tx.claim_outbox(
                    now=T0,
                    lease_until=T0 + timedelta(minutes=5),
                    claim_token=f"clm_{number}",
                    limit=7,
                )
            if not claimed:
                return taken
            taken += [m.id for m in claimed]

    with ThreadPoolExecutor(workers) as pool:
        results = list(pool.map(worker, range(workers)))

    counts = Counter(message_id for taken in results for message_id in taken)
    assert sorted(counts) == sorted(m.id for m in messages)
    assert set(counts.values()) == {1}


def _campaign(recipe: StoreRecipe, start: Any, results: Any) -> None:
    """In a child process: wait for the other, then invite everyone."""
    store = store_from_recipe(recipe)
    kit = make_kit(store=store, business=BUSINESS)
    start.wait()
    report = kit.invite_audience(Audience.all())
    results.put((report.queued, report.total_skipped))
    store.engine.dispose()


@pytest.mark.slow
@pytest.mark.parametrize("kind", store_params(["sqlite", *SERVER_KINDS]))
def test_two_campaigns_started_together_queue_one_invitation_each(kind: str) -> None:
    customers = 2_000
    with open_store(kind) as store:
        assert isinstance(store, SQLStore)
        template = Customer(
            id="", business_id=BUSINESS.id, email="", email_key="", created_at=T0, updated_at=T0
        )
        with store.transaction() as tx:
            for n in range(customers):
                email = f"customer{n}@example.com"
                tx.insert_customer(
                    attrs.evolve(template, id=new_id("cus"), email=email, email_key=email)
                )
        context = multiprocessing.get_context("spawn")
        start, results = context.Barrier(2), context.Queue()
        processes = [
            context.Process(target=_campaign, args=(recipe_of(store), start, results))
            for _ in range(2)
        ]
        for process in processes:
            process.start()
        reports = [results.get(timeout=300) for _ in processes]
        for process in processes:
            process.join(timeout=60)

        with store.transaction() as tx:
            pending = tx.list_outbox(BUSINESS.id, state=OutboxState.PENDING)
            counts = tx.count_customers(BUSINESS.id)
    per_customer = Counter(m.customer_id for m in pending)
    assert [p.exitcode for p in processes] == [0, 0]
    assert len(per_customer) == customers
    assert set(per_customer.values()) == {1}
    assert sum(queued for queued, _ in reports) == customers
    assert sum(skipped for _, skipped in reports) == customers
    assert counts[Status.ADDED] == customers


def test_simultaneous_reservations_of_one_key_never_pass_the_limit(store: Store) -> None:
    threads, limit = 24, 5
    start = threading.Barrier(threads)

    def reserve(_number: int) -> int | None:
        start.wait()
        with store.transaction() as tx:
            reservation = tx.reserve_attempt(
                "studio-1", "email:ana@example.com", at=T0, since=T0, limit=limit
            )
            time.sleep(0.005)  # the rest of a transaction: others arrive meanwhile
        return reservation

    with ThreadPoolExecutor(threads) as pool:
        results = list(pool.map(reserve, range(threads)))

    granted = [number for number in results if number is not None]
    assert len(granted) == limit
    assert len(set(granted)) == limit
    with store.transaction() as tx:
        assert tx.count_attempts("studio-1", "email:ana@example.com", since=T0) == limit


@pytest.mark.parametrize("kind", store_params(["sqlite", *SERVER_KINDS]))
def test_the_lock_of_a_reservation_ends_with_its_transaction(
    kind: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A lock left behind would make the second store wait this long, then refuse.
    monkeypatch.setattr("invitekit.adapters.sql._attempts._NAMED_LOCK_TIMEOUT_S", 1)

    class Boom(Exception):
        pass

    with open_store(kind) as first:
        assert isinstance(first, SQLStore)
        second = store_from_recipe(recipe_of(first))
        key = "email:ana@example.com"
        try:
            with first.transaction() as tx:
                tx.reserve_attempt("studio-1", key, at=T0, since=T0, limit=10)
            with second.transaction() as tx:
                after_commit = tx.reserve_attempt("studio-1", key, at=T0, since=T0, limit=10)
            with pytest.raises(Boom), first.transaction() as tx:
                tx.reserve_attempt("studio-1", key, at=T0, since=T0, limit=10)
                raise Boom
            with second.transaction() as tx:
                after_rollback = tx.reserve_attempt("studio-1", key, at=T0, since=T0, limit=10)
        finally:
            second.engine.dispose()
    assert after_commit is not None
    assert after_rollback is not None
