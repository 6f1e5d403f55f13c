"""A provider sign-in that keeps losing races decides again, then gives up clearly."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from invitekit import ConcurrentUpdate, DuplicateIdentity
from invitekit.adapters.memory import MemoryStore
from invitekit.identities import Identity
from invitekit.ports import Transaction
from invitekit.testing import make_kit


class _Racing:
    """A Store whose identity inserts always lose to another writer, ``losses`` times."""

    def __init__(self, losses: int) -> None:
        self.inner = MemoryStore()
        self.losses = losses
        self.attempts = 0

    @contextmanager
    def transaction(self, *, readonly: bool = False) -> Iterator[Any]:
        with self.inner.transaction(readonly=readonly) as tx:
            yield _RacingTransaction(self, tx)


class _RacingTransaction:
    def __init__(self, store: _Racing, tx: Transaction) -> None:
        self._store, self._tx = store, tx

    def __getattr__(self, name: str) -> Any:
        return getattr(self._tx, name)

    def insert_identity(self, identity: Identity) -> None:
        self._store.attempts += 1
        if self._store.attempts <= self._store.losses:
            raise DuplicateIdentity("another sign-in linked it first")
        self._tx.insert_identity(identity)


def test_a_lost_race_is_decided_again() -> None:
    store = _Racing(losses=2)
    kit = make_kit(store=store)  # type: ignore[arg-type]
    kit.add_customer("ana@example.com")

    ana = kit.sign_in_with_provider("google", "g", email="ana@example.com", email_verified=True)

    assert store.attempts == 3
    assert [i.subject for i in kit.identities(ana.id)] == ["g"]


def test_after_five_lost_races_the_answer_is_a_concurrent_update() -> None:
    store = _Racing(losses=99)
    kit = make_kit(store=store)  # type: ignore[arg-type]
    ana = kit.add_customer("ana@example.com")

    with pytest.raises(ConcurrentUpdate):
        kit.sign_in_with_provider("google", "g", email="ana@example.com", email_verified=True)

    assert store.attempts == 5
    assert kit.identities(ana.id) == []
    assert kit.get_customer(ana.id) == ana  # every attempt rolled back
