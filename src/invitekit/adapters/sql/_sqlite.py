"""Transaction control for the SQL Store; on SQLite, SQLAlchemy begins, as a writer."""

from __future__ import annotations

import sqlite3
import time
from typing import Any

import sqlalchemy as sa

from invitekit.exceptions import ConfigurationError

__all__ = ["SYNCHRONOUS", "begin", "check_synchronous", "configure_sqlite"]

_SQLITE_BUSY_TIMEOUT_MS = 30_000
# Switching to WAL can answer "database is locked" at once, without waiting for
# the busy timeout, while other connections open the same file: tried again.
_WAL_ATTEMPTS = 100
_WAL_PAUSE_SECONDS = 0.05
_READER = "invitekit_reader"  # in Connection.info while a read-only transaction begins
_SYNCHRONOUS = "invitekit_synchronous"  # in Connection.info: the level set on it
SYNCHRONOUS = ("NORMAL", "FULL", "EXTRA")
"""The values of ``PRAGMA synchronous`` a store may ask for (``OFF`` risks corruption)."""


def configure_sqlite(engine: sa.Engine) -> None:
    """Make SQLAlchemy, not sqlite3, start transactions, and start them as writers.

    ``BEGIN IMMEDIATE`` takes the database's write lock at once, so two
    transactions never read the same due outbox rows and both claim them, and a
    reader never has to be upgraded to a writer (which SQLite refuses with
    "database is locked" instead of waiting).  A read-only transaction
    (:func:`begin` with ``readonly``) never writes: its deferred ``BEGIN`` lets it read the
    last committed state while a writer holds the lock (WAL mode).
    """
    if not sa.event.contains(engine, "connect", _sqlite_connect):
        sa.event.listen(engine, "connect", _sqlite_connect)
    if not sa.event.contains(engine, "begin", _sqlite_begin):
        sa.event.listen(engine, "begin", _sqlite_begin)


def check_synchronous(level: object) -> None:
    """Refuse a ``PRAGMA synchronous`` level other than those of :data:`SYNCHRONOUS`."""
    if level not in SYNCHRONOUS:
        raise ConfigurationError(
            f"sqlite_synchronous must be one of {', '.join(SYNCHRONOUS)}, not {level!r}"
        )


def begin(conn: sa.Connection, *, readonly: bool, synchronous: str | None) -> None:
    """Begin a transaction on ``conn``; with ``readonly``, one that refuses to write.

    Args:
        synchronous: on an SQLite file, the ``PRAGMA synchronous`` level a
            writing transaction commits with; ``None`` leaves it.
    """
    if conn.dialect.name != "sqlite":
        conn.begin()
        if readonly:
            # PostgreSQL: this transaction; MariaDB/MySQL: the one its first statement starts.
            conn.exec_driver_sql("SET TRANSACTION READ ONLY")
    elif readonly:
        _begin_reader(conn)
    else:
        if synchronous is not None:
            _use_synchronous(conn, synchronous)
        conn.begin()


def _begin_reader(conn: sa.Connection) -> None:
    """Begin a read-only transaction on ``conn``, with a deferred ``BEGIN``."""
    # Seen by _sqlite_begin during this begin only: the connection goes back to the
    # pool afterwards, and its next transaction may write.
    conn.info[_READER] = True
    try:
        conn.begin()
    finally:
        del conn.info[_READER]


def _use_synchronous(conn: sa.Connection, level: str) -> None:
    """Give ``conn`` the ``PRAGMA synchronous`` ``level`` (once per database connection).

    Run before its transaction begins: SQLite ignores the setting inside one.
    The level is kept in the pooled connection's ``info``, so each connection
    is set once, including those the engine opened before the store was made.
    """
    if conn.info.get(_SYNCHRONOUS) == level:
        return
    _execute(conn, f"PRAGMA synchronous = {level}")  # level is one of SYNCHRONOUS
    conn.info[_SYNCHRONOUS] = level


def _sqlite_connect(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.isolation_level = None  # sqlite3 must not emit BEGIN itself
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute(f"PRAGMA busy_timeout = {_SQLITE_BUSY_TIMEOUT_MS}")
        database = cursor.execute("PRAGMA database_list").fetchone()
        if database is not None and database[2]:  # a file, not ":memory:"
            _use_wal(cursor)
    finally:
        cursor.close()


def _use_wal(cursor: sqlite3.Cursor) -> None:
    """Put the file in WAL mode, once: the mode is kept in the file itself."""
    for attempt in range(_WAL_ATTEMPTS):
        try:
            if cursor.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
                cursor.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as err:
            if "locked" not in str(err) and "busy" not in str(err):
                raise
            if attempt == _WAL_ATTEMPTS - 1:
                raise
            time.sleep(_WAL_PAUSE_SECONDS)


def _sqlite_begin(conn: sa.Connection) -> None:
    # On the driver's connection: through SQLAlchemy's execution path this one
    # statement cost as much as the lookup a link check makes.
    _execute(conn, "BEGIN" if _READER in conn.info else "BEGIN IMMEDIATE")


def _execute(conn: sa.Connection, statement: str) -> None:
    """Run ``statement`` on the driver's connection; an error as SQLAlchemy raises it."""
    raw = conn.connection.dbapi_connection
    assert raw is not None  # a connection being begun is checked out
    try:
        raw.execute(statement)
    except sqlite3.Error as err:
        # As SQLAlchemy would have raised it, for the store's error translation.
        failure = sa.exc.DBAPIError.instance(statement, None, err, sqlite3.Error)
    else:
        return
    raise failure
