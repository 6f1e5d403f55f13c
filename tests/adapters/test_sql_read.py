"""SQLite's lookups by key on the driver's cursor (``_read.py``) and its raw ``BEGIN``."""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from invitekit.adapters.sql import SQLStore
from invitekit.adapters.sql._read import Lookup
from invitekit.adapters.sql._tables import _CUSTOMER, _FIND_CUSTOMER, _GET_CUSTOMER
from invitekit.exceptions import ConfigurationError, StorageError
from invitekit.model import Status
from tests.contract.test_store import BIZ, make_customer

WAIT = 20.0  # bounds a wait for something that happens at once, not a speed

EVERY_FIELD = make_customer(
    7,
    first_name="Zoë",
    last_name=None,
    locale="de_AT",
    status=Status.ACCEPTED,
    archived=True,
    unsubscribed=True,
    password_hash="$argon2id$v=19$m=65536,t=3,p=4$c2FsdA$aGFzaA",
    auth_provider="google",
    invited_at=datetime(2026, 3, 29, 1, 30, 0, 123456, tzinfo=UTC),
    accepted_at=datetime(2026, 3, 29, 2, 0, tzinfo=UTC),
    delivery_failure="550 no such user",
    undeliverable_at=datetime(2026, 3, 30, 8, 0, 0, 5, tzinfo=UTC),
    undeliverable_reason="hard bounce: 5.1.1",
    link_epoch=3,
)


def _through_core(store: SQLStore, statement: sa.Select[Any], **key: str) -> Any:
    with store.engine.connect() as conn:
        row = conn.execute(statement, key).first()
    assert row is not None
    return _CUSTOMER.load(row._mapping)


@pytest.mark.parametrize("readonly", [True, False])
def test_a_lookup_reads_what_sqlalchemy_core_reads(tmp_path: Path, readonly: bool) -> None:
    store = SQLStore.from_url(f"sqlite:///{tmp_path}/invitekit.db")
    with store.transaction() as tx:
        tx.insert_customer(EVERY_FIELD)

    with store.transaction(readonly=readonly) as tx:
        by_id = tx.get_customer(BIZ, EVERY_FIELD.id)
        by_key = tx.find_customer(BIZ, EVERY_FIELD.email_key)
        missing = tx.get_customer(BIZ, "cus_nobody")

    core = _through_core(store, _GET_CUSTOMER, p_business_id=BIZ, p_id=EVERY_FIELD.id)
    assert by_id == by_key == core == EVERY_FIELD
    assert by_id is not None
    assert by_id.invited_at is not None
    assert by_id.invited_at.tzinfo is UTC
    assert type(by_id.archived) is bool
    assert missing is None
    core_by_key = _through_core(
        store, _FIND_CUSTOMER, p_business_id=BIZ, p_email_key=EVERY_FIELD.email_key
    )
    assert core_by_key == EVERY_FIELD


def test_a_lookup_runs_on_sqlite_only() -> None:
    engine = sa.create_engine("postgresql+psycopg://nobody@127.0.0.1/none")
    with pytest.raises(ValueError, match="SQLite only"):
        Lookup(_GET_CUSTOMER)._for(engine.dialect)


def test_a_failed_lookup_is_a_storage_error_without_the_drivers_error(tmp_path: Path) -> None:
    store = SQLStore.from_url(f"sqlite:///{tmp_path}/invitekit.db")
    with store.engine.begin() as conn:
        conn.exec_driver_sql("ALTER TABLE invitekit_customers RENAME TO moved")

    with pytest.raises(StorageError) as caught, store.transaction(readonly=True) as tx:
        tx.find_customer(BIZ, "someone@example.com")
    assert "no such table: invitekit_customers" in str(caught.value)
    assert "someone@example.com" not in str(caught.value)
    assert caught.value.__cause__ is None
    assert caught.value.__context__ is None


def test_a_begin_refused_by_sqlite_is_a_storage_error(tmp_path: Path) -> None:
    store = SQLStore.from_url(f"sqlite:///{tmp_path}/invitekit.db")

    @sa.event.listens_for(store.engine, "connect")
    def no_waiting(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.execute("PRAGMA busy_timeout = 0")

    store.engine.dispose()  # connections made from now on do not wait for the lock
    holding, release = threading.Event(), threading.Event()

    def write() -> None:
        with store.transaction() as tx:
            tx.insert_customer(make_customer(1))
            holding.set()
            release.wait(WAIT)

    writer = threading.Thread(target=write)
    writer.start()
    try:
        assert holding.wait(WAIT)
        with pytest.raises(StorageError) as caught, store.transaction():
            pass  # pragma: no cover
    finally:
        release.set()
        writer.join(WAIT)
    assert str(caught.value).startswith("could not start a transaction: OperationalError")
    assert "database is locked" in str(caught.value)


def _synchronous_in_a_write(store: SQLStore) -> int:
    with store.transaction() as tx:
        conn = tx._conn  # type: ignore[attr-defined]
        level = conn.exec_driver_sql("PRAGMA synchronous").scalar()
    assert isinstance(level, int)
    return level


def test_a_file_store_commits_with_synchronous_normal_unless_told(tmp_path: Path) -> None:
    normal = SQLStore.from_url(f"sqlite:///{tmp_path}/normal.db")
    full = SQLStore.from_url(f"sqlite:///{tmp_path}/full.db", sqlite_synchronous="FULL")

    # SQLite's numbers: 1 NORMAL, 2 FULL.
    assert _synchronous_in_a_write(normal) == 1
    assert _synchronous_in_a_write(full) == 2


def test_a_store_on_an_engine_with_open_connections_sets_them_too(tmp_path: Path) -> None:
    engine = sa.create_engine(f"sqlite:///{tmp_path}/invitekit.db")
    SQLStore.from_url(f"sqlite:///{tmp_path}/invitekit.db")  # the tables
    with engine.connect() as conn:  # pooled before the store exists, at SQLite's FULL
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 2

    assert _synchronous_in_a_write(SQLStore(engine)) == 1


def test_an_unknown_synchronous_level_is_a_configuration_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="NORMAL, FULL, EXTRA, not 'OFF'"):
        SQLStore.from_url(f"sqlite:///{tmp_path}/invitekit.db", sqlite_synchronous="OFF")
