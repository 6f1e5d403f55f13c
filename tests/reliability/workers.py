"""The code that runs in the worker processes of the reliability tests.

Each function is the target of a ``multiprocessing`` process: it opens the test
database from a :func:`tests.stores.recipe_of` recipe, builds its own kit, and
reports through the queue or event it is given.  Nothing here is shared with the
parent but plain values.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import time
from datetime import datetime
from typing import Any

import pytest
import sqlalchemy as sa

from invitekit import Audience, InviteKit, InviteKitError, Worker
from invitekit.adapters.memory import MemoryMailer
from invitekit.adapters.smtp import SMTPMailer
from invitekit.adapters.sql import SQLStore
from invitekit.ports import Clock
from invitekit.settings import OutboxSettings
from invitekit.testing import TEST_SECRET, FakeClock
from tests.reliability.world import CountingHasher, at_once, make_kit
from tests.stores import StoreRecipe, store_from_recipe

# Workers are started by the forkserver (or spawned): preloading these modules
# makes each start cost a fork, not an import of SQLAlchemy and the drivers.
PRELOAD = ["tests.reliability.workers", "psycopg", "pymysql", "sqlalchemy.dialects.sqlite"]


def context() -> Any:
    """The multiprocessing context the reliability tests start their workers with."""
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload(PRELOAD)
    return ctx


def _clock(start: str | None) -> Clock | None:
    """A FakeClock standing at ``start`` (ISO text), or the system clock for ``None``."""
    return None if start is None else FakeClock(datetime.fromisoformat(start))


def deliver(
    recipe: StoreRecipe,
    smtp_port: int,
    *,
    clock_start: str | None,
    lease_seconds: float,
    batch_size: int,
    ready: Any,
    go: Any = None,
    results: Any = None,
    record_every: int = 20,
) -> None:
    """Deliver from the outbox to the SMTP server on ``smtp_port`` until nothing is left.

    Sets ``ready`` once the store is open, waits for ``go`` (a Barrier or Event)
    if given, and puts ``(sent, failed)`` on ``results`` when done.
    """
    store = store_from_recipe(recipe)
    mailer = SMTPMailer("127.0.0.1", smtp_port, security="plain", timeout=10.0)
    kit = make_kit(
        store,
        mailer,
        _clock(clock_start),
        batch_size=batch_size,
        lease_seconds=lease_seconds,
        record_every=record_every,
    )
    ready.set()
    if go is not None:
        go.wait()
    sent = failed = 0
    while True:
        report = kit.deliver()
        sent, failed = sent + report.sent, failed + report.failed + report.retrying
        if not (report.sent or report.failed or report.retrying or report.cancelled):
            break
    if results is not None:
        results.put((sent, failed))
    store.engine.dispose()


def campaign(
    recipe: StoreRecipe,
    group: str,
    *,
    batch_size: int,
    ready: Any,
    go: Any = None,
    results: Any = None,
) -> None:
    """Invite the group ``group``; put ``(queued, skipped)`` on ``results`` if given.

    Sets ``ready`` once the store is open and waits for ``go`` if given.
    """
    store = store_from_recipe(recipe)
    # The campaign only queues: the mailer is never used.
    kit = make_kit(store, SMTPMailer("127.0.0.1", 1), None, batch_size=batch_size)
    ready.set()
    if go is not None:
        go.wait()
    report = kit.invite_audience(Audience.group(group))
    if results is not None:
        results.put((report.queued, report.total_skipped))
    store.engine.dispose()


def redeem(
    recipe: StoreRecipe, action: str, token: str, password: str, *, go: Any, results: Any
) -> None:
    """Submit ``token`` once everyone is at ``go``.

    ``action``: "activate" or "reset" (with ``password``), "confirm_email" (an
    email-change link), or "add_customer" (``token`` is an address: add a
    customer with it).  Puts ``"ok"`` or the name of the refusal's exception
    type on ``results``.
    """
    store = store_from_recipe(recipe)
    kit = make_kit(store, SMTPMailer("127.0.0.1", 1), None)
    submit = {
        "activate": kit.accept_invitation,
        "reset": kit.reset_password,
        "confirm_email": lambda token, _password: kit.confirm_email_change(token),
        "add_customer": lambda email, _password: kit.add_customer(email),
    }[action]
    go.wait()
    try:
        submit(token, password)
    except InviteKitError as err:
        results.put(type(err).__name__)
    else:
        results.put("ok")
    store.engine.dispose()


def burst(
    recipe: StoreRecipe, action: str, email: str, passwords: list[str], *, go: Any, results: Any
) -> None:
    """Log in (``action`` "login") or sign up ("register") once per password, all at once.

    One thread per password waits at ``go`` (a Barrier shared with the threads of
    the other processes), then submits.  Puts ``(verifications, outcomes)`` on
    ``results``: the password verifications this process ran, and ``"ok"`` or
    the refusal's exception name per password.
    """
    store = store_from_recipe(recipe)
    hasher = CountingHasher()
    kit = make_kit(store, SMTPMailer("127.0.0.1", 1), None, password_hasher=hasher)
    outcomes = run_burst(kit, action, email, passwords, start=go)
    results.put((hasher.verifications, outcomes))
    store.engine.dispose()


def run_burst(
    kit: InviteKit, action: str, email: str, passwords: list[str], *, start: Any = None
) -> list[str]:
    """Log in or sign up once per password from threads released together (see ``burst``)."""

    def submit(number: int) -> None:
        if action == "login":
            kit.login(email, passwords[number])
        else:
            kit.register(email, first_name="Neu", password=passwords[number])

    return at_once(len(passwords), submit, start=start)


def deliver_paced(
    recipe: StoreRecipe,
    *,
    clock_start: str,
    batch_size: int,
    ready: Any,
    go: Any,
    results: Any,
) -> None:
    """A :class:`~invitekit.Worker` (every business) delivering until nothing is due.

    Its clock is a FakeClock standing at ``clock_start``: every process of one
    round stands at the same instant.  Puts ``(sent, held_back)`` on ``results``.
    """
    store = store_from_recipe(recipe)
    worker = Worker(
        store=store,
        mailer=MemoryMailer(),
        secret_keys=[TEST_SECRET],
        clock=FakeClock(datetime.fromisoformat(clock_start)),
        outbox=OutboxSettings(batch_size=batch_size),
    )
    ready.set()
    go.wait()
    sent = held = 0
    while True:
        report = worker.deliver()
        sent, held = sent + report.sent, held + report.held_back
        if not (report.sent or report.held_back or report.retrying or report.failed):
            break
    results.put((sent, held))
    store.engine.dispose()


def provider_burst(
    recipe: StoreRecipe, subjects: list[str], email: str, *, go: Any, results: Any
) -> None:
    """Sign in with ``("google", subjects[n])`` and ``email`` (verified), all at once.

    One thread per subject waits at ``go`` (shared with the other processes).
    Puts ``(outcomes, customer ids)`` on ``results``: ``"ok"`` or the refusal's
    exception name per sign-in, and the id each successful one returned.
    """
    store = store_from_recipe(recipe)
    kit = make_kit(store, MemoryMailer(), None)
    signed_in: list[str] = []

    def submit(number: int) -> None:
        customer = kit.sign_in_with_provider(
            "google", subjects[number], email=email, email_verified=True
        )
        signed_in.append(customer.id)

    outcomes = at_once(len(subjects), submit, start=go)
    results.put((outcomes, signed_in))
    store.engine.dispose()


def kill(process: Any, store: SQLStore) -> None:
    """SIGKILL ``process``, then wait until the database has finished with its sessions.

    A worker killed just after sending ``COMMIT`` leaves it on the wire: the
    PostgreSQL server still commits it, a moment after the process is gone.  Until
    then, a read would see a state the next read contradicts (seen: a message not
    yet recorded as sent, then its "delivered" event).  A session in a transaction
    or running a statement is still the dead worker's (this test runs nothing else
    on the database meanwhile); SQLite has no server, a kill leaves nothing behind.
    """
    os.kill(process.pid, signal.SIGKILL)
    process.join()
    if store.engine.dialect.name != "postgresql":
        return
    busy = sa.text(
        "SELECT COUNT(*) FROM pg_stat_activity WHERE datname = current_database()"
        " AND pid <> pg_backend_pid() AND state IN ('active', 'idle in transaction',"
        " 'idle in transaction (aborted)')"
    )
    for _ in range(3000):  # a minute at most
        with store.engine.connect() as conn:
            if not conn.execute(busy).scalar_one():
                return
        time.sleep(0.02)
    pytest.fail("the killed worker's sessions never ended")
