"""Scale-out: several worker processes deliver one outbox to a real SMTP server, each message once.

Issue 5 asks for 4 processes and 5,000 invitations on PostgreSQL; SQLite, the
one-machine database, runs the same story with 2 processes and 400.  Workers
are spawned (``multiprocessing`` spawn, as separate programs would be), open the
database from a recipe, wait at a barrier, and call ``deliver()`` until the outbox
is empty, with the system clock and the default lease.  The SMTP server
(:class:`~invitekit.testing.SMTPTestServer`) runs in the test process.
"""

from __future__ import annotations

import math
import multiprocessing
import time
from collections import Counter
from datetime import UTC, datetime

import pytest

from invitekit import Audience, OutboxState, Status
from invitekit.adapters.memory import MemoryMailer
from invitekit.adapters.sql import SQLStore
from invitekit.ids import new_id
from invitekit.model import Customer
from invitekit.ports import Store
from invitekit.testing import SMTPTestServer
from tests.reliability import workers
from tests.reliability.conftest import Figures
from tests.reliability.world import BUSINESS, address, make_kit
from tests.stores import open_store, recipe_of

BATCH = 100
T0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


def add_customers(store: Store, count: int) -> None:
    """Store ``count`` Added customers straight through the Store, 1,000 a transaction."""
    for first in range(0, count, 1_000):
        with store.transaction() as tx:
            for n in range(first, min(first + 1_000, count)):
                email = address(n)
                tx.insert_customer(
                    Customer(
                        id=new_id("cus"),
                        business_id=BUSINESS.id,
                        email=email,
                        email_key=email,
                        created_at=T0,
                        updated_at=T0,
                    )
                )


@pytest.mark.slow
@pytest.mark.parametrize(
    ("kind", "processes", "messages"),
    [
        pytest.param("postgresql", 4, 5_000, id="postgresql", marks=pytest.mark.postgresql),
        pytest.param("sqlite", 2, 400, id="sqlite"),
    ],
)
def test_worker_processes_deliver_every_message_exactly_once(
    kind: str, processes: int, messages: int, figures: Figures, long_run: bool
) -> None:
    messages *= 4 if long_run else 1
    context = multiprocessing.get_context("spawn")
    with open_store(kind) as store, SMTPTestServer() as server:
        assert isinstance(store, SQLStore)
        add_customers(store, messages)
        kit = make_kit(store, MemoryMailer(), None, batch_size=1_000)
        assert kit.invite_audience(Audience.all()).queued == messages
        queued = {m.message_id: m.recipient for m in kit.outbox_messages()}

        go, results = context.Barrier(processes + 1), context.Queue()
        ready = [context.Event() for _ in range(processes)]
        pool = [
            context.Process(
                target=workers.deliver,
                args=(recipe_of(store), server.port),
                kwargs={
                    "clock_start": None,
                    "lease_seconds": 300,
                    "batch_size": BATCH,
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
        started = time.monotonic()
        reports = [results.get(timeout=600) for _ in pool]
        seconds = time.monotonic() - started
        for process in pool:
            process.join(timeout=60)
        assert [p.exitcode for p in pool] == [0] * processes

        received = server.messages
        copies = Counter(mail.message_id for mail in received)
        assert set(copies) == set(queued)
        assert set(copies.values()) == {1}  # exactly once
        for mail in received:
            assert mail.rcpt_tos == (queued[mail.message_id or ""],)
        assert sum(sent for sent, _failed in reports) == messages
        # One SMTP connection per claimed batch: full batches, and at most one
        # short batch per worker at the end.
        assert server.connections <= math.ceil(messages / BATCH) + processes
        counts = kit.status_counts()
        assert counts[Status.INVITED] == messages
        assert {m.state for m in kit.outbox_messages()} == {OutboxState.SENT}
    figures.record(
        f"scale-out {kind}",
        workers=processes,
        messages=messages,
        received=len(received),
        duplicates=len(received) - len(copies),
        smtp_connections=server.connections,
        per_worker=sorted(sent for sent, _failed in reports),
        seconds=round(seconds, 1),
        messages_per_second=round(messages / seconds),
    )
