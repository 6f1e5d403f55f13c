"""Alembic's environment for invitekit's tables: runs on the connection it is handed.

:mod:`invitekit.adapters.sql._migrate` puts the connection and the version
table's name into ``config.attributes``; this is never run by the ``alembic``
command of an application.
"""

from __future__ import annotations

from alembic import context

from invitekit.adapters.sql._schema import metadata

_attributes = context.config.attributes
context.configure(
    connection=_attributes["connection"],
    target_metadata=metadata,
    version_table=_attributes["version_table"],
    version_table_schema=_attributes["version_table_schema"],
    # One transaction per revision: a failed upgrade keeps the revisions before it.
    transaction_per_migration=True,
)
with context.begin_transaction():
    context.run_migrations()
