"""The kit a business's command works with, built from the settings stored for it.

``--business ID`` (or ``INVITEKIT_BUSINESS``) names a business whose settings an
:class:`~invitekit.InviteKit` of it stored (with its first queued email, or
``kit.store_business()``).  Queueing, listing and planning sign nothing and send
nothing, since outbox rows hold intents; so those commands need neither the
secret keys nor a mail server, and only ``send-test`` asks for them.
"""

from __future__ import annotations

import argparse
import secrets
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from typing import TYPE_CHECKING, Any, cast

from invitekit.cli.settings import (
    Settings,
    add_business_argument,
    add_settings_arguments,
    open_store,
)
from invitekit.exceptions import ConfigurationError
from invitekit.ports import MailerSession, Store, Transaction

if TYPE_CHECKING:
    from invitekit import InviteKit
    from invitekit.model import Customer, OutboxMessage

__all__ = ["Progress", "WatchedStore", "add_kit_arguments", "open_kit"]


def add_kit_arguments(parser: argparse.ArgumentParser) -> None:
    """Add ``--business`` and the settings' flags to a business's command."""
    add_business_argument(parser)
    add_settings_arguments(parser)


class _NoMail:
    """The mailer of a command that sends nothing: using it is a bug, said plainly."""

    def session(self) -> AbstractContextManager[MailerSession]:
        raise ConfigurationError("this command sends no email")


def open_kit(
    settings: Settings, *, sending: bool = False, store: Store | None = None
) -> InviteKit:
    """The kit of the business the settings name, from its stored settings.

    Args:
        settings: the command's settings.
        sending: the command sends email and signs links: use the secret keys
            and the mail URL (else neither is needed).
        store: the store to use (a watched one, say); the settings' database by default.

    Raises:
        ConfigurationError: no business named, none of that id stored, or a
            setting ``sending`` needs is missing.
    """
    from invitekit import InviteKit

    business_id = settings.require_business_id()
    if sending:
        keys, mailer = settings.secret_keys(), settings.mailer()
    else:
        # Nothing is signed: rows hold intents, links are signed by the worker.
        keys, mailer = [secrets.token_urlsafe(32)], _NoMail()
    store = store or open_store(settings)
    with store.transaction(readonly=True) as tx:
        business = tx.get_business(business_id)
    if business is None:
        raise ConfigurationError(
            f"no business {business_id!r} is stored in the database; an InviteKit of it "
            "stores its settings with its first queued email, or with kit.store_business()"
        )
    return InviteKit(store=store, mailer=mailer, business=business, secret_keys=keys)


class Progress:
    """A progress line on standard error, redrawn in place; silent when it is not a terminal.

    Args:
        label: what is being done ("importing", "queueing").
        total: how many items are expected, or ``None`` when unknown.
    """

    _WIDTH = 30

    def __init__(self, label: str, total: int | None) -> None:
        self.label = label
        self.total = total
        self.done = 0
        self.shown = sys.stderr.isatty()

    def advance(self, count: int) -> None:
        """Count ``count`` more items done, and redraw."""
        self.done += count
        if self.shown:
            sys.stderr.write(f"\r{self._text()}")
            sys.stderr.flush()

    def close(self) -> None:
        """End the line (so what is printed next starts on its own)."""
        if self.shown and self.done:
            sys.stderr.write("\n")
            sys.stderr.flush()

    def _text(self) -> str:
        if not self.total:
            return f"{self.label}: {self.done}"
        share = min(self.done / self.total, 1.0)
        filled = round(share * self._WIDTH)
        bar = "#" * filled + "." * (self._WIDTH - filled)
        return f"{self.label} [{bar}] {self.done}/{self.total}"


class _WatchedTransaction:
    """A transaction that counts the customers it looked up and the invitations it queued."""

    def __init__(self, tx: Transaction) -> None:
        self._tx = tx
        self.customers = 0
        self.queued = 0

    def __getattr__(self, name: str) -> Any:
        return getattr(self._tx, name)

    def find_customer(self, business_id: str, email_key: str) -> Customer | None:
        self.customers += 1
        return self._tx.find_customer(business_id, email_key)

    def enqueue(self, messages: Sequence[OutboxMessage]) -> set[str]:
        lost = self._tx.enqueue(messages)
        self.queued += len(messages) - len(lost)
        return lost


class WatchedStore:
    """A store that reports, after each committed writing transaction, what it did.

    The facade's bulk work (an import, a campaign) runs in batches, one
    transaction each; watching its transactions is how the command shows progress
    without the library knowing about terminals.

    Args:
        store: the store to watch.
        committed: called with ``(customers looked up, invitations queued)`` after
            each writing transaction commits.
    """

    def __init__(self, store: Store, committed: Callable[[int, int], None]) -> None:
        self._store = store
        self._committed = committed

    def __getattr__(self, name: str) -> Any:
        return getattr(self._store, name)

    def transaction(self, *, readonly: bool = False) -> AbstractContextManager[Transaction]:
        """A transaction of the watched store; a writing one is counted when it commits."""
        return self._watch(readonly)

    @contextmanager
    def _watch(self, readonly: bool) -> Iterator[Transaction]:
        with self._store.transaction(readonly=readonly) as tx:
            if readonly:
                yield tx
                return
            watched = _WatchedTransaction(tx)
            yield cast(Transaction, watched)
        self._committed(watched.customers, watched.queued)
