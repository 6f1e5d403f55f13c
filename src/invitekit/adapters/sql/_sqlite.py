"""SQLite's transaction control for the SQL Store: SQLAlchemy begins, as a writer."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

__all__ = ["configure_sqlite"]

_SQLITE_BUSY_TIMEOUT_MS = 30_000


def configure_sqlite(engine: sa.Engine) -> None:
    """Make SQLAlchemy, not sqlite3, start transactions, and start them as writers.

    ``BEGIN IMMEDIATE`` takes the database's write lock at once, so two
    transactions never read the same due outbox rows and both claim them, and a
    reader never has to be upgraded to a writer (which SQLite refuses with
    "database is locked" instead of waiting).
    """
    if not sa.event.contains(engine, "connect", _sqlite_connect):
        sa.event.listen(engine, "connect", _sqlite_connect)
    if not sa.event.contains(engine, "begin", _sqlite_begin):
        sa.event.listen(engine, "begin", _sqlite_begin)


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
    conn.exec_driver_sql("BEGIN IMMEDIATE")
