"""Read-only transactions in the databases: SQLite readers pass a writer, servers refuse writes.

The refusal that every store makes itself is in the contract
(``tests/contract/test_store_readonly.py``); here is what the databases add.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import pytest
import sqlalchemy as sa

from invitekit import Audience, InviteKit
from invitekit.adapters.memory import MemoryMailer
from invitekit.adapters.sql import SQLStore
from invitekit.exceptions import ReadOnlyViolation, StorageError
from invitekit.ports import Store
from invitekit.testing import make_accepted_customer, make_kit
from tests.contract.test_store import BIZ, make_customer
from tests.helpers import ACTIVATE, RESET, UNSUBSCRIBE, VERIFY, last_mail_to, token_in
from tests.stores import SERVER_KINDS, open_store, recipe_of, store_params

# Bounds on waiting, so that a reader that does wait fails the test instead of hanging it.
# They bound a wait for something that happens at once, not a speed.
WAIT = 20.0
T = TypeVar("T")


@contextmanager
def writer_holding_the_lock(store: Store) -> Iterator[None]:
    """A thread in a writing transaction that has written and not committed, until the end."""
    holding, release = threading.Event(), threading.Event()

    def write() -> None:
        with store.transaction() as tx:
            tx.insert_customer(make_customer(99))  # uncommitted while the block runs
            holding.set()
            release.wait(WAIT)

    with ThreadPoolExecutor(1) as pool:
        writer = pool.submit(write)
        try:
            assert holding.wait(WAIT), "the writer did not start"
            yield
            assert not writer.done(), "the writer let go of its lock too early"
        finally:
            release.set()
        writer.result(WAIT)


def beside_a_writer(store: Store, read: Callable[[], T]) -> T:
    """``read()``'s result; it must finish in another thread while a writer holds the lock."""
    with writer_holding_the_lock(store), ThreadPoolExecutor(1) as pool:
        try:
            return pool.submit(read).result(WAIT)
        except TimeoutError:
            pytest.fail("the read waited for the writer's lock")


def test_an_sqlite_reader_does_not_wait_for_a_writer(tmp_path: Path) -> None:
    store = SQLStore.from_url(f"sqlite:///{tmp_path}/invitekit.db")
    with store.transaction() as tx:
        tx.insert_customer(make_customer(1))

    def read() -> list[str]:
        with store.transaction(readonly=True) as tx:
            return [c.id for c in tx.list_customers(BIZ)]

    # Only what was committed: the writer's customer 99 is not there yet.
    assert beside_a_writer(store, read) == ["cus_0001"]
    assert read() == ["cus_0001", "cus_0099"]


def test_every_read_of_the_facade_runs_beside_a_writer_on_sqlite(tmp_path: Path) -> None:
    store = SQLStore.from_url(f"sqlite:///{tmp_path}/invitekit.db")
    mailer = MemoryMailer()
    kit = make_kit(store=store, mailer=mailer)
    kit.create_group("Yoga")
    ana = kit.add_customer("ana@example.com", first_name="Ana", invite=True, groups=["Yoga"])
    bea = make_accepted_customer(kit, "bea@example.com").customer
    kit.request_password_reset(bea.email)
    kit.register("neu@example.com", password="a long and fine pass phrase")
    kit.deliver()
    invitation = last_mail_to(mailer, ana.email)
    tokens = {
        "activation": token_in(invitation, ACTIVATE),
        "unsubscribe": token_in(invitation, UNSUBSCRIBE),
        "reset": token_in(last_mail_to(mailer, bea.email), RESET),
        "verify": token_in(last_mail_to(mailer, "neu@example.com"), VERIFY),
    }
    # The first open of an activation link records it for the campaign's funnel, a
    # write that waits for a writer like any other; every later open only reads.
    kit.check_activation(tokens["activation"])

    answers = beside_a_writer(store, lambda: every_read(kit, ana.id, bea.id, tokens))

    committed = {ana.id, bea.id}  # and not the writer's customer, still uncommitted
    plan = answers["plan_invitations"]
    assert answers["check_activation"].customer_id == ana.id
    assert answers["check_unsubscribe"].customer_id == ana.id
    assert answers["check_password_reset"].customer_id == bea.id
    assert answers["check_email_verification"].email == "neu@example.com"
    assert answers["find_customer"] == answers["get_customer"] == kit.get_customer(ana.id)
    assert {c.id for c in answers["list_customers"]} == committed
    assert sum(answers["status_counts"].values()) == len(committed)
    assert {c.id for c in plan.recipients} | {s.customer.id for s in plan.skipped} == committed
    assert answers["can_use_portal"] is True
    assert [g.name for g in answers["list_groups"]] == ["Yoga"]


def every_read(
    kit: InviteKit, customer_id: str, accepted_id: str, tokens: dict[str, str]
) -> dict[str, Any]:
    """The answer of each reading method of the facade."""
    return {
        "check_activation": kit.check_activation(tokens["activation"]),
        "check_unsubscribe": kit.check_unsubscribe(tokens["unsubscribe"]),
        "check_password_reset": kit.check_password_reset(tokens["reset"]),
        "check_email_verification": kit.check_email_verification(tokens["verify"]),
        "get_customer": kit.get_customer(customer_id),
        "find_customer": kit.find_customer("ana@example.com"),
        "list_customers": kit.list_customers(),
        "status_counts": kit.status_counts(),
        "history": kit.history(customer_id),
        "list_groups": kit.list_groups(),
        "invitation_template": kit.invitation_template("de"),
        "preview_invitation": kit.preview_invitation(customer_id),
        "outbox_messages": kit.outbox_messages(),
        "can_use_portal": kit.can_use_portal(accepted_id),
        "plan_invitations": kit.plan_invitations(Audience.all()),
    }


@pytest.mark.parametrize("kind", store_params(SERVER_KINDS))
def test_the_server_itself_refuses_a_write_in_a_read_only_transaction(kind: str) -> None:
    with open_store(kind) as shared:
        assert isinstance(shared, SQLStore)
        # One connection, so that the transactions below surely share it.
        url, execution_options = recipe_of(shared)
        engine = sa.create_engine(
            url, poolclass=sa.pool.StaticPool, isolation_level="READ COMMITTED"
        )
        store = SQLStore(engine.execution_options(**execution_options))
        try:
            with pytest.raises(StorageError) as refused, store.transaction(readonly=True) as tx:
                # Past invitekit's own refusal, to the transaction the database holds:
                # the reading methods are bound to it.
                database_transaction = tx.get_customer.__self__
                database_transaction.insert_customer(make_customer(1))
            with store.transaction(readonly=True):
                pass  # not one statement: MariaDB's READ ONLY must not outlive it either
            with store.transaction() as tx:  # the same connection writes again
                tx.insert_customer(make_customer(2))
            with store.transaction(readonly=True) as tx:
                stored = [c.id for c in tx.list_customers(BIZ)]
        finally:
            engine.dispose()

    assert not isinstance(refused.value, ReadOnlyViolation)
    assert "SQLSTATE 25006" in str(refused.value)  # read_only_sql_transaction
    assert stored == ["cus_0002"]
