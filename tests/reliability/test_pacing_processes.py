"""Pacing across processes: 4 workers on one PostgreSQL database never pass the hourly limit.

Each round starts 4 worker processes (:func:`tests.reliability.workers.deliver_paced`),
each with its own FakeClock standing at the same instant, released together at
a barrier; each delivers until nothing is due.  The slots of the hour are
reserved in the store (``reserve_attempt``), so however the claims interleave,
the round sends exactly the hour's allowance and holds the rest back until the
slot that opens first.  SQLite runs the same story with 2 processes.
"""

from __future__ import annotations

import multiprocessing
from datetime import UTC, datetime, timedelta

import attrs
import pytest

from invitekit import Audience, OutboxState, Pacing
from invitekit.adapters.memory import MemoryMailer
from invitekit.adapters.sql import SQLStore
from invitekit.testing import make_kit
from tests.reliability import workers
from tests.reliability.conftest import Figures
from tests.reliability.test_scale_out import add_customers
from tests.reliability.world import BUSINESS
from tests.stores import open_store, recipe_of

T0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
PER_HOUR = 25
MESSAGES = 120


def _round(store: SQLStore, processes: int, at: datetime) -> list[tuple[int, int]]:
    context = multiprocessing.get_context("spawn")
    go, results = context.Barrier(processes + 1), context.Queue()
    ready = [context.Event() for _ in range(processes)]  # kept until the workers read them
    pool = [
        context.Process(
            target=workers.deliver_paced,
            args=(recipe_of(store),),
            kwargs={
                "clock_start": at.isoformat(),
                "batch_size": 4,
                "ready": ready[number],
                "go": go,
                "results": results,
            },
        )
        for number in range(processes)
    ]
    for process in pool:
        process.start()
    go.wait(timeout=120)
    reports = [results.get(timeout=300) for _ in pool]
    for process in pool:
        process.join(timeout=60)
    assert [p.exitcode for p in pool] == [0] * processes
    return reports


@pytest.mark.slow
@pytest.mark.parametrize(
    ("kind", "processes"),
    [
        pytest.param("postgresql", 4, id="postgresql", marks=pytest.mark.postgresql),
        pytest.param("sqlite", 2, id="sqlite"),
    ],
)
def test_worker_processes_never_pass_the_hourly_limit(
    kind: str, processes: int, figures: Figures
) -> None:
    business = attrs.evolve(BUSINESS, pacing=Pacing(per_hour=PER_HOUR))
    with open_store(kind) as store:
        assert isinstance(store, SQLStore)
        add_customers(store, MESSAGES)
        kit = make_kit(store=store, mailer=MemoryMailer(), clock=None, business=business)
        assert kit.invite_audience(Audience.all()).queued == MESSAGES

        rounds = []
        for hour in range(3):
            at = T0 + timedelta(hours=hour)
            reports = _round(store, processes, at)
            rounds.append(reports)
            messages = kit.outbox_messages()
            sent = [m for m in messages if m.state is OutboxState.SENT]
            waiting = [m for m in messages if m.state is OutboxState.PENDING]
            # Exactly the hour's allowance went, whoever sent it ...
            assert len(sent) == PER_HOUR * (hour + 1)
            assert sum(s for s, _held in reports) == PER_HOUR
            assert all(m.sent_at is not None and m.sent_at <= at for m in sent)
            # ... and the rest waits for the next hour, no attempt spent.
            assert len(waiting) == MESSAGES - len(sent)
            assert {(m.next_attempt_at, m.attempts) for m in waiting} == {
                (at + timedelta(hours=1), 0)
            }
    figures.record(
        f"pacing {kind}",
        workers=processes,
        per_hour=PER_HOUR,
        sent_per_round=[sum(s for s, _h in r) for r in rounds],
        per_worker_per_round=[sorted(s for s, _h in r) for r in rounds],
    )
