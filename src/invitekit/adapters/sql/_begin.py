"""How the SQL Store's transactions begin: writers one at a time on SQLite, readers beside them.

Writing transactions on SQLite start with ``BEGIN IMMEDIATE``, which takes the
database's write lock at once, so two transactions never read the same due
outbox rows and both claim them, and a reader never has to be upgraded to a
writer (which SQLite refuses with "database is locked" instead of waiting).

A read-only transaction never writes, so it starts with a deferred ``BEGIN``:
in WAL mode it reads the last committed state while a writer holds the lock.
On PostgreSQL and MariaDB/MySQL it is the database's own ``READ ONLY``
transaction, which refuses writes too.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

__all__ = ["begin", "configure_sqlite"]

_READ_ONLY = "invitekit_readonly"  # in Connection.info while a read-only one begins
_SQLITE_BUSY_TIMEOUT_MS = 30_000


def configure_sqlite(engine: sa.Engine) -> None:
    """Make SQLAlchemy, not sqlite3, start transactions, and start writers as writers."""
    if not sa.event.contains(engine, "connect", _sqlite_connect):
        sa.event.listen(engine, "connect", _sqlite_connect)
    if not sa.event.contains(engine, "begin", _sqlite_begin):
        sa.event.listen(engine, "begin", _sqlite_begin)


def begin(conn: sa.Connection, *, readonly: bool) -> None:
    """Begin a transaction on ``conn``: a writing one, or one that only reads."""
    if not readonly:
        conn.begin()
        return
    # Seen by _sqlite_begin, during this begin only: the connection goes back to the
    # pool afterwards, and its next transaction may write.
    conn.info[_READ_ONLY] = True
    try:
        conn.begin()
    finally:
        del conn.info[_READ_ONLY]
    if conn.dialect.name != "sqlite":
        # PostgreSQL: this transaction; MariaDB/MySQL: the one its first statement starts.
        conn.exec_driver_sql("SET TRANSACTION READ ONLY")


def _sqlite_connect(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.isolation_level = None  # sqlite3 must not emit BEGIN itself
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute(f"PRAGMA busy_timeout = {_SQLITE_BUSY_TIMEOUT_MS}")
        database = cursor.execute("PRAGMA database_list").fetchone()
        if database is not None and database[2]:  # a file, not ":memory:"
            cursor.execute("PRAGMA journal_mode = WAL")
    finally:
        cursor.close()


def _sqlite_begin(conn: sa.Connection) -> None:
    conn.exec_driver_sql("BEGIN" if _READ_ONLY in conn.info else "BEGIN IMMEDIATE")
