"""invitekit as the benchmark drives it: a business, stores, seeded customers.

The SQL store, the SMTP mailer and their servers are imported lazily: a figure
that needs one raises :class:`~bench.harness.Unavailable` when it is missing, and
the other figures still run.
"""

from __future__ import annotations

import os
import shutil
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.harness import Unavailable
from invitekit import Audience, Business, InviteKit
from invitekit.adapters.memory import MemoryMailer, MemoryStore
from invitekit.model import Customer
from invitekit.testing import TEST_SECRET

# The published test key: the benchmark measures speed, and no link it signs leaves it.
SECRET = TEST_SECRET
ACTIVATE = "https://studio.example/activate/"
BUSINESS = Business(
    id="studio-1",
    name="Studio One",
    sender="hello@studio.example",
    signature="Studio One, Main Street 1",
    activation_url=ACTIVATE + "{token}",
    unsubscribe_url="https://studio.example/unsubscribe/{token}",
)
POSTGRESQL_URL = os.environ.get(
    "INVITEKIT_TEST_POSTGRESQL_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


def sql_store_class() -> Any:
    """``invitekit.adapters.sql.SQLStore``, or :class:`Unavailable`."""
    try:
        from invitekit.adapters.sql import SQLStore
    except ImportError as err:
        raise Unavailable(reason=f"SQLStore not available yet ({err})") from err
    return SQLStore


def smtp_mailer_class() -> Any:
    """``invitekit.adapters.smtp.SMTPMailer``, or :class:`Unavailable`."""
    try:
        from invitekit.adapters.smtp import SMTPMailer
    except ImportError as err:
        raise Unavailable(reason=f"SMTPMailer not available yet ({err})") from err
    return SMTPMailer


def kit(store: Any, mailer: Any = None) -> InviteKit:
    """A kit for the benchmark business on ``store`` (system clock, like production)."""
    return InviteKit(
        store=store, mailer=mailer or MemoryMailer(), business=BUSINESS, secret_keys=[SECRET]
    )


def customers(n: int, start: int = 0) -> list[Customer]:
    """``n`` customers of the benchmark business (numbered from ``start``), as imported."""
    now = datetime.now(UTC)
    return [
        Customer(
            id=f"cus_{i:08d}",
            business_id=BUSINESS.id,
            email=f"customer{i}@example.com",
            email_key=f"customer{i}@example.com",
            first_name=f"Ana{i}",
            created_at=now,
            updated_at=now,
        )
        for i in range(start, start + n)
    ]


def seed(store: Any, people: list[Customer], *, batch: int = 1000) -> None:
    """Store ``people`` through the Store port, in transactions of ``batch``.

    This is the state :meth:`InviteKit.import_customers` leaves (minus the
    "added" events, which a campaign never reads), written without CSV
    parsing so that seeding 1,000,000 customers takes seconds, not minutes.
    """
    for start in range(0, len(people), batch):
        with store.transaction() as tx:
            for customer in people[start : start + batch]:
                tx.insert_customer(customer)


def bulk_seed(store: Any, n: int, *, batch: int = 10_000) -> None:
    """Store ``n`` customers in an SQL store with one ``executemany`` per ``batch``.

    Plain SQL into invitekit's customers table, with the store's own row mapping,
    in transactions of ``batch``; customers are built a batch at a time, so that
    seeding 1,000,000 takes seconds and little memory.
    """
    from invitekit.adapters.sql._tables import _CUSTOMER, _customers

    for start in range(0, n, batch):
        rows = [_CUSTOMER.values(c) for c in customers(min(batch, n - start), start)]
        with store.engine.begin() as connection:
            connection.execute(_customers.insert(), rows)


def memory_store(n: int) -> MemoryStore:
    """A fresh MemoryStore with ``n`` customers."""
    store = MemoryStore()
    seed(store, customers(n))
    return store


def open_sql(url: str) -> Any:
    """``SQLStore.from_url(url)``, which creates the tables when missing."""
    return sql_store_class().from_url(url)


class SQLiteTemplate:
    """An SQLite file seeded once with ``n`` customers; each run gets a fresh copy."""

    def __init__(self, directory: Path, n: int, *, queued: bool = False) -> None:
        self.directory = directory
        self.template = directory / f"template-{n}{'-queued' if queued else ''}.sqlite3"
        self.copies = 0
        self.seed_seconds = 0.0
        if not self.template.exists():
            start = time.perf_counter()
            store = open_sql(f"sqlite:///{self.template}")
            bulk_seed(store, n)
            if queued:
                campaign(store)
            close(store)
            self.seed_seconds = time.perf_counter() - start

    def fresh(self) -> Path:
        """A new copy of the seeded file (the previous copy is deleted)."""
        self.copies += 1
        stem = self.template.stem.replace("template", "run")
        path = self.directory / f"{stem}-{self.copies}.sqlite3"
        previous = self.directory / f"{stem}-{self.copies - 1}.sqlite3"
        previous.unlink(missing_ok=True)
        shutil.copyfile(self.template, path)
        return path


def close(store: Any) -> None:
    """Release an SQL store's connections (a memory store has none)."""
    engine = getattr(store, "engine", None)
    if engine is not None:
        engine.dispose()


def campaign(store: Any) -> int:
    """Plan and queue invitations to everyone (intents; composed at delivery): what is measured."""
    return kit(store).invite_audience(Audience.all()).queued
