"""Databases for the migration tests: empty, or holding the v1 fixture, on every backend."""

from __future__ import annotations

import secrets
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.migrations.v1data import SQLITE_FILE, load_v1
from tests.stores import server_url


def _backends(*extra: str) -> list[object]:
    return [
        *(pytest.param(kind, id=kind) for kind in extra),
        pytest.param("sqlite", id="sqlite"),
        pytest.param("postgresql", id="postgresql", marks=pytest.mark.postgresql),
        pytest.param("mysql", id="mysql", marks=pytest.mark.mysql),
    ]


@contextmanager
def _empty(kind: str, tmp_path: Path) -> Iterator[sa.Engine]:
    """An Engine on an empty database: a file, or a private schema on a server."""
    if kind == "sqlite":
        engine = sa.create_engine(f"sqlite:///{tmp_path}/invitekit.db")
        try:
            yield engine
        finally:
            engine.dispose()
        return
    url = server_url(kind)
    options = {"isolation_level": "READ COMMITTED"} if kind == "mysql" else {}
    admin = sa.create_engine(url, **options)
    schema = f"invitekit_mig_{secrets.token_hex(4)}"
    noun = "SCHEMA" if kind == "postgresql" else "DATABASE"
    with admin.begin() as conn:
        conn.exec_driver_sql(f"CREATE {noun} {schema}")
    try:
        yield admin.execution_options(schema_translate_map={None: schema})
    finally:
        cascade = " CASCADE" if noun == "SCHEMA" else ""
        with admin.begin() as conn:
            conn.exec_driver_sql(f"DROP {noun} {schema}{cascade}")
        admin.dispose()


@pytest.fixture(params=_backends())
def empty_engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[sa.Engine]:
    """An Engine on an empty database of each backend."""
    with _empty(request.param, tmp_path) as engine:
        yield engine


@pytest.fixture(params=_backends("sqlite-file"))
def v1_engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[sa.Engine]:
    """A database as v1 left it: v1's own SQLite file, or its rows loaded on each backend."""
    if request.param == "sqlite-file":
        path = Path(tmp_path, "v1.db")
        shutil.copyfile(SQLITE_FILE, path)
        engine = sa.create_engine(f"sqlite:///{path}")
        try:
            yield engine
        finally:
            engine.dispose()
        return
    with _empty(request.param, tmp_path) as engine:
        load_v1(engine)
        yield engine
