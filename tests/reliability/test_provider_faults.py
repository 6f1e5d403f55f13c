"""A database error at any point of a provider sign-in or unlink leaves nothing half-written.

For each operation, a clean run counts its Transaction calls and commits
(:class:`~invitekit.testing.FaultyStore`); then each call and each commit in
turn fails once.  After every failure the store holds nothing of the
operation -- never an identity without its customer's activation, a new
customer without its identity, or an unlink without its event -- and the same
operation, retried, ends as the clean run did.  On the memory store and SQLite.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from invitekit import InviteKit, StorageError
from invitekit.adapters.memory import MemoryMailer
from invitekit.testing import FaultyStore, make_kit
from tests.stores import open_store


def _customer_id(kit: InviteKit, email: str) -> str:
    found = kit.find_customer(email)
    assert found is not None
    return found.id


OPERATIONS: dict[str, Callable[[InviteKit], object]] = {
    # Ana, invited: linked and activated.
    "link": lambda kit: kit.sign_in_with_provider(
        "google", "g-1", email="ana@example.com", email_verified=True
    ),
    # A new address: a new customer with the identity.
    "create": lambda kit: kit.sign_in_with_provider(
        "google", "g-2", email="new@example.com", email_verified=True
    ),
    # Bo, linked to two providers, unlinks one.
    "unlink": lambda kit: kit.unlink_provider(_customer_id(kit, "bo@example.com"), "facebook"),
}


def _state(kit: InviteKit) -> dict[str, Any]:
    """Everything the operations touch: statuses, labels, identities, histories."""
    return {
        c.email: (
            c.status,
            c.auth_provider,
            c.version,
            sorted((i.provider, i.subject) for i in kit.identities(c.id)),
            [e.kind for e in kit.history(c.id)],
        )
        for c in kit.list_customers(archived=None)
    }


@contextmanager
def _kit(kind: str) -> Iterator[tuple[InviteKit, FaultyStore]]:
    with open_store(kind) as inner:
        store = FaultyStore(inner)
        kit = make_kit(store=store, mailer=MemoryMailer())
        kit.add_customer("ana@example.com", invite=True)
        kit.deliver()
        bo = kit.sign_in_with_provider(
            "google", "b-1", email="bo@example.com", email_verified=True
        )
        kit.sign_in_with_provider("facebook", "b-2", email=bo.email, email_verified=True)
        yield kit, store


@pytest.mark.parametrize("kind", ["memory", "sqlite"])
@pytest.mark.parametrize("name", sorted(OPERATIONS))
def test_a_failure_anywhere_leaves_nothing_and_a_retry_finishes(kind: str, name: str) -> None:
    operation = OPERATIONS[name]
    with _kit(kind) as (kit, store):
        before = _state(kit)
        store.arm()
        operation(kit)
        calls, commits = store.calls, store.commits
        after = _state(kit)
    assert after != before
    faults = [{"call": n} for n in range(1, calls + 1)]
    faults += [{"commit": n} for n in range(1, commits + 1)]
    for fault in faults:
        with _kit(kind) as (kit, store):
            store.arm(**fault)
            with pytest.raises(StorageError):
                operation(kit)
            assert _state(kit) == before, fault
            operation(kit)
            assert _state(kit) == after, fault
