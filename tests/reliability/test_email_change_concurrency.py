"""Email changes under concurrency: one link confirmed at once, an address taken at once.

From threads on every store and from processes on every SQL store: of
simultaneous confirmations of one link exactly one changes the address; a
confirmation racing with another customer taking the new address leaves the
address to exactly one of them (the store's uniqueness decides), and the loser
gets a clear refusal with nothing half-written.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

import pytest

from invitekit import EventKind, InviteKit
from invitekit.adapters.memory import MemoryMailer
from invitekit.adapters.sql import SQLStore
from invitekit.model import Customer
from invitekit.ports import Store
from invitekit.testing import extract_link
from tests.reliability import workers
from tests.reliability.world import ACTIVATE, EMAIL_CHANGE, PASSWORD, address, at_once, make_kit
from tests.stores import open_store, recipe_of, store_params

THREADS = 8
PROCESSES = 4
NEW = "taken.at.once@example.com"


@pytest.fixture(params=store_params())
def store(request: pytest.FixtureRequest) -> Iterator[Store]:
    with open_store(request.param) as store:
        yield store


def _change_token(kit: InviteKit, mailer: MemoryMailer, number: int) -> tuple[Customer, str]:
    """An Accepted customer who asked to change to :data:`NEW`; the link's token."""
    customer = kit.add_customer(address(number), first_name="Ana")
    kit.invite(customer.id)
    kit.deliver()
    invitation = mailer.to(customer.email)[-1]
    kit.accept_invitation(extract_link(invitation, ACTIVATE).removeprefix(ACTIVATE), PASSWORD)
    kit.request_email_change(customer.id, NEW, password=PASSWORD)
    kit.deliver()
    return customer, extract_link(mailer.to(NEW)[-1], EMAIL_CHANGE).removeprefix(EMAIL_CHANGE)


def _owners(kit: InviteKit) -> list[str]:
    """The ids of every customer whose address is :data:`NEW`."""
    return [c.id for c in kit.list_customers(archived=None) if c.email == NEW]


def test_one_link_from_8_threads_changes_the_address_once(store: Store) -> None:
    mailer = MemoryMailer()
    kit = make_kit(store, mailer, None)
    customer, token = _change_token(kit, mailer, 1)

    outcomes = Counter(at_once(THREADS, lambda _n: kit.confirm_email_change(token)))

    assert outcomes == Counter({"ok": 1, "TokenUsed": THREADS - 1})
    assert _owners(kit) == [customer.id]
    kinds = Counter(e.kind for e in kit.history(customer.id))
    assert kinds[EventKind.EMAIL_CHANGED] == 1


def test_a_confirmation_racing_another_customer_for_the_address_leaves_one_owner(
    store: Store,
) -> None:
    mailer = MemoryMailer()
    kit = make_kit(store, mailer, None)
    customer, token = _change_token(kit, mailer, 2)

    def race(number: int) -> object:
        if number == 0:
            return kit.confirm_email_change(token)
        return kit.add_customer(NEW)

    outcomes = Counter(at_once(THREADS, race))

    (owner,) = _owners(kit)
    assert outcomes["ok"] == 1
    assert set(outcomes) <= {"ok", "DuplicateCustomer", "EmailAddressTaken"}
    changed = [e for e in kit.history(customer.id) if e.kind is EventKind.EMAIL_CHANGED]
    if owner == customer.id:
        assert len(changed) == 1
    else:
        assert changed == []
        assert kit.get_customer(customer.id).email == address(2)
        assert outcomes["EmailAddressTaken"] == 1


@pytest.mark.parametrize("kind", store_params(["sqlite", "postgresql", "mysql"]))
@pytest.mark.parametrize("race", ["same-link", "address-taken"])
def test_processes_confirming_and_taking_the_address_leave_one_owner(kind: str, race: str) -> None:
    context = workers.context()
    with open_store(kind) as store:
        assert isinstance(store, SQLStore)
        mailer = MemoryMailer()
        kit = make_kit(store, mailer, None)
        customer, token = _change_token(kit, mailer, 3)
        go, results = context.Barrier(PROCESSES), context.Queue()
        jobs = [("confirm_email", token)] * PROCESSES
        if race == "address-taken":
            jobs = [("confirm_email", token)] + [("add_customer", NEW)] * (PROCESSES - 1)
        pool = [
            context.Process(
                target=workers.redeem,
                args=(recipe_of(store), action, value, ""),
                kwargs={"go": go, "results": results},
            )
            for action, value in jobs
        ]
        for process in pool:
            process.start()
        outcomes = Counter(results.get(timeout=120) for _ in pool)
        for process in pool:
            process.join(timeout=60)
        owners = _owners(kit)
        history = kit.history(customer.id)
    assert outcomes["ok"] == 1
    assert len(owners) == 1
    if race == "same-link":
        assert outcomes == Counter({"ok": 1, "TokenUsed": PROCESSES - 1})
        assert owners == [customer.id]
    changed = [e for e in history if e.kind is EventKind.EMAIL_CHANGED]
    assert len(changed) == (1 if owners == [customer.id] else 0)


def test_requests_submitted_at_once_leave_one_working_link(store: Store) -> None:
    """A double-clicked form: every request is answered, exactly one link is sent and works."""
    mailer = MemoryMailer()
    kit = make_kit(store, mailer, None)
    customer, _token = _change_token(kit, mailer, 4)
    mailer.clear()
    wanted = [f"double{n}@example.com" for n in range(4)]

    outcomes = Counter(
        at_once(
            len(wanted),
            lambda n: kit.request_email_change(customer.id, wanted[n], password=PASSWORD),
        )
    )
    kit.deliver()

    assert outcomes == Counter({"ok": len(wanted)})
    links = [m for m in mailer.outbox if m.to in wanted]
    assert len(links) == 1
    token = extract_link(links[0], EMAIL_CHANGE).removeprefix(EMAIL_CHANGE)
    assert kit.confirm_email_change(token).email == links[0].to
