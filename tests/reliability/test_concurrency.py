"""Concurrency: one link submitted many times at once, campaigns and deliveries side by side.

The rules checked: one activation link, or one reset link, submitted from 16
threads (and from 4 processes on PostgreSQL) at the same moment succeeds exactly
once, the others get ``TokenUsed``; two campaigns for the same audience started
together from two processes queue one invitation per customer; delivery threads
sharing one outbox hand each message to the mailer exactly once.  (Delivery from
several processes is ``test_scale_out.py``.)
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest

from invitekit import Audience, EventKind, InviteKit, InviteKitError, OutboxState, Status
from invitekit.adapters.memory import MemoryMailer
from invitekit.adapters.sql import SQLStore
from invitekit.model import Customer
from invitekit.ports import Store
from invitekit.testing import extract_link
from tests.reliability import workers
from tests.reliability.conftest import Figures
from tests.reliability.test_scale_out import add_customers
from tests.reliability.world import ACTIVATE, PASSWORD, RESET, address, at_once, make_kit
from tests.stores import open_store, recipe_of, store_params

THREADS = 16
PROCESSES = 4


@pytest.fixture(params=store_params(["memory", "sqlite", "postgresql"]))
def store(request: pytest.FixtureRequest) -> Iterator[Store]:
    with open_store(request.param) as store:
        yield store


def _invited(kit: InviteKit, mailer: MemoryMailer, email: str) -> tuple[Customer, str]:
    """A customer invited and delivered to; the token of their activation link."""
    customer = kit.add_customer(email, first_name="Ana")
    kit.invite(customer.id)
    kit.deliver()
    token = extract_link(mailer.to(email)[-1], ACTIVATE).removeprefix(ACTIVATE)
    return customer, token


def _reset_token(kit: InviteKit, mailer: MemoryMailer, email: str) -> tuple[Customer, str]:
    """An Accepted customer who asked for a reset; the token of the reset link."""
    customer, token = _invited(kit, mailer, email)
    kit.accept_invitation(token, PASSWORD)
    kit.request_password_reset(email)
    kit.deliver()
    return customer, extract_link(mailer.to(email)[-1], RESET).removeprefix(RESET)


def _record(figures: Figures, what: str, outcomes: Counter[str]) -> None:
    figures.record(
        "concurrency",
        **{
            f"{what}_attempts": sum(outcomes.values()),
            f"{what}_successes": outcomes["ok"],
            f"{what}_conflicts": outcomes["TokenUsed"],
        },
    )


def test_one_activation_link_from_16_threads_activates_once(
    store: Store, figures: Figures
) -> None:
    mailer = MemoryMailer()
    kit = make_kit(store, mailer, None)
    customer, token = _invited(kit, mailer, address(1))

    outcomes = Counter(at_once(THREADS, lambda n: kit.accept_invitation(token, f"{PASSWORD} {n}")))

    assert outcomes == Counter({"ok": 1, "TokenUsed": THREADS - 1})
    assert kit.get_customer(customer.id).status is Status.ACCEPTED
    kinds = Counter(e.kind for e in kit.history(customer.id))
    assert kinds[EventKind.ACCEPTED] == 1
    _record(figures, "activation", outcomes)


def test_one_reset_link_from_16_threads_changes_the_password_once(
    store: Store, figures: Figures
) -> None:
    mailer = MemoryMailer()
    kit = make_kit(store, mailer, None)
    customer, token = _reset_token(kit, mailer, address(2))

    each = at_once(THREADS, lambda n: kit.reset_password(token, f"{PASSWORD} {n}"))

    outcomes = Counter(each)
    assert outcomes == Counter({"ok": 1, "TokenUsed": THREADS - 1})
    winner = each.index("ok")
    assert not _logs_in(kit, address(2), f"{PASSWORD} {(winner + 1) % THREADS}")
    assert _logs_in(kit, address(2), f"{PASSWORD} {winner}")
    kinds = Counter(e.kind for e in kit.history(customer.id))
    assert kinds[EventKind.PASSWORD_RESET] == 1
    _record(figures, "reset", outcomes)


def _logs_in(kit: InviteKit, email: str, password: str) -> bool:
    try:
        kit.login(email, password)
    except InviteKitError:
        return False
    return True


@pytest.mark.postgresql
@pytest.mark.parametrize("action", ["activate", "reset"])
def test_one_link_from_4_processes_succeeds_once(action: str, figures: Figures) -> None:
    context = workers.context()
    with open_store("postgresql") as store:
        assert isinstance(store, SQLStore)
        mailer = MemoryMailer()
        kit = make_kit(store, mailer, None)
        make = _invited if action == "activate" else _reset_token
        _customer, token = make(kit, mailer, address(3))
        go, results = context.Barrier(PROCESSES), context.Queue()
        pool = [
            context.Process(
                target=workers.redeem,
                args=(recipe_of(store), action, token, f"{PASSWORD} {n}"),
                kwargs={"go": go, "results": results},
            )
            for n in range(PROCESSES)
        ]
        for process in pool:
            process.start()
        outcomes = Counter(results.get(timeout=120) for _ in pool)
        for process in pool:
            process.join(timeout=60)
    assert outcomes == Counter({"ok": 1, "TokenUsed": PROCESSES - 1})
    _record(figures, f"{action}_processes", outcomes)


@pytest.mark.parametrize("kind", store_params(["sqlite", "postgresql"]))
def test_two_campaign_processes_started_together_queue_one_invitation_each(
    kind: str, figures: Figures, long_run: bool
) -> None:
    customers = 2_000 if long_run else 300
    context = workers.context()
    with open_store(kind) as store:
        assert isinstance(store, SQLStore)
        add_customers(store, customers)
        kit = make_kit(store, MemoryMailer(), None)
        kit.create_group("everyone")
        kit.add_to_group("everyone", [c.id for c in kit.list_customers()])
        go, results = context.Barrier(2), context.Queue()
        ready = [context.Event() for _ in range(2)]
        pool = [
            context.Process(
                target=workers.campaign,
                args=(recipe_of(store), "everyone"),
                kwargs={"batch_size": 50, "ready": ready[n], "go": go, "results": results},
            )
            for n in range(2)
        ]
        for process in pool:
            process.start()
        reports = [results.get(timeout=300) for _ in pool]
        for process in pool:
            process.join(timeout=60)
        pending = kit.outbox_messages(state=OutboxState.PENDING)
    per_customer = Counter(m.customer_id for m in pending)
    assert len(per_customer) == customers
    assert set(per_customer.values()) == {1}
    assert sum(queued for queued, _ in reports) == customers
    figures.record(
        "concurrency",
        campaign_processes=2,
        campaign_attempts=2 * customers,
        campaign_queued=sum(queued for queued, _ in reports),
        campaign_conflicts=sum(skipped for _, skipped in reports),
    )


def test_delivery_threads_sharing_one_outbox_send_each_message_once(
    store: Store, figures: Figures, long_run: bool
) -> None:
    messages = 1_000 if long_run else 200
    mailer = MemoryMailer()
    kit = make_kit(store, mailer, None, batch_size=7)
    add_customers(store, messages)
    kit.invite_audience(Audience.all())
    threads = 8
    start = threading.Barrier(threads)

    def worker(_number: int) -> int:
        start.wait()
        return kit.deliver().sent

    with ThreadPoolExecutor(threads) as pool:
        sent = list(pool.map(worker, range(threads)))

    copies = Counter(email.message_id for email in mailer.outbox)
    assert len(copies) == messages
    assert set(copies.values()) == {1}
    assert sum(sent) == messages
    assert kit.status_counts()[Status.INVITED] == messages
    figures.record(
        "concurrency",
        delivery_threads=threads,
        delivery_messages=messages,
        delivery_duplicates=sum(copies.values()) - len(copies),
    )
