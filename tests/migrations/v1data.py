"""The v1 fixture (``v1/``, written by ``make_v1_fixture.py`` from the v1 code) and its loading.

``v1/invitekit.sqlite`` is the SQLite file v1 left; ``v1/rows.json`` every row of
it, portable.  :func:`load_v1` makes the same database on any backend: the tables
exactly as v1's ``create_schema`` made them (the frozen definitions of revision
0001), no Alembic history, and the rows inserted as they were.
"""

from __future__ import annotations

import functools
import importlib
import json
from datetime import datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa

__all__ = ["SQLITE_FILE", "V1Rows", "load_v1", "v1_metadata", "v1_rows"]

HERE = Path(__file__).resolve().parent / "v1"
SQLITE_FILE = HERE / "invitekit.sqlite"
PASSWORD = "correct horse battery staple"  # every password in the fixture
SECRET_KEY = "v1-fixture-secret-key-0123456789abcdefghijklmnopqrstuvwxyz"  # what signed its links

# table name -> rows, each a column -> value mapping (datetimes aware UTC)
V1Rows = dict[str, list[dict[str, Any]]]


def _value(value: Any) -> Any:
    if isinstance(value, dict) and set(value) == {"datetime"}:
        return datetime.fromisoformat(value["datetime"])
    return value


@functools.cache
def _rows() -> V1Rows:
    raw = json.loads((HERE / "rows.json").read_text())
    return {
        table: [{key: _value(value) for key, value in row.items()} for row in rows]
        for table, rows in raw.items()
    }


def v1_rows() -> V1Rows:
    """Every row of the v1 fixture, by table (a fresh copy, to change freely)."""
    return {table: [dict(row) for row in rows] for table, rows in _rows().items()}


def v1_metadata() -> sa.MetaData:
    """The v1 tables, from revision 0001 (a frozen copy of v1's ``build_metadata``)."""
    revision = importlib.import_module(
        "invitekit.adapters.sql.migrations.versions.r0001_schema_v1"
    )
    metadata: sa.MetaData = revision._v1_metadata()
    return metadata


def load_v1(engine: sa.Engine) -> None:
    """Make the v1 database in ``engine``'s (empty) database or translated schema."""
    metadata = v1_metadata()
    rows = _rows()
    with engine.begin() as conn:
        metadata.create_all(conn)
        for table in metadata.sorted_tables:
            if rows[table.name]:
                conn.execute(table.insert(), rows[table.name])
        if conn.dialect.name == "postgresql":
            # Rows inserted with their own seq leave the sequences behind.
            schema = (conn.get_execution_options().get("schema_translate_map") or {}).get(None)
            for table in metadata.sorted_tables:
                if "seq" in table.c and rows[table.name]:
                    name = f"{schema}.{table.name}" if schema else table.name
                    conn.execute(
                        sa.text("SELECT setval(pg_get_serial_sequence(:t, 'seq'), :n)"),
                        {"t": name, "n": max(row["seq"] for row in rows[table.name])},
                    )
