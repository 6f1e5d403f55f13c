"""SQLite's per-message writes on the driver's connection (``_compiled.py``)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import attrs
import pytest
import sqlalchemy as sa

from invitekit.adapters.sql import SQLStore
from invitekit.adapters.sql._compiled import SQLiteStatement
from invitekit.adapters.sql._tables import (
    _CUSTOMER,
    _SQLITE_UPDATE_CUSTOMER,
    _UPDATE_CUSTOMER,
    _customers,
)
from invitekit.exceptions import DuplicateCustomer, StorageError
from invitekit.model import Status
from tests.contract.test_store import BIZ, make_customer, make_message

BEFORE = make_customer(7, first_name="Zoë", locale="de_AT")
AFTER = attrs.evolve(
    BEFORE,
    status=Status.ACCEPTED,
    archived=True,
    unsubscribed=True,
    password_hash="$argon2id$v=19$m=65536,t=3,p=4$c2FsdA$aGFzaA",
    auth_provider="google",
    updated_at=datetime(2026, 3, 29, 2, 0, 0, 5, tzinfo=UTC),
    invited_at=datetime(2026, 3, 29, 1, 30, 0, 123456, tzinfo=UTC),
    accepted_at=datetime(2026, 3, 29, 2, 0, tzinfo=UTC),
    delivery_failure="550 no such user",
    undeliverable_at=datetime(2026, 3, 30, tzinfo=UTC),
    undeliverable_reason="hard bounce",
    link_epoch=3,
    version=BEFORE.version + 1,
)


def _stored_text(store: SQLStore) -> tuple[Any, ...]:
    """The customer's row as SQLite holds it (text, integers), not as read back."""
    with store.engine.connect() as conn:
        row = conn.exec_driver_sql(
            "SELECT * FROM invitekit_customers WHERE id = ?", (BEFORE.id,)
        ).one()
    return tuple(row)


def _update_parameters(customer: Any, expected_version: int) -> dict[str, Any]:
    values = _CUSTOMER.values(customer)
    del values["business_id"], values["id"]
    return {
        **values,
        "p_business_id": customer.business_id,
        "p_id": customer.id,
        "p_version": expected_version,
    }


def test_an_update_stores_the_bytes_sqlalchemy_core_stores(tmp_path: Path) -> None:
    fast = SQLStore.from_url(f"sqlite:///{tmp_path}/fast.db")
    core = SQLStore.from_url(f"sqlite:///{tmp_path}/core.db")
    for store in (fast, core):
        with store.transaction() as tx:
            tx.insert_customer(BEFORE)

    with fast.transaction() as tx:
        tx.update_customer(AFTER, expected_version=BEFORE.version)
    with core.engine.begin() as conn:
        conn.execute(_UPDATE_CUSTOMER, _update_parameters(AFTER, BEFORE.version))

    assert _stored_text(fast) == _stored_text(core)
    with fast.transaction(readonly=True) as tx:
        assert tx.get_customer(BIZ, AFTER.id) == AFTER


def test_a_duplicate_address_refused_by_the_update_is_a_duplicate_customer(
    tmp_path: Path,
) -> None:
    store = SQLStore.from_url(f"sqlite:///{tmp_path}/invitekit.db")
    other = make_customer(8)
    with store.transaction() as tx:
        tx.insert_customer(BEFORE)
        tx.insert_customer(other)
    taken = attrs.evolve(BEFORE, email=other.email, email_key=other.email_key)

    # The UPDATE itself, as when another writer took the address after the check.
    with pytest.raises(DuplicateCustomer) as caught, store.transaction() as tx:
        tx._run_fast(  # type: ignore[attr-defined]
            _UPDATE_CUSTOMER,
            _SQLITE_UPDATE_CUSTOMER,
            _update_parameters(taken, BEFORE.version),
            duplicates={"invitekit_customers_email_key": lambda: DuplicateCustomer("taken")},
        )
    assert caught.value.__context__ is None


def test_a_refused_update_is_a_storage_error_without_the_values(tmp_path: Path) -> None:
    store = SQLStore.from_url(f"sqlite:///{tmp_path}/invitekit.db")
    with store.transaction() as tx:
        tx.insert_customer(BEFORE)
    missing = attrs.evolve(BEFORE, email=None, version=BEFORE.version + 1)  # NOT NULL

    with pytest.raises(StorageError) as caught, store.transaction() as tx:
        tx.update_customer(missing, expected_version=BEFORE.version)
    assert str(caught.value).startswith("the database refused a change: IntegrityError")
    assert BEFORE.email_key not in str(caught.value)
    assert caught.value.__cause__ is None
    assert caught.value.__context__ is None


def test_a_naive_datetime_is_refused(tmp_path: Path) -> None:
    store = SQLStore.from_url(f"sqlite:///{tmp_path}/invitekit.db")
    with store.transaction() as tx:
        tx.insert_customer(BEFORE)
    naive = attrs.evolve(BEFORE, updated_at=datetime(2026, 3, 29), version=BEFORE.version + 1)

    with pytest.raises(StorageError, match="timezone-aware"), store.transaction() as tx:
        tx.update_customer(naive, expected_version=BEFORE.version)


def test_a_statement_compiles_once_per_set_of_parameter_names() -> None:
    statement = SQLiteStatement(_customers.update().where(_customers.c.id == sa.bindparam("p_id")))
    dialect = sa.create_engine("sqlite://").dialect

    first = statement._for(dialect, frozenset({"p_id", "locale"}))
    assert statement._for(dialect, frozenset({"locale", "p_id"})) is first
    other = statement._for(dialect, frozenset({"p_id", "locale", "first_name"}))
    assert "first_name" in other[0]
    assert "first_name" not in first[0]


def test_a_statement_runs_on_sqlite_only() -> None:
    engine = sa.create_engine("postgresql+psycopg://nobody@127.0.0.1/none")
    with pytest.raises(ValueError, match="SQLite only"):
        _SQLITE_UPDATE_CUSTOMER._for(engine.dialect, frozenset({"p_id"}))


def test_a_page_of_customers_reads_what_sqlalchemy_core_reads(tmp_path: Path) -> None:
    store = SQLStore.from_url(f"sqlite:///{tmp_path}/invitekit.db")
    plain = make_customer(9)
    with store.transaction() as tx:
        tx.insert_customer(AFTER)
        tx.insert_customer(plain)

    with store.transaction(readonly=True) as tx:
        page = tx.list_customers(BIZ, limit=10)
        accepted = tx.list_customers(BIZ, status=Status.ACCEPTED, archived=True)
        after = tx.list_customers(BIZ, after=AFTER.id)
    with store.engine.connect() as conn:
        core = [
            _CUSTOMER.load(row._mapping)
            for row in conn.execute(sa.select(_customers).order_by(_customers.c.id))
        ]

    assert page == core == [AFTER, plain]
    assert accepted == [AFTER]
    assert after == [plain]
    assert page[0].status is Status.ACCEPTED
    assert page[0].invited_at is not None
    assert page[0].invited_at.tzinfo is UTC
    assert type(page[0].archived) is bool


def test_pending_customers_are_found_among_more_than_one_statements_worth(
    tmp_path: Path,
) -> None:
    store = SQLStore.from_url(f"sqlite:///{tmp_path}/invitekit.db")
    people = [make_customer(n) for n in range(1, 1203)]
    waiting = people[::7]
    with store.transaction() as tx:
        for customer in people:
            tx.insert_customer(customer)
        tx.enqueue([make_message(c.id) for c in waiting])

    with store.transaction(readonly=True) as tx:
        found = tx.pending_customer_ids(BIZ, "invitation", [c.id for c in people])
        reminders = tx.pending_customer_ids(BIZ, "reminder", [c.id for c in people])
        none = tx.pending_customer_ids(BIZ, "invitation", [])

    assert found == {c.id for c in waiting}
    assert reminders == set() == none


def test_a_failed_page_read_is_a_storage_error_without_the_drivers_error(tmp_path: Path) -> None:
    store = SQLStore.from_url(f"sqlite:///{tmp_path}/invitekit.db")
    with store.engine.begin() as conn:
        conn.exec_driver_sql("ALTER TABLE invitekit_customers RENAME TO moved")

    with pytest.raises(StorageError) as caught, store.transaction(readonly=True) as tx:
        tx.list_customers(BIZ, after="cus_0001", limit=10)
    assert "no such table: invitekit_customers" in str(caught.value)
    assert caught.value.__cause__ is None
    assert caught.value.__context__ is None
