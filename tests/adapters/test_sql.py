"""What is particular to the SQL store: construction, schema, errors (the rest is the contract)."""

from __future__ import annotations

import importlib
import sys
import threading
import types
from datetime import datetime
from pathlib import Path

import pytest
import sqlalchemy as sa

from invitekit.adapters.sql import (
    SCHEMA_VERSION,
    VERSION_TABLE,
    SQLStore,
    build_metadata,
    create_schema,
    current,
    head,
    metadata,
    schema_version,
)
from invitekit.exceptions import (
    ConfigurationError,
    MissingDependency,
    SchemaOutdated,
    StorageError,
)
from invitekit.model import Customer


def test_from_url_creates_the_tables_and_records_the_schema_version(tmp_path: Path) -> None:
    store = SQLStore.from_url(f"sqlite:///{tmp_path}/invitekit.db")

    tables = set(sa.inspect(store.engine).get_table_names())
    assert tables == {*metadata.tables, VERSION_TABLE}
    assert schema_version(store.engine) == SCHEMA_VERSION
    assert current(store.engine) == head()


def test_from_url_without_create_leaves_the_database_empty(tmp_path: Path) -> None:
    store = SQLStore.from_url(f"sqlite:///{tmp_path}/invitekit.db", create=False)

    assert sa.inspect(store.engine).get_table_names() == []
    assert schema_version(store.engine) is None


def test_create_schema_twice_keeps_the_data(tmp_path: Path) -> None:
    store = SQLStore.from_url(f"sqlite:///{tmp_path}/invitekit.db")
    now = datetime.now().astimezone()
    with store.transaction() as tx:
        tx.record_attempt("b", "email:x", now)

    create_schema(store.engine)

    with store.transaction() as tx:
        assert tx.count_attempts("b", "email:x", since=now) == 1


def test_a_database_migrated_by_a_newer_invitekit_is_refused(tmp_path: Path) -> None:
    store = SQLStore.from_url(f"sqlite:///{tmp_path}/invitekit.db")
    with store.engine.begin() as conn:
        conn.execute(sa.text(f"UPDATE {VERSION_TABLE} SET version_num = '9999'"))

    with pytest.raises(StorageError, match="newer invitekit") as caught:
        create_schema(store.engine)
    assert not isinstance(caught.value, SchemaOutdated)
    with (
        pytest.raises(StorageError, match="newer invitekit"),
        SQLStore(store.engine).transaction(),
    ):
        pass  # pragma: no cover


def test_a_database_of_an_unknown_legacy_schema_version_is_refused(tmp_path: Path) -> None:
    engine = sa.create_engine(f"sqlite:///{tmp_path}/invitekit.db")
    with engine.begin() as conn:
        metadata.create_all(conn)
        version = metadata.tables["invitekit_schema_version"]
        conn.execute(version.insert().values(version=SCHEMA_VERSION + 1))

    with pytest.raises(StorageError, match="unknown schema version"):
        create_schema(engine)


def test_every_table_is_prefixed_and_build_metadata_describes_the_same_tables() -> None:
    assert all(name.startswith("invitekit_") for name in metadata.tables)
    assert set(build_metadata().tables) == set(metadata.tables)


def test_an_in_memory_database_is_shared_by_the_stores_threads() -> None:
    store = SQLStore.from_url("sqlite://")
    now = datetime.now().astimezone()

    def record() -> None:
        with store.transaction() as tx:
            tx.record_attempt("b", "email:x", now)

    threads = [threading.Thread(target=record) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    with store.transaction() as tx:
        assert tx.count_attempts("b", "email:x", since=now) == 4


def test_a_file_database_uses_wal_and_waits_for_locks(tmp_path: Path) -> None:
    store = SQLStore.from_url(f"sqlite:///{tmp_path}/invitekit.db")

    with store.engine.connect() as conn:
        journal = conn.exec_driver_sql("PRAGMA journal_mode").scalar()
        timeout = conn.exec_driver_sql("PRAGMA busy_timeout").scalar()
    assert journal == "wal"
    assert timeout is not None
    assert timeout >= 1000


def test_an_unreachable_database_is_a_storage_error_with_the_driver_error_as_cause(
    tmp_path: Path,
) -> None:
    store = SQLStore.from_url(f"sqlite:///{tmp_path}/missing/dir/invitekit.db", create=False)

    with pytest.raises(StorageError) as caught, store.transaction():
        pass  # pragma: no cover
    assert isinstance(caught.value.__cause__, sa.exc.OperationalError)


def test_missing_tables_are_schema_outdated_naming_the_command(tmp_path: Path) -> None:
    store = SQLStore.from_url(f"sqlite:///{tmp_path}/invitekit.db", create=False)

    with (
        pytest.raises(SchemaOutdated, match="invitekit db upgrade") as caught,
        store.transaction(),
    ):
        pass  # pragma: no cover
    assert caught.value.current is None
    assert caught.value.head == head()


def test_a_naive_datetime_is_refused(tmp_path: Path) -> None:
    store = SQLStore.from_url(f"sqlite:///{tmp_path}/invitekit.db")
    naive = datetime(2026, 1, 5, 9, 0)

    with pytest.raises(StorageError), store.transaction() as tx:
        tx.insert_customer(
            Customer(
                id="cus_1",
                business_id="b",
                email="a@b.c",
                email_key="a@b.c",
                created_at=naive,
                updated_at=naive,
            )
        )


def test_an_unsupported_database_is_a_configuration_error() -> None:
    # A stand-in driver module: the engine is never connected.
    driver = types.SimpleNamespace(paramstyle="pyformat", __version__="2.2.0")
    engine = sa.create_engine("mssql+pymssql://user@host/db", module=driver)

    with pytest.raises(ConfigurationError, match="SQLite, PostgreSQL and MariaDB"):
        SQLStore(engine)


def test_a_malformed_url_is_a_configuration_error() -> None:
    with pytest.raises(ConfigurationError):
        SQLStore.from_url("not a url")


def test_a_missing_driver_names_the_extra_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "psycopg", None)

    with pytest.raises(MissingDependency, match=r"pip install invitekit\[postgresql\]"):
        SQLStore.from_url("postgresql+psycopg://user@localhost/db", create=False)


def test_missing_sqlalchemy_names_the_extra_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "sqlalchemy", None)
    for name in [n for n in sys.modules if n.startswith("invitekit.adapters.sql")]:
        monkeypatch.delitem(sys.modules, name)

    with pytest.raises(MissingDependency, match=r"pip install invitekit\[sql\]"):
        importlib.import_module("invitekit.adapters.sql")


def test_repr_hides_the_password() -> None:
    engine = sa.create_engine("postgresql+psycopg://user:secret@localhost/db")

    assert "secret" not in repr(SQLStore(engine))
