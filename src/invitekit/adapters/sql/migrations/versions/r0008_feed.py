"""The event feed and webhook endpoints.

Revision ID: 0008
Revises: 0007

* ``invitekit_feed``: one row, the newest feed position handed out: the
  highest ``seq`` of ``invitekit_events`` (0 without events).  An event's
  position is its ``seq``: the events stored before keep theirs, and so are the
  start of their business's feed, in the order they were written.
* ``invitekit_webhooks``: new, empty.

Nothing stored is rewritten: the revision is quick on any size.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from invitekit.adapters.sql._schema import UTCDateTime, _key

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def _position() -> sa.types.TypeEngine[int]:
    return sa.BigInteger().with_variant(sa.Integer, "sqlite")


def upgrade() -> None:
    bind = op.get_bind()
    schema = _schema_of(bind)
    events = sa.table("invitekit_events", sa.column("seq", sa.BigInteger), schema=schema)
    feed = op.create_table(
        "invitekit_feed",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("position", _position(), nullable=False),
        schema=schema,
    )
    assert feed is not None
    newest = sa.select(sa.literal(1), sa.func.coalesce(sa.func.max(events.c.seq), 0))
    bind.execute(feed.insert().from_select(["id", "position"], newest))
    op.create_table(
        "invitekit_webhooks",
        sa.Column("business_id", _key(), primary_key=True),
        sa.Column("id", _key(), primary_key=True),
        sa.Column("url", sa.Text, nullable=False),
        sa.Column("secret", sa.String(200), nullable=False),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("enabled", sa.Boolean, nullable=False),
        sa.Column("failures", sa.Integer, nullable=False),
        sa.Column("disabled_at", UTCDateTime),
        sa.Column("last_error", sa.String(200)),
        sa.Column("delivered_through", _position(), nullable=False),
        sa.Column("not_before", UTCDateTime),
        sa.Column("claimed_until", UTCDateTime),
        sa.Column("claim_token", _key()),
        schema=schema,
    )
    version = sa.table("invitekit_schema_version", sa.column("version", sa.Integer), schema=schema)
    bind.execute(version.delete())
    bind.execute(version.insert().values(version=8))


def downgrade() -> None:
    raise NotImplementedError("invitekit's migrations go forward only")


def _schema_of(bind: sa.Connection) -> str | None:
    """Where the tables are: Alembic's operations do not follow a ``schema_translate_map``."""
    schema = (bind.get_execution_options().get("schema_translate_map") or {}).get(None)
    return None if schema is None else str(schema)
