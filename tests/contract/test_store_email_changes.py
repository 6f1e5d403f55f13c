"""The pending email changes of every store: one per customer, replaced, undone with the rest."""

from __future__ import annotations

import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import attrs
import pytest

from invitekit.email_change import EmailChange
from invitekit.ports import Store
from tests.contract.test_store import BIZ, OTHER, T0, make_customer

ANA = make_customer(1)


def change(number: int, *, business_id: str = BIZ) -> EmailChange:
    return EmailChange(
        id=f"chg_{number}",
        business_id=business_id,
        customer_id=ANA.id,
        email=f"Neu{number}@Example.com",
        email_key=f"neu{number}@example.com",
        requested_at=T0 + timedelta(minutes=number),
    )


def test_a_change_is_stored_found_replaced_and_deleted_per_business(store: Store) -> None:
    with store.transaction() as tx:
        tx.put_email_change(change(1))
        tx.put_email_change(change(9, business_id=OTHER))
    with store.transaction() as tx:
        first = tx.get_email_change(BIZ, ANA.id)
        tx.put_email_change(change(2))
    with store.transaction() as tx:
        replaced = tx.get_email_change(BIZ, ANA.id)
        tx.delete_email_change(BIZ, ANA.id)
        tx.delete_email_change(BIZ, "cus_unknown")
    with store.transaction(readonly=True) as tx:
        gone = tx.get_email_change(BIZ, ANA.id)
        elsewhere = tx.get_email_change(OTHER, ANA.id)

    assert (first, replaced, gone) == (change(1), change(2), None)
    assert elsewhere == change(9, business_id=OTHER)


def test_a_change_written_in_a_rolled_back_transaction_is_undone(store: Store) -> None:
    with store.transaction() as tx:
        tx.put_email_change(change(1))
    with pytest.raises(RuntimeError), store.transaction() as tx:
        tx.put_email_change(change(2))
        tx.delete_email_change(BIZ, ANA.id)
        tx.put_email_change(change(3))
        raise RuntimeError("undo")
    with store.transaction(readonly=True) as tx:
        assert tx.get_email_change(BIZ, ANA.id) == change(1)


def test_a_change_written_in_a_savepoint_that_fails_is_undone(store: Store) -> None:
    with store.transaction() as tx:
        tx.put_email_change(change(1))
        with pytest.raises(RuntimeError), tx.savepoint():
            tx.delete_email_change(BIZ, ANA.id)
            raise RuntimeError("undo")
        kept = tx.get_email_change(BIZ, ANA.id)
    assert kept == change(1)


def test_requests_written_at_once_leave_exactly_one_of_them(store: Store) -> None:
    threads = 8
    start = threading.Barrier(threads)

    def put(number: int) -> str:
        start.wait(timeout=60)
        with store.transaction() as tx:
            tx.put_email_change(attrs.evolve(change(number), id=f"chg_{number}"))
        return "ok"

    with ThreadPoolExecutor(threads) as pool:
        outcomes = Counter(pool.map(put, range(threads)))

    assert outcomes == Counter({"ok": threads})
    with store.transaction(readonly=True) as tx:
        stored = tx.get_email_change(BIZ, ANA.id)
    assert stored is not None
    assert stored in [change(n) for n in range(threads)]
