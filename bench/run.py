"""The benchmark runner: ``python -m bench [--quick] [--only NAME] [--json OUT]``.

Also runs as ``python bench/run.py``.  See bench/README.md for what each figure is.
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import tempfile
import time
import traceback
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: make ``bench`` importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.figures import Context, registry
from bench.harness import Unavailable


def _human(value: float | None, unit: str) -> str:
    if value is None:
        return "-"
    if unit.startswith("bytes"):
        return f"{value / 2**20:,.1f} MiB" if value >= 2**20 else f"{value / 2**10:,.0f} KiB"
    return f"{value:,.0f}"


def table(results: dict[str, Any]) -> str:
    """The results as a Markdown table (one row per contestant, then per target)."""
    lines = [
        "| figure | contestant / ratio | median | min | max | peak memory | target | verdict |",
        "|---|---|---:|---:|---:|---:|---|---|",
    ]
    for name, figure in results.items():
        if figure["status"] != "ok":
            lines.append(f"| {name} | {figure['status']}: {figure['reason']} | | | | | | |")
            continue
        unit = figure["unit"]
        for contestant, stats in figure["contestants"].items():
            lines.append(
                f"| {name} | {contestant} ({unit}) | {_human(stats['median'], unit)} "
                f"| {_human(stats['min'], unit)} | {_human(stats['max'], unit)} "
                f"| {_human(stats['peak_bytes'], 'bytes')} | | |"
            )
        for target in figure["targets"]:
            versus = f" / {target['baseline']}" if target["baseline"] else ""
            lines.append(
                f"| {name} | {target['subject']}{versus} "
                f"| {target['ratio_median']:.3f} | {target['ratio_min']:.3f} "
                f"| {target['ratio_max']:.3f} | | {target['target']} | {target['verdict']} |"
            )
        if "campaign_seconds" in figure:
            for contestant, runs in figure["campaign_seconds"].items():
                took = ", ".join(f"{s:,.1f} s" for s in runs)
                seeded = figure["seed_seconds"][contestant]
                lines.append(
                    f"| {name} | {contestant}: campaign took {took} "
                    f"(seeding {seeded:,.1f} s) | | | | | | |"
                )
        if "duplicates" in figure:
            lines.append(
                f"| {name} | duplicate sends per worker count: {figure['duplicates']} "
                f"| | | | | zero duplicates | {figure['duplicates_verdict']} |"
            )
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    """Parse arguments, run the figures, print the table, write the JSON."""
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="small sizes: a smoke test")
    parser.add_argument("--only", action="append", help="run only this figure (repeatable)")
    parser.add_argument("--json", type=Path, help="write the results here")
    parser.add_argument(
        "--rounds", type=int, help="timed rounds per figure (default 5; 2 with --quick)"
    )
    parser.add_argument("--skip-huge", action="store_true", help="skip the 1,000,000 campaign")
    parser.add_argument(
        "--huge-size",
        type=int,
        default=1_000_000,
        help="customers of the large campaign of the memory figure",
    )
    parser.add_argument("--list", action="store_true", help="list the figures and exit")
    args = parser.parse_args(argv)

    def progress(line: str) -> None:
        print(line, file=sys.stderr, flush=True)

    with tempfile.TemporaryDirectory(prefix="invitekit-bench-") as directory:
        ctx = Context(
            quick=args.quick,
            rounds=args.rounds or (2 if args.quick else 5),
            directory=Path(directory),
            skip_huge=args.skip_huge,
            progress=progress,
            huge=args.huge_size,
            rounds_given=args.rounds is not None,
        )
        figures = registry(ctx)
        if args.list:
            print("\n".join(figures))
            return 0
        unknown = set(args.only or ()) - set(figures)
        if unknown:
            parser.error(f"unknown figure(s) {sorted(unknown)}; see --list")
        results: dict[str, Any] = {}
        try:
            for name, figure in figures.items():
                if args.only and name not in args.only:
                    continue
                progress(f"{name} ...")
                start = time.perf_counter()
                try:
                    results[name] = {"status": "ok", **figure()}
                except Unavailable as err:
                    results[name] = {"status": "unavailable", "reason": err.reason}
                except Exception as err:  # one broken figure must not hide the others
                    traceback.print_exc()
                    results[name] = {"status": "error", "reason": f"{type(err).__name__}: {err}"}
                results[name]["wall_seconds"] = time.perf_counter() - start
        finally:
            ctx.close()
    report = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "command": " ".join(["python -m bench", *argv]),
        "python": sys.version.split()[0],
        "machine": platform.platform(),
        "quick": args.quick,
        "figures": results,
    }
    print(table(results))
    if args.json is not None:
        args.json.write_text(json.dumps(report, indent=2, default=str) + "\n", encoding="utf-8")
    return 1 if any(f["status"] == "error" for f in results.values()) else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
