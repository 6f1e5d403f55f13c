"""Many rows into one SQLite table through the driver's own ``executemany``.

A campaign inserts an outbox row and an event per invitation.  Through
SQLAlchemy's ``execute(insert, rows)`` each value of each row goes through its
column type's processing (``UTCDateTime`` then SQLite's ``DATETIME`` formatting,
``Boolean``...), which was a third of a campaign's time on SQLite
(bench/README.md).  Here the SQL is written once per table, and the values are
converted as those types would store them, each distinct datetime once: a
campaign's rows of one batch share their timestamps.  The rows read back are
the same as through SQLAlchemy (the contract tests read every one back).
"""

from __future__ import annotations

import functools
import operator
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import sqlite

from invitekit.adapters.sql._errors import storage_error
from invitekit.adapters.sql._schema import UTCDateTime
from invitekit.exceptions import StorageError

__all__ = ["SQLiteBulkInsert", "conversion"]

_Convert = Callable[[Any], Any]


class SQLiteBulkInsert:
    """``INSERT`` of many rows into ``table`` on SQLite, values converted once.

    Args:
        table: the table.
        ignore_conflicts_on: the columns of a unique constraint: a row that
            breaks it is skipped (``ON CONFLICT (...) DO NOTHING``), as
            ``sqlite.insert(...).on_conflict_do_nothing`` does.
        numbered: rows give the autoincrementing key too (the feed numbers events).
    """

    __slots__ = ("_converts", "_in_order", "_row", "_sql", "_table")

    def __init__(
        self,
        table: sa.Table,
        *,
        ignore_conflicts_on: Sequence[str] = (),
        numbered: bool = False,
    ) -> None:
        names = [c.name for c in table.columns if numbered or not _generated(c)]
        statement = sqlite.insert(table).values({name: sa.bindparam(name) for name in names})
        if ignore_conflicts_on:
            statement = statement.on_conflict_do_nothing(index_elements=list(ignore_conflicts_on))
        compiled = statement.compile(dialect=sqlite.dialect())
        self._sql = str(compiled)
        # The values of a row in the order of the statement's ``?`` (a C getter),
        # then the few that need converting, by position.
        columns = list(compiled.positiontup or ())
        self._table = table
        self._row = operator.itemgetter(*columns)
        self._converts = _converts(table, columns)
        # For rows given as sequences: by their columns' order (see in_order).
        self._in_order: dict[tuple[str, ...], tuple[Any, list[tuple[int, _Convert]]]] = {}

    def __call__(self, conn: sa.Connection, rows: Sequence[Mapping[str, Any]]) -> int:
        """Insert ``rows`` (every column -> value; the numbered key only if ``numbered``).

        Returns:
            how many rows were inserted (those skipped by a conflict are not).

        Raises:
            StorageError: the database refused (a conflict not ignored, a
                missing value) or a datetime is naive.
        """
        return self._insert(conn, [list(self._row(row)) for row in rows], self._converts)

    def in_order(
        self, conn: sa.Connection, columns: Sequence[str], rows: Sequence[list[Any]]
    ) -> int:
        """Insert ``rows``, each a list of the values of ``columns`` in that order, on ``conn``.

        Cheaper than mappings for many rows: the values are put in the
        statement's order by one C getter per row.  The lists are converted in
        place.

        Returns:
            how many rows were inserted (those skipped by a conflict are not).

        Raises:
            StorageError: as for a call with mappings.
            KeyError: ``columns`` are not the table's columns (but the numbered key).
        """
        key = tuple(columns)
        found = self._in_order.get(key)
        if found is None:
            position = {name: index for index, name in enumerate(key)}
            # Where each of the statement's columns is in a row (KeyError: missing).
            order = self._row(position)
            if len(position) != len(key) or len(order) != len(key):
                raise KeyError(f"not the columns of {self._table.name}: {key!r}")
            found = self._in_order[key] = (
                operator.itemgetter(*order),
                _converts(self._table, key),
            )
        reorder, converts = found
        return self._insert(conn, rows, converts, reorder)

    def _insert(
        self,
        conn: sa.Connection,
        rows: Sequence[list[Any]],
        converts: list[tuple[int, _Convert]],
        reorder: Callable[[list[Any]], tuple[Any, ...]] = tuple,
    ) -> int:
        stamps: dict[datetime, str] = {}
        values: list[tuple[Any, ...]] = []
        for value in rows:
            for position, convert in converts:
                item = value[position]
                if item is None:
                    continue
                if convert is _stamp:
                    text = stamps.get(item)
                    if text is None:
                        text = stamps[item] = _stamp(item)
                    value[position] = text
                else:
                    value[position] = convert(item)
            values.append(reorder(value))
        try:
            result = conn.exec_driver_sql(self._sql, values)
        except sa.exc.SQLAlchemyError as err:
            failure = storage_error("a database statement failed", err)
        else:
            return int(result.rowcount)
        raise failure  # out of the except block: the driver's error is not its context


def _converts(table: sa.Table, columns: Sequence[str]) -> list[tuple[int, _Convert]]:
    """The position and conversion of each of ``columns`` that needs converting."""
    return [
        (position, convert)
        for position, name in enumerate(columns)
        if (convert := conversion(table.c[name].type)) is not None
    ]


def _generated(column: sa.Column[Any]) -> bool:
    """Whether the database numbers ``column`` itself (an autoincrementing key)."""
    return column.primary_key and column.autoincrement is True


def conversion(column_type: sa.types.TypeEngine[Any]) -> _Convert | None:
    """How a value of ``column_type`` is stored on SQLite (``None``: as it is)."""
    if isinstance(column_type, UTCDateTime):
        return _stamp
    if isinstance(column_type, sa.Boolean):
        return int
    if isinstance(column_type, sa.String | sa.Integer):
        return None
    raise TypeError(f"no SQLite bulk conversion for {column_type!r}")


# Remembered: the rows of a batch and the per-message updates of a delivery
# share most of their timestamps (queued, claimed, sent at the same instants).
@functools.lru_cache(maxsize=1024)
def _stamp(value: datetime) -> str:
    """An aware datetime as ``UTCDateTime`` stores it on SQLite: naive UTC, microseconds."""
    if value.tzinfo is None:
        raise StorageError("the SQL store only accepts timezone-aware datetimes")
    return value.astimezone(UTC).replace(tzinfo=None).isoformat(" ", "microseconds")
