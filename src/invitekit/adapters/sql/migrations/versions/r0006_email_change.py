"""Pending email changes: one row per customer who asked for a new address.

Revision ID: 0006
Revises: 0005

* ``invitekit_email_changes``: a new, empty table (the customer's pending
  request: its id, the new address and its canonical form, when it was asked).

Only an addition: nothing stored is rewritten, so the revision is quick on any size.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from invitekit.adapters.sql._schema import email_changes

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    bind = op.get_bind()
    schema = _schema_of(bind)
    email_changes(sa.MetaData(), schema=schema).create(bind)
    version = sa.table("invitekit_schema_version", sa.column("version", sa.Integer), schema=schema)
    bind.execute(version.delete())
    bind.execute(version.insert().values(version=6))


def downgrade() -> None:
    raise NotImplementedError("invitekit's migrations go forward only")


def _schema_of(bind: sa.Connection) -> str | None:
    """Where the tables are: Alembic's operations do not follow a ``schema_translate_map``."""
    schema = (bind.get_execution_options().get("schema_translate_map") or {}).get(None)
    return None if schema is None else str(schema)
