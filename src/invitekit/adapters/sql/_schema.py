"""The tables of the SQL Store, built in one function, and their creation."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import mysql

from invitekit.adapters.sql._errors import translated
from invitekit.exceptions import StorageError

__all__ = ["SCHEMA_VERSION", "build_metadata", "metadata", "schema_version"]

SCHEMA_VERSION = 8
"""The version of the table layout :func:`build_metadata` describes.

Kept in ``invitekit_schema_version`` by every migration, so that an invitekit from
before the migrations (which knows only this row) refuses a newer database.
"""

_MYSQL = ("mysql", "mariadb")


def _key(length: int = 64) -> sa.types.TypeEngine[str]:
    """A string compared byte by byte, so that ordering and uniqueness match Python's.

    PostgreSQL's and MariaDB's default collations sort ``_`` and case differently
    from Python (and MariaDB's even equate ``ü`` and ``u``); ids are paged by
    order and canonical emails must be unique exactly as written.
    """
    return (
        sa.String(length)
        .with_variant(sa.String(length, collation="C"), "postgresql")
        .with_variant(mysql.VARCHAR(length, charset="utf8mb4", collation="utf8mb4_bin"), *_MYSQL)
    )


def _long_text() -> sa.types.TypeEngine[str]:
    """Text that may exceed MariaDB's 64 KiB ``TEXT`` (email bodies)."""
    return sa.Text().with_variant(mysql.MEDIUMTEXT(), *_MYSQL)


class UTCDateTime(sa.TypeDecorator[datetime]):
    """An aware UTC datetime, stored as a naive UTC timestamp with microseconds.

    Storing naive UTC behaves the same on every backend (SQLite has no time
    zones, MariaDB's ``TIMESTAMP`` ends in 2038), and values read back are
    aware UTC again.
    """

    impl = sa.DateTime
    cache_ok = True

    def load_dialect_impl(self, dialect: sa.Dialect) -> sa.types.TypeEngine[Any]:
        if dialect.name in _MYSQL:
            return dialect.type_descriptor(mysql.DATETIME(fsp=6))
        return dialect.type_descriptor(sa.DateTime())

    def process_bind_param(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise StorageError("the SQL store only accepts timezone-aware datetimes")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


# Named constraints, so that migrations can refer to them on every backend.
_NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "pk": "pk_%(table_name)s",
}


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


def _position() -> sa.types.TypeEngine[int]:
    """A place in the event feed (64 bits; SQLite's integers are)."""
    return sa.BigInteger().with_variant(sa.Integer, "sqlite")


# An index of rows that belong to a campaign only, on the databases with partial indexes.
_HAS_CAMPAIGN: dict[str, Any] = {
    "sqlite_where": sa.text("campaign_id IS NOT NULL"),
    "postgresql_where": sa.text("campaign_id IS NOT NULL"),
}


def build_metadata() -> sa.MetaData:
    """Describe every table of the SQL Store (all named ``invitekit_...``).

    Returns:
        a new :class:`sqlalchemy.MetaData`; :data:`metadata` is the one the store uses.
    """
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
        # Revision 0004: mail to the address bounced for good (Customer.undeliverable_at).
        sa.Column("undeliverable_at", UTCDateTime),
        sa.Column("undeliverable_reason", sa.Text),
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
        "invitekit_businesses",
        md,
        # Each business's settings (a Business as JSON), a new version whenever they change.
        sa.Column("business_id", _key(), primary_key=True),
        sa.Column("version", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("settings", sa.Text, nullable=False),
        sa.Column("created_at", UTCDateTime, nullable=False),
    )
    sa.Table(
        "invitekit_template_revisions",
        md,
        # Insertion order: the newest saved revision of a locale is the highest seq.
        _seq(),
        sa.Column("business_id", _key(), nullable=False),
        sa.Column("id", _key(), nullable=False),
        sa.Column("kind", _key(), nullable=False),
        sa.Column("locale", _key(35), nullable=False),
        sa.Column("subject", sa.Text, nullable=False),
        sa.Column("body", _long_text(), nullable=False),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("one_off", sa.Boolean, nullable=False),
        sa.UniqueConstraint("business_id", "id", name="invitekit_template_revisions_id"),
        sa.Index(
            "invitekit_template_revisions_latest", "business_id", "kind", "locale", "one_off"
        ),
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
        # NULL: the same as created_at (most rows: due when queued), 26 bytes fewer
        # in the row and in the due index.
        sa.Column("not_before", UTCDateTime),
        sa.Column("claimed_until", UTCDateTime),
        sa.Column("claim_token", _key()),
        sa.Column("links_issued_at", UTCDateTime),
        sa.Column("last_error", sa.Text),
        sa.Column("sent_at", UTCDateTime),
        # What to send, never the email: it is composed and signed at delivery.
        # A waiting row to a customer stores no address (the customer's is read at
        # delivery) and no Message-ID (derived from ``id``); a sent row stores both.
        sa.Column("recipient", sa.String(320)),
        sa.Column("message_id", sa.String(255)),
        sa.Column("locale", sa.String(35), nullable=False),
        sa.Column("template_id", _key()),
        sa.Column("purpose", sa.String(32)),
        sa.Column("registration_id", _key()),
        sa.Column("campaign_id", _key()),
        sa.UniqueConstraint(
            "business_id", "customer_id", "pending_kind", name="invitekit_outbox_one_pending"
        ),
        # Lookups by business use the unique index above (it starts with business_id).
        sa.Index("invitekit_outbox_due", "state", "not_before"),
        # Partial where the database can (not MariaDB): account emails have no campaign.
        sa.Index("invitekit_outbox_campaign", "campaign_id", "state", **_HAS_CAMPAIGN),
    )
    sa.Table(
        "invitekit_campaigns",
        md,
        *_business_and_id(),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("audience", sa.String(300), nullable=False),
        # Who started it: ``Campaign.by`` (BY is an SQL keyword).
        sa.Column("actor", _key()),
        sa.Column("send_at", UTCDateTime),
        sa.Column("paused_at", UTCDateTime),
        sa.Column("pause_reason", sa.Text),
        sa.Column("resumed_at", UTCDateTime),
        sa.Column("resumed_by", _key()),
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
        # Who made the change: ``Event.by`` (BY is an SQL keyword).
        sa.Column("actor", _key()),
        sa.Column("campaign_id", _key()),
        sa.Index("invitekit_events_customer", "business_id", "customer_id", "seq"),
        # Only the events a campaign's funnel counts carry one (see Event.campaign_id).
        sa.Index("invitekit_events_campaign", "campaign_id", "kind", **_HAS_CAMPAIGN),
    )
    sa.Table(
        "invitekit_feed",
        md,
        # One row: the newest feed position handed out, the ``seq`` of the newest
        # event; the row a writing transaction locks to number its events (see _feed.py).
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("position", _position(), nullable=False),
    )
    sa.Table(
        "invitekit_webhooks",
        md,
        *_business_and_id(),
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
    sa.Table(
        "invitekit_identities",
        md,
        # Revision 0006: external sign-ins.  The primary key is the rule that one
        # identity (provider, subject) is linked to at most one customer of a
        # business; subjects are case-sensitive, hence the byte-wise _key.
        sa.Column("business_id", _key(), primary_key=True),
        sa.Column("provider", _key(40), primary_key=True),
        sa.Column("subject", _key(255), primary_key=True),
        sa.Column("customer_id", _key(), nullable=False),
        sa.Column("linked_at", UTCDateTime, nullable=False),
        sa.Index("invitekit_identities_customer", "business_id", "customer_id"),
    )
    email_changes(md)
    return md


def email_changes(md: sa.MetaData, schema: str | None = None) -> sa.Table:
    """The table of pending email changes, one per customer."""
    return sa.Table(
        "invitekit_email_changes",
        md,
        sa.Column("business_id", _key(), primary_key=True),
        sa.Column("customer_id", _key(), primary_key=True),
        sa.Column("id", _key(), nullable=False),
        sa.Column("email", sa.String(320), nullable=False),
        sa.Column("email_key", _key(320), nullable=False),
        sa.Column("requested_at", UTCDateTime, nullable=False),
        schema=schema,
    )


metadata = build_metadata()
"""The tables of the SQL Store; hand it to Alembic as ``target_metadata``."""


def schema_version(engine: sa.Engine) -> int | None:
    """The schema version recorded in the database, or ``None`` before it has the tables.

    The migrations' revision is :func:`~invitekit.adapters.sql.current`; this is
    the older, coarser record that every revision keeps up to date.

    Raises:
        StorageError: the database cannot be reached.
    """
    version_table = metadata.tables["invitekit_schema_version"]

    def read() -> int | None:
        with engine.connect() as conn:
            if not sa.inspect(conn).has_table(version_table.name):
                return None
            return conn.execute(sa.select(sa.func.max(version_table.c.version))).scalar()

    return translated("could not read the invitekit schema version", read)
