"""How long request_password_reset and register take per case, side by side.

A plain script (no assertions): an attacker who can time the answers must not
learn whether an address belongs to a customer.  Run it with realistic argon2
parameters (the library's defaults) and compare the medians: every ratio to
the unknown-address case should be close to 1.

    python bench/enumeration.py [rounds]
"""

from __future__ import annotations

import statistics
import sys
import time
from collections.abc import Callable

from invitekit.model import Business
from invitekit.passwords import PasswordHasher
from invitekit.service import InviteKit
from invitekit.testing import make_accepted_customer, make_kit
from invitekit.throttle import MailThrottle

CASES = {
    "existing": "ana@example.com",
    "invited": "bo@example.com",
    "provider": "gina@example.com",
    "unknown": "nobody@example.com",
}


def bench_kit() -> InviteKit:
    kit = make_kit(
        business=Business(id="bench", name="Bench Studio", sender="hello@bench.example"),
        password_hasher=PasswordHasher(),  # realistic: argon2-cffi's defaults
        # Measure the answer itself, not the (equally uniform) throttled path.
        mail_throttle=MailThrottle(max_emails=1_000_000),
    )
    make_accepted_customer(kit, CASES["existing"], first_name="Ana")
    bo = kit.add_customer(CASES["invited"])
    kit.invite(bo.id)
    kit.deliver()
    kit.add_customer(CASES["provider"], auth_provider="google")
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
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 15
    kit = bench_kit()
    results = {
        "request_password_reset": median_ms(kit.request_password_reset, rounds * 20),
        "register": median_ms(
            lambda email: kit.register(email, first_name="X", password="a sign-up password"),
            rounds,
        ),
    }
    others = [case for case in CASES if case != "unknown"]
    print(f"median time per call in ms, {rounds} rounds, {kit.password_hasher!r}\n")
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
