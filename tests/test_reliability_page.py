"""docs/reliability.md shows the figures of a real campaign run, rendered, never hand-edited."""

from __future__ import annotations

import importlib.util
import json
import re
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
PAGE = ROOT / "docs" / "reliability.md"


def load_script() -> ModuleType:
    path = ROOT / "docs" / "scripts" / "reliability_report.py"
    spec = importlib.util.spec_from_file_location("reliability_report", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


script = load_script()

SAMPLE: dict[str, Any] = {
    "mode": "ci",
    "finished": "2026-01-05 09:00 UTC",
    "python": "3.12.1",
    "machine": "Linux x86_64, 2 cores",
    "figures": {
        "model": {"divergences": 0, "examples": 1200, "steps": 48000},
        "crash delivery sqlite": {"kills": 25, "per_worker": [3, 4]},
        "run": {"seconds": 170.5},
    },
}
PAGE_TEMPLATE = "# Figures\n\n<!-- figures:start -->\nold\n<!-- figures:end -->\n\nAfter.\n"


def test_the_committed_page_holds_a_rendered_report() -> None:
    page = PAGE.read_text(encoding="utf-8")
    report = script.embedded_report(page)
    block = script.block_of(page)
    assert f"Last run: mode **{report['mode']}**, finished {report['finished']}" in block
    assert report["mode"] in ("ci", "long")


def test_the_committed_page_shows_the_sections_of_this_campaign() -> None:
    report = script.embedded_report(PAGE.read_text(encoding="utf-8"))
    assert {"model", "hostile_input", "security"} <= set(report["figures"])
    assert report["figures"]["model"]["divergences"] == 0


def test_every_section_of_a_report_becomes_a_table() -> None:
    page = script.rewrite(PAGE_TEMPLATE, SAMPLE)
    block = script.block_of(page)
    assert "#### Model test of the whole facade (`model`)" in block
    assert "#### Crash delivery sqlite (`crash delivery sqlite`)" in block
    assert "| steps | 48,000 |" in block
    assert "| per_worker | [3, 4] |" in block
    assert "| seconds | 170.5 |" in block
    assert page.startswith("# Figures\n\n<!-- figures:start -->\n")
    assert page.endswith("<!-- figures:end -->\n\nAfter.\n")
    assert "old" not in block


def test_rewriting_twice_gives_the_same_page() -> None:
    once = script.rewrite(PAGE_TEMPLATE, SAMPLE)
    assert script.rewrite(once, SAMPLE) == once
    assert script.embedded_report(once) == SAMPLE


def test_a_hand_edited_figure_is_caught() -> None:
    page = script.rewrite(PAGE_TEMPLATE, SAMPLE).replace("| kills | 25 |", "| kills | 250 |")
    with pytest.raises(script.ReportError, match="not the rendering"):
        script.embedded_report(page)


def test_a_report_with_a_divergence_cannot_be_published() -> None:
    bad = json.loads(json.dumps(SAMPLE))
    bad["figures"]["model"]["divergences"] = 1
    with pytest.raises(script.ReportError, match="must be 0"):
        script.rewrite(PAGE_TEMPLATE, bad)


@pytest.mark.parametrize("key", ["mode", "finished", "figures"])
def test_a_report_missing_a_key_is_refused(key: str) -> None:
    broken = {k: v for k, v in SAMPLE.items() if k != key}
    with pytest.raises(script.ReportError):
        script.check_report(broken)


def test_a_page_without_markers_is_refused() -> None:
    with pytest.raises(script.ReportError, match="figures:start"):
        script.rewrite("# no markers\n", SAMPLE)


def test_the_page_documents_the_command_that_makes_the_figures() -> None:
    text = PAGE.read_text(encoding="utf-8")
    assert re.search(r"python3 dev\.py test tests/reliability\s", text)
    assert "python3 dev.py test tests/reliability --long" in text
    assert "docs/scripts/reliability_report.py" in text
