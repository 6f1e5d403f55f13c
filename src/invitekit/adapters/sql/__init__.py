"""The SQL Store: invitekit's data in SQLite, PostgreSQL or MariaDB/MySQL, on SQLAlchemy Core.

Needs the ``sql`` extra (``pip install invitekit[sql]``; ``invitekit[postgresql]``
and ``invitekit[mysql]`` add a driver)::

    from invitekit.adapters.sql import SQLStore, upgrade

    store = SQLStore.from_url("sqlite:///invitekit.db")   # creates the tables if empty
    upgrade(engine)                                        # migrates to the newest tables
    store = SQLStore(engine)                               # an Engine you configured

The tables (all named ``invitekit_...``) are described by :data:`metadata` and
changed by migrations shipped in the package, run by Alembic with its own version
table (``invitekit_alembic_version``): :func:`upgrade` (or ``invitekit db
upgrade``) migrates, :func:`current` and :func:`head` tell the revisions.  A store
on older tables refuses to work with :class:`~invitekit.exceptions.SchemaOutdated`.
"""

from __future__ import annotations

try:
    import alembic as _alembic  # noqa: F401
    import sqlalchemy as _sqlalchemy  # noqa: F401
except ImportError as err:  # pragma: no cover - depends on the environment
    from invitekit.exceptions import MissingDependency

    raise MissingDependency(
        f"the SQL store needs {err.name or 'SQLAlchemy and Alembic'}: pip install invitekit[sql]"
    ) from err

from invitekit.adapters.sql._migrate import VERSION_TABLE, create_schema, current, head, upgrade
from invitekit.adapters.sql._schema import (
    SCHEMA_VERSION,
    build_metadata,
    metadata,
    schema_version,
)
from invitekit.adapters.sql._store import SQLStore

__all__ = [
    "SCHEMA_VERSION",
    "VERSION_TABLE",
    "SQLStore",
    "build_metadata",
    "create_schema",
    "current",
    "head",
    "metadata",
    "schema_version",
    "upgrade",
]
