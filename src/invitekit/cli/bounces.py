"""``invitekit bounces PATH``: apply the bounce and complaint reports of a mailbox.

The mailbox is a Maildir (a directory) or an mbox file, read with the standard
library's :mod:`mailbox`; it is only read, never changed.  Each report is applied
to the business whose message it is about, through a
:class:`~invitekit.BounceProcessor` on the database (no secret key or mail URL
needed).  Applying a report twice changes nothing, so running the command again
on the same mailbox is harmless.
"""

from __future__ import annotations

import argparse
import mailbox
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from invitekit.cli.exits import ExitCode
from invitekit.cli.settings import Settings, add_settings_arguments, open_store

__all__ = ["register"]


def register(commands: Any) -> None:
    """Add ``bounces`` to ``commands`` (the main parser's subparsers)."""
    bounces = commands.add_parser(
        "bounces",
        help="apply the bounce and complaint reports of a Maildir or mbox",
        description="Read every email of PATH (a Maildir directory or an mbox file) and "
        "apply each bounce (RFC 3464) or complaint (RFC 5965) report to the business "
        "whose message it is about: hard bounces and repeated soft ones make the "
        "address undeliverable, complaints unsubscribe, and a campaign that bounces "
        "too much pauses.  The mailbox is not changed; a report applied before changes "
        "nothing.  Prints one line: how many were applied, were not reports, or were "
        "about a message of no business in the database.  Feed it only the mailbox of "
        "your bounce (return path) address.",
    )
    bounces.add_argument(
        "path", metavar="PATH", type=_mailbox_path, help="a Maildir directory or an mbox file"
    )
    add_settings_arguments(bounces)
    bounces.set_defaults(run=run_bounces)


def _mailbox_path(text: str) -> Path:
    path = Path(text)
    if path.is_dir():
        if not (path / "cur").is_dir() or not (path / "new").is_dir():
            raise argparse.ArgumentTypeError(f"{text} is a directory but not a Maildir")
        return path
    if not path.is_file():
        raise argparse.ArgumentTypeError(f"no such Maildir or mbox file: {text}")
    return path


def _emails(path: Path) -> Iterator[bytes]:
    box: mailbox.Mailbox[Any] = (
        mailbox.Maildir(path, factory=None, create=False)
        if path.is_dir()
        else mailbox.mbox(path, create=False)
    )
    try:
        for key in box.iterkeys():
            yield box.get_bytes(key)
    finally:
        box.close()


def run_bounces(args: argparse.Namespace, settings: Settings) -> ExitCode:
    """``invitekit bounces PATH``."""
    from invitekit import BounceProcessor

    store = open_store(settings)
    processor = BounceProcessor(store=store)
    counts: Counter[str] = Counter()
    effects: Counter[str] = Counter()
    try:
        for raw in _emails(args.path):
            status, outcome = processor.process_report(raw)
            counts[status] += 1
            if outcome is not None and outcome.recorded:
                effects["recorded"] += 1
                effects["paused"] += outcome.paused
    except OSError as err:
        from invitekit.exceptions import ConfigurationError

        raise ConfigurationError(f"cannot read {args.path}: {err.strerror or err}") from err
    finally:
        store.engine.dispose()
    print(
        f"{counts['applied']} applied ({effects['recorded']} new, "
        f"{effects['paused']} campaigns paused), {counts['not a report']} not a report, "
        f"{counts['unknown message']} unknown message",
        flush=True,
    )
    return ExitCode.OK
