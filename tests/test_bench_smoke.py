"""The benchmark harness runs end to end (quick mode) and reports every figure.

Speed is not asserted here: timings belong to the benchmark's own output.
"""

from __future__ import annotations

import importlib.util
import json
import math
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        importlib.util.find_spec("invitations") is None,
        reason="the benchmark's peer is not installed (pip install --group bench)",
    ),
]


@pytest.fixture(scope="module")
def quick_report(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    out = tmp_path_factory.mktemp("bench") / "quick.json"
    subprocess.run(
        [sys.executable, "-m", "bench", "--quick", "--json", str(out)],
        cwd=ROOT,
        check=True,
        capture_output=True,
        timeout=600,
    )
    report: dict[str, Any] = json.loads(out.read_text())
    return report


def _listed_figures() -> list[str]:
    listing = subprocess.run(
        [sys.executable, "-m", "bench", "--quick", "--list"],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    )
    return listing.stdout.split()


def test_quick_mode_reports_every_figure(quick_report: dict[str, Any]) -> None:
    assert sorted(quick_report["figures"]) == sorted(_listed_figures())


def test_every_measured_figure_has_numeric_statistics(quick_report: dict[str, Any]) -> None:
    measured = {n: f for n, f in quick_report["figures"].items() if f["status"] == "ok"}
    assert measured, "no figure could be measured"
    for figure in measured.values():
        for stats in figure["contestants"].values():
            for field in ("median", "min", "max"):
                assert math.isfinite(stats[field]) and stats[field] > 0
            assert stats["min"] <= stats["median"] <= stats["max"]
        for target in figure["targets"]:
            assert math.isfinite(target["ratio_median"]) and target["ratio_median"] > 0
            assert target["verdict"] in {"PASS", "MISS", "-"}


def test_figures_that_cannot_run_say_why(quick_report: dict[str, Any]) -> None:
    for figure in quick_report["figures"].values():
        assert figure["status"] in {"ok", "unavailable"}
        if figure["status"] == "unavailable":
            assert figure["reason"]


def test_stored_bytes_are_read_against_an_absolute_bound(quick_report: dict[str, Any]) -> None:
    figure = quick_report["figures"]["stored-bytes-sqlite"]
    if figure["status"] != "ok":
        pytest.skip(figure["reason"])
    (target,) = figure["targets"]
    assert target["baseline"] is None
    (stats,) = figure["contestants"].values()
    assert target["ratio_median"] == stats["median"]  # bytes per invitation, not a ratio


def test_campaign_figures_measure_queueing_against_the_peer_only(
    quick_report: dict[str, Any],
) -> None:
    for name, figure in quick_report["figures"].items():
        if name.startswith(("campaign-sqlite-", "campaign-memory-")) and figure["status"] == "ok":
            assert sorted(figure["contestants"]) == sorted(
                [name.split("-")[1].join(["invitekit (", ")"]), "django-invitations"]
            )


def test_the_campaign_report_figure_compares_the_report_with_status_counts_and_queueing(
    quick_report: dict[str, Any],
) -> None:
    (name,) = [n for n in quick_report["figures"] if n.startswith("campaign-report-sqlite-")]
    figure = quick_report["figures"][name]
    if figure["status"] != "ok":
        pytest.skip(figure.get("reason", "unavailable"))
    assert sorted(figure["contestants"]) == ["campaign_report", "status_counts"]
    assert figure["queue_seconds"] > 0
    assert figure["report_seconds"] > 0
    assert figure["report_share_of_queueing"] == figure["report_seconds"] / figure["queue_seconds"]
