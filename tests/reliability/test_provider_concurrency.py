"""Provider sign-ins at once: one identity is linked once, one address makes one customer.

N sign-ins (8) are released together, from N threads of this process (every
store) or from the threads of 2 processes (SQLite file, PostgreSQL, MariaDB).
The rules checked:

* N first sign-ins with one identity and the verified address of an Invited
  customer: every one signs that customer in; one identity row, one
  ``PROVIDER_LINKED`` and one ``ACCEPTED`` event.
* N first sign-ins with one identity and a new address: one new customer.
* N first sign-ins with N identities of one provider and one new address: one
  customer, with every identity linked to it.
* Two unlinks at once of a password-less customer's two providers: one
  passes, the other is refused (``LastWayIn``): a way in is always left.
"""

from __future__ import annotations

from collections import Counter
from threading import Barrier

import pytest

from invitekit import EventKind, Status
from invitekit.adapters.memory import MemoryMailer
from invitekit.adapters.sql import SQLStore
from invitekit.ports import Store
from tests.reliability import workers
from tests.reliability.world import at_once, make_kit
from tests.stores import SERVER_KINDS, STORE_KINDS, open_store, recipe_of

COUNT = 8
PROCESSES = 2


def _cases() -> list[object]:
    cases = []
    for mode, kinds in (("threads", STORE_KINDS), ("processes", ("sqlite", *SERVER_KINDS))):
        cases += [
            pytest.param(
                mode,
                kind,
                id=f"{mode}-{kind}",
                marks=[getattr(pytest.mark, kind)] if kind in SERVER_KINDS else [],
            )
            for kind in kinds
        ]
    return cases


CASES = pytest.mark.parametrize(("mode", "kind"), _cases())


def _burst(
    store: Store, mode: str, subjects: list[str], email: str
) -> tuple[Counter[str], set[str]]:
    """Sign in with every subject at once; the outcomes and the customers signed in."""
    if mode == "threads":
        kit = make_kit(store, MemoryMailer(), None)
        ids: list[str] = []

        def submit(number: int) -> None:
            ids.append(
                kit.sign_in_with_provider(
                    "google", subjects[number], email=email, email_verified=True
                ).id
            )

        return Counter(at_once(len(subjects), submit)), set(ids)
    assert isinstance(store, SQLStore)
    context = workers.context()
    go, results = context.Barrier(len(subjects)), context.Queue()
    share = len(subjects) // PROCESSES
    pool = [
        context.Process(
            target=workers.provider_burst,
            args=(recipe_of(store), subjects[n * share : (n + 1) * share], email),
            kwargs={"go": go, "results": results},
        )
        for n in range(PROCESSES)
    ]
    for process in pool:
        process.start()
    reports = [results.get(timeout=180) for _ in pool]
    for process in pool:
        process.join(timeout=60)
    assert [process.exitcode for process in pool] == [0] * PROCESSES
    return Counter(o for each, _ in reports for o in each), {i for _, ids in reports for i in ids}


@CASES
def test_first_sign_ins_with_one_identity_link_it_once(mode: str, kind: str) -> None:
    with open_store(kind) as store:
        kit = make_kit(store, MemoryMailer(), None)
        ana = kit.add_customer("ana@example.com")

        outcomes, ids = _burst(store, mode, ["sub-1"] * COUNT, "ana@example.com")

        assert outcomes == Counter({"ok": COUNT})
        assert ids == {ana.id}
        assert [i.subject for i in kit.identities(ana.id)] == ["sub-1"]
        kinds = Counter(event.kind for event in kit.history(ana.id))
        assert (kinds[EventKind.PROVIDER_LINKED], kinds[EventKind.ACCEPTED]) == (1, 1)
        assert kinds[EventKind.PROVIDER_SIGNED_IN] == COUNT
        assert kit.get_customer(ana.id).status is Status.ACCEPTED


@CASES
def test_first_sign_ins_with_a_new_address_make_one_customer(mode: str, kind: str) -> None:
    with open_store(kind) as store:
        kit = make_kit(store, MemoryMailer(), None)

        outcomes, ids = _burst(store, mode, ["sub-1"] * COUNT, "new@example.com")

        assert outcomes == Counter({"ok": COUNT})
        assert len(ids) == 1
        assert kit.status_counts()[Status.ACCEPTED] == 1


@CASES
def test_several_identities_of_one_new_address_all_link_to_one_customer(
    mode: str, kind: str
) -> None:
    with open_store(kind) as store:
        kit = make_kit(store, MemoryMailer(), None)
        subjects = [f"sub-{n}" for n in range(COUNT)]

        outcomes, ids = _burst(store, mode, subjects, "new@example.com")

        assert outcomes == Counter({"ok": COUNT})
        (only,) = ids
        assert sorted(i.subject for i in kit.identities(only)) == subjects


@pytest.mark.parametrize(
    "kind",
    [
        pytest.param(k, marks=[getattr(pytest.mark, k)] if k in SERVER_KINDS else [])
        for k in STORE_KINDS
    ],
)
def test_two_unlinks_at_once_leave_a_way_in(kind: str) -> None:
    with open_store(kind) as store:
        kit = make_kit(store, MemoryMailer(), None)
        ana = kit.sign_in_with_provider(
            "google", "g", email="ana@example.com", email_verified=True
        )
        kit.sign_in_with_provider("facebook", "f", email="ana@example.com", email_verified=True)
        providers = ["google", "facebook"]
        start = Barrier(2)

        outcomes = at_once(2, lambda n: kit.unlink_provider(ana.id, providers[n]), start=start)

        assert sorted(outcomes) == ["LastWayIn", "ok"]
        assert len(kit.identities(ana.id)) == 1
