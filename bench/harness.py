"""Measuring: interleaved rounds, medians, ratios taken in the same round, targets.

A figure is a set of *contestants* (invitekit and its baselines) that each do one
run per round and return a :class:`Sample`.  Every round runs each contestant once,
rotating who goes first, so that machine noise (other tenants, CPU frequency)
hits all of them alike; a ratio is taken between two samples of the same round
and the medians are taken over rounds.
"""

from __future__ import annotations

import statistics
import time
import tracemalloc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import attrs


@attrs.frozen(kw_only=True)
class Sample:
    """One run of one contestant: ``ops`` operations in ``seconds``, and peak memory."""

    ops: int
    seconds: float
    peak_bytes: int | None = None

    @property
    def rate(self) -> float:
        """Operations per second (for a memory contestant: bytes, see ``higher_is_better``)."""
        return self.ops / self.seconds if self.seconds > 0 else float("inf")


@attrs.frozen(kw_only=True)
class Contestant:
    """One side of a figure.

    Attributes:
        name: shown in the table.
        run: does one run; ``trace=True`` asks it to measure peak memory too (slower,
            so that run is not timed).
    """

    name: str
    run: Callable[[bool], Sample]


@attrs.frozen(kw_only=True)
class Target:
    """What the issue asks: ``subject`` / ``baseline`` (median ratio) at least ``at_least``.

    With ``at_most`` instead, the ratio must stay under it (memory).  With no
    ``baseline``, the subject's own median value is read against the bound
    (stored bytes per invitation).
    """

    subject: str
    baseline: str | None
    text: str
    at_least: float | None = None
    at_most: float | None = None

    def verdict(self, ratio: float) -> str:
        """``PASS`` or ``MISS`` for a measured median ratio, ``-`` when there is no target."""
        if self.at_least is None and self.at_most is None:
            return "-"
        if self.at_least is not None and ratio < self.at_least:
            return "MISS"
        if self.at_most is not None and ratio >= self.at_most:
            return "MISS"
        return "PASS"


@attrs.frozen(kw_only=True)
class Unavailable(Exception):
    """A figure cannot run here (a missing adapter, server or package), and why."""

    reason: str

    def __str__(self) -> str:
        return self.reason


@contextmanager
def traced() -> Iterator[list[int]]:
    """Measure the peak of Python allocations (tracemalloc) inside the block.

    Yields a list that holds the peak in bytes once the block ends.
    """
    result: list[int] = []
    tracemalloc.start()
    try:
        yield result
    finally:
        result.append(tracemalloc.get_traced_memory()[1])
        tracemalloc.stop()


def timed(ops: int, work: Callable[[], Any], *, trace: bool) -> Sample:
    """Run ``work`` (which does ``ops`` operations) once and time it, or trace its memory."""
    if trace:
        with traced() as peak:
            start = time.perf_counter()
            work()
            seconds = time.perf_counter() - start
        return Sample(ops=ops, seconds=seconds, peak_bytes=peak[0])
    start = time.perf_counter()
    work()
    return Sample(ops=ops, seconds=time.perf_counter() - start)


def _stats(values: list[float]) -> dict[str, float]:
    return {"median": statistics.median(values), "min": min(values), "max": max(values)}


def measure(
    contestants: list[Contestant],
    targets: list[Target],
    *,
    rounds: int,
    unit: str,
    trace_round: bool = True,
    progress: Callable[[str], None] = lambda _line: None,
) -> dict[str, Any]:
    """Run ``rounds`` interleaved rounds (plus one traced warm-up round) and summarise.

    The warm-up round fills caches, imports lazily loaded modules and measures
    peak memory under tracemalloc; it is not timed because tracing slows Python
    down severalfold.

    Returns:
        a JSON-ready dict: per contestant the median, min and max rate and the
        peak memory; per target the median, min and max ratio of the rates taken
        in the same round, and PASS or MISS.
    """
    peaks: dict[str, int | None] = {c.name: None for c in contestants}
    if trace_round:
        for contestant in contestants:
            progress(f"  warm-up (traced) {contestant.name}")
            peaks[contestant.name] = contestant.run(True).peak_bytes
    samples: dict[str, list[Sample]] = {c.name: [] for c in contestants}
    for index in range(rounds):
        shift = index % len(contestants)
        for contestant in contestants[shift:] + contestants[:shift]:
            sample = contestant.run(False)
            samples[contestant.name].append(sample)
            progress(f"  round {index + 1}/{rounds} {contestant.name}: {sample.rate:,.0f} {unit}")
            if sample.peak_bytes is not None:
                peaks[contestant.name] = max(peaks[contestant.name] or 0, sample.peak_bytes)
    summary: dict[str, Any] = {"unit": unit, "rounds": rounds, "contestants": {}, "targets": []}
    for contestant in contestants:
        runs = samples[contestant.name]
        summary["contestants"][contestant.name] = {
            **_stats([s.rate for s in runs]),
            "ops": runs[0].ops,
            "peak_bytes": peaks[contestant.name],
        }
    for target in targets:
        if target.baseline is None:
            ratios = [a.rate for a in samples[target.subject]]
        else:
            ratios = [
                a.rate / b.rate
                for a, b in zip(samples[target.subject], samples[target.baseline], strict=True)
            ]
        stats = _stats(ratios)
        summary["targets"].append(
            {
                "subject": target.subject,
                "baseline": target.baseline,
                "target": target.text,
                **{f"ratio_{k}": v for k, v in stats.items()},
                "verdict": target.verdict(stats["median"]),
            }
        )
    return summary
