"""The reliability campaign's shared pieces: its size, and the figures it reports.

Every test in this folder records what it tried and what it saw through the
``figures`` fixture; at the end of the run the figures are printed and written as
JSON (to ``$INVITEKIT_RELIABILITY_REPORT``, by default
``reliability-report.json`` in the current folder).  ``docs/reliability.md`` is
made from that file by ``docs/scripts/reliability_report.py``.
"""

from __future__ import annotations

import json
import os
import platform
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import attrs
import pytest

REPORT_VARIABLE = "INVITEKIT_RELIABILITY_REPORT"


@attrs.define
class Figures:
    """Named counts and measurements, grouped by the promise they support."""

    long: bool
    values: dict[str, dict[str, Any]] = attrs.field(factory=dict)

    def record(self, section: str, **values: Any) -> None:
        """Add figures under ``section`` (adding to numbers already there)."""
        current = self.values.setdefault(section, {})
        for name, value in values.items():
            if isinstance(value, int | float) and isinstance(current.get(name), int | float):
                current[name] += value
            else:
                current[name] = value


_figures: Figures | None = None


@pytest.fixture(scope="session")
def long_run(request: pytest.FixtureRequest) -> bool:
    """Whether ``--long`` was given: the campaign runs at its big size."""
    return bool(request.config.getoption("--long"))


@pytest.fixture(scope="session")
def figures(long_run: bool) -> Iterator[Figures]:
    """The campaign's figures; see :class:`Figures`."""
    global _figures
    _figures = Figures(long=long_run)
    started = time.time()
    yield _figures
    _figures.record("run", seconds=round(time.time() - started, 1))


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if _figures is None or not _figures.values:
        return
    report = {
        "mode": "long" if _figures.long else "ci",
        "python": platform.python_version(),
        "machine": f"{platform.system()} {platform.machine()}, {os.cpu_count()} cores",
        "finished": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "figures": _figures.values,
    }
    path = Path(os.environ.get(REPORT_VARIABLE, "reliability-report.json"))
    path.write_text(json.dumps(report, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    terminalreporter.section("reliability figures")
    for section, values in sorted(_figures.values.items()):
        shown = ", ".join(f"{k}={v}" for k, v in sorted(values.items()))
        terminalreporter.write_line(f"{section}: {shown}")
    terminalreporter.write_line(f"written to {path}")
