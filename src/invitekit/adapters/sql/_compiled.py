"""Fixed statements of the per-message and per-page paths, compiled once for SQLite.

Delivering an email records it: an ``UPDATE`` of its outbox row, and for an
invitation a read of its customer's version and an ``UPDATE`` of the customer.
Through SQLAlchemy Core each of those costs several times what SQLite spends on
it (the statement's cache key, the compiled form's lookup, an execution
context, a result object, each value through its type), which was about 40% of
delivery's own CPU time (bench/README.md).  A campaign reads its audience a page
at a time and asks which of the page already have an invitation pending: the
same statements over and over, with rows read back a thousand at a time.
:class:`SQLiteStatement` does the compiling once per set of parameter names,
converts the values as the column types would store them (the conversions of
:mod:`._bulk`), and runs the string on the connection's own ``sqlite3``
connection, inside the transaction SQLAlchemy began (as :mod:`._read` does for
the lookups).  Errors come out as
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
from invitekit.adapters.sql._errors import refusal, storage_error

__all__ = ["SQLiteStatement", "as_mappings", "run_translated", "select_translated"]

_Read = Callable[[Any], Any]
_Compiled = tuple[str, Callable[[Mapping[str, Any]], Any], int, tuple[tuple[int, Any], ...]]


class SQLiteStatement:
    """A Core statement run on SQLite's driver, compiled once per set of parameter names.

    Args:
        statement: an ``UPDATE`` (its ``SET`` columns are the parameters that
            name a column) or a ``SELECT`` with named ``bindparam`` parameters.
    """

    __slots__ = ("_compiled", "_reads", "_statement")

    def __init__(self, statement: sa.ClauseElement) -> None:
        self._statement = statement
        # Keyed by the parameter names; filled by any thread (a dict item is set atomically).
        self._compiled: dict[frozenset[str], _Compiled] = {}
        self._reads: tuple[list[str], list[_Read | None]] | None = None

    @property
    def statement(self) -> sa.ClauseElement:
        """The Core statement (run through Core on the other databases)."""
        return self._statement

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

    def select(
        self, conn: sa.Connection, parameters: Mapping[str, Any]
    ) -> tuple[list[str], list[_Read | None], list[tuple[Any, ...]]]:
        """Run a ``SELECT``: its column names, how to read each value, its raw rows.

        ``reads`` are the column types' own result processors (what Core
        applies), each remembering its answers for this call, so that a
        timestamp is parsed once per distinct text (the customers of one
        import share them).

        Raises:
            sqlalchemy.exc.DBAPIError: as :meth:`execute`.
            StorageError: as :meth:`execute`.
        """
        rows = self.execute(conn, parameters).fetchall()
        if self._reads is None:
            self._reads = _result_reads(self._statement, conn.dialect)
        names, processors = self._reads
        return names, [None if p is None else _memoized(p) for p in processors], rows


def run_translated(
    fast: SQLiteStatement,
    conn: sa.Connection,
    parameters: Mapping[str, Any],
    statement: object,
    duplicates: Mapping[str, Callable[[], Exception]],
) -> tuple[int, list[tuple[Any, ...]]]:
    """``fast.execute``: its rowcount and rows, errors as the store's own.

    Args:
        fast: the statement.
        conn: an SQLite connection with a transaction begun.
        parameters: its values.
        statement: the Core statement ``fast`` runs (its table names the constraints).
        duplicates: the error meant by breaking each named unique constraint
            (see :func:`~invitekit.adapters.sql._errors.refusal`).

    Raises:
        StorageError: SQLite refused; or the error ``duplicates`` names.
    """
    try:
        cursor = fast.execute(conn, parameters)
        return cursor.rowcount, cursor.fetchall()
    except sa.exc.IntegrityError as err:
        failure = refusal(err, statement, duplicates)
    except sa.exc.SQLAlchemyError as err:
        failure = storage_error("a database statement failed", err)
    raise failure  # out of the except block: the driver's error is not its context


def select_translated(
    fast: SQLiteStatement, conn: sa.Connection, parameters: Mapping[str, Any]
) -> tuple[list[str], list[_Read | None], list[tuple[Any, ...]]]:
    """``fast.select``, errors as the store's own (:class:`StorageError`)."""
    try:
        return fast.select(conn, parameters)
    except sa.exc.SQLAlchemyError as err:
        failure = storage_error("a database statement failed", err)
    raise failure  # out of the except block: the driver's error is not its context


def as_mappings(
    columns: list[str], reads: list[_Read | None], rows: list[tuple[Any, ...]]
) -> list[dict[str, Any]]:
    """The raw rows of :meth:`SQLiteStatement.select` as column -> value, read as Core would."""
    return [
        dict(
            zip(
                columns,
                [v if r is None or v is None else r(v) for r, v in zip(reads, row, strict=True)],
                strict=True,
            )
        )
        for row in rows
    ]


def _result_reads(
    statement: sa.ClauseElement, dialect: sa.Dialect
) -> tuple[list[str], list[_Read | None]]:
    """The selected columns' names and their types' result processors (Core's own)."""
    assert isinstance(statement, sa.Select)
    columns = list(statement.selected_columns)
    return [str(column.name) for column in columns], [
        column.type.dialect_impl(dialect).result_processor(dialect, None) for column in columns
    ]


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
    get = operator.itemgetter(*order)
    # Parameters the statement gives a value itself (SQLite's "OFFSET ?" after a LIMIT).
    fixed = {name: compiled.binds[name].effective_value for name in order if name not in names}
    if fixed:
        return compiled.string, lambda given: get({**fixed, **given}), len(order), converts
    return compiled.string, get, len(order), converts


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
