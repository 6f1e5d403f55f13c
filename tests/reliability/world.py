"""What the process-level reliability tests share: the business, kits, and a comparable state.

Worker processes (``multiprocessing`` spawn) import this module too, so it holds
nothing a child could not rebuild from plain arguments.
"""

from __future__ import annotations

import re
import threading
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import Any

import attrs

from invitekit import InviteKit, InviteKitError, OutboxSettings, SystemClock
from invitekit.model import Customer, OutboxMessage
from invitekit.passwords import PasswordHasher
from invitekit.ports import Clock, Mailer, Store
from invitekit.testing import TEST_PASSWORD, make_business
from invitekit.testing import make_kit as make_test_kit

BUSINESS = make_business()
PASSWORD = TEST_PASSWORD
ACTIVATE = "https://studio.example/activate/"
RESET = "https://studio.example/reset/"
EMAIL_CHANGE = "https://studio.example/email-change/"


def make_kit(
    store: Store,
    mailer: Mailer,
    clock: Clock | None,
    *,
    batch_size: int = 100,
    lease_seconds: float = 300,
    record_every: int = 20,
    password_hasher: PasswordHasher | None = None,
) -> InviteKit:
    """A kit of :data:`BUSINESS` with cheap password hashing and the given outbox sizes.

    ``clock=None`` is the system clock.
    """
    return make_test_kit(
        store=store,
        mailer=mailer,
        clock=SystemClock() if clock is None else clock,
        business=BUSINESS,
        password_hasher=password_hasher,
        outbox=OutboxSettings(
            batch_size=batch_size,
            campaign_batch_size=batch_size,
            lease=timedelta(seconds=lease_seconds),
            record_every=record_every,
        ),
    )


class CountingHasher(PasswordHasher):
    """The cheapest argon2id hasher, counting its verifications, each taking ``pause`` seconds.

    The pause stands for the cost of real argon2 parameters (which, like
    ``sleep``, runs outside the GIL): it is the gap in which simultaneous
    requests meet.  :attr:`verifications` is what a throttle must bound.
    """

    def __init__(self, pause: float = 0.02) -> None:
        super().__init__(time_cost=1, memory_cost=8, parallelism=1)
        self.pause = pause
        self.verifications = 0
        self._lock = threading.Lock()

    def verify(self, password_hash: str | None, password: str) -> bool:
        with self._lock:
            self.verifications += 1
        time.sleep(self.pause)
        return super().verify(password_hash, password)


def at_once(count: int, submit: Callable[[int], object], *, start: Any = None) -> list[str]:
    """Call ``submit(n)`` for n < ``count`` from ``count`` threads released together.

    Returns the outcome of each n: ``"ok"`` or the name of the invitekit error
    it raised.  ``start`` is the barrier the threads wait at (by default one of
    their own; a ``multiprocessing`` Barrier to release threads of several
    processes together).
    """
    barrier = start if start is not None else threading.Barrier(count)

    def one(number: int) -> str:
        barrier.wait(timeout=120)
        try:
            submit(number)
        except InviteKitError as err:
            return type(err).__name__
        return "ok"

    with ThreadPoolExecutor(count) as pool:
        return list(pool.map(one, range(count)))


def address(number: int) -> str:
    """The address of the ``number``-th test customer."""
    return f"customer{number:05d}@example.com"


# Fields that differ between two runs of the same story without meaning anything:
# ids are random, timestamps follow the clock, a password hash has a random salt,
# the Message-ID follows the id, and the lease bookkeeping of a claim (``attempts``,
# ``claimed_until``, ``links_issued_at``,
# ``not_before``) is a step of its own that a retry repeats.
_CUSTOMER_NOISE = {"id", "business_id", "created_at", "updated_at", "invited_at", "accepted_at"}
_OUTBOX_NOISE = {"id", "customer_id", "created_at", "attempts", "claimed_until"}
_OUTBOX_NOISE |= {"not_before", "sent_at", "message_id", "links_issued_at"}
# A campaign's id is random too, and a call repeated after a fault is a campaign of its own.
_OUTBOX_NOISE |= {"campaign_id"}
# A failure's event names the attempt it was; a retry after a lost claim is one more.
_ATTEMPT = re.compile(r"attempt \d+")


def customer_state(customer: Customer) -> dict[str, Any]:
    """A customer's meaningful fields (see the noise above)."""
    values = attrs.asdict(customer, recurse=False)
    values["password_hash"] = customer.password_hash is not None
    return {k: v for k, v in values.items() if k not in _CUSTOMER_NOISE}


def message_state(message: OutboxMessage) -> dict[str, Any]:
    """An outbox message's meaningful fields."""
    values = attrs.asdict(message, recurse=False)
    values["to"] = message.recipient
    return {k: v for k, v in values.items() if k not in _OUTBOX_NOISE}


def state_of(kit: InviteKit) -> dict[str, Any]:
    """Everything stored for the kit's business, per customer email, without the noise above.

    Read in one transaction of the kit's Store:
    ``{"customers": {email: {"customer", "events", "outbox", "groups"}}, "groups",
    "unaddressed"}`` (the last: outbox messages to no customer).
    """
    business = kit.business.id
    with kit.store.transaction() as tx:
        customers = tx.list_customers(business)
        groups = tx.list_groups(business)
        members = {
            g.name: {c.id for c in tx.list_customers(business, group_id=g.id)} for g in groups
        }
        outbox: dict[str | None, list[dict[str, Any]]] = {}
        for message in tx.list_outbox(business):
            outbox.setdefault(message.customer_id, []).append(message_state(message))
        events = {c.id: tx.list_events(business, c.id) for c in customers}
    return {
        "customers": {
            c.email: {
                "customer": customer_state(c),
                "events": [(e.kind, _ATTEMPT.sub("attempt n", e.detail)) for e in events[c.id]],
                "outbox": outbox.get(c.id, []),
                "groups": sorted(name for name, ids in members.items() if c.id in ids),
            }
            for c in customers
        },
        "groups": sorted(g.name for g in groups),
        "unaddressed": outbox.get(None, []),
    }


def duplicates(message_ids: list[str]) -> Counter[str]:
    """The Message-IDs seen more than once, with their counts."""
    return Counter({m: n for m, n in Counter(message_ids).items() if n > 1})
