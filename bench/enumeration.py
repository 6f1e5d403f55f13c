"""How long login, request_password_reset, register and an email change take per case.

A plain script (no assertions): an attacker who can time the answers must not
learn whether an address belongs to a customer, nor what kind of customer.  Run
it with realistic argon2 parameters (the library's defaults) and compare the
medians: every ratio to the unknown-address case should be close to 1.

    python bench/enumeration.py [rounds] [--store memory|sqlite|postgresql|mysql]

The store is the memory store unless ``--store`` names another (see
``store_of`` in bench/sql_store.py: PostgreSQL and MariaDB need
``INVITEKIT_TEST_POSTGRESQL_URL`` / ``INVITEKIT_TEST_MYSQL_URL``).

The cases: an Accepted customer (``accepted``), one whose password was hashed
with cheaper argon2 parameters before the current ones (``old-params``: 2
passes, 19 MiB, 1 lane, OWASP's minimum), an Invited customer, an archived one,
one who signs in with a provider, and an unknown address.  Logins use a wrong
password (a right one is not a guess).  ``request_email_change`` is asked by
another Accepted customer for each case's address as the *new* one (the app
vouching for a re-authentication, so no argon2 runs): the answer must not tell
whether that address belongs to someone.
"""

from __future__ import annotations

import statistics
import sys
import time
from collections.abc import Callable

from sql_store import store_of  # bench/sql_store.py, next to this script

from invitekit.adapters.memory import MemoryMailer
from invitekit.exceptions import InvalidCredentials
from invitekit.passwords import PasswordHasher
from invitekit.ports import Store
from invitekit.service import InviteKit
from invitekit.testing import TEST_SECRET, FakeClock, extract_link, make_business
from invitekit.throttle import LoginThrottle, MailThrottle

CASES = {
    "accepted": "ana@example.com",
    "old-params": "olga@example.com",
    "invited": "bo@example.com",
    "archived": "arno@example.com",
    "provider": "gina@example.com",
    "unknown": "nobody@example.com",
}
OLD_PARAMETERS = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)
PASSWORD = "correct horse battery"


def _kit(store: Store, hasher: PasswordHasher) -> InviteKit:
    return InviteKit(
        store=store,
        mailer=MemoryMailer(),
        clock=FakeClock(),
        business=make_business(id="bench", name="Bench Studio"),
        secret_keys=[TEST_SECRET],
        password_hasher=hasher,
        # Measure the answer itself, not the (equally uniform) throttled paths.
        mail_throttle=MailThrottle(max_emails=1_000_000),
        login_throttle=LoginThrottle(max_failures=1_000_000, client_max_failures=None),
    )


def _accept(kit: InviteKit, email: str) -> str:
    customer = kit.add_customer(email, first_name="X")
    kit.invite(customer.id)
    kit.deliver()
    mailer = kit.mailer
    assert isinstance(mailer, MemoryMailer)
    link = extract_link(mailer.outbox[-1], "https://studio.example/activate/")
    kit.accept_invitation(link.rsplit("/", 1)[1], PASSWORD)
    return customer.id


REQUESTER = "eve@example.com"  # who asks for an email change to each case's address


def make_kit(store: Store) -> InviteKit:
    _accept(_kit(store, OLD_PARAMETERS), CASES["old-params"])
    kit = _kit(store, PasswordHasher())  # realistic: argon2-cffi's defaults
    _accept(kit, CASES["accepted"])
    kit.archive_customer(_accept(kit, CASES["archived"]))
    bo = kit.add_customer(CASES["invited"])
    kit.invite(bo.id)
    kit.deliver()
    kit.add_customer(CASES["provider"], auth_provider="google")
    _accept(kit, REQUESTER)
    return kit


def email_change(kit: InviteKit) -> Callable[[str], object]:
    requester = kit.find_customer(REQUESTER)
    assert requester is not None

    def ask(email: str) -> None:
        kit.request_email_change(requester.id, email, reauthenticated_at=kit.clock.now())

    return ask


def median_ms(action: Callable[[str], object], rounds: int) -> dict[str, float]:
    samples: dict[str, list[float]] = {case: [] for case in CASES}
    for _ in range(rounds):
        for case, address in CASES.items():  # interleaved, so drift hits every case alike
            start = time.perf_counter()
            action(address)
            samples[case].append((time.perf_counter() - start) * 1000)
    return {case: statistics.median(values) for case, values in samples.items()}


def wrong_login(kit: InviteKit) -> Callable[[str], object]:
    def attempt(email: str) -> None:
        try:
            kit.login(email, "a wrong guess")
        except InvalidCredentials:
            return
        raise AssertionError(f"{email} logged in with a wrong password")

    return attempt


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
        "login (wrong password)": median_ms(wrong_login(kit), rounds),
        "request_password_reset": median_ms(kit.request_password_reset, rounds * 20),
        "register": median_ms(
            lambda email: kit.register(email, first_name="X", password="a sign-up password"),
            rounds,
        ),
        "request_email_change": median_ms(email_change(kit), rounds * 20),
    }
    others = [case for case in CASES if case != "unknown"]
    print(f"median time per call in ms, {rounds} rounds, {kind} store, {kit.password_hasher!r}")
    print(f"old-params: {OLD_PARAMETERS!r}\n")
    print(f"{'':<24}" + "".join(f"{case:>11}" for case in CASES))
    for name, medians in results.items():
        print(f"{name:<24}" + "".join(f"{medians[case]:>11.3f}" for case in CASES))
    print(f"\nratio to unknown\n{'':<24}" + "".join(f"{case:>11}" for case in others))
    for name, medians in results.items():
        ratios = "".join(f"{medians[case] / medians['unknown']:>11.2f}" for case in others)
        print(f"{name:<24}{ratios}")


if __name__ == "__main__":
    main()
