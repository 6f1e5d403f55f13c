"""The tables of schema version 1, the layout invitekit had before its migrations.

Revision ID: 0001
Revises: (none)

A copy, frozen, of ``build_metadata`` at schema version 1: later revisions change
``_schema.py``, never this file.  A database made by ``create_schema`` before the
migrations is recognised as this revision and stamped, never recreated.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op

from invitekit.adapters.sql._schema import _NAMING, UTCDateTime, _key, _long_text

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    md = _v1_metadata()
    bind = op.get_bind()
    md.create_all(bind)
    bind.execute(md.tables["invitekit_schema_version"].insert().values(version=1))


def downgrade() -> None:
    raise NotImplementedError("invitekit's migrations go forward only")


def _business_and_id() -> list[sa.Column[str]]:
    """The primary key of a record that belongs to a business: ``(business_id, id)``."""
    return [
        sa.Column("business_id", _key(), primary_key=True),
        sa.Column("id", _key(), primary_key=True),
    ]


def _person() -> list[sa.Column[Any]]:
    """Who a customer or a sign-up is: the address as given and canonical, names, language."""
    return [
        sa.Column("email", sa.String(320), nullable=False),
        sa.Column("email_key", _key(320), nullable=False),
        sa.Column("first_name", sa.String(200)),
        sa.Column("last_name", sa.String(200)),
        sa.Column("locale", sa.String(35)),
    ]


def _seq() -> sa.Column[int]:
    """The order rows were written in, numbered by the database."""
    return sa.Column(
        "seq",
        sa.BigInteger().with_variant(sa.Integer, "sqlite"),
        primary_key=True,
        autoincrement=True,
    )


def _v1_metadata() -> sa.MetaData:
    """The tables of schema version 1, as ``create_schema`` of commit 26215eb made them."""
    md = sa.MetaData(naming_convention=_NAMING)
    sa.Table(
        "invitekit_schema_version",
        md,
        sa.Column("version", sa.Integer, primary_key=True, autoincrement=False),
    )
    sa.Table(
        "invitekit_customers",
        md,
        *_business_and_id(),
        *_person(),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("archived", sa.Boolean, nullable=False),
        sa.Column("unsubscribed", sa.Boolean, nullable=False),
        sa.Column("password_hash", sa.Text),
        sa.Column("auth_provider", sa.String(64)),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("updated_at", UTCDateTime, nullable=False),
        sa.Column("invited_at", UTCDateTime),
        sa.Column("accepted_at", UTCDateTime),
        sa.Column("delivery_failure", sa.Text),
        sa.Column("link_epoch", sa.Integer, nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.UniqueConstraint("business_id", "email_key", name="invitekit_customers_email_key"),
    )
    sa.Table(
        "invitekit_groups",
        md,
        *_business_and_id(),
        sa.Column("name", sa.String(200), nullable=False),
        # The name case-folded in Python: uniqueness as the memory store sees it.
        sa.Column("name_key", _key(200), nullable=False),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.UniqueConstraint("business_id", "name_key", name="invitekit_groups_name_key"),
    )
    sa.Table(
        "invitekit_group_members",
        md,
        sa.Column("business_id", _key(), primary_key=True),
        sa.Column("group_id", _key(), primary_key=True),
        sa.Column("customer_id", _key(), primary_key=True),
        sa.Index("invitekit_group_members_customer", "business_id", "customer_id"),
    )
    sa.Table(
        "invitekit_templates",
        md,
        sa.Column("business_id", _key(), primary_key=True),
        sa.Column("kind", _key(), primary_key=True),
        sa.Column("locale", _key(35), primary_key=True),
        sa.Column("subject", sa.Text, nullable=False),
        sa.Column("body", _long_text(), nullable=False),
        sa.Column("updated_at", UTCDateTime, nullable=False),
    )
    sa.Table(
        "invitekit_outbox",
        md,
        # Insertion order, for listing the outbox as the memory store does.
        _seq(),
        sa.Column("id", _key(), nullable=False, unique=True),
        sa.Column("business_id", _key(), nullable=False),
        sa.Column("customer_id", _key()),
        sa.Column("kind", _key(), nullable=False),
        # ``kind`` while the message is pending for a customer, else NULL: with the
        # unique constraint below this allows one pending message per customer and
        # kind (NULLs never collide), the same way on every backend, MariaDB included,
        # which has no partial indexes.
        sa.Column("pending_kind", _key()),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("next_attempt_at", UTCDateTime, nullable=False),
        sa.Column("claimed_until", UTCDateTime),
        sa.Column("claim_token", _key()),
        sa.Column("last_error", sa.Text),
        sa.Column("sent_at", UTCDateTime),
        sa.Column("sender", sa.Text, nullable=False),
        sa.Column("recipient", sa.String(320), nullable=False),
        sa.Column("subject", sa.Text, nullable=False),
        sa.Column("text_body", _long_text(), nullable=False),
        sa.Column("html_body", _long_text()),
        sa.Column("message_id", sa.String(255), nullable=False),
        sa.Column("headers", sa.Text, nullable=False),  # JSON: [[name, value], ...]
        sa.UniqueConstraint(
            "business_id", "customer_id", "pending_kind", name="invitekit_outbox_one_pending"
        ),
        sa.Index("invitekit_outbox_due", "state", "next_attempt_at"),
        sa.Index("invitekit_outbox_business", "business_id", "seq"),
    )
    sa.Table(
        "invitekit_events",
        md,
        _seq(),
        sa.Column("business_id", _key(), nullable=False),
        sa.Column("customer_id", _key(), nullable=False),
        sa.Column("kind", sa.String(64), nullable=False),
        sa.Column("at", UTCDateTime, nullable=False),
        sa.Column("detail", sa.Text, nullable=False),
        sa.Index("invitekit_events_customer", "business_id", "customer_id", "seq"),
    )
    sa.Table(
        "invitekit_login_failures",
        md,
        _seq(),
        sa.Column("business_id", _key(), nullable=False),
        sa.Column("key", _key(400), nullable=False),
        sa.Column("at", UTCDateTime, nullable=False),
        sa.Index("invitekit_login_failures_key", "business_id", "key", "at"),
    )
    sa.Table(
        "invitekit_registrations",
        md,
        *_business_and_id(),
        *_person(),
        sa.Column("password_hash", sa.Text, nullable=False),
        sa.Column("created_at", UTCDateTime, nullable=False),
    )
    return md
