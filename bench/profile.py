"""Profile a path with pyinstrument: ``python -m bench.profile [WHAT] [N] [--flat]``.

WHAT is ``campaign`` (the default: plan + queue N customers, default 10,000, on
the memory store and on an SQLite file), ``activation`` (N ``check_activation``
calls, default 2,000, among 100,000 customers on SQLite), ``activation-opened``
(the same for N customers invited by a campaign, delivered, whose links were
opened once already: the funnel's "already opened" read, default 2,000) or ``delivery``
(deliver N queued invitations, default 1,000, from an SQLite file to a mailer
that keeps nothing, so only invitekit's side is seen).  Prints where the time
goes and the process CPU time next to the wall time: on a shared machine the
wall time includes waiting for a CPU, the proportions are what matter.
"""

from __future__ import annotations

import random
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from pyinstrument import Profiler

from bench import subjects
from bench.harness import Unavailable
from invitekit.model import Email
from invitekit.tokens import Purpose


def profile(work: Callable[[], Any], label: str, *, flat: bool, calls: int = 0) -> None:
    """Profile ``work()`` and print the report (and the CPU per call, given ``calls``)."""
    profiler = Profiler(interval=0.001)
    cpu = time.process_time()
    wall = time.perf_counter()
    profiler.start()
    result = work()
    profiler.stop()
    cpu = time.process_time() - cpu
    wall = time.perf_counter() - wall
    print(f"== {label}: {result!r}, {cpu:.2f} s CPU, {wall:.2f} s wall")
    if calls:
        print(f"== {cpu / calls * 1e6:.1f} µs CPU per call ({wall / calls * 1e6:.1f} µs wall)")
    print(profiler.output_text(show_all=False, flat=flat, time="percent_of_total"))


class NullMailer:
    """A Mailer that drops every email (its own session)."""

    @contextmanager
    def session(self) -> Iterator[NullMailer]:
        """The mailer is its own session."""
        yield self

    def send(self, email: Email) -> None:
        """Drop ``email``."""


def main(argv: list[str]) -> int:
    """Profile the path named in ``argv`` (see the module docstring)."""
    flat = "--flat" in argv
    paths = {"campaign", "activation", "activation-opened", "delivery"}
    what = next((a for a in argv if a in paths), "campaign")
    numbers = [int(a) for a in argv if a.isdigit()]
    with tempfile.TemporaryDirectory() as name:
        directory = Path(name)
        try:
            if what == "campaign":
                n = numbers[0] if numbers else 10_000
                memory = subjects.memory_store(n)
                profile(lambda: subjects.campaign(memory), f"campaign, memory, {n:,}", flat=flat)
                store = subjects.open_sql(
                    f"sqlite:///{subjects.SQLiteTemplate(directory, n).fresh()}"
                )
                profile(lambda: subjects.campaign(store), f"campaign, SQLite, {n:,}", flat=flat)
            elif what == "activation":
                n = numbers[0] if numbers else 2000
                template = subjects.SQLiteTemplate(directory, 100_000)
                store = subjects.open_sql(f"sqlite:///{template.fresh()}")
                kit = subjects.kit(store)
                people = random.Random(5).sample(subjects.customers(100_000), n)
                tokens = [kit.tokens.sign(c, Purpose.ACTIVATION) for c in people]
                profile(
                    lambda: len([kit.check_activation(t) for t in tokens]),
                    f"check_activation, SQLite, {n:,} of 100,000",
                    flat=flat,
                    calls=n,
                )
            elif what == "activation-opened":
                n = numbers[0] if numbers else 2000
                template = subjects.SQLiteTemplate(directory, n, queued=True)
                store = subjects.open_sql(f"sqlite:///{template.fresh()}")
                kit = subjects.kit(store, NullMailer())
                while kit.deliver().sent:
                    pass
                people = [kit.get_customer(c.id) for c in subjects.customers(n)]
                tokens = [kit.tokens.sign(c, Purpose.ACTIVATION) for c in people]
                for token in tokens:  # the first open of each link is recorded
                    kit.check_activation(token)
                profile(
                    lambda: len([kit.check_activation(t) for t in tokens]),
                    f"check_activation of opened links, SQLite, {n:,} invited",
                    flat=flat,
                    calls=n,
                )
            else:
                n = numbers[0] if numbers else 1000
                template = subjects.SQLiteTemplate(directory, n, queued=True)
                store = subjects.open_sql(f"sqlite:///{template.fresh()}")
                kit = subjects.kit(store, NullMailer())
                profile(lambda: kit.deliver().sent, f"deliver, SQLite, {n:,}", flat=flat)
            subjects.close(store)
        except Unavailable as err:
            print(f"== SQLite: {err}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
