"""A smaller outbox row: the address and Message-ID of a waiting row are not stored.

Revision ID: 0003
Revises: 0002

* ``invitekit_outbox.next_attempt_at`` is renamed ``not_before`` (the issue's
  name; ``OutboxMessage.next_attempt_at`` stays as a read-only alias) and may be
  NULL, meaning "as soon as queued" (``created_at``): most rows, 26 bytes fewer
  in the row and in the due index.
* ``recipient`` and ``message_id`` may be NULL: a row queued from now on stores
  neither while it waits (the customer's stored address and a Message-ID derived
  from the row id are used at delivery) and records both when it is sent.  Rows
  already there keep theirs, so a row queued before the upgrade is sent with the
  Message-ID it was queued with.
* The index ``invitekit_outbox_business`` is dropped: the unique index
  ``invitekit_outbox_one_pending`` starts with ``business_id`` and serves the
  same lookups.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import mysql

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    bind = op.get_bind()
    schema = (bind.get_execution_options().get("schema_translate_map") or {}).get(None)
    schema = None if schema is None else str(schema)
    op.drop_index("invitekit_outbox_business", table_name="invitekit_outbox", schema=schema)
    # The stored type, in full: MariaDB renames by restating the column.
    stamp = mysql.DATETIME(fsp=6) if bind.dialect.name in ("mysql", "mariadb") else sa.DateTime()
    with op.batch_alter_table("invitekit_outbox", schema=schema) as batch:
        batch.alter_column(
            "next_attempt_at",
            new_column_name="not_before",
            existing_type=stamp,
            existing_nullable=False,
            nullable=True,
        )
        batch.alter_column("recipient", existing_type=sa.String(320), nullable=True)
        batch.alter_column("message_id", existing_type=sa.String(255), nullable=True)
    version = sa.table("invitekit_schema_version", sa.column("version", sa.Integer), schema=schema)
    bind.execute(version.delete())
    bind.execute(version.insert().values(version=3))


def downgrade() -> None:
    raise NotImplementedError("invitekit's migrations go forward only")
