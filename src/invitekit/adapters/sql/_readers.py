"""Read-only transactions on an SQLite file: a connection kept per thread, outside the pool.

A link check (``check_activation`` and its siblings) is a read-only transaction
of one or two indexed reads.  Taking a connection from SQLAlchemy's pool and
giving it back, with the pool's reset and SQLAlchemy's transaction bookkeeping,
cost more than those reads.  :class:`Readers` keeps one connection per thread
instead, opened to the same file with ``PRAGMA query_only`` (it cannot write),
and begins and ends each transaction on the driver's connection.  It is not
taken from the store's pool, so threads that keep one never starve the writers
of pooled connections.

Each transaction starts with a deferred ``BEGIN``: in WAL mode its snapshot is
taken by its first read, so it sees every transaction committed before that,
by any connection of any process, and a writer holding the lock never blocks it.

The connections are closed when the store's engine is disposed
(``engine.dispose()``: at once if idle, else when their transaction ends) and
when their thread ends.  A forked child never uses its parent's connection (nor
closes it: SQLite forbids carrying a connection across ``fork``); it opens its own.
"""

from __future__ import annotations

import os
import sqlite3
import threading
import weakref
from collections.abc import Callable
from contextlib import ExitStack, suppress
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.pool import NullPool

from invitekit.adapters._readonly import read_only
from invitekit.adapters.sql._errors import translated
from invitekit.exceptions import StorageError

if TYPE_CHECKING:
    from invitekit.ports import Transaction

__all__ = ["Kept", "KeptReader", "Readers"]

_BUSY_TIMEOUT_MS = 30_000
# Connections a forked child inherited: referenced for ever, so that the child
# never closes them (closing runs SQLite's own clean-up on the parent's file).
_INHERITED: list[object] = []


class Readers:
    """The read-only connections of one SQLite-file store, one per thread.

    Args:
        engine: the store's engine (an SQLite file); its URL says what to open.
    """

    def __init__(self, engine: sa.Engine) -> None:
        cargs, cparams = engine.dialect.create_connect_args(engine.url)
        params = {**cparams, "check_same_thread": False, "isolation_level": None}
        open_file: Callable[..., sqlite3.Connection] = sqlite3.connect

        def connect() -> sqlite3.Connection:
            raw = open_file(*cargs, **params)
            try:
                raw.execute(f"PRAGMA busy_timeout = {_BUSY_TIMEOUT_MS}")
                raw.execute("PRAGMA query_only = ON")
            except BaseException:
                raw.close()
                raise
            return raw

        # A Core statement of a read-only transaction (a listing, a count) runs
        # through this engine, on the thread's connection; no pool: kept by Readers.
        self._engine = sa.create_engine(
            engine.url, creator=connect, poolclass=NullPool, hide_parameters=True
        )
        self._forget()
        this = weakref.ref(self)

        def disposed(_engine: sa.Engine) -> None:
            readers = this()
            if readers is not None:
                readers.close()

        sa.event.listen(engine, "engine_disposed", disposed)

    def begin(self) -> Kept:
        """Begin a read-only transaction on this thread's connection; end it with :meth:`end`.

        SQLAlchemy statements may run on its ``conn`` (they join the
        transaction), and so may statements on its driver connection ``raw``.

        Raises:
            StorageError: the file cannot be opened, or SQLite refused to begin.
        """
        kept = self._checkout()
        try:
            kept.raw.execute("BEGIN")
        except sqlite3.Error as err:
            failure = StorageError(f"could not start a transaction: {type(err).__name__}: {err}")
        else:
            return kept
        kept.stale = True  # never used again
        self._checkin(kept)
        raise failure  # out of the except block: the driver's error is not its context

    def end(self, kept: Kept, *, failed: bool) -> None:
        """End the read-only transaction :meth:`begin` began; ``failed``: an error is on its way.

        Raises:
            StorageError: SQLite refused to end it (unless ``failed``: the error
                being raised matters more); the connection is not used again.
        """
        try:
            ended = kept.end()
            kept.stale = kept.stale or not ended
        finally:
            self._checkin(kept)
        if not ended and not failed:
            raise StorageError("could not end a read-only transaction")

    def _forget(self) -> None:
        """Start with no connections (in a new store, or a forked child)."""
        self._pid = os.getpid()
        self._local = threading.local()
        # A lock another thread held at the fork would never be released in the child.
        self._lock = threading.Lock()
        self._open: weakref.WeakSet[Kept] = weakref.WeakSet()

    def close(self) -> None:
        """Close every thread's connection: an idle one now, a busy one when its transaction ends.

        A thread opens a new one at its next read-only transaction.
        """
        if self._pid != os.getpid():
            self._forget()  # the parent's connections are the parent's
            return
        with self._lock:
            kept = list(self._open)
            idle = []
            for each in kept:
                each.stale = True
                if not each.busy:
                    idle.append(each)
                    self._open.discard(each)
        for each in idle:
            each.close()

    def _checkout(self) -> Kept:
        if self._pid != os.getpid():
            self._forget()
        kept: Kept | None = getattr(self._local, "kept", None)
        with self._lock:
            if kept is not None and not kept.stale:
                kept.busy = True
                return kept
        if kept is not None:
            self._local.kept = None
            kept.close()
        fresh = Kept(translated("could not connect", self._engine.connect))
        with self._lock:
            fresh.busy = True
            self._open.add(fresh)
        self._local.kept = fresh
        return fresh

    def _checkin(self, kept: Kept) -> None:
        with self._lock:
            kept.busy = False
            stale = kept.stale
            if stale:
                self._open.discard(kept)
        if stale:
            if getattr(self._local, "kept", None) is kept:
                self._local.kept = None
            kept.close()


class Kept:
    """One thread's connection: SQLAlchemy's, and the driver's under it."""

    __slots__ = ("__weakref__", "busy", "conn", "finalizer", "pid", "raw", "stale", "view")

    def __init__(self, conn: sa.Connection) -> None:
        raw = conn.connection.dbapi_connection
        assert raw is not None  # a new connection is attached
        self.conn = conn
        self.raw: Any = raw
        self.pid = os.getpid()
        self.busy = False
        self.stale = False
        # The read-only transaction on this connection, made once (see KeptReader).
        self.view: Transaction | None = None
        # When the thread ends (its locals go), the connection is closed.
        self.finalizer = weakref.finalize(self, _close, conn, self.pid)

    def end(self) -> bool:
        """End the transaction (SQLAlchemy's, if a Core statement began one); whether it ended."""
        try:
            if self.conn.in_transaction():
                self.conn.rollback()
            if self.raw.in_transaction:
                self.raw.execute("ROLLBACK")
        except (sa.exc.SQLAlchemyError, sqlite3.Error):
            return False
        return True

    def close(self) -> None:
        """Close the connection (in the process that opened it; elsewhere, leave it be)."""
        self.finalizer()


def _close(conn: sa.Connection, pid: int) -> None:
    if os.getpid() != pid:
        _INHERITED.append(conn)
        return
    # Best effort: the connection is dropped either way.
    with suppress(sa.exc.SQLAlchemyError, sqlite3.Error):
        conn.close()


class KeptReader:
    """A read-only transaction of an SQLite-file store, on its thread's kept connection.

    A plain context manager, not a generator: a link check opens one per request.
    ``transaction`` builds the store's transaction object on the kept connection,
    once per connection: a read-only transaction keeps no state of its own (it
    adds no events and registers nothing to run after it), so each one on that
    connection is handed the same read-only view.
    """

    __slots__ = ("_kept", "_readers", "_store", "_transaction")

    def __init__(
        self,
        store: Any,
        readers: Readers,
        transaction: Callable[[sa.Connection, ExitStack], Transaction],
    ) -> None:
        self._store = store
        self._readers = readers
        self._transaction = transaction

    def __enter__(self) -> Transaction:
        active = self._store._active
        if getattr(active, "open", False):
            raise StorageError("SQLStore transactions cannot be nested")
        active.open = True
        try:
            self._store._check_schema()
            kept = self._kept = self._readers.begin()
        except BaseException:
            active.open = False
            raise
        view = kept.view
        if view is None:
            view = kept.view = read_only(self._transaction(kept.conn, ExitStack()))
        return view

    def __exit__(self, kind: type[BaseException] | None, *_: object) -> None:
        try:
            self._readers.end(self._kept, failed=kind is not None)
        finally:
            self._store._active.open = False
