"""Database errors turned into the library's own, safe to show, log and keep.

A driver's error can carry what the statement wrote: SQLAlchemy's wrapper keeps
the statement and its parameters (addresses, password hashes, email bodies with
live links), and the driver's own message may quote the values of a refused row
(PostgreSQL's ``Failing row contains (...)``, MariaDB's ``Duplicate entry '...'``).
MariaDB's drivers even put the values into the statement's text before sending
it, so a syntax or conversion error may quote them.  The
:class:`~invitekit.exceptions.StorageError` made here says only what kind of
error it was -- the driver's error class and its SQLSTATE or error code -- and
the first line of the driver's message only where that cannot quote a value
(no statement was running: connecting, committing; or SQLite, which binds
values apart from the statement and names only tables and columns).  It is
raised with neither the driver's error nor SQLAlchemy's as its cause or context.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import TypeVar

import sqlalchemy as sa

from invitekit.exceptions import StorageError

__all__ = ["refusal", "storage_error", "translated", "violated_constraint"]

T = TypeVar("T")

# Errors about the values written, whose message may quote them even on SQLite.
_ABOUT_VALUES = (sa.exc.IntegrityError, sa.exc.DataError)
# MariaDB: "Duplicate entry '...' for key 'name'"; MySQL 8: "... for key 'table.name'".
_MYSQL_KEY = re.compile(r"for key '(?:[^'.]*\.)?([^'.]+)'\W*$")
# SQLite: "UNIQUE constraint failed: table.column, table.column".
_SQLITE_UNIQUE = re.compile(r"^UNIQUE constraint failed: (.+)$")


def storage_error(action: str, err: sa.exc.SQLAlchemyError) -> StorageError:
    """A :class:`StorageError` for ``err`` that holds no value of the statement.

    Raise it outside the ``except`` block that caught ``err`` (see
    :func:`translated`), so that ``err`` is neither its cause nor its context.
    """
    cause: BaseException = err
    if isinstance(err, sa.exc.StatementError) and err.orig is not None:
        cause = err.orig
    code = _code(cause)
    message = f"{action}: {type(cause).__name__}" + (f" ({code})" if code else "")
    no_statement = getattr(err, "statement", None) is None
    sqlite = hasattr(cause, "sqlite_errorname")
    if isinstance(cause, StorageError):
        detail = str(cause)  # the store's own refusal, raised while binding a value
    elif no_statement or (sqlite and not isinstance(err, _ABOUT_VALUES)):
        detail = (str(cause).strip().splitlines() or [""])[0]
    else:
        detail = ""
    return StorageError(f"{message}: {detail}" if detail else message)


def translated(action: str, call: Callable[[], T]) -> T:
    """``call()``, with a database error raised as :func:`storage_error` of ``action``."""
    try:
        return call()
    except sa.exc.SQLAlchemyError as err:
        failure = storage_error(action, err)
    raise failure  # out of the except block: the driver's error is not its context


def refusal(
    err: sa.exc.IntegrityError,
    statement: object,
    duplicates: Mapping[str, Callable[[], Exception]],
) -> Exception:
    """The error for a change the database refused.

    ``duplicates`` maps the name of a unique constraint of the table
    ``statement`` writes to the error that breaking it means
    (``DuplicateCustomer`` for the address's); any other refusal -- another
    constraint, ``NOT NULL``, one the driver does not name -- is a
    :class:`StorageError`.
    """
    table = getattr(statement, "table", None)
    name = violated_constraint(err, table) if isinstance(table, sa.Table) else None
    make = None if name is None else duplicates.get(name)
    return storage_error("the database refused a change", err) if make is None else make()


def violated_constraint(err: sa.exc.IntegrityError, table: sa.Table) -> str | None:
    """The name of the unique constraint (or primary key) of ``table`` that ``err`` broke.

    PostgreSQL names it; MariaDB names the key (``PRIMARY`` for the primary
    key); SQLite names the columns, matched here to ``table``'s constraints.
    ``None`` for anything else (a ``NOT NULL`` refusal, an unknown driver).
    """
    cause = err.orig
    diag = getattr(cause, "diag", None)
    if diag is not None:  # psycopg
        name = getattr(diag, "constraint_name", None)
        return name if isinstance(name, str) else None
    text = str(cause).strip()
    found = _MYSQL_KEY.search(text)
    if found is not None:
        key = found.group(1)
        return str(table.primary_key.name) if key == "PRIMARY" else key
    found = _SQLITE_UNIQUE.match(text)
    if found is not None:
        columns = {column.strip().rpartition(".")[2] for column in found.group(1).split(",")}
        uniques = [c for c in table.constraints if isinstance(c, sa.UniqueConstraint)]
        for constraint in [table.primary_key, *uniques]:
            if {column.name for column in constraint.columns} == columns:
                return str(constraint.name)
    return None


def _code(cause: BaseException) -> str | None:
    """The SQLSTATE (PostgreSQL), error number (MariaDB) or result code name (SQLite)."""
    sqlstate = getattr(cause, "sqlstate", None)
    if isinstance(sqlstate, str):
        return f"SQLSTATE {sqlstate}"
    name = getattr(cause, "sqlite_errorname", None)
    if isinstance(name, str):
        return name
    args = getattr(cause, "args", ())
    if args and isinstance(args[0], int):
        return f"error {args[0]}"
    return None
