"""Write the figures of a reliability run into docs/reliability.md.

    python docs/scripts/reliability_report.py [REPORT]   rewrite the figures block
    python docs/scripts/reliability_report.py --check    exit 1 unless the block is well-formed

``REPORT`` is the JSON file the campaign writes (``$INVITEKIT_RELIABILITY_REPORT``,
by default ``reliability-report.json``; see ``tests/reliability/conftest.py``).
The block between ``<!-- figures:start -->`` and ``<!-- figures:end -->`` is
replaced by one table per section of the report -- every section, whoever's test
wrote it -- followed by the report itself as a one-line comment, so that a test
(``tests/test_reliability_page.py``) can check that the tables are exactly a
rendering of a real report, untouched by hand.
"""

from __future__ import annotations

import json
import os
import re
import sys
from pathlib import Path
from typing import Any

PAGE = Path(__file__).resolve().parent.parent / "reliability.md"
START = "<!-- figures:start -->"
END = "<!-- figures:end -->"
EMBEDDED = re.compile(r"^<!-- report: (\{.*\}) -->$", re.MULTILINE)

# Shown first, in this order; any other section follows in alphabetical order.
ORDER = [
    "model",
    "hostile_input",
    "security",
    "faults",
    "crash",
    "concurrency",
    "throttle",
    "scale_out",
    "run",
]
TITLES = {
    "model": "Model test of the whole facade",
    "hostile_input": "Hostile input",
    "security": "Security checks",
    "faults": "Fault injection in the Store",
    "crash": "Crash campaign",
    "concurrency": "Concurrency",
    "throttle": "Throttles under concurrency",
    "scale_out": "Scale-out",
    "run": "The run",
}
# Figures that a run may only ever report as zero: a page showing anything
# else is not a page the project publishes.
MUST_BE_ZERO = frozenset(
    {
        "divergences",
        "header_injections",
        "template_escapes",
        "secrets_found",
        "losses",
        "lost",
        "double_sends",
        "half_written",
    }
)
REQUIRED = ("mode", "finished", "python", "machine", "figures")


class ReportError(ValueError):
    """The report (or the page's block) is not what a campaign run writes."""


def check_report(report: Any) -> dict[str, Any]:
    """Return ``report`` if it has the shape the campaign writes.

    Raises:
        ReportError: a missing key, an unknown mode, a section that is not a
            table of figures, or a must-be-zero figure that is not zero.
    """
    if not isinstance(report, dict) or any(key not in report for key in REQUIRED):
        raise ReportError(f"a report needs the keys {', '.join(REQUIRED)}")
    if report["mode"] not in ("ci", "long"):
        raise ReportError(f"unknown mode {report['mode']!r}")
    if not re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d UTC", str(report["finished"])):
        raise ReportError(f"finished is not a 'YYYY-MM-DD HH:MM UTC' time: {report['finished']!r}")
    figures = report["figures"]
    if not isinstance(figures, dict) or not figures:
        raise ReportError("a report needs at least one section of figures")
    for section, values in figures.items():
        if not isinstance(values, dict) or not values:
            raise ReportError(f"section {section!r} has no figures")
        for name, value in values.items():
            if name in MUST_BE_ZERO and value != 0:
                raise ReportError(f"{section}.{name} is {value!r}; it must be 0")
    return report


def _sections(figures: dict[str, Any]) -> list[str]:
    known = [s for s in ORDER if s in figures]
    return known + sorted(s for s in figures if s not in ORDER)


def _cell(value: Any) -> str:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return str(value).replace("|", "\\|")
    return f"{value:,}" if isinstance(value, int) else f"{value:,.1f}"


def render(report: dict[str, Any]) -> str:
    """The figures block (markers excluded) for ``report``."""
    check_report(report)
    lines = [
        "",
        f"Last run: mode **{report['mode']}**, finished {report['finished']}, "
        f"Python {report['python']}, {report['machine']}.",
    ]
    for section in _sections(report["figures"]):
        values = report["figures"][section]
        title = TITLES.get(section, section.replace("_", " ").capitalize())
        lines += ["", f"#### {title} (`{section}`)", "", "| figure | value |", "|---|---:|"]
        lines += [f"| {name} | {_cell(values[name])} |" for name in sorted(values)]
    compact = json.dumps(report, sort_keys=True, separators=(",", ":"))
    lines += ["", f"<!-- report: {compact} -->", ""]
    return "\n".join(lines)


def block_of(page: str) -> str:
    """The text between the figures markers of ``page``.

    Raises:
        ReportError: the markers are missing or out of order.
    """
    start, end = page.find(START), page.find(END)
    if start < 0 or end < start or page.count(START) != 1 or page.count(END) != 1:
        raise ReportError(f"the page needs one {START} followed by one {END}")
    return page[start + len(START) : end]


def rewrite(page: str, report: dict[str, Any]) -> str:
    """``page`` with its figures block replaced by the rendering of ``report``."""
    block = block_of(page)
    return page.replace(START + block + END, START + render(report) + END)


def embedded_report(page: str) -> dict[str, Any]:
    """The report a page's figures block was made from.

    Raises:
        ReportError: the block holds no report, or its tables are not exactly
            the rendering of that report (edited by hand, or half-written).
    """
    block = block_of(page)
    found = EMBEDDED.findall(block)
    if len(found) != 1:
        raise ReportError("the figures block holds no report")
    report = check_report(json.loads(found[0]))
    if render(report) != block:
        raise ReportError("the figures block is not the rendering of its report")
    return report


def main(argv: list[str]) -> int:
    if argv[:1] == ["--check"]:
        try:
            report = embedded_report(PAGE.read_text(encoding="utf-8"))
        except ReportError as err:
            print(f"{PAGE.name}: {err}", file=sys.stderr)
            return 1
        print(f"{PAGE.name}: figures of the {report['mode']} run of {report['finished']}")
        return 0
    default = os.environ.get("INVITEKIT_RELIABILITY_REPORT", "reliability-report.json")
    source = Path(argv[0] if argv else default)
    report = check_report(json.loads(source.read_text(encoding="utf-8")))
    PAGE.write_text(rewrite(PAGE.read_text(encoding="utf-8"), report), encoding="utf-8")
    print(f"{PAGE.name}: figures of the {report['mode']} run of {report['finished']}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
