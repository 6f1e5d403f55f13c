"""Attempt reservations in SQL: the throttles' atomic count-and-record.

:meth:`~invitekit.ports.Transaction.reserve_attempt` must count a key's
attempts and record one more as one step for every transaction reserving the
same key, so the key is locked first, until the transaction ends:

* SQLite needs no lock of its own: ``BEGIN IMMEDIATE`` lets one writing
  transaction in at a time.
* PostgreSQL takes a transaction-level advisory lock on a 64-bit hash of the
  business and key (``pg_advisory_xact_lock``), released by the commit or
  rollback itself.
* MariaDB/MySQL only have session-level named locks (``GET_LOCK``): the lock
  is released once the transaction has ended, not before, or another session
  could count before this one's reservation is committed.

At ``READ COMMITTED`` each statement after the lock then sees every
reservation committed before the lock was granted.  A reservation is a row of
``invitekit_login_failures``; its ``seq`` is its number.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from contextlib import ExitStack
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from invitekit.adapters.sql._schema import metadata
from invitekit.exceptions import StorageError

__all__ = ["AttemptReservations"]

_attempts = metadata.tables["invitekit_login_failures"]
_NAMED_LOCK_TIMEOUT_S = 30  # as long as SQLite's busy timeout


class AttemptReservations:
    """``reserve_attempt`` and ``release_attempt`` of the SQL store's transactions.

    A part of ``_SQLTransaction``, which provides the attributes declared here:
    its connection, the callbacks run once it has ended, how it runs a
    statement, and how it counts attempts.
    """

    _conn: sa.Connection
    _ended: ExitStack
    _run: Callable[..., sa.CursorResult[Any]]
    count_attempts: Callable[..., int]

    def reserve_attempt(
        self, business_id: str, key: str, *, at: datetime, since: datetime, limit: int
    ) -> int | None:
        self._lock_attempts(business_id, key)
        if self.count_attempts(business_id, key, since=since) >= limit:
            return None
        inserted = self._run(
            _attempts.insert(), {"business_id": business_id, "key": key, "at": at}
        )
        primary_key = inserted.inserted_primary_key
        assert primary_key is not None  # a single-row INSERT always reports it
        return int(primary_key.seq)

    def attempt_times(self, business_id: str, key: str, *, since: datetime) -> list[datetime]:
        rows = self._run(
            sa.select(_attempts.c.at)
            .where(
                _attempts.c.business_id == business_id,
                _attempts.c.key == key,
                _attempts.c.at >= since,
            )
            .order_by(_attempts.c.at)
        )
        return list(rows.scalars())

    def forget_attempts(self, business_id: str, key: str, *, before: datetime) -> None:
        self._run(
            _attempts.delete().where(
                _attempts.c.business_id == business_id,
                _attempts.c.key == key,
                _attempts.c.at < before,
            )
        )

    def release_attempt(
        self, business_id: str, key: str, reservation: int, *, with_earlier: bool = False
    ) -> None:
        seq = _attempts.c.seq
        self._run(
            _attempts.delete().where(
                _attempts.c.business_id == business_id,
                _attempts.c.key == key,
                seq <= reservation if with_earlier else seq == reservation,
            )
        )

    def _lock_attempts(self, business_id: str, key: str) -> None:
        """Hold a lock on ``key``'s attempts until this transaction ends (see above)."""
        dialect = self._conn.dialect.name
        if dialect == "sqlite":
            return
        digest = hashlib.sha256(f"{business_id}\0{key}".encode("utf-8", "surrogatepass")).digest()
        if dialect == "postgresql":
            number = int.from_bytes(digest[:8], "big", signed=True)
            self._run(sa.select(sa.func.pg_advisory_xact_lock(number)))
            return
        name = f"invitekit:attempts:{digest[:20].hex()}"
        granted = self._run(sa.select(sa.func.get_lock(name, _NAMED_LOCK_TIMEOUT_S))).scalar()
        if granted != 1:
            raise StorageError("could not lock the attempts of a throttle key: try again")
        self._ended.callback(_release_named_lock, self._conn, name)


def _release_named_lock(conn: sa.Connection, name: str) -> None:
    """Release a ``GET_LOCK`` lock of ``conn``'s session, after its transaction ended."""
    try:
        conn.execute(sa.select(sa.func.release_lock(name)))
        conn.rollback()  # of the statement's own implicit transaction
    except sa.exc.SQLAlchemyError:
        # The server drops a session's named locks when its connection closes.
        conn.invalidate()
