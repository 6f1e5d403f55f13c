"""Undeliverable addresses, and when a paused campaign was resumed.

Revision ID: 0005
Revises: 0004

* ``invitekit_customers.undeliverable_at`` and ``.undeliverable_reason``: NULL
  for every customer stored before (each stays deliverable).
* ``invitekit_campaigns.resumed_at`` and ``.resumed_by``: NULL for every
  campaign stored before.

The outbox's new state ``paused`` fits the existing 16-character ``state``
column: no change there.  Only additions: nothing stored is rewritten, so the
revision is quick on any size.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from invitekit.adapters.sql._schema import UTCDateTime, _key

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    bind = op.get_bind()
    schema = _schema_of(bind)
    op.add_column("invitekit_customers", sa.Column("undeliverable_at", UTCDateTime), schema=schema)
    op.add_column("invitekit_customers", sa.Column("undeliverable_reason", sa.Text), schema=schema)
    op.add_column("invitekit_campaigns", sa.Column("resumed_at", UTCDateTime), schema=schema)
    op.add_column("invitekit_campaigns", sa.Column("resumed_by", _key()), schema=schema)
    version = sa.table("invitekit_schema_version", sa.column("version", sa.Integer), schema=schema)
    bind.execute(version.delete())
    bind.execute(version.insert().values(version=5))


def downgrade() -> None:
    raise NotImplementedError("invitekit's migrations go forward only")


def _schema_of(bind: sa.Connection) -> str | None:
    """Where the tables are: Alembic's operations do not follow a ``schema_translate_map``."""
    schema = (bind.get_execution_options().get("schema_translate_map") or {}).get(None)
    return None if schema is None else str(schema)
