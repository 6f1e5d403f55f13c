"""The SQL Store's hot lookups on SQLite: compiled once, run on the driver's cursor.

A link check (``check_activation`` and its siblings) or a delivery reads one
customer by key.  Going through SQLAlchemy Core for that costs several times
what SQLite itself spends: the statement's cache key is computed, the compiled
form looked up, a result object and its row built, every value passed through
its type.  :class:`Lookup` does that work once per dialect -- the SQL string,
the order of its parameters, each column's result processor (the same
conversions Core applies: ``UTCDateTime`` reads back aware UTC, ``Boolean``
turns 0 and 1 into ``bool``) -- and then runs the string on the connection's own
``sqlite3`` cursor, inside the transaction SQLAlchemy began.  It is used on
SQLite only, where a statement costs microseconds; on PostgreSQL and MariaDB a
round trip to the server dwarfs Core's share, so those keep the Core path (and
anything that listens to SQLAlchemy's statement events sees them).

These statements do not pass through SQLAlchemy's ``before_cursor_execute``
events on SQLite.
"""

from __future__ import annotations

import operator
import sqlite3
import threading
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Generic, TypeVar

import attrs
import sqlalchemy as sa

from invitekit.adapters.sql._rows import RowMap
from invitekit.exceptions import StorageError

__all__ = ["Lookup", "ObjectLookup"]

T = TypeVar("T", bound=attrs.AttrsInstance)
_Process = Callable[[Any], Any] | None
_Bind = Callable[[Mapping[str, Any]], tuple[Any, ...]]
_Compiled = tuple[str, _Bind, tuple[str, ...], tuple[_Process, ...]]


class Lookup:
    """A fixed SELECT whose parameters are strings, run cheaply on SQLite.

    Args:
        statement: a SELECT of whole columns with named ``bindparam`` parameters
            of string type, passed to :meth:`first` (no bind processing is applied
            to them); its other values (literals compared with, a ``LIMIT``) are
            bound as compiled.
    """

    __slots__ = ("_compiled", "_lock", "_statement")

    def __init__(self, statement: sa.Select[Any]) -> None:
        self._statement = statement
        self._compiled: _Compiled | None = None
        self._lock = threading.Lock()

    def _for(self, dialect: sa.Dialect) -> _Compiled:
        compiled = self._compiled
        if compiled is None:
            with self._lock:
                compiled = self._compiled or _compile(self._statement, dialect)
                self._compiled = compiled
        return compiled

    def first(self, conn: sa.Connection, parameters: Mapping[str, str]) -> dict[str, Any] | None:
        """The first row, as a mapping of column name to converted value, or ``None``.

        ``conn`` must be an SQLite connection with a transaction begun.

        Raises:
            StorageError: SQLite refused the statement (the message names the
                error, never a parameter's value).
        """
        _sql, _order, names, processors = self._for(conn.dialect)
        row = self.row(conn, parameters)
        if row is None:
            return None
        return {
            name: value if process is None or value is None else process(value)
            for name, value, process in zip(names, row, processors, strict=True)
        }

    def row(self, conn: sa.Connection, parameters: Mapping[str, str]) -> tuple[Any, ...] | None:
        """The first row as the driver returns it, unconverted, or ``None`` (see :meth:`first`)."""
        sql, order, _names, _processors = self._for(conn.dialect)
        raw = conn.connection.dbapi_connection
        assert raw is not None  # a connection in a transaction is never detached
        values = order(parameters)
        try:
            row: tuple[Any, ...] | None = raw.execute(sql, values).fetchone()
        except sqlite3.Error as err:
            failure = StorageError(f"a database statement failed: {type(err).__name__}: {err}")
        else:
            return row
        raise failure  # out of the except block: the driver's error is not its context


class ObjectLookup(Generic[T]):
    """A :class:`Lookup` of the columns of ``into``'s table, read as one of its objects.

    The row goes straight to the object, each value converted once by its
    column's type and its field's conversion (:meth:`RowMap.loader`), with no
    mapping in between: the same object :meth:`RowMap.load` makes of the row.
    ``extra``: how many columns at the end of the statement are no field of
    ``into`` (:meth:`first_and_extra` returns them beside the object).
    """

    __slots__ = ("_extra", "_into", "_lookup", "_make", "_rest")

    def __init__(self, statement: sa.Select[Any], into: RowMap[T], *, extra: int = 0) -> None:
        self._lookup = Lookup(statement)
        self._into = into
        self._extra = extra
        self._make: Callable[[Sequence[Any]], T] | None = None
        self._rest: tuple[_Process, ...] = ()

    def _maker(self, conn: sa.Connection) -> Callable[[Sequence[Any]], T]:
        make = self._make
        if make is None:
            _sql, _order, names, processors = self._lookup._for(conn.dialect)
            fields = len(names) - self._extra
            self._rest = processors[fields:]
            make = self._make = self._into.loader(names[:fields], processors[:fields])
        return make

    def first(self, conn: sa.Connection, parameters: Mapping[str, str]) -> T | None:
        """The object in the first row, or ``None``; see :meth:`Lookup.first`."""
        make = self._maker(conn)
        row = self._lookup.row(conn, parameters)
        return None if row is None else make(row)

    def first_and_extra(
        self, conn: sa.Connection, parameters: Mapping[str, str]
    ) -> tuple[T, tuple[Any, ...]] | None:
        """The object in the first row and the row's ``extra`` last values, or ``None``."""
        make = self._maker(conn)
        row = self._lookup.row(conn, parameters)
        if row is None:
            return None
        fields = len(row) - self._extra
        rest = tuple(
            value if process is None or value is None else process(value)
            for value, process in zip(row[fields:], self._rest, strict=True)
        )
        return make(row[:fields]), rest


def _compile(statement: sa.Select[Any], dialect: sa.Dialect) -> _Compiled:
    if dialect.name != "sqlite":
        raise ValueError("Lookup runs on SQLite only")
    compiled = statement.compile(dialect=dialect)
    given = {name for name, bind in compiled.binds.items() if bind.required}
    order = _binder(
        tuple(compiled.positiontup or ()),
        {name: value for name, value in compiled.params.items() if name not in given},
    )
    columns = list(statement.selected_columns)
    names = tuple(str(column.name) for column in columns)
    processors = tuple(
        column.type.dialect_impl(dialect).result_processor(dialect, None) for column in columns
    )
    return compiled.string, order, names, processors


def _binder(order: tuple[str, ...], fixed: dict[str, Any]) -> _Bind:
    """What makes the statement's positional values from the call's named ones.

    ``fixed`` holds the values the statement itself binds (its literals).
    """
    if not order:
        return lambda _parameters: ()
    pick = operator.itemgetter(*order)
    if len(order) == 1:
        return lambda parameters: (pick({**fixed, **parameters}),)
    if not fixed:
        return pick
    return lambda parameters: pick({**fixed, **parameters})
