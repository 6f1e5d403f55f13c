"""Profile the campaign path with pyinstrument: ``python -m bench.profile [N] [--flat]``.

Prints, for the memory store and (when available) an SQLite file, where a
campaign of N customers (default 10,000) spends its time, and the process CPU
time next to the wall time: on a shared machine the wall time includes time
the process spent waiting for a CPU, the proportions are what matter.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from pyinstrument import Profiler

from bench import subjects
from bench.harness import Unavailable


def profile(store: Any, label: str, *, flat: bool) -> None:
    """Profile one campaign on ``store`` and print the report."""
    profiler = Profiler(interval=0.001)
    cpu = time.process_time()
    profiler.start()
    queued = subjects.campaign(store)
    profiler.stop()
    cpu = time.process_time() - cpu
    print(f"== {label}: {queued:,} invitations queued, {cpu:.2f} s CPU")
    print(profiler.output_text(show_all=False, flat=flat, time="percent_of_total"))


def main(argv: list[str]) -> int:
    """Profile on memory, then on SQLite if the SQL store is there."""
    flat = "--flat" in argv
    numbers = [int(a) for a in argv if a.isdigit()]
    n = numbers[0] if numbers else 10_000
    profile(subjects.memory_store(n), f"memory store, {n:,} customers", flat=flat)
    try:
        with tempfile.TemporaryDirectory() as directory:
            template = subjects.SQLiteTemplate(Path(directory), n)
            store = subjects.open_sql(f"sqlite:///{template.fresh()}")
            profile(store, f"SQLite file, {n:,} customers", flat=flat)
            subjects.close(store)
    except Unavailable as err:
        print(f"== SQLite: {err}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
