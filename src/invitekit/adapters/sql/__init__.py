"""The SQL Store: invitekit's data in SQLite, PostgreSQL or MariaDB/MySQL, on SQLAlchemy Core.

Needs the ``sql`` extra (``pip install invitekit[sql]``; ``invitekit[postgresql]``
and ``invitekit[mysql]`` add a driver)::

    from invitekit.adapters.sql import SQLStore

    store = SQLStore.from_url("sqlite:///invitekit.db")   # creates the tables
    store = SQLStore(engine)                               # an Engine you configured

The tables (all named ``invitekit_...``) are described by :data:`metadata`;
:func:`create_schema` creates the missing ones, or an application's Alembic
manages them with ``target_metadata = invitekit.adapters.sql.metadata``.
"""

from __future__ import annotations

try:
    import sqlalchemy as _sqlalchemy  # noqa: F401
except ImportError as err:  # pragma: no cover - depends on the environment
    from invitekit.exceptions import MissingDependency

    raise MissingDependency("the SQL store needs SQLAlchemy: pip install invitekit[sql]") from err

from invitekit.adapters.sql._schema import (
    SCHEMA_VERSION,
    build_metadata,
    create_schema,
    metadata,
    schema_version,
)
from invitekit.adapters.sql._store import SQLStore

__all__ = [
    "SCHEMA_VERSION",
    "SQLStore",
    "build_metadata",
    "create_schema",
    "metadata",
    "schema_version",
]
