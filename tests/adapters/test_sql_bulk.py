"""SQLite's bulk inserts store exactly what SQLAlchemy's inserts store."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from invitekit.adapters.sql import SQLStore
from invitekit.adapters.sql._bulk import SQLiteBulkInsert
from invitekit.adapters.sql._tables import _customers
from invitekit.exceptions import StorageError

PARIS = timezone(timedelta(hours=1))


def _customer(number: int, **changes: Any) -> dict[str, Any]:
    row = {
        "business_id": "biz",
        "id": f"cus_{number:04d}",
        "email": f"c{number}@example.com",
        "email_key": f"c{number}@example.com",
        "first_name": "Zoë",
        "last_name": None,
        "locale": "fr",
        "status": "added",
        "archived": number % 2 == 0,
        "unsubscribed": False,
        "password_hash": None,
        "auth_provider": None,
        # Whole seconds, another zone, microseconds: each stored as naive UTC.
        "created_at": datetime(2026, 1, 5, 9, 0, tzinfo=UTC),
        "updated_at": datetime(2026, 1, 5, 10, 0, 0, 12, tzinfo=PARIS),
        "invited_at": None,
        "accepted_at": datetime(999, 12, 31, 23, 59, 59, 999_999, tzinfo=UTC),
        "delivery_failure": None,
        "link_epoch": 0,
        "version": 1,
        "undeliverable_at": None,
        "undeliverable_reason": None,
    }
    return {**row, **changes}


def _stored(engine: sa.Engine, table: sa.Table) -> list[tuple[Any, ...]]:
    with engine.connect() as conn:
        raw = conn.exec_driver_sql(f"SELECT * FROM {table.name} ORDER BY id")
        return [tuple(row) for row in raw]


def test_bulk_rows_are_stored_byte_for_byte_as_sqlalchemy_stores_them(tmp_path: Path) -> None:
    through_sqlalchemy = SQLStore.from_url(f"sqlite:///{tmp_path}/a.db").engine
    through_driver = SQLStore.from_url(f"sqlite:///{tmp_path}/b.db").engine
    rows = [_customer(1), _customer(2)]

    with through_sqlalchemy.begin() as conn:
        conn.execute(_customers.insert(), rows)
    with through_driver.begin() as conn:
        inserted = SQLiteBulkInsert(_customers)(conn, rows)

    assert inserted == 2
    assert _stored(through_driver, _customers) == _stored(through_sqlalchemy, _customers)


def test_rows_breaking_the_ignored_constraint_are_skipped_and_not_counted(tmp_path: Path) -> None:
    engine = SQLStore.from_url(f"sqlite:///{tmp_path}/a.db").engine
    insert = SQLiteBulkInsert(_customers, ignore_conflicts_on=("business_id", "email_key"))
    with engine.begin() as conn:
        first = insert(conn, [_customer(1)])
        again = insert(conn, [_customer(2), _customer(3, email_key="c1@example.com")])

    assert (first, again) == (1, 1)
    assert [row[1] for row in _stored(engine, _customers)] == ["cus_0001", "cus_0002"]


def test_a_conflict_not_ignored_and_a_naive_datetime_are_storage_errors(tmp_path: Path) -> None:
    engine = SQLStore.from_url(f"sqlite:///{tmp_path}/a.db").engine
    insert = SQLiteBulkInsert(_customers)

    with pytest.raises(StorageError, match="IntegrityError") as caught, engine.begin() as conn:
        insert(conn, [_customer(1), _customer(1)])
    assert "c1@example.com" not in str(caught.value)
    assert caught.value.__context__ is None
    with pytest.raises(StorageError, match="timezone-aware"), engine.begin() as conn:
        insert(conn, [_customer(2, created_at=datetime(2026, 1, 5))])


def test_rows_in_their_own_column_order_are_stored_as_mappings_are(tmp_path: Path) -> None:
    by_mapping = SQLStore.from_url(f"sqlite:///{tmp_path}/a.db").engine
    in_order = SQLStore.from_url(f"sqlite:///{tmp_path}/b.db").engine
    rows = [_customer(1), _customer(2)]
    columns = sorted(rows[0], reverse=True)  # not the table's order
    insert = SQLiteBulkInsert(_customers)

    with by_mapping.begin() as conn:
        insert(conn, rows)
    with in_order.begin() as conn:
        inserted = insert.in_order(conn, columns, [[row[c] for c in columns] for row in rows])

    assert inserted == 2
    assert _stored(in_order, _customers) == _stored(by_mapping, _customers)


@pytest.mark.parametrize("change", ["missing", "unknown", "twice"])
def test_rows_in_order_must_name_every_column_once(tmp_path: Path, change: str) -> None:
    engine = SQLStore.from_url(f"sqlite:///{tmp_path}/a.db").engine
    columns = list(_customer(1))
    if change == "missing":
        columns.remove("email")
    elif change == "unknown":
        columns.append("nickname")
    else:
        columns.append("email")

    with pytest.raises(KeyError), engine.begin() as conn:
        SQLiteBulkInsert(_customers).in_order(conn, columns, [[None] * len(columns)])
