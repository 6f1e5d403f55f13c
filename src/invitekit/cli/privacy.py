"""``invitekit purge``: remove what is past its retention, for every business or one.

The retention flags (``--signups-days`` and the rest) are shared with
``invitekit worker --purge-every HOURS``, which purges between deliveries.
"""

from __future__ import annotations

import argparse
from datetime import timedelta
from typing import Any

import attrs

from invitekit.cli.exits import ExitCode
from invitekit.cli.settings import (
    Settings,
    add_business_argument,
    add_settings_arguments,
    open_store,
)
from invitekit.privacy import PurgeReport, Retention

__all__ = ["add_retention_arguments", "purge_line", "register", "retention_of"]

_DEFAULT = Retention()


def register(commands: Any) -> None:
    """Add ``purge`` to ``commands`` (the main parser's subparsers)."""
    purge = commands.add_parser(
        "purge",
        help="remove what is past its retention (sign-ups, attempts, old emails and events)",
        description="Remove, for every business of the database (or the one --business "
        "names), what is past its retention: unconfirmed sign-ups, throttle attempts, the "
        "address and server text of old emails, old history events (a campaign's funnel "
        "events stay, anonymised).  Works in short batches, so it may run beside the "
        "worker.  Prints what it removed.  See docs/privacy.md.",
    )
    add_retention_arguments(purge)
    add_business_argument(purge)
    add_settings_arguments(purge)
    purge.set_defaults(run=run_purge)


def _days(text: str) -> timedelta:
    try:
        days = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of days: {text!r}") from None
    if days <= 0:
        raise argparse.ArgumentTypeError(f"must be more than 0: {text!r}")
    return timedelta(days=days)


def add_retention_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the flags of a :class:`~invitekit.Retention` (each defaults to its default)."""
    for name, default, what in (
        ("signups", _DEFAULT.signups, "unconfirmed sign-ups"),
        ("attempts", _DEFAULT.attempts, "failed logins and account-email requests"),
        ("messages", _DEFAULT.messages, "the address and server text of sent emails"),
        ("events", _DEFAULT.events, "history events"),
    ):
        assert default is not None
        parser.add_argument(
            f"--{name}-days",
            metavar="DAYS",
            type=_days,
            default=default,
            dest=f"retain_{name}",
            help=f"keep {what} this long (default {default.days})",
        )
    parser.add_argument(
        "--keep-events",
        action="store_true",
        dest="keep_all_events",
        help="keep every history event, however old",
    )
    parser.add_argument(
        "--purge-batch",
        metavar="N",
        type=int,
        default=_DEFAULT.batch_size,
        help=f"records of each kind per transaction (default {_DEFAULT.batch_size})",
    )


def retention_of(args: argparse.Namespace) -> Retention:
    """The :class:`~invitekit.Retention` the flags of :func:`add_retention_arguments` give.

    Raises:
        ConfigurationError: an unusable retention (fewer than a day of attempts...).
    """
    return Retention(
        signups=args.retain_signups,
        attempts=args.retain_attempts,
        messages=args.retain_messages,
        events=None if args.keep_all_events else args.retain_events,
        batch_size=args.purge_batch,
    )


def purge_line(report: PurgeReport) -> str:
    """One line saying what a purge removed."""
    return ", ".join(
        f"{getattr(report, field)} {field.replace('_', ' ')}"
        for field in attrs.fields_dict(PurgeReport)
    )


def run_purge(args: argparse.Namespace, settings: Settings) -> ExitCode:
    """``invitekit purge``."""
    from invitekit.clock import SystemClock
    from invitekit.flows import privacy

    retention = retention_of(args)
    store = open_store(settings)
    try:
        now = SystemClock().now()
        if settings.business_id is None:
            report = privacy.purge_all(store, retention, now=now)
        else:
            report = privacy.purge(store, settings.business_id, retention, now=now)
    finally:
        store.engine.dispose()
    print(f"purged: {purge_line(report)}", flush=True)
    return ExitCode.OK
