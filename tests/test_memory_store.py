from __future__ import annotations

import threading
from datetime import UTC, datetime

import attrs
import pytest

from invitekit import DuplicateCustomer, StorageError
from invitekit.adapters.memory import MemoryStore
from invitekit.model import Customer, Event, EventKind, Group

NOW = datetime(2026, 1, 5, 9, tzinfo=UTC)


def _customer(customer_id: str, email: str) -> Customer:
    return Customer(
        id=customer_id,
        business_id="b",
        email=email,
        email_key=email.lower(),
        created_at=NOW,
        updated_at=NOW,
    )


class Boom(Exception):
    pass


def test_an_exception_inside_a_transaction_leaves_nothing() -> None:
    store = MemoryStore()
    with store.transaction() as tx:
        tx.insert_customer(_customer("c1", "a@example.com"))
    with pytest.raises(Boom), store.transaction() as tx:
        tx.insert_customer(_customer("c2", "b@example.com"))
        moved = attrs.evolve(_customer("c1", "new@example.com"), version=2)
        tx.update_customer(moved, expected_version=1)
        tx.insert_group(Group(id="g1", business_id="b", name="Monday", created_at=NOW))
        tx.add_group_members("b", "g1", ["c1"])
        tx.add_events([Event(business_id="b", customer_id="c1", kind=EventKind.ADDED, at=NOW)])
        raise Boom
    with store.transaction() as tx:
        assert tx.get_customer("b", "c2") is None
        assert tx.find_customer("b", "b@example.com") is None
        assert tx.get_customer("b", "c1") == _customer("c1", "a@example.com")
        assert tx.find_customer("b", "a@example.com") is not None
        assert tx.find_customer("b", "new@example.com") is None
        assert tx.find_group("b", "monday") is None
        assert tx.list_events("b", "c1") == []
        assert [c.id for c in tx.list_customers("b")] == ["c1"]
        assert tx.group_ids_of("b", "c1") == []


def test_nested_transactions_are_refused() -> None:
    store = MemoryStore()
    with store.transaction(), pytest.raises(StorageError), store.transaction():
        pass


def test_concurrent_inserts_of_one_address_keep_one() -> None:
    store = MemoryStore()
    barrier = threading.Barrier(8)
    outcomes: list[str] = []

    def worker(n: int) -> None:
        barrier.wait()
        try:
            with store.transaction() as tx:
                if tx.find_customer("b", "a@example.com") is None:
                    tx.insert_customer(_customer(f"c{n}", "a@example.com"))
            outcomes.append("ok")
        except DuplicateCustomer:
            outcomes.append("duplicate")

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    with store.transaction() as tx:
        assert len(tx.list_customers("b")) == 1
    assert len(outcomes) == 8


def test_paging_by_id() -> None:
    store = MemoryStore()
    with store.transaction() as tx:
        for n in (3, 1, 2, 5, 4):
            tx.insert_customer(_customer(f"c{n}", f"c{n}@example.com"))
    with store.transaction() as tx:
        first = tx.list_customers("b", limit=2)
        rest = tx.list_customers("b", after=first[-1].id)
    assert [c.id for c in first + rest] == ["c1", "c2", "c3", "c4", "c5"]
