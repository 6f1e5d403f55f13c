"""Erasure racing delivery, activation and login, from threads and processes.

What must hold: no email leaves for an erased customer once the erasure has
returned (every email sent to them started before), nothing of them is left
half-written (their addresses, names and password hash are nowhere in the
store), and every other customer is served as if nothing had happened.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any

import pytest

from invitekit import ConcurrentUpdate, InviteKit, InviteKitError, Status
from invitekit.adapters.sql import SQLStore
from invitekit.model import Email
from invitekit.ports import Store
from invitekit.testing import extract_link
from tests.contract.test_erasure import hits
from tests.reliability import workers
from tests.reliability.conftest import Figures
from tests.reliability.world import ACTIVATE, PASSWORD, address, make_kit
from tests.stores import StoreRecipe, open_store, recipe_of, store_from_recipe, store_params

CUSTOMERS = 40


class TimedMailer:
    """A mailer recording, for each email, its recipient and when the send started.

    ``time.time()``: comparable between the processes of one machine.  Each send
    takes a moment, as a mail server's answer does: the window the races need.
    """

    def __init__(self, pause: float = 0.002) -> None:
        self.sent: list[tuple[str, float]] = []
        self.emails: list[Email] = []
        self.pause = pause
        self._lock = threading.Lock()

    @contextmanager
    def session(self) -> Iterator[TimedMailer]:
        yield self

    def send(self, email: Email) -> None:
        with self._lock:
            self.sent.append((email.to, time.time()))
            self.emails.append(email)
        time.sleep(self.pause)


@pytest.fixture(params=store_params(["memory", "sqlite", "postgresql"]))
def store(request: pytest.FixtureRequest) -> Iterator[Store]:
    with open_store(request.param) as store:
        yield store


def invited_studio(store: Store, mailer: Any) -> tuple[InviteKit, list[str]]:
    """:data:`CUSTOMERS` customers, each with a queued invitation; their ids."""
    kit = make_kit(store, mailer, None, batch_size=5)
    ids = []
    for number in range(CUSTOMERS):
        customer = kit.add_customer(address(number), first_name=f"Zyx{number:03d}name")
        kit.invite(customer.id)
        ids.append(customer.id)
    return kit, ids


def erase_when_free(kit: InviteKit, customer_id: str) -> tuple[float, int]:
    """Erase, trying again while a worker holds one of the customer's emails.

    Returns:
        when the erasure had returned, and how many times it gave way first.
    """
    waits = 0
    while True:
        try:
            kit.erase_customer(customer_id, by="front-desk")
        except ConcurrentUpdate:
            waits += 1
            time.sleep(0.001)
            continue
        return time.time(), waits


def erase_every_other(
    kit: InviteKit, ids: list[str], *, pause: float = 0.0
) -> tuple[dict[str, float], int]:
    """Erase the even customers (``pause`` apart); when each erasure returned; the waits."""
    done: dict[str, float] = {}
    waited = 0
    for number in range(0, CUSTOMERS, 2):
        time.sleep(pause)
        done[address(number)], waits = erase_when_free(kit, ids[number])
        waited += waits
    return done, waited


def check_after(
    store: Store, kit: InviteKit, sent: list[tuple[str, float]], erased: dict[str, float]
) -> int:
    """The promises of the module docstring; how many emails reached an erased customer first."""
    late = [(to, at) for to, at in sent if to in erased and at >= erased[to]]
    assert late == []
    kept = [address(n) for n in range(1, CUSTOMERS, 2)]
    assert Counter(to for to, _ in sent if to not in erased) == Counter(kept)
    assert sorted(c.email for c in kit.list_customers()) == kept
    assert kit.status_counts()[Status.INVITED] == len(kept)
    names = [f"Zyx{n:03d}name" for n in range(0, CUSTOMERS, 2)]
    assert hits(store, [*erased, *names]) == {}
    return sum(1 for to, _ in sent if to in erased)


def test_erasure_racing_delivery_threads_sends_nothing_after_it(
    store: Store, figures: Figures
) -> None:
    mailer = TimedMailer()
    kit, ids = invited_studio(store, mailer)
    erasing = threading.Event()

    def deliver(_number: int) -> None:
        while True:
            report = kit.deliver(limit=5)
            if not (report.sent or report.retrying or report.cancelled) and not erasing.is_set():
                return

    erasing.set()
    with ThreadPoolExecutor(3) as pool:
        delivering = [pool.submit(deliver, n) for n in range(2)]
        erased, waited = erase_every_other(kit, ids)
        erasing.clear()
        for future in delivering:
            future.result(timeout=120)

    reached = check_after(store, kit, mailer.sent, erased)
    figures.record(
        "erasure",
        delivery_threads_erased=len(erased),
        delivery_threads_sent_before_erasure=reached,
        delivery_threads_erasure_waits=waited,
    )


def deliver_until_told(recipe: StoreRecipe, *, ready: Any, stop: Any, results: Any) -> None:
    """A worker process: deliver until ``stop`` is set and nothing is left; report the sends."""
    store = store_from_recipe(recipe)
    mailer = TimedMailer(pause=0.01)
    kit = make_kit(store, mailer, None, batch_size=5)
    ready.wait()
    while True:
        stopping = stop.is_set()
        report = kit.deliver(limit=5)
        if stopping and not (report.sent or report.retrying or report.cancelled):
            break
    results.put(mailer.sent)
    store.engine.dispose()


@pytest.mark.parametrize("kind", store_params(["sqlite", "postgresql"]))
def test_erasure_racing_delivery_processes_sends_nothing_after_it(
    kind: str, figures: Figures
) -> None:
    context = workers.context()
    with open_store(kind) as store:
        assert isinstance(store, SQLStore)
        kit, ids = invited_studio(store, TimedMailer())
        ready, stop, results = context.Barrier(3), context.Event(), context.Queue()
        pool = [
            context.Process(
                target=deliver_until_told,
                args=(recipe_of(store),),
                kwargs={"ready": ready, "stop": stop, "results": results},
            )
            for _ in range(2)
        ]
        for process in pool:
            process.start()
        ready.wait(timeout=120)
        erased, waited = erase_every_other(kit, ids, pause=0.01)
        stop.set()
        sent = [s for _ in pool for s in results.get(timeout=120)]
        for process in pool:
            process.join(timeout=60)
        reached = check_after(store, kit, sent, erased)
    figures.record(
        "erasure",
        delivery_processes_erased=len(erased),
        delivery_processes_sent_before_erasure=reached,
        delivery_processes_erasure_waits=waited,
    )


def race(actions: list[Callable[[], object]]) -> list[str]:
    """Run ``actions`` from threads released together; each one's outcome."""
    start = threading.Barrier(len(actions))

    def one(action: Callable[[], object]) -> str:
        start.wait(timeout=60)
        try:
            action()
        except InviteKitError as err:
            return type(err).__name__
        return "ok"

    with ThreadPoolExecutor(len(actions)) as pool:
        return list(pool.map(one, actions))


ROUNDS = 6


@pytest.mark.parametrize("what", ["accept", "login"])
def test_erasure_racing_activation_or_login_leaves_nothing_of_the_customer(
    store: Store, what: str, figures: Figures
) -> None:
    mailer = TimedMailer(pause=0)
    kit = make_kit(store, mailer, None)
    outcomes: Counter[str] = Counter()
    for number in range(ROUNDS):
        email = address(number)
        customer = kit.add_customer(email, first_name=f"Zyx{number:03d}name", invite=True)
        kit.deliver()
        token = extract_link(mailer.emails[-1], ACTIVATE).removeprefix(ACTIVATE)
        if what == "login":
            kit.accept_invitation(token, PASSWORD)
            act: Callable[[], object] = lambda e=email: kit.login(e, PASSWORD)  # noqa: E731
        else:
            act = lambda t=token: kit.accept_invitation(t, PASSWORD)  # noqa: E731
        acted, erased = race([act, lambda c=customer.id: kit.erase_customer(c)])
        assert erased == "ok"
        outcomes[acted] += 1
        assert kit.find_customer(email) is None
    allowed = {
        "accept": {"ok", "TokenInvalid", "TokenUsed"},
        "login": {"ok", "InvalidCredentials"},
    }
    assert set(outcomes) <= allowed[what]
    found = hits(
        store, [address(n) for n in range(ROUNDS)] + [f"Zyx{n:03d}" for n in range(ROUNDS)]
    )
    # A login attempt counted after the erasure is a new record of the address
    # typed, kept for the throttle until its retention (docs/privacy.md).
    found.pop("invitekit_login_failures", None)
    found.pop("_login_failures", None)
    assert found == {}
    figures.record("erasure", **{f"{what}_race_{k}": v for k, v in outcomes.items()})
