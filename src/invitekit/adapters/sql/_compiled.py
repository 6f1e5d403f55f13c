"""Fixed statements of the per-message write paths, compiled once for SQLite.

Delivering an email records it: an ``UPDATE`` of its outbox row, and for an
invitation a read of its customer's version and an ``UPDATE`` of the customer.
Through SQLAlchemy Core each of those costs several times what SQLite spends on
it (the statement's cache key, the compiled form's lookup, an execution
context, a result object, each value through its type), which was about 40% of
delivery's own CPU time (bench/README.md).  :class:`SQLiteStatement` does the
compiling once per set of parameter names, converts the values as the column
types would store them (the conversions of :mod:`._bulk`), and runs the string
on the connection's own ``sqlite3`` connection, inside the transaction
SQLAlchemy began (as :mod:`._read` does for the lookups).  Errors come out as
the ``sqlalchemy.exc`` types Core would raise, so the store translates them
exactly as it does for Core (a duplicate address is still ``DuplicateCustomer``).

Used on SQLite only; these statements do not pass through SQLAlchemy's
``before_cursor_execute`` events.
"""

from __future__ import annotations

import operator
import sqlite3
from collections.abc import Callable, Mapping
from typing import Any

import sqlalchemy as sa

from invitekit.adapters.sql._bulk import conversion

__all__ = ["SQLiteStatement"]

_Read = Callable[[Any], Any]
_Compiled = tuple[str, Callable[[Mapping[str, Any]], Any], int, tuple[tuple[int, Any], ...]]


class SQLiteStatement:
    """A Core statement run on SQLite's driver, compiled once per set of parameter names.

    Args:
        statement: an ``UPDATE`` (its ``SET`` columns are the parameters that
            name a column) or a ``SELECT`` with named ``bindparam`` parameters.
    """

    __slots__ = ("_compiled", "_statement")

    def __init__(self, statement: sa.ClauseElement) -> None:
        self._statement = statement
        # Keyed by the parameter names; filled by any thread (a dict item is set atomically).
        self._compiled: dict[frozenset[str], _Compiled] = {}

    def _for(self, dialect: sa.Dialect, names: frozenset[str]) -> _Compiled:
        compiled = self._compiled.get(names)
        if compiled is None:
            compiled = self._compiled[names] = _compile(self._statement, dialect, names)
        return compiled

    def execute(self, conn: sa.Connection, parameters: Mapping[str, Any]) -> sqlite3.Cursor:
        """Run on ``conn`` (SQLite, a transaction begun) with ``parameters``; the cursor.

        Raises:
            sqlalchemy.exc.DBAPIError: SQLite refused (the subclass Core would
                raise: ``IntegrityError`` for a constraint); its parameters hidden.
            StorageError: a datetime is naive.
        """
        sql, values_of, count, converts = self._for(conn.dialect, frozenset(parameters))
        got = values_of(parameters)
        values = list(got) if count > 1 else [got]
        for position, convert in converts:
            if values[position] is not None:
                values[position] = convert(values[position])
        raw = conn.connection.dbapi_connection
        assert raw is not None  # a connection in a transaction is never detached
        try:
            return raw.execute(sql, values)  # type: ignore[no-any-return]
        except sqlite3.Error as err:
            failure = sa.exc.DBAPIError.instance(
                sql, None, err, sqlite3.Error, hide_parameters=True
            )
        raise failure  # out of the except block: the driver's error is not its context


def _compile(statement: sa.ClauseElement, dialect: sa.Dialect, names: frozenset[str]) -> _Compiled:
    if dialect.name != "sqlite":
        raise ValueError("SQLiteStatement runs on SQLite only")
    compiled = statement.compile(dialect=dialect, column_keys=sorted(names))
    assert isinstance(compiled, sa.sql.compiler.SQLCompiler)
    order = list(compiled.positiontup or ())
    converts = tuple(
        (position, convert)
        for position, name in enumerate(order)
        if (convert := conversion(compiled.binds[name].type)) is not None
    )
    return compiled.string, operator.itemgetter(*order), len(order), converts


def select_rows(
    conn: sa.Connection, statement: sa.Select[Any]
) -> tuple[list[str], list[_Read | None], list[tuple[Any, ...]]]:
    """``statement`` run on SQLite's driver: its column names, how to read each, its rows.

    For the pages of a campaign's audience (a thousand customers at a time):
    the statement is compiled for each call, which costs little next to the
    rows.  The rows hold the driver's values; ``reads`` are the column types'
    own result processors (what Core applies), each remembering its answers, so
    that a timestamp is parsed once per distinct text (the customers of one
    import share them).  ``conn`` must be an SQLite connection with a
    transaction begun.

    Raises:
        sqlalchemy.exc.DBAPIError: SQLite refused (its parameters hidden).
        StorageError: a datetime parameter is naive.
    """
    dialect = conn.dialect
    compiled = statement.compile(dialect=dialect)
    assert isinstance(compiled, sa.sql.compiler.SQLCompiler)
    given = compiled.construct_params()
    values = []
    for name in compiled.positiontup or ():
        value = given[name]
        convert = conversion(compiled.binds[name].type)
        values.append(value if convert is None or value is None else convert(value))
    columns = list(statement.selected_columns)
    reads = [
        None if process is None else _memoized(process)
        for process in (
            column.type.dialect_impl(dialect).result_processor(dialect, None) for column in columns
        )
    ]
    raw = conn.connection.dbapi_connection
    assert raw is not None  # a connection in a transaction is never detached
    try:
        rows = raw.execute(compiled.string, values).fetchall()
    except sqlite3.Error as err:
        failure = sa.exc.DBAPIError.instance(
            compiled.string, None, err, sqlite3.Error, hide_parameters=True
        )
    else:
        return [str(column.name) for column in columns], reads, rows
    raise failure  # out of the except block: the driver's error is not its context


def _memoized(process: _Read) -> _Read:
    """``process`` remembering its answers (immutable values: strings to datetimes...)."""
    seen: dict[Any, Any] = {}

    def read(value: Any) -> Any:
        try:
            return seen[value]
        except KeyError:
            result = seen[value] = process(value)
            return result

    return read
