"""``invitekit worker`` and ``invitekit deliver --once``: deliver the outbox of every business.

The worker is a :class:`~invitekit.Worker` run in batches.  SIGTERM and SIGINT
only set a flag, read between batches, so the batch in hand is finished: every
message it claimed is sent and recorded (or released) before the process exits,
and none is left half-recorded or claimed.  A clean stop on SIGTERM exits 0 (a
service manager asked for it); SIGINT (Ctrl-C) exits 130, as shells expect.
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType
from typing import Any

from invitekit.cli.exits import ExitCode
from invitekit.cli.privacy import add_retention_arguments, purge_line, retention_of
from invitekit.cli.settings import Settings, add_settings_arguments, open_store
from invitekit.reports import DeliveryReport

__all__ = ["register"]

# ``held_back``: kept for later by the business's pacing or quiet hours (scheduled, not failed).
_FIELDS = ("sent", "retrying", "failed", "cancelled", "held_back")
# Shown when there are some: a store whose businesses have no webhooks prints none.
_WEBHOOK_FIELDS = ("webhooks_sent", "webhooks_failed")


def register(commands: Any) -> None:
    """Add ``worker`` and ``deliver`` to ``commands`` (the main parser's subparsers)."""
    worker = commands.add_parser(
        "worker",
        help="deliver queued emails for every business, until stopped",
        description="Deliver the outbox of every business in the database, composing "
        "each email for its business and signing its links with the secret keys.  "
        "Loops until SIGTERM or SIGINT, finishing the batch in hand first; prints one "
        "line per batch and a summary.  Exit status 0 when done or stopped by SIGTERM, "
        "130 when stopped by SIGINT (Ctrl-C), 3 for a missing setting, 4 when the "
        "database cannot be reached.",
    )
    _add_delivery_arguments(worker)
    worker.add_argument("--once", action="store_true", help="deliver what is due now, then exit")
    worker.add_argument(
        "--interval",
        metavar="SECONDS",
        type=_positive(float),
        default=5.0,
        help="how long to wait when nothing is due (default 5; a signal ends the wait)",
    )
    worker.add_argument(
        "--purge-every",
        metavar="HOURS",
        type=_positive(float),
        default=None,
        help="also purge what is past its retention (see `invitekit purge`) every HOURS, "
        "between batches (default: never)",
    )
    add_retention_arguments(worker)
    worker.set_defaults(run=run_worker)
    deliver = commands.add_parser(
        "deliver",
        help="deliver what is due now for every business, then exit",
        description="The same as `invitekit worker --once`: deliver the outbox of every "
        "business of the database until nothing is due, then exit.",
    )
    _add_delivery_arguments(deliver)
    deliver.add_argument(
        "--once",
        action="store_true",
        default=True,
        help="deliver what is due now, then exit (the only mode; accepted for clarity)",
    )
    deliver.set_defaults(run=run_worker, interval=0.0, purge_every=None)


def _add_delivery_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--batch",
        metavar="N",
        type=_positive(int),
        default=100,
        help="claim at most N messages at a time (default 100)",
    )
    add_settings_arguments(parser)


def _positive(kind: type[int] | type[float]) -> Any:
    def parse(text: str) -> int | float:
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
        if value <= 0:
            raise argparse.ArgumentTypeError(f"must be more than 0: {text!r}")
        return value

    return parse


class _Stop:
    """Which signal asked the worker to stop, if any; read between batches."""

    def __init__(self) -> None:
        self.signal: int | None = None

    def __call__(self, signum: int, frame: FrameType | None) -> None:
        # No exception: the batch in hand runs to its end.
        self.signal = signum

    def sleep(self, seconds: float) -> None:
        """Wait ``seconds``, or less when a signal arrives."""
        deadline = time.monotonic() + seconds
        while self.signal is None and (left := deadline - time.monotonic()) > 0:
            # Short naps: a signal handler cannot safely wake a lock or an Event.
            time.sleep(min(left, 0.1))


@contextmanager
def _handling_signals(stop: _Stop) -> Iterator[None]:
    if threading.current_thread() is not threading.main_thread():
        yield  # main() called from a thread: signals are the caller's business
        return
    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _line(report: DeliveryReport | dict[str, int]) -> str:
    counts = report if isinstance(report, dict) else _counts(report)
    line = ", ".join(f"{counts[field]} {field.replace('_', ' ')}" for field in _FIELDS)
    if counts["webhooks_sent"] or counts["webhooks_failed"]:
        line += f"; webhooks: {counts['webhooks_sent']} sent, {counts['webhooks_failed']} failed"
    return line


def _counts(report: DeliveryReport) -> dict[str, int]:
    return {field: getattr(report, field) for field in (*_FIELDS, *_WEBHOOK_FIELDS)}


def _unsent_webhooks(store: Any) -> int:
    """How many enabled webhook endpoints the store's businesses have (told when none is sent)."""
    with store.transaction(readonly=True) as tx:
        return sum(
            hook.enabled for business in tx.business_ids() for hook in tx.list_webhooks(business)
        )


def _webhook_sender() -> Any:
    """An HTTP sender for the businesses' webhooks, or ``None`` without ``invitekit[webhooks]``."""
    from invitekit.adapters.webhooks import HTTPWebhookSender
    from invitekit.exceptions import MissingDependency

    try:
        return HTTPWebhookSender()
    except MissingDependency:
        return None


def run_worker(args: argparse.Namespace, settings: Settings) -> ExitCode:
    """``invitekit worker`` (and ``invitekit deliver --once``)."""
    from invitekit import OutboxSettings, Worker

    keys = settings.secret_keys()
    mailer = settings.mailer()
    store = open_store(settings)
    purge_every = None if args.purge_every is None else args.purge_every * 3600
    sender = _webhook_sender()
    worker = Worker(
        store=store,
        mailer=mailer,
        secret_keys=keys,
        outbox=OutboxSettings(batch_size=args.batch),
        retention=retention_of(args) if purge_every is not None else None,
        webhook_sender=sender,
    )
    if sender is None and (endpoints := _unsent_webhooks(store)):
        print(
            f"webhooks: not delivered by this worker ({endpoints} enabled endpoints): "
            "pip install 'invitekit[webhooks]'",
            file=sys.stderr,
            flush=True,
        )
    next_purge = time.monotonic()
    stop = _Stop()
    totals = dict.fromkeys((*_FIELDS, *_WEBHOOK_FIELDS), 0)
    batches = 0
    outcome = "done"
    try:
        # One mailer session (one SMTP connection) for every batch while the worker runs.
        with _handling_signals(stop), worker:
            while stop.signal is None:
                if purge_every is not None and time.monotonic() >= next_purge:
                    print(f"purged: {purge_line(worker.purge())}", flush=True)
                    next_purge = time.monotonic() + purge_every
                report = worker.deliver(limit=args.batch)
                handled = sum(getattr(report, f) for f in _FIELDS)
                if handled or report.webhooks_sent or report.webhooks_failed:
                    batches += 1
                    for field, count in _counts(report).items():
                        totals[field] += count
                    print(f"batch {batches}: {_line(report)}", flush=True)
                posted = report.webhooks_sent + report.webhooks_failed
                if handled < args.batch and posted < args.batch:  # nothing more is due now
                    if args.once:
                        break
                    stop.sleep(args.interval)
    except BaseException:
        outcome = "stopped by an error"  # main() prints the error line after the summary
        raise
    finally:
        store.engine.dispose()
        if stop.signal is not None:
            outcome = f"stopped ({signal.Signals(stop.signal).name})"
        print(f"{outcome}: {batches} batches, {_line(totals)}", flush=True)
    if stop.signal == signal.SIGINT:
        return ExitCode.INTERRUPTED
    return ExitCode.OK
