"""Fault injection in the Store: a database error at any call never leaves half a write.

For each operation (a campaign, a delivery, an activation, an import) the test
first runs it cleanly through a counting :class:`~invitekit.testing.FaultyStore`
to learn how many Transaction calls and commits it makes; then, for every one of
them, it rebuilds the same world, makes exactly that call (or commit) fail with
``StorageError``, and checks:

- the stored state (read through the Store, see ``world.state_of``) is the state
  before the operation, or, for the operations documented as working batch by
  batch (``invite_audience``, ``import_customers``, ``deliver``), the state after
  some whole number of batches (messages, for ``deliver``) — never half of one;
- running the operation again succeeds and ends in the clean run's final state
  (ids, timestamps and lease bookkeeping aside; see ``world.state_of``).
"""

from __future__ import annotations

import atexit
import contextlib
import functools
import shutil
import tempfile
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import attrs
import pytest

from invitekit import Audience, InviteKit, StorageError
from invitekit.adapters.sql import SQLStore
from invitekit.model import Email
from invitekit.ports import Store
from invitekit.testing import FakeClock, FaultyStore, FlakyMailer, extract_link
from tests.reliability.conftest import Figures
from tests.reliability.world import ACTIVATE, PASSWORD, address, make_kit, state_of
from tests.stores import _FAST_DIR, open_store, store_params

BATCH = 4
REFUSED = address(7)  # the mail server refuses this one for good


@attrs.define
class World:
    """A kit on a FaultyStore with its mailer and clock, and what the story needs to go on."""

    kit: InviteKit
    store: FaultyStore
    mailer: FlakyMailer
    clock: FakeClock
    token: str = ""
    size: int = 0


def _refuse(email: Email) -> str | None:
    return "permanent" if email.to == REFUSED else None


def _build(store: Store, stage: str, customers: int) -> str:
    """Add ``customers`` of every kind and bring them to ``stage``; the activation token.

    ``stage`` is "added", "queued" or "delivered".
    """
    mailer = FlakyMailer(fail=_refuse)
    kit = make_kit(store, mailer, FakeClock(), batch_size=BATCH)
    kit.create_group("Monday")
    ids = [
        kit.add_customer(address(n), first_name=f"N{n}", locale=("es", "fr", None)[n % 3]).id
        for n in range(customers)
    ]
    kit.add_to_group("Monday", ids[::2])
    kit.archive_customer(ids[3])
    if stage in {"queued", "delivered"}:
        kit.invite_audience(Audience.all())
    if stage != "delivered":
        return ""
    kit.deliver()
    return extract_link(mailer.sent[-1], ACTIVATE).removeprefix(ACTIVATE)


@functools.cache
def _sqlite_world(stage: str, customers: int) -> tuple[Path, str]:
    """An SQLite file at ``stage``, made once and copied for each injection point."""
    directory = tempfile.mkdtemp(prefix="invitekit-faults-", dir=_FAST_DIR)
    atexit.register(shutil.rmtree, directory, ignore_errors=True)
    path = Path(directory, f"{stage}-{customers}.db")
    store = SQLStore.from_url(f"sqlite:///{path}")
    token = _build(store, stage, customers)
    store.engine.dispose()
    return path, token


@contextlib.contextmanager
def _store_at(kind: str, stage: str, customers: int) -> Iterator[tuple[Store, str]]:
    if kind != "sqlite":
        with open_store(kind) as store:
            yield store, _build(store, stage, customers)
        return
    template, token = _sqlite_world(stage, customers)
    with tempfile.TemporaryDirectory(prefix="invitekit-", dir=_FAST_DIR) as directory:
        path = Path(directory, "invitekit.db")
        shutil.copyfile(template, path)
        store = SQLStore.from_url(f"sqlite:///{path}", create=False)
        try:
            yield store, token
        finally:
            store.engine.dispose()


@contextlib.contextmanager
def world(kind: str, stage: str, size: int) -> Iterator[World]:
    """``size`` customers of every kind, brought to ``stage``, behind a FaultyStore."""
    with _store_at(kind, stage, size) as (inner, token):
        store = FaultyStore(inner)
        mailer, clock = FlakyMailer(fail=_refuse), FakeClock()
        kit = make_kit(store, mailer, clock, batch_size=BATCH)
        yield World(kit=kit, store=store, mailer=mailer, clock=clock, token=token, size=size)


def _campaign(w: World) -> Any:
    return w.kit.invite_audience(Audience.all())


def _delivery(w: World) -> Any:
    return w.kit.deliver()


def _activation(w: World) -> Any:
    return w.kit.accept_invitation(w.token, PASSWORD)


def _imported(size: int) -> list[str]:
    """The addresses of the CSV file an import of ``size`` reads, in file order."""
    return [address(1000 + n) for n in range(size)]


def _import(w: World) -> Any:
    rows = [f"{a},I{n},{'Tue' if n % 2 else 'Wed'}\n" for n, a in enumerate(_imported(w.size))]
    return w.kit.import_customers("email,first_name,groups\n" + "".join(rows), group="Imported")


# Customers in the world (rows in the file, for the import); --long triples them.
SIZES = {"campaign": 20, "delivery": 10, "activation": 4, "import": 8}
# (stage the world is brought to, the operation, how its partial states are allowed to look)
OPERATIONS: dict[str, tuple[str, Callable[[World], Any], str]] = {
    "campaign": ("added", _campaign, "batches"),
    "delivery": ("queued", _delivery, "messages"),
    "activation": ("delivered", _activation, "atomic"),
    "import": ("added", _import, "rows"),
}


def _check_partial(
    how: str, seen: dict[str, Any], before: dict[str, Any], after: dict[str, Any], order: list[str]
) -> None:
    """Assert ``seen`` is ``before``, or ``before`` advanced by whole steps toward ``after``.

    ``order`` is the customers (emails) in the order the operation's batches take them.
    """
    if how == "atomic":
        assert seen == before
        return
    everyone = set(seen["customers"]) | set(before["customers"])
    changed = {e for e in everyone if seen["customers"].get(e) != before["customers"].get(e)}
    # A customer the operation touched is exactly as at the clean run's end: never half-done.
    for email in changed:
        assert seen["customers"].get(email) == after["customers"].get(email), email
    assert seen["unaddressed"] == before["unaddressed"]
    if how == "messages":
        # Each message is recorded in a transaction of its own, in any order.
        assert seen["groups"] == before["groups"]
        return
    touched = [e for e in order if before["customers"].get(e) != after["customers"].get(e)]
    batches = range(0, len(order) + BATCH, BATCH)
    if how == "batches":
        assert seen["groups"] == before["groups"]
        assert any(changed == {e for e in order[:end] if e in touched} for end in batches)
    else:  # rows: the groups are made first, one by one; then the rows in batches
        assert set(seen["groups"]) <= set(after["groups"])
        assert any(changed == set(order[:end]) for end in batches)


def _order(w: World, name: str) -> list[str]:
    """The customers in the order the operation's batches take them."""
    if name == "import":
        return _imported(w.size)
    return [c.email for c in w.kit.list_customers(archived=None)]


def _run_clean(kind: str, name: str, size: int) -> tuple[int, int, dict[str, Any], dict[str, Any]]:
    stage, operation, _how = OPERATIONS[name]
    with world(kind, stage, size) as w:
        before = state_of(w.kit)
        w.store.arm()
        operation(w)
        calls, commits = w.store.calls, w.store.commits
        return calls, commits, before, state_of(w.kit)


@pytest.mark.parametrize("name", list(OPERATIONS))
@pytest.mark.parametrize("kind", store_params(["memory", "sqlite", "postgresql"]))
def test_a_storage_error_at_any_call_leaves_whole_batches_and_a_retry_finishes(
    kind: str, name: str, figures: Figures, long_run: bool
) -> None:
    stage, operation, how = OPERATIONS[name]
    size = SIZES[name] * (3 if long_run else 1)
    calls, commits, clean_before, clean_after = _run_clean(kind, name, size)
    points = [("call", n) for n in range(1, calls + 1)]
    points += [("commit", n) for n in range(1, commits + 1)]
    if kind == "postgresql" and not long_run:
        # PostgreSQL rebuilds the world at each point (about a second): at CI size a
        # spread of ten points, calls and commits alike; every point with --long.
        points = points[:: max(1, len(points) // 10)] + points[-1:]
    resent = 0
    for where, n in points:
        with world(kind, stage, size) as w:
            before = clean_before  # the same world, copied or rebuilt
            sent_before = len(w.mailer.sent)
            w.store.arm(**{where: n})
            with pytest.raises(StorageError, match="injected fault"):
                operation(w)
            _check_partial(how, state_of(w.kit), before, clean_after, _order(w, name))

            # A claim left by the failed delivery holds until its lease ends.
            w.clock.advance(w.kit.outbox.lease + timedelta(seconds=1))
            operation(w)
            assert state_of(w.kit) == clean_after, (where, n)
            sent = [m.message_id for m in w.mailer.sent[sent_before:]]
            resent += len(sent) - len(set(sent))
    figures.record(
        "store faults",
        injection_points=len(points),
        **{f"{kind}_points": len(points)},
        **{f"{name}_points": len(points)},
        resent_after_fault=resent,
        half_written=0,
    )


def test_the_faulty_store_fails_once_and_rolls_back_what_the_transaction_did() -> None:
    with world("memory", "added", 5) as w:
        before = state_of(w.kit)
        w.store.arm(commit=1)
        with pytest.raises(StorageError, match="commit 1"):
            w.kit.add_customer("late@example.com")
        assert state_of(w.kit) == before
        assert not w.store.armed
        w.kit.add_customer("late@example.com")
        assert w.kit.find_customer("late@example.com") is not None
        assert w.store.injected == 1


def test_the_faulty_store_counts_the_calls_it_lets_through() -> None:
    with world("memory", "added", 5) as w:
        first = w.kit.list_customers()[0]
        w.store.arm()
        w.kit.get_customer(first.id)
        assert (w.store.calls, w.store.commits) == (1, 1)
        w.store.arm(call=1)
        with pytest.raises(StorageError, match=r"call 1 \(list_customers\)"):
            w.kit.list_customers()
        assert w.store.injected == 1
