"""External sign-in identities: ``invitekit_identities``.

Revision ID: 0006
Revises: 0005

* ``invitekit_identities``: one row per identity ``(provider, subject)`` linked
  to a customer of a business; its primary key ``(business_id, provider,
  subject)`` is the rule that an identity signs in at most one customer of a
  business.  Empty after the upgrade: no identity was ever linked before.

Customers stored with ``auth_provider`` keep it: it still names the provider
the business recorded, and their first sign-in with that provider's verified
address links an identity.  Only additions: nothing stored is rewritten, so
the revision is quick on any size.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from invitekit.adapters.sql._schema import UTCDateTime, _key

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    bind = op.get_bind()
    schema = _schema_of(bind)
    op.create_table(
        "invitekit_identities",
        sa.Column("business_id", _key(), nullable=False),
        sa.Column("provider", _key(40), nullable=False),
        sa.Column("subject", _key(255), nullable=False),
        sa.Column("customer_id", _key(), nullable=False),
        sa.Column("linked_at", UTCDateTime, nullable=False),
        sa.PrimaryKeyConstraint(
            "business_id", "provider", "subject", name="pk_invitekit_identities"
        ),
        schema=schema,
    )
    op.create_index(
        "invitekit_identities_customer",
        "invitekit_identities",
        ["business_id", "customer_id"],
        schema=schema,
    )
    version = sa.table("invitekit_schema_version", sa.column("version", sa.Integer), schema=schema)
    bind.execute(version.delete())
    bind.execute(version.insert().values(version=6))


def downgrade() -> None:
    raise NotImplementedError("invitekit's migrations go forward only")


def _schema_of(bind: sa.Connection) -> str | None:
    """Where the tables are: Alembic's operations do not follow a ``schema_translate_map``."""
    schema = (bind.get_execution_options().get("schema_translate_map") or {}).get(None)
    return None if schema is None else str(schema)
