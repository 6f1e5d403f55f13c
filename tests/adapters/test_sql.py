"""What is particular to the SQL store: construction, schema, errors (the rest is the contract)."""

from __future__ import annotations

import importlib
import re
import sys
import threading
import traceback
import types
from collections.abc import Iterator
from datetime import UTC, datetime
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
    DuplicateCustomer,
    DuplicateGroup,
    MissingDependency,
    SchemaOutdated,
    StorageError,
)
from invitekit.model import Customer, Group
from tests.stores import open_store, server_url, store_params

HASH = "$argon2id$v=19$m=65536,t=3,p=4$c2VjcmV0c2FsdA$dGhlIHN0b3JlZCBoYXNoIGl0c2VsZg"
SQL_KINDS = store_params(["sqlite", "postgresql", "mysql"])


@pytest.fixture(params=SQL_KINDS)
def sql_store(request: pytest.FixtureRequest) -> Iterator[SQLStore]:
    """A fresh SQL store of each kind (SQLite, PostgreSQL, MariaDB)."""
    with open_store(request.param) as store:
        assert isinstance(store, SQLStore)
        yield store


def customer(number: int, **changes: object) -> Customer:
    now = datetime(2026, 1, 5, 9, tzinfo=UTC)
    email = f"person{number}@example.com"
    fields: dict[str, object] = {
        "id": f"cus_{number}",
        "business_id": "studio-1",
        "email": email,
        "email_key": email,
        "password_hash": HASH,
        "created_at": now,
        "updated_at": now,
    }
    return Customer(**{**fields, **changes})  # type: ignore[arg-type]


def refusal(store: SQLStore, *rows: Customer) -> StorageError:
    """The error of inserting ``rows`` (the last must be refused)."""
    with pytest.raises(StorageError) as caught, store.transaction() as tx:
        for row in rows:
            tx.insert_customer(row)
    return caught.value


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


def test_an_unreachable_database_is_a_storage_error_naming_the_driver_error(
    tmp_path: Path,
) -> None:
    store = SQLStore.from_url(f"sqlite:///{tmp_path}/missing/dir/invitekit.db", create=False)

    with pytest.raises(StorageError) as caught, store.transaction():
        pass  # pragma: no cover
    assert str(caught.value) == (
        "could not connect: OperationalError (SQLITE_CANTOPEN): unable to open database file"
    )


def test_missing_tables_are_schema_outdated_naming_the_command(tmp_path: Path) -> None:
    store = SQLStore.from_url(f"sqlite:///{tmp_path}/invitekit.db", create=False)

    with (
        pytest.raises(SchemaOutdated, match="invitekit db upgrade") as caught,
        store.transaction(),
    ):
        pass  # pragma: no cover
    assert caught.value.current is None
    assert caught.value.head == head()


def test_a_table_missing_later_is_a_storage_error_naming_it(tmp_path: Path) -> None:
    store = SQLStore.from_url(f"sqlite:///{tmp_path}/invitekit.db")
    with store.engine.begin() as conn:
        conn.exec_driver_sql("DROP TABLE invitekit_customers")

    with pytest.raises(StorageError) as caught, store.transaction() as tx:
        tx.get_customer("b", "cus_1")
    assert "OperationalError" in str(caught.value)
    assert "no such table: invitekit_customers" in str(caught.value)


def test_a_refusal_other_than_a_duplicate_is_not_reported_as_one(sql_store: SQLStore) -> None:
    error = refusal(sql_store, customer(1, created_at=None))  # NOT NULL

    assert not isinstance(error, DuplicateCustomer)
    # The driver's error class and code, e.g. "IntegrityError (SQLITE_CONSTRAINT_NOTNULL)".
    assert str(error).startswith("the database refused a change: ")
    assert re.search(r"(IntegrityError|NotNullViolation) \((SQLITE_|SQLSTATE |error )", str(error))


def test_duplicates_are_told_by_the_constraint_they_break(sql_store: SQLStore) -> None:
    with pytest.raises(DuplicateCustomer), sql_store.transaction() as tx:
        tx.insert_customer(customer(1))
        tx.insert_customer(customer(1, email="other@example.com", email_key="other@example.com"))
    now = datetime(2026, 1, 5, 9, tzinfo=UTC)
    with pytest.raises(DuplicateGroup), sql_store.transaction() as tx:
        tx.insert_group(Group(id="grp_1", business_id="studio-1", name="Yoga", created_at=now))
        tx.insert_group(Group(id="grp_2", business_id="studio-1", name="YOGA", created_at=now))


def test_a_storage_error_chains_no_driver_error_and_shows_no_parameter(
    sql_store: SQLStore,
) -> None:
    error = refusal(sql_store, customer(1, created_at=None))

    assert error.__cause__ is None
    assert error.__context__ is None
    assert error.args == (str(error),)
    shown = "".join(traceback.format_exception(error)) + repr(error)
    assert HASH not in shown
    assert "person1@example.com" not in shown


def test_a_race_past_the_address_check_is_a_duplicate_that_echoes_nothing(
    sql_store: SQLStore,
) -> None:
    # Both inserts pass the store's own check for the address; the second then
    # meets the unique constraint (on SQLite it waits for the first's commit and
    # fails the check instead).
    inserted, release = threading.Event(), threading.Event()
    errors: list[BaseException] = []

    def first() -> None:
        with sql_store.transaction() as tx:
            tx.insert_customer(customer(1))
            inserted.set()
            release.wait(timeout=10)

    def second() -> None:
        inserted.wait(timeout=10)
        try:
            with sql_store.transaction() as tx:
                twin = customer(2, email="person1@example.com", email_key="person1@example.com")
                tx.insert_customer(twin)
        except BaseException as err:
            errors.append(err)

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    inserted.wait(timeout=10)
    threading.Timer(0.3, release.set).start()
    for thread in threads:
        thread.join(timeout=20)
    (error,) = errors
    assert isinstance(error, DuplicateCustomer)
    assert error.__cause__ is None and error.__context__ is None


@pytest.mark.parametrize("kind", SQL_KINDS)
def test_engines_made_from_a_url_hide_statement_parameters(kind: str, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/invitekit.db" if kind == "sqlite" else server_url(kind)
    store = SQLStore.from_url(url, create=False)
    try:
        assert store.engine.hide_parameters
    finally:
        store.engine.dispose()


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


@pytest.mark.parametrize(
    "url",
    [
        "postgresql://user:s3cret@host:port/db",  # a port that is not a number
        "nodb://user:s3cret@host/db",
        "postgresql+nodriver://user:s3cret@host/db",
    ],
)
def test_a_refused_url_is_a_configuration_error_that_hides_its_password(url: str) -> None:
    with pytest.raises(ConfigurationError) as caught:
        SQLStore.from_url(url, create=False)
    assert "s3cret" not in "".join(traceback.format_exception(caught.value))


def test_a_missing_driver_names_the_extra_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "psycopg", None)

    with pytest.raises(MissingDependency, match=r"pip install invitekit\[postgresql\]"):
        SQLStore.from_url("postgresql+psycopg://user@localhost/db", create=False)


@pytest.mark.parametrize(
    ("url", "driver"),
    [
        ("mysql://user@localhost/db", "mysql+pymysql"),
        ("mariadb://user@localhost/db", "mariadb+pymysql"),
        ("postgresql://user@localhost/db", "postgresql+psycopg"),
        ("mysql+pymysql://user@localhost/db", "mysql+pymysql"),
    ],
)
def test_a_url_without_a_driver_uses_the_one_the_extra_installs(url: str, driver: str) -> None:
    store = SQLStore.from_url(url, create=False)
    assert store.engine.url.drivername == driver


def test_a_driver_that_is_not_installed_says_which_url_to_write(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(sys.modules, "MySQLdb", None)
    with pytest.raises(MissingDependency) as caught:
        SQLStore.from_url("mysql+mysqldb://user@localhost/db", create=False)
    assert "pip install invitekit[mysql] and write mysql+pymysql://" in str(caught.value)


def test_an_unsupported_database_names_the_supported_ones() -> None:
    with pytest.raises(ConfigurationError) as caught:
        SQLStore.from_url("oracle://user:s3cret@host/db", create=False)
    message = str(caught.value)
    assert "supports SQLite, PostgreSQL and MariaDB/MySQL, not oracle" in message
    assert "pip install" not in message


def test_missing_sqlalchemy_names_the_extra_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "sqlalchemy", None)
    for name in [n for n in sys.modules if n.startswith("invitekit.adapters.sql")]:
        monkeypatch.delitem(sys.modules, name)

    with pytest.raises(MissingDependency, match=r"pip install invitekit\[sql\]"):
        importlib.import_module("invitekit.adapters.sql")


def test_repr_hides_the_password() -> None:
    engine = sa.create_engine("postgresql+psycopg://user:secret@localhost/db")

    assert "secret" not in repr(SQLStore(engine))
