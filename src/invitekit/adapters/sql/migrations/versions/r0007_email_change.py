"""Pending email changes: one row per customer who asked for a new address.

Revision ID: 0007
Revises: 0006

* ``invitekit_email_changes``: a new, empty table (the customer's pending
  request: its id, the new address and its canonical form, when it was asked).

Only an addition: nothing stored is rewritten, so the revision is quick on any size.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from invitekit.adapters.sql._schema import UTCDateTime, _key

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    bind = op.get_bind()
    schema = _schema_of(bind)
    # The table as this revision made it (not the live schema's function, which
    # may change with later revisions).
    op.create_table(
        "invitekit_email_changes",
        sa.Column("business_id", _key(), nullable=False),
        sa.Column("customer_id", _key(), nullable=False),
        sa.Column("id", _key(), nullable=False),
        sa.Column("email", sa.String(320), nullable=False),
        sa.Column("email_key", _key(320), nullable=False),
        sa.Column("requested_at", UTCDateTime, nullable=False),
        sa.PrimaryKeyConstraint("business_id", "customer_id", name="pk_invitekit_email_changes"),
        schema=schema,
    )
    version = sa.table("invitekit_schema_version", sa.column("version", sa.Integer), schema=schema)
    bind.execute(version.delete())
    bind.execute(version.insert().values(version=7))


def downgrade() -> None:
    raise NotImplementedError("invitekit's migrations go forward only")


def _schema_of(bind: sa.Connection) -> str | None:
    """Where the tables are: Alembic's operations do not follow a ``schema_translate_map``."""
    schema = (bind.get_execution_options().get("schema_translate_map") or {}).get(None)
    return None if schema is None else str(schema)
