"""Bounces recorded at once by several processes: no bounce lost, one pause, one count per report.

Two processes record the hard bounces of one campaign at the same moment: every
bounce is recorded, and the campaign pauses once, at the bounce that passed the
share (the campaign row is locked while a recorder decides).  Two processes
record the same report: exactly one of them records it (one event, counted
once), the other is told it was recorded already (``recorded=False``): the
customer's compare-and-set makes the second one read again.
"""

from __future__ import annotations

import multiprocessing
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from invitekit import Audience, BounceSettings, CircuitBreaker, EventKind, InviteKit, OutboxState
from invitekit.adapters.sql import SQLStore
from invitekit.ports import Store
from invitekit.testing import FakeClock, make_business, make_kit
from tests.stores import (
    SERVER_KINDS,
    StoreRecipe,
    open_store,
    recipe_of,
    store_from_recipe,
    store_params,
)

BUSINESS = make_business()
SETTINGS = BounceSettings(soft_limit=2, breaker=CircuitBreaker(share=0.1, minimum=20))


def _kit(store: Store) -> InviteKit:
    return make_kit(store=store, clock=FakeClock(), business=BUSINESS, bounces=SETTINGS)


def _record(recipe: StoreRecipe, start: Any, results: Any, reports: list[tuple[str, str]]) -> None:
    """In a child process: wait for the other, then record ``reports`` (message id, kind)."""
    store = store_from_recipe(recipe)
    kit = _kit(store)
    start.wait()
    outcomes = [kit.record_bounce(message_id, kind) for message_id, kind in reports]
    results.put([(o.recorded, o.paused) for o in outcomes])
    assert isinstance(store, SQLStore)
    store.engine.dispose()


def _in_processes(store: Store, work: list[list[tuple[str, str]]]) -> list[tuple[bool, bool]]:
    context = multiprocessing.get_context("spawn")
    start, results = context.Barrier(len(work)), context.Queue()
    processes = [
        context.Process(target=_record, args=(recipe_of(store), start, results, reports))
        for reports in work
    ]
    for process in processes:
        process.start()
    outcomes = [o for _ in processes for o in results.get(timeout=300)]
    for process in processes:
        process.join(timeout=60)
    assert [p.exitcode for p in processes] == [0] * len(processes)
    return outcomes


def _in_threads(store: Store, work: list[list[tuple[str, str]]]) -> list[tuple[bool, bool]]:
    kit = _kit(store)

    def record(reports: list[tuple[str, str]]) -> list[tuple[bool, bool]]:
        return [(o.recorded, o.paused) for o in (kit.record_bounce(m, k) for m, k in reports)]

    with ThreadPoolExecutor(len(work)) as pool:
        return [o for outcomes in pool.map(record, work) for o in outcomes]


def _sent_campaign(kit: InviteKit, customers: int, sent: int) -> list[str]:
    for number in range(customers):
        kit.add_customer(f"c{number:03d}@example.com")
    kit.invite_audience(Audience.all())
    assert kit.deliver(limit=sent).sent == sent
    return [m.message_id for m in kit.outbox_messages(state=OutboxState.SENT)]


def _check_one_pause(kit: InviteKit, outcomes: list[tuple[bool, bool]]) -> None:
    assert all(recorded for recorded, _ in outcomes) and len(outcomes) == 20
    assert sum(paused for _, paused in outcomes) == 1
    (campaign,) = kit.list_campaigns()
    assert campaign.pause_reason is not None
    # Paused at the fifth of 40 (more than 10%), not later: no bounce was missed,
    # and nobody paused it a second time.
    assert campaign.pause_reason.startswith("5 of the first 40 messages bounced hard")
    assert len(kit.outbox_messages(state=OutboxState.PAUSED)) == 20
    bounced = [
        e
        for m in kit.outbox_messages(state=OutboxState.SENT)
        for e in kit.history(str(m.customer_id))
        if e.kind is EventKind.BOUNCED
    ]
    assert len(bounced) == 20


def _check_counted_once(kit: InviteKit, outcomes: list[tuple[bool, bool]], customer: str) -> None:
    assert sorted(recorded for recorded, _ in outcomes) == [False] * (len(outcomes) - 1) + [True]
    events = [e for e in kit.history(customer) if e.kind is EventKind.BOUNCED]
    assert len(events) == 1
    assert not kit.get_customer(customer).undeliverable  # 1 soft bounce of the 2 needed


@pytest.mark.slow
@pytest.mark.parametrize("kind", store_params(["sqlite", *SERVER_KINDS]))
def test_two_processes_bouncing_one_campaign_pause_it_once_and_lose_nothing(kind: str) -> None:
    with open_store(kind) as store:
        kit = _kit(store)
        sent = _sent_campaign(kit, 60, 40)
        outcomes = _in_processes(
            store, [[(m, "hard") for m in sent[:10]], [(m, "hard") for m in sent[10:20]]]
        )
        _check_one_pause(kit, outcomes)


@pytest.mark.slow
@pytest.mark.parametrize("kind", store_params(["sqlite", *SERVER_KINDS]))
def test_two_processes_recording_one_report_count_it_once(kind: str) -> None:
    with open_store(kind) as store:
        kit = _kit(store)
        (message_id,) = _sent_campaign(kit, 1, 1)
        (row,) = kit.outbox_messages(state=OutboxState.SENT)
        outcomes = _in_processes(store, [[(message_id, "soft")], [(message_id, "soft")]])
        _check_counted_once(kit, outcomes, str(row.customer_id))


def test_threads_bouncing_one_campaign_pause_it_once_and_lose_nothing(store: Store) -> None:
    kit = _kit(store)
    sent = _sent_campaign(kit, 60, 40)
    work = [[(m, "hard") for m in sent[n : n + 5]] for n in range(0, 20, 5)]

    _check_one_pause(kit, _in_threads(store, work))


def test_threads_recording_one_report_count_it_once(store: Store) -> None:
    kit = _kit(store)
    (message_id,) = _sent_campaign(kit, 1, 1)
    (row,) = kit.outbox_messages(state=OutboxState.SENT)

    outcomes = _in_threads(store, [[(message_id, "soft")] for _ in range(4)])

    _check_counted_once(kit, outcomes, str(row.customer_id))
