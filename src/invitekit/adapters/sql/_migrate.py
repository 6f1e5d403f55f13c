"""The schema migrations shipped inside the package, run by Alembic on a given Engine.

The scripts live in ``migrations/versions/`` beside this module; Alembic records
the revision a database is at in its own table, :data:`VERSION_TABLE`
(``invitekit_alembic_version``), so it never meets an application's own Alembic
history (``alembic_version``) in a shared database.

A database made before the migrations (by ``create_schema`` of invitekit 0.1,
``invitekit_schema_version`` = 1 and no :data:`VERSION_TABLE`) is at revision
``0001``: :func:`current` says so, and :func:`upgrade` stamps it before moving on.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util import CommandError

from invitekit.adapters.sql._errors import storage_error, translated
from invitekit.adapters.sql._feed import NEW_COUNTER
from invitekit.adapters.sql._schema import SCHEMA_VERSION, metadata
from invitekit.exceptions import SchemaOutdated, StorageError

__all__ = [
    "VERSION_TABLE",
    "check_schema",
    "create_schema",
    "current",
    "head",
    "upgrade",
]

VERSION_TABLE = "invitekit_alembic_version"
"""The table in which Alembic records the revision of invitekit's tables."""

_LOCATION = Path(__file__).with_name("migrations")
# invitekit_schema_version's version -> the revision that layout is.  Only 1
# ever existed without Alembic; later migrations keep that row up to date so
# that an invitekit from before the migrations refuses a newer database.
_LEGACY = {1: "0001"}
_UPGRADE_HINT = (
    "run `invitekit db upgrade` (or invitekit.adapters.sql.upgrade(engine)) to migrate it"
)


def _schema_of(conn: sa.Connection) -> str | None:
    """The schema invitekit's tables are in: the default one, or where it is translated to.

    SQLAlchemy's inspector and Alembic's look-up of its version table do not follow
    an engine's ``schema_translate_map``, so they are told the schema explicitly.
    """
    translate = conn.get_execution_options().get("schema_translate_map") or {}
    schema = translate.get(None)
    return None if schema is None else str(schema)


def _context(conn: sa.Connection) -> MigrationContext:
    return MigrationContext.configure(
        conn, opts={"version_table": VERSION_TABLE, "version_table_schema": _schema_of(conn)}
    )


def _config(connection: sa.Connection) -> Config:
    config = Config()
    config.set_main_option("script_location", str(_LOCATION))
    # migrations/env.py runs on this connection (Alembic's "connection sharing").
    config.attributes["connection"] = connection
    config.attributes["version_table"] = VERSION_TABLE
    config.attributes["version_table_schema"] = _schema_of(connection)
    return config


@functools.cache
def _scripts() -> ScriptDirectory:
    return ScriptDirectory(str(_LOCATION))


def head() -> str:
    """The newest revision of invitekit's tables, the one this invitekit works with."""
    revision = _scripts().get_current_head()
    assert revision is not None  # the package always ships revision 0001
    return revision


@contextmanager
def _connection(engine: sa.Engine, action: str) -> Iterator[sa.Connection]:
    """A connection whose database errors become :func:`storage_error` of ``action``."""
    conn = translated("could not connect", engine.connect)
    try:
        with conn:
            yield conn
    except sa.exc.SQLAlchemyError as err:
        failure = storage_error(action, err)
    else:
        return
    raise failure  # out of the except block: the driver's error is not its context


def _stored_revision(conn: sa.Connection) -> tuple[str | None, bool]:
    """The revision ``conn``'s database is at, and whether Alembic recorded it.

    Only reads, and leaves the connection outside a transaction.
    """
    try:
        return _read_revision(conn)
    finally:
        conn.rollback()


def _read_revision(conn: sa.Connection) -> tuple[str | None, bool]:
    """:func:`_stored_revision`, in the connection's transaction.

    A database made before the migrations has no Alembic record: its revision
    comes from its ``invitekit_schema_version`` row (see :data:`_LEGACY`).
    """
    revision = _context(conn).get_current_revision()
    if revision is not None:
        return revision, True
    legacy = metadata.tables["invitekit_schema_version"]
    if not sa.inspect(conn).has_table(legacy.name, schema=_schema_of(conn)):
        return None, False
    version = conn.execute(sa.select(sa.func.max(legacy.c.version))).scalar()
    if version not in _LEGACY:
        raise StorageError(
            "the database holds invitekit tables of unknown schema version "
            f"{'(no row)' if version is None else version} and no migration history"
        )
    return _LEGACY[version], False


def current(engine: sa.Engine) -> str | None:
    """The revision of invitekit's tables in the database at ``engine``.

    Returns:
        the revision (``"0001"``, ...), or ``None`` when the database holds none of
        invitekit's tables.  A database made by invitekit before the migrations is
        at ``"0001"``.

    Raises:
        StorageError: the database cannot be reached, or holds invitekit tables of
            a version this invitekit does not know.
    """
    with _connection(engine, "could not read the invitekit schema revision") as conn:
        return _stored_revision(conn)[0]


def _is_known(revision: str) -> bool:
    try:
        return _scripts().get_revision(revision) is not None
    except CommandError:
        return False


def upgrade(engine: sa.Engine, *, to: str = "head") -> tuple[str | None, str]:
    """Migrate invitekit's tables in the database at ``engine`` to the newest revision.

    Creates them on an empty database; stamps a database made before the
    migrations as revision ``0001`` first; does nothing on an up-to-date one.
    Each revision runs in a transaction of its own (where the database has
    transactional DDL), so an interrupted upgrade resumes at the revision that
    failed.  Other tables in the database are never touched.

    Args:
        engine: the database's Engine (a ``schema_translate_map`` of ``None`` to a
            schema is followed).
        to: the revision to stop at; the newest by default.  Tests of a
            migration use it to make a database as an older invitekit had it.

    Returns:
        the revision before and after: ``(current, to)``.

    Raises:
        StorageError: the database cannot be reached, a migration failed (the
            message names the driver's error, never a value), or the database is
            at a revision this invitekit does not know (made by a newer one).
    """
    with _connection(engine, "could not upgrade the invitekit tables") as conn:
        before, stamped = _stored_revision(conn)
        if before is not None and not _is_known(before):
            raise StorageError(_newer(before))
        config = _config(conn)
        try:
            if before is not None and not stamped:
                command.stamp(config, before)
            command.upgrade(config, to)
            if conn.in_transaction():
                conn.commit()
        except CommandError as err:
            raise StorageError(f"could not upgrade the invitekit tables: {err}") from err
        return before, head() if to == "head" else to


def _newer(revision: str) -> str:
    return (
        f"the database's invitekit tables are at revision {revision}, which this invitekit "
        f"does not know (its newest is {head()}): it was migrated by a newer invitekit"
    )


def create_schema(engine: sa.Engine) -> None:
    """Give an empty database the newest tables, stamped :func:`head`; accept an up-to-date one.

    Existing tables are kept; a database made before the migrations whose layout
    is the newest is stamped.  Nothing is migrated: that is :func:`upgrade`'s
    explicit act, so an older database is refused.

    Raises:
        SchemaOutdated: the database is at an older revision.
        StorageError: the database cannot be reached, or was migrated by a newer invitekit.
    """
    legacy = metadata.tables["invitekit_schema_version"]
    newest = head()
    with _connection(engine, "could not create the invitekit tables") as conn:
        revision, stamped = _stored_revision(conn)
        if revision is not None and revision != newest:
            _refuse(revision)
        if stamped:
            return
        with conn.begin():
            # Again, inside the transaction: another process may have just made them.
            revision, stamped = _read_revision(conn)
            if revision is None:
                metadata.create_all(conn)
                conn.execute(legacy.insert().values(version=SCHEMA_VERSION))
                conn.execute(NEW_COUNTER)  # as migration 0008 makes it (see _feed.py)
            if not stamped:
                _context(conn).stamp(_scripts(), newest)


def _refuse(revision: str) -> None:
    if not _is_known(revision):
        raise StorageError(_newer(revision))
    raise SchemaOutdated(
        f"the database's invitekit tables are at revision {revision}, "
        f"this invitekit needs {head()}: {_UPGRADE_HINT}",
        current=revision,
        head=head(),
    )


def check_schema(engine: sa.Engine) -> None:
    """Refuse a database whose invitekit tables are not at :func:`head`.

    Raises:
        SchemaOutdated: the tables are missing or at an older revision.
        StorageError: the database cannot be reached, or was migrated by a newer invitekit.
    """
    revision = current(engine)
    if revision is None:
        raise SchemaOutdated(
            f"the database has no invitekit tables: {_UPGRADE_HINT}, "
            "or open it with SQLStore.from_url(url, create=True)",
            current=None,
            head=head(),
        )
    if revision != head():
        _refuse(revision)
