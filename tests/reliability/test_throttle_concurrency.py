"""The login and mail throttles under concurrency: a burst gets no more than a queue would.

N requests (16 and 64) are released together, from N threads of this process
(every store) or from the threads of 2 processes (SQLite file, PostgreSQL,
MariaDB).  Password verifications are counted by a hasher that counts them
(each takes a little time, as argon2 does); emails by the outbox rows queued.
The rules checked:

* N wrong passwords for one address: exactly ``max_failures`` verifications,
  every other request refused as ``LoginThrottled`` before its password is checked.
* N requests of which one has the right password: that one logs in or is
  throttled; its success forgets only the failures reserved before it, so at
  most ``2 * max_failures`` verifications in all, and at most ``max_failures``
  failures stay counted.
* N sign-ups for one new address: exactly ``max_emails`` verification emails.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest

from invitekit import LoginThrottle, MailThrottle
from invitekit.adapters.memory import MemoryMailer
from invitekit.adapters.sql import SQLStore
from invitekit.ports import Store
from invitekit.testing import make_accepted_customer
from invitekit.throttle import email_key
from tests.reliability import workers
from tests.reliability.conftest import Figures
from tests.reliability.world import BUSINESS, PASSWORD, CountingHasher, make_kit
from tests.stores import SERVER_KINDS, STORE_KINDS, open_store, recipe_of

LIMIT = LoginThrottle().max_failures
CAP = MailThrottle().max_emails
PROCESSES = 2
ADDRESS = "ana@example.com"
NEW_ADDRESS = "new.visitor@example.com"


def _cases() -> list[object]:
    """(N, threads or processes, store kind) for N in 16 and 64; processes need a shared store."""
    cases = []
    for count in (16, 64):
        for mode, kinds in (("threads", STORE_KINDS), ("processes", ("sqlite", *SERVER_KINDS))):
            cases += [
                pytest.param(
                    count,
                    mode,
                    kind,
                    id=f"{count}-{mode}-{kind}",
                    marks=[getattr(pytest.mark, kind)] if kind in SERVER_KINDS else [],
                )
                for kind in kinds
            ]
    return cases


CASES = pytest.mark.parametrize(("count", "mode", "kind"), _cases())


def _burst(
    store: Store, mode: str, action: str, email: str, passwords: list[str]
) -> tuple[int, Counter[str]]:
    """Submit every password at once; the verifications run and the outcomes."""
    if mode == "threads":
        hasher = CountingHasher()
        kit = make_kit(store, MemoryMailer(), None, password_hasher=hasher)
        outcomes = workers.run_burst(kit, action, email, passwords)
        return hasher.verifications, Counter(outcomes)
    assert isinstance(store, SQLStore)
    context = workers.context()
    go, results = context.Barrier(len(passwords)), context.Queue()
    share = len(passwords) // PROCESSES
    pool = [
        context.Process(
            target=workers.burst,
            args=(recipe_of(store), action, email, passwords[n * share : (n + 1) * share]),
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
    return sum(v for v, _ in reports), Counter(o for _, each in reports for o in each)


def _login_burst(kind: str, mode: str, passwords: list[str]) -> tuple[int, Counter[str], int]:
    """Ana's address tried with every password at once, on a new store of ``kind``.

    Returns the verifications run, the outcomes, and the failures the store
    counts for the address afterwards.
    """
    with open_store(kind) as store:
        make_accepted_customer(make_kit(store, MemoryMailer(), None), ADDRESS, password=PASSWORD)
        verifications, outcomes = _burst(store, mode, "login", ADDRESS, passwords)
        with store.transaction() as tx:
            since = datetime.now(UTC) - timedelta(days=1)  # the kits use the system clock
            failures = tx.count_attempts(BUSINESS.id, email_key(ADDRESS), since=since)
    return verifications, outcomes, failures


@CASES
def test_simultaneous_wrong_passwords_get_exactly_the_limit_of_verifications(
    count: int, mode: str, kind: str, figures: Figures
) -> None:
    wrong = [f"wrong guess {n}" for n in range(count)]

    verifications, outcomes, failures = _login_burst(kind, mode, wrong)

    figures.record("throttle", **{f"wrong_logins_{count}_{mode}_{kind}": verifications})
    assert verifications == LIMIT
    assert outcomes == Counter({"InvalidCredentials": LIMIT, "LoginThrottled": count - LIMIT})
    assert failures == LIMIT


@CASES
def test_a_burst_with_the_right_password_verifies_at_most_twice_the_limit(
    count: int, mode: str, kind: str, figures: Figures
) -> None:
    passwords = [f"wrong guess {n}" for n in range(count)]
    passwords[count // 2 - 1] = PASSWORD  # the middle of the first process's share

    verifications, outcomes, failures = _login_burst(kind, mode, passwords)

    figures.record("throttle", **{f"right_in_burst_{count}_{mode}_{kind}": verifications})
    # The success frees its own slot and those of the failures reserved before it,
    # never more: at most LIMIT slots were reserved when it did.
    assert verifications <= 2 * LIMIT
    assert outcomes["ok"] + outcomes["InvalidCredentials"] == verifications
    assert outcomes["ok"] <= 1
    assert outcomes["LoginThrottled"] == count - verifications
    assert failures <= LIMIT


@CASES
def test_simultaneous_sign_ups_for_one_address_queue_exactly_the_cap_of_emails(
    count: int, mode: str, kind: str, figures: Figures
) -> None:
    with open_store(kind) as store:
        verifications, outcomes = _burst(store, mode, "register", NEW_ADDRESS, [PASSWORD] * count)
        queued = [
            m
            for m in make_kit(store, MemoryMailer(), None).outbox_messages()
            if m.recipient == NEW_ADDRESS
        ]

    figures.record("throttle", **{f"sign_up_emails_{count}_{mode}_{kind}": len(queued)})
    assert outcomes == Counter({"ok": count})
    assert verifications == 0
    assert len(queued) == CAP
