"""Campaigns, and who made each change.

Revision ID: 0004
Revises: 0003

* ``invitekit_campaigns``: new, one row per call that queued invitations.
* ``invitekit_outbox.campaign_id``: the campaign of an invitation (NULL for the
  rows queued before this revision, and for account emails).
* ``invitekit_events.actor`` (``Event.by``) and ``invitekit_events.campaign_id``:
  NULL for every event recorded before.
* Two indexes of the rows that belong to a campaign (partial on SQLite and
  PostgreSQL, whole on MariaDB, which has no partial indexes).

Only additions: nothing stored is rewritten, so the revision is quick on any size.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op

from invitekit.adapters.sql._schema import UTCDateTime, _key

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

# Written out here, not imported: a revision stays as it shipped.
_HAS_CAMPAIGN: dict[str, Any] = {
    "sqlite_where": sa.text("campaign_id IS NOT NULL"),
    "postgresql_where": sa.text("campaign_id IS NOT NULL"),
}


def upgrade() -> None:
    bind = op.get_bind()
    schema = _schema_of(bind)
    op.create_table(
        "invitekit_campaigns",
        sa.Column("business_id", _key(), primary_key=True),
        sa.Column("id", _key(), primary_key=True),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("audience", sa.String(300), nullable=False),
        sa.Column("actor", _key()),
        sa.Column("send_at", UTCDateTime),
        sa.Column("paused_at", UTCDateTime),
        sa.Column("pause_reason", sa.Text),
        schema=schema,
    )
    op.add_column("invitekit_outbox", sa.Column("campaign_id", _key()), schema=schema)
    op.create_index(
        "invitekit_outbox_campaign",
        "invitekit_outbox",
        ["campaign_id", "state"],
        schema=schema,
        **_HAS_CAMPAIGN,
    )
    op.add_column("invitekit_events", sa.Column("actor", _key()), schema=schema)
    op.add_column("invitekit_events", sa.Column("campaign_id", _key()), schema=schema)
    op.create_index(
        "invitekit_events_campaign",
        "invitekit_events",
        ["campaign_id", "kind"],
        schema=schema,
        **_HAS_CAMPAIGN,
    )
    version = sa.table("invitekit_schema_version", sa.column("version", sa.Integer), schema=schema)
    bind.execute(version.delete())
    bind.execute(version.insert().values(version=4))


def downgrade() -> None:
    raise NotImplementedError("invitekit's migrations go forward only")


def _schema_of(bind: sa.Connection) -> str | None:
    """Where the tables are: Alembic's operations do not follow a ``schema_translate_map``."""
    schema = (bind.get_execution_options().get("schema_translate_map") or {}).get(None)
    return None if schema is None else str(schema)
