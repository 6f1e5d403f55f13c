"""The shipped migrations on every backend: from empty to head, the version table, refusals."""

from __future__ import annotations

import threading
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from invitekit.adapters.sql import (
    VERSION_TABLE,
    SQLStore,
    _migrate,
    create_schema,
    current,
    head,
    metadata,
    upgrade,
)
from invitekit.adapters.sql._migrate import _scripts
from invitekit.adapters.sql._schema import SCHEMA_VERSION
from invitekit.exceptions import SchemaOutdated

# Every revision but the newest, oldest first: a database at each is "outdated".
OLDER = [r.revision for r in reversed(list(_scripts().walk_revisions())) if r.revision != head()]


def _differences(engine: sa.Engine) -> list[object]:
    """How the database's invitekit tables differ from :data:`metadata`, by Alembic."""
    # Alembic's comparison looks in the default schema: make the private one the default.
    schema = (engine.get_execution_options().get("schema_translate_map") or {}).get(None)
    plain = engine
    if schema is not None and engine.dialect.name != "postgresql":
        plain = sa.create_engine(engine.url.set(database=schema))
    try:
        with plain.connect() as conn:
            if schema is not None and conn.dialect.name == "postgresql":
                conn.exec_driver_sql(f"SET search_path TO {schema}")
            context = MigrationContext.configure(
                conn.execution_options(schema_translate_map=None),
                opts={
                    "include_name": lambda name, kind, _parent: (
                        kind != "table" or name in metadata.tables
                    ),
                },
            )
            return list(compare_metadata(context, metadata))
    finally:
        if plain is not engine:
            plain.dispose()


def test_upgrading_an_empty_database_makes_the_tables_of_metadata(empty_engine: sa.Engine) -> None:
    assert current(empty_engine) is None

    assert upgrade(empty_engine) == (None, head())

    assert current(empty_engine) == head()
    assert _differences(empty_engine) == []


def test_create_schema_makes_the_same_tables_as_the_migrations(empty_engine: sa.Engine) -> None:
    create_schema(empty_engine)

    assert current(empty_engine) == head()
    assert _differences(empty_engine) == []
    assert upgrade(empty_engine) == (head(), head())


@pytest.mark.parametrize("make", [create_schema, upgrade])
def test_a_new_database_has_the_feed_counter_at_zero(
    empty_engine: sa.Engine, make: Callable[[sa.Engine], object]
) -> None:
    """Made with the tables: a writer that inserted it could deadlock others (see _feed.py)."""
    make(empty_engine)

    feed = metadata.tables["invitekit_feed"]
    with empty_engine.connect() as conn:
        assert conn.execute(sa.select(feed.c.id, feed.c.position)).all() == [(1, 0)]


def test_a_v1_database_upgraded_has_the_tables_of_metadata(v1_engine: sa.Engine) -> None:
    upgrade(v1_engine)

    assert _differences(v1_engine) == []


def test_the_revision_is_kept_in_invitekits_own_table_beside_the_applications(
    tmp_path: Path,
) -> None:
    engine = sa.create_engine(f"sqlite:///{tmp_path}/app.db")
    with engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL)")
        conn.exec_driver_sql("INSERT INTO alembic_version VALUES ('app0042')")

    upgrade(engine)

    with engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT version_num FROM alembic_version").all() == [
            ("app0042",)
        ]
        assert conn.exec_driver_sql(f"SELECT version_num FROM {VERSION_TABLE}").all() == [
            (head(),)
        ]
    engine.dispose()


def test_a_store_on_an_empty_database_is_refused_naming_the_command_and_the_function(
    empty_engine: sa.Engine,
) -> None:
    with pytest.raises(SchemaOutdated) as caught, SQLStore(empty_engine).transaction():
        pass  # pragma: no cover

    assert "invitekit db upgrade" in str(caught.value)
    assert "invitekit.adapters.sql.upgrade(engine)" in str(caught.value)


@pytest.mark.parametrize("revision", OLDER)
def test_a_store_on_an_older_revision_is_refused_until_upgraded(
    empty_engine: sa.Engine, revision: str
) -> None:
    upgrade(empty_engine, to=revision)

    with pytest.raises(SchemaOutdated, match="invitekit db upgrade") as caught:
        create_schema(empty_engine)
    assert (caught.value.current, caught.value.head) == (revision, head())
    with pytest.raises(SchemaOutdated), SQLStore(empty_engine).transaction():
        pass  # pragma: no cover

    upgrade(empty_engine)
    with SQLStore(empty_engine).transaction() as tx:
        assert tx.get_customer("b", "cus_1") is None


def test_the_wheel_ships_every_migration(built_wheel: Path) -> None:
    source = Path(__file__).resolve().parents[2] / "src"
    migrations = source / "invitekit" / "adapters" / "sql" / "migrations"
    wanted = {
        path.relative_to(source).as_posix()
        for path in migrations.rglob("*")
        if path.is_file() and "__pycache__" not in path.parts
    }
    with zipfile.ZipFile(built_wheel) as wheel:
        names = set(wheel.namelist())
    assert "invitekit/adapters/sql/migrations/env.py" in wanted
    assert wanted <= names


def test_two_stores_creating_the_tables_of_an_empty_sqlite_file_at_once_both_succeed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = f"sqlite:///{tmp_path}/invitekit.db"
    # Both read "no tables" before either creates them.
    both_read = threading.Barrier(2)
    read = _migrate._stored_revision

    def read_then_wait(conn: sa.Connection) -> tuple[str | None, bool]:
        found = read(conn)
        both_read.wait(timeout=10)
        return found

    monkeypatch.setattr(_migrate, "_stored_revision", read_then_wait)
    errors: list[BaseException] = []

    def open_it() -> None:
        try:
            SQLStore.from_url(url).engine.dispose()
        except BaseException as err:
            errors.append(err)

    threads = [threading.Thread(target=open_it) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert errors == []
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT version FROM invitekit_schema_version").all() == [
            (SCHEMA_VERSION,)
        ]
        assert conn.exec_driver_sql(f"SELECT version_num FROM {VERSION_TABLE}").all() == [
            (head(),)
        ]
    engine.dispose()
