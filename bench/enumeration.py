"""How long request_password_reset and register take per case, side by side.

A plain script (no assertions): an attacker who can time the answers must not
learn whether an address belongs to a customer.  Run it with realistic argon2
parameters (the library's defaults) and compare the medians: every ratio to
the unknown-address case should be close to 1.

    python bench/enumeration.py [rounds] [--store memory|sqlite|postgresql|mysql]

The store is the memory store unless ``--store`` names another (see
``store_of`` in bench/sql_store.py: PostgreSQL and MariaDB need
``INVITEKIT_TEST_POSTGRESQL_URL`` / ``INVITEKIT_TEST_MYSQL_URL``).
"""

from __future__ import annotations

import statistics
import sys
import time
from collections.abc import Callable

from sql_store import store_of  # bench/sql_store.py, next to this script

from invitekit.adapters.memory import MemoryMailer
from invitekit.model import Business
from invitekit.passwords import PasswordHasher
from invitekit.ports import Store
from invitekit.service import InviteKit
from invitekit.testing import TEST_SECRET, FakeClock, extract_link
from invitekit.throttle import MailThrottle

CASES = {
    "existing": "ana@example.com",
    "invited": "bo@example.com",
    "provider": "gina@example.com",
    "archived": "old@example.com",
    "unknown": "nobody@example.com",
}


def make_kit(store: Store) -> InviteKit:
    kit = InviteKit(
        store=store,
        mailer=MemoryMailer(),
        clock=FakeClock(),
        business=Business(id="bench", name="Bench Studio", sender="hello@bench.example"),
        secret_keys=[TEST_SECRET],
        password_hasher=PasswordHasher(),  # realistic: argon2-cffi's defaults
        # Measure the answer itself, not the (equally uniform) throttled path.
        mail_throttle=MailThrottle(max_emails=1_000_000),
    )
    ana = kit.add_customer(CASES["existing"], first_name="Ana")
    kit.invite(ana.id)
    kit.deliver()
    mailer = kit.mailer
    assert isinstance(mailer, MemoryMailer)
    link = extract_link(mailer.outbox[-1], "https://example.invalid/activate/")
    kit.accept_invitation(link.rsplit("/", 1)[1], "correct horse battery")
    bo = kit.add_customer(CASES["invited"])
    kit.invite(bo.id)
    kit.deliver()
    kit.add_customer(CASES["provider"], auth_provider="google")
    kit.archive_customer(kit.add_customer(CASES["archived"]).id)
    return kit


def median_ms(action: Callable[[str], object], rounds: int) -> dict[str, float]:
    samples: dict[str, list[float]] = {case: [] for case in CASES}
    for _ in range(rounds):
        for case, address in CASES.items():  # interleaved, so drift hits every case alike
            start = time.perf_counter()
            action(address)
            samples[case].append((time.perf_counter() - start) * 1000)
    return {case: statistics.median(values) for case, values in samples.items()}


def main() -> None:
    args = sys.argv[1:]
    kind = "memory"
    if "--store" in args:
        at = args.index("--store")
        kind = args[at + 1]
        del args[at : at + 2]
    rounds = int(args[0]) if args else 15
    with store_of(kind) as store:
        measure(make_kit(store), rounds, kind)


def measure(kit: InviteKit, rounds: int, kind: str) -> None:
    results = {
        "request_password_reset": median_ms(kit.request_password_reset, rounds * 20),
        "register": median_ms(
            lambda email: kit.register(email, first_name="X", password="a sign-up password"),
            rounds,
        ),
    }
    others = [case for case in CASES if case != "unknown"]
    print(f"median time per call in ms, {rounds} rounds, {kind} store, {kit.password_hasher!r}\n")
    print(
        f"{'':<24}"
        + "".join(f"{case:>10}" for case in CASES)
        + " |"
        + "".join(f"{case + '/unknown':>18}" for case in others)
    )
    for name, medians in results.items():
        times = "".join(f"{medians[case]:>10.3f}" for case in CASES)
        ratios = "".join(f"{medians[case] / medians['unknown']:>18.2f}" for case in others)
        print(f"{name:<24}{times} |{ratios}")


if __name__ == "__main__":
    main()
