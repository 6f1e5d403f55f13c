"""Every Store invitekit ships, fresh and isolated, for tests parametrized over all of them.

::

    @pytest.fixture(params=store_params())
    def store(request):
        with open_store(request.param) as store:
            yield store

Memory and SQLite (a file in a temporary directory) always run.  PostgreSQL and
MariaDB/MySQL run when ``INVITEKIT_TEST_POSTGRESQL_URL`` / ``INVITEKIT_TEST_MYSQL_URL``
are set; otherwise their tests skip, or fail when ``INVITEKIT_REQUIRE_SERVICES=1``
(CI).  A URL that is set but unreachable always fails.

Server stores live in a schema (PostgreSQL) or database (MariaDB) of their own,
created once per test process and dropped at its exit, so concurrent test runs
never meet; each :func:`open_store` empties its tables first.
"""

from __future__ import annotations

import atexit
import functools
import os
import secrets
import shutil
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from invitekit.adapters.memory import MemoryStore
from invitekit.adapters.sql import SQLStore, create_schema, metadata
from invitekit.ports import Store

__all__ = [
    "SERVER_KINDS",
    "STORE_KINDS",
    "StoreRecipe",
    "open_store",
    "recipe_of",
    "server_url",
    "store_from_recipe",
    "store_params",
]

STORE_KINDS = ("memory", "sqlite", "postgresql", "mysql")
SERVER_KINDS = ("postgresql", "mysql")
URL_VARIABLES = {
    "postgresql": "INVITEKIT_TEST_POSTGRESQL_URL",
    "mysql": "INVITEKIT_TEST_MYSQL_URL",
}

# (url, execution options): enough for another process to open the same store.
StoreRecipe = tuple[str, dict[str, Any]]


#: What the server variables look like (the servers CI runs); shown in the skip reason.
EXAMPLE_URLS = {
    "postgresql": "postgresql+psycopg://postgres@127.0.0.1:5432/test",
    "mysql": "mysql+pymysql://root@127.0.0.1:3306/test",
}


def store_params(kinds: Sequence[str] = STORE_KINDS) -> list[Any]:
    """``pytest.param`` for each store kind, the server ones marked ``postgresql`` / ``mysql``."""
    return [
        pytest.param(kind, id=kind, marks=[getattr(pytest.mark, kind)])
        if kind in SERVER_KINDS
        else pytest.param(kind, id=kind)
        for kind in kinds
    ]


def server_url(kind: str) -> str:
    """The test server URL for ``kind``; skips (or fails on CI) the test when it is unset."""
    variable = URL_VARIABLES[kind]
    url = os.environ.get(variable, "").strip()
    if not url:
        reason = (
            f"{kind} tests need {variable}, the URL of a scratch database, "
            f"e.g. {variable}={EXAMPLE_URLS[kind]}"
        )
        if os.environ.get("INVITEKIT_REQUIRE_SERVICES") == "1":
            pytest.fail(f"{reason}; INVITEKIT_REQUIRE_SERVICES=1 forbids skipping")
        pytest.skip(reason)
    return url


class _Server:
    """A private schema on a database server, made once per process."""

    def __init__(self, kind: str) -> None:
        url = server_url(kind)
        options: dict[str, Any] = {"pool_size": 10, "max_overflow": 20}
        if kind == "mysql":
            options["isolation_level"] = "READ COMMITTED"
        self.url = url
        self.admin = sa.create_engine(url, **options)
        if kind == "postgresql":
            # Commits need not wait for the disk in tests (a crash of the test server
            # loses nothing that matters); every other behaviour stays the same.
            sa.event.listen(self.admin, "connect", _no_synchronous_commit)
        self.schema = f"invitekit_test_{os.getpid()}_{secrets.token_hex(4)}"
        create = "CREATE SCHEMA" if kind == "postgresql" else "CREATE DATABASE"
        try:
            with self.admin.begin() as conn:
                conn.exec_driver_sql(f"{create} {self.schema}")
        except sa.exc.SQLAlchemyError as err:
            pytest.fail(f"{URL_VARIABLES[kind]} is set, but {kind} cannot be used: {err}")
        self.kind = kind
        self.execution_options: dict[str, Any] = {"schema_translate_map": {None: self.schema}}
        self.engine = self.admin.execution_options(**self.execution_options)
        create_schema(self.engine)
        atexit.register(self.drop)

    def empty(self) -> None:
        """Make the tables as ``create_schema`` leaves them: the feed's counter at 0."""
        kept = ("invitekit_schema_version", "invitekit_feed")
        with self.engine.begin() as conn:
            for table in reversed(metadata.sorted_tables):
                if table.name not in kept:
                    conn.execute(table.delete())
            conn.execute(metadata.tables["invitekit_feed"].update().values(position=0))

    def drop(self) -> None:
        drop = "DROP SCHEMA {} CASCADE" if self.kind == "postgresql" else "DROP DATABASE {}"
        with self.admin.begin() as conn:
            conn.exec_driver_sql(drop.format(self.schema))
        self.admin.dispose()


def _no_synchronous_commit(dbapi_connection: Any, _record: Any) -> None:
    with dbapi_connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit TO OFF")
    dbapi_connection.commit()


_servers: dict[str, _Server] = {}

# Memory-backed when the system has it: the same SQLite, without waiting for the disk.
_SHM = "/dev/shm"  # noqa: S108 - only a parent: each store gets its own mkdtemp directory
_FAST_DIR = _SHM if os.path.isdir(_SHM) and os.access(_SHM, os.W_OK) else None


@functools.cache
def _sqlite_template() -> Path:
    """An SQLite file with the tables made, copied for each store: faster than creating them."""
    directory = tempfile.mkdtemp(prefix="invitekit-template-", dir=_FAST_DIR)
    atexit.register(shutil.rmtree, directory, ignore_errors=True)
    path = Path(directory, "template.db")
    engine = sa.create_engine(f"sqlite:///{path}")
    create_schema(engine)
    engine.dispose()
    return path


@contextmanager
def open_store(kind: str) -> Iterator[Store]:
    """A fresh, empty store of ``kind`` (one of :data:`STORE_KINDS`)."""
    if kind == "memory":
        yield MemoryStore()
    elif kind == "sqlite":
        with tempfile.TemporaryDirectory(prefix="invitekit-", dir=_FAST_DIR) as directory:
            path = Path(directory, "invitekit.db")
            shutil.copyfile(_sqlite_template(), path)
            store = SQLStore.from_url(f"sqlite:///{path}", create=False)
            try:
                yield store
            finally:
                store.engine.dispose()
    elif kind in SERVER_KINDS:
        server = _servers.get(kind)
        if server is None:
            server = _servers[kind] = _Server(kind)
        server.empty()
        yield SQLStore(server.engine)
    else:
        raise ValueError(f"unknown store kind {kind!r}")


def recipe_of(store: SQLStore) -> StoreRecipe:
    """What another process needs to open ``store``'s database (see :func:`store_from_recipe`)."""
    url = store.engine.url.render_as_string(hide_password=False)
    return url, dict(store.engine.get_execution_options())


def store_from_recipe(recipe: StoreRecipe) -> SQLStore:
    """Open, in this process, the database of a :func:`recipe_of` another process."""
    url, execution_options = recipe
    options: dict[str, Any] = {}
    if url.startswith("mysql"):
        options["isolation_level"] = "READ COMMITTED"
    engine = sa.create_engine(url, **options).execution_options(**execution_options)
    return SQLStore(engine)
