"""Crash campaign: delivery and campaign processes killed with SIGKILL at random moments.

**Delivery.**  A worker process delivers the outbox to a real SMTP server
(:class:`~invitekit.testing.SMTPTestServer`, in this process) and is killed at a
random moment, again and again; each time a new worker takes over.  After every
kill the database is checked (a customer is Invited exactly when their
invitation is recorded as sent), and the messages the server holds but the
database does not record as sent are noted: that is the window between the server
accepting a message and the commit of its group (sent messages are recorded
``RECORD_EVERY`` at a time, and at the end of each batch), where a kill may cause
a resend: at most one group per kill.  At the end:
every queued invitation arrived (losses: 0), every customer is Invited with one
"delivered" event, and every duplicate is a message that was in a window, with
the same Message-ID as its first copy.

*The clock.*  The dead worker's claims must expire before the next worker can
take them.  Rather than sleeping through a lease, each worker generation gets a
:class:`~invitekit.testing.FakeClock` that starts one lease (plus a second) after
the previous generation's: to the new worker the old claims have run out, exactly
as they would for a real worker started a lease later.  Only one worker is alive
at a time, so no live claim is ever taken.

**Campaigns.**  A process running ``invite_audience`` on a fresh group is killed
at a random moment; then no invitation may exist without its "invitation queued"
event or the other way round, and running the campaign again queues exactly one
pending invitation per eligible customer of the group.
"""

from __future__ import annotations

import random
import time
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest

from invitekit import Audience, EventKind, OutboxState, Status
from invitekit.adapters.memory import MemoryMailer
from invitekit.adapters.sql import SQLStore
from invitekit.ports import Store
from invitekit.testing import FakeClock, SMTPTestServer
from tests.reliability import workers
from tests.reliability.conftest import Figures
from tests.reliability.world import BUSINESS, address, make_kit
from tests.stores import open_store, recipe_of, store_params

T0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
LEASE = 60.0
BATCH = 10
RECORD_EVERY = 4  # smaller than a batch: groups end at the count and at a batch's end
KINDS = store_params(["sqlite", "postgresql"])


def _customers_csv(first: int, count: int, group: str) -> str:
    rows = "".join(f"{address(first + n)},C{n},{group}\n" for n in range(count))
    return "email,first_name,groups\n" + rows


def _settled(server: SMTPTestServer) -> list[str]:
    """The Message-IDs the server holds, once it has finished with what is on the wire."""
    seen = -1
    while True:
        messages = server.messages
        if len(messages) == seen:
            return [m.message_id or "" for m in messages]
        seen = len(messages)
        time.sleep(0.05)


def _sent_and_consistent(store: Store) -> set[str]:
    """The Message-IDs recorded as sent; checks each customer is Invited iff theirs is."""
    with store.transaction() as tx:
        outbox = tx.list_outbox(BUSINESS.id)
        customers = {c.id: c for c in tx.list_customers(BUSINESS.id)}
    for message in outbox:
        assert message.customer_id is not None
        invited = customers[message.customer_id].status is Status.INVITED
        assert invited == (message.state is OutboxState.SENT), message.customer_id
    return {m.message_id for m in outbox if m.state is OutboxState.SENT}


def _check_events(store: Store, customer_ids: set[str], *, delivered: bool) -> None:
    """Each customer has one "delivered" event if ``delivered``, else none."""
    with store.transaction() as tx:
        for customer_id in customer_ids:
            events = tx.list_events(BUSINESS.id, customer_id)
            assert sum(e.kind is EventKind.DELIVERED for e in events) == int(delivered)


@pytest.mark.slow
@pytest.mark.parametrize("kind", KINDS)
def test_delivery_workers_killed_at_random_lose_nothing(
    kind: str, figures: Figures, long_run: bool
) -> None:
    kills_wanted = 300 if long_run else 12
    # Enough that the outbox outlasts the kills (a worker lives at most 0.25 s).
    count = 25 * kills_wanted
    rng = random.Random()
    seed = rng.randrange(2**32)
    rng.seed(seed)
    context = workers.context()
    with open_store(kind) as store, SMTPTestServer() as server:
        assert isinstance(store, SQLStore)
        kit = make_kit(store, MemoryMailer(), FakeClock(T0), batch_size=500)
        kit.import_customers(_customers_csv(0, count, "all"))
        kit.invite_audience(Audience.all())
        outbox = kit.outbox_messages()
        queued = {m.message_id: m.recipient for m in outbox}
        customer_of = {m.message_id: m.customer_id or "" for m in outbox}
        assert len(queued) == count
        recorded: set[str] = set()

        kills = generations = 0
        windows: set[str] = set()
        while True:
            generations += 1
            ready = context.Event()
            start = T0 + generations * timedelta(seconds=LEASE + 1)
            process = context.Process(
                target=workers.deliver,
                args=(recipe_of(store), server.port),
                kwargs={
                    "clock_start": start.isoformat(),
                    "lease_seconds": LEASE,
                    "batch_size": BATCH,
                    "record_every": RECORD_EVERY,
                    "ready": ready,
                },
            )
            process.start()
            assert ready.wait(60)
            if kills < kills_wanted:
                process.join(timeout=rng.uniform(0, 0.25))
            else:
                process.join(timeout=300)
            if process.exitcode is None:
                workers.kill(process, store)
                kills += 1
                received = set(_settled(server))
                sent = _sent_and_consistent(store)
                # At most the one group between the server's "250" and its commit.
                window = received - sent - windows
                assert len(window) <= RECORD_EVERY, (seed, window)
                windows |= window
                # The history went with the status: for the newly sent, and the window.
                _check_events(store, {customer_of[m] for m in sent - recorded}, delivered=True)
                _check_events(store, {customer_of[m] for m in window}, delivered=False)
                recorded = sent
                continue
            assert process.exitcode == 0, seed
            if kills >= kills_wanted:
                break
            # This worker finished before its kill: the outbox is empty.
            pytest.fail(f"the outbox ran dry after {kills} kills; queue more (seed {seed})")

        arrived = _settled(server)
        copies = Counter(arrived)
        duplicates = {mid: n - 1 for mid, n in copies.items() if n > 1}
        assert set(copies) == set(queued), seed  # nothing lost, nothing unknown
        assert set(duplicates) <= windows, seed  # resent only from inside a window
        assert sum(duplicates.values()) <= kills * RECORD_EVERY
        first_copy: dict[str, bytes] = {}
        for mail in server.messages:  # a resend is the same message: same Message-ID
            assert mail.rcpt_tos == (queued[mail.message_id or ""],)
            # ... and the same bytes: composed again from the same row (links, Date).
            assert first_copy.setdefault(mail.message_id or "", mail.raw) == mail.raw, seed
        _sent_and_consistent(store)
        with store.transaction() as tx:
            customers = tx.list_customers(BUSINESS.id)
            assert {c.status for c in customers} == {Status.INVITED}
            for customer in customers:
                kinds = Counter(e.kind for e in tx.list_events(BUSINESS.id, customer.id))
                assert kinds[EventKind.INVITATION_QUEUED] == kinds[EventKind.DELIVERED] == 1
    figures.record(
        f"crash delivery {kind}",
        kills=kills,
        worker_generations=generations,
        messages=count,
        received=len(arrived),
        losses=len(set(queued) - set(copies)),
        duplicates=sum(duplicates.values()),
        kills_in_window=len(windows),
    )


@pytest.mark.slow
@pytest.mark.parametrize("kind", KINDS)
def test_campaigns_killed_at_random_leave_nothing_half_written(
    kind: str, figures: Figures, long_run: bool
) -> None:
    rounds = 150 if long_run else 8
    per_round = 40
    rng = random.Random()
    seed = rng.randrange(2**32)
    rng.seed(seed)
    context = workers.context()
    killed = queued_before_kill = 0
    with open_store(kind) as store:
        assert isinstance(store, SQLStore)
        kit = make_kit(store, MemoryMailer(), FakeClock(T0), batch_size=BATCH)
        for number in range(rounds):
            group = f"round {number}"
            report = kit.import_customers(_customers_csv(number * per_round, per_round, group))
            kit.archive_customer(report.added[0])
            kit.add_customer(f"google{number}@example.com", auth_provider="google", groups=[group])
            ready = context.Event()
            process = context.Process(
                target=workers.campaign,
                args=(recipe_of(store), group),
                kwargs={"batch_size": BATCH, "ready": ready},
            )
            process.start()
            assert ready.wait(60)
            process.join(timeout=rng.uniform(0, 0.3))
            if process.exitcode is None:
                workers.kill(process, store)
                killed += 1
            else:
                assert process.exitcode == 0
            queued_before_kill += _check_invitations(store, group, rerun=False)
            kit.invite_audience(Audience.group(group))
            assert _check_invitations(store, group, rerun=True) == per_round - 1
    figures.record(
        f"crash campaign {kind}",
        campaign_processes=rounds,
        kills=killed,
        customers=rounds * (per_round + 1),
        queued_before_kill=queued_before_kill,
        half_written=0,
    )


def _check_invitations(store: Store, group: str, *, rerun: bool) -> int:
    """Check the group's invitations match their events; return how many are pending.

    After the rerun, each eligible customer has exactly one pending invitation.
    """
    with store.transaction() as tx:
        (group_id,) = [g.id for g in tx.list_groups(BUSINESS.id) if g.name == group]
        members = tx.list_customers(BUSINESS.id, group_id=group_id)
        pending = 0
        for customer in members:
            outbox = tx.list_outbox(BUSINESS.id, customer_id=customer.id)
            events = tx.list_events(BUSINESS.id, customer.id)
            queued_events = sum(e.kind is EventKind.INVITATION_QUEUED for e in events)
            assert len(outbox) == queued_events, customer.email
            eligible = not customer.archived and customer.status is not Status.ACCEPTED
            expected = {1} if rerun and eligible else ({0, 1} if eligible else {0})
            assert len(outbox) in expected, customer.email
            pending += len(outbox)
    return pending
