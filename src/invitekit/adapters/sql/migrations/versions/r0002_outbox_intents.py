"""The outbox holds intent, not emails; template revisions; stored business settings.

Revision ID: 0002
Revises: 0001

* ``invitekit_businesses``: new (each business's settings as JSON, in versions).
* ``invitekit_templates`` becomes ``invitekit_template_revisions``: each saved
  text is carried over as a revision.
* ``invitekit_outbox``: every row becomes an intent. ``locale``, ``purpose``,
  ``registration_id`` and ``template_id`` are read from the stored email (its
  HTML ``lang``, its subject, the sign-up its verification link names, the
  business's revision of that locale); then ``sender``, ``subject``,
  ``text_body``, ``html_body`` and ``headers`` are dropped, so no body or link is
  left.  A pending row is composed again at delivery, with the saved or shipped
  text of its language (a one-off text of an unsent v1 campaign is not kept).
"""

from __future__ import annotations

import base64
import json
import re
import secrets
import zlib
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from alembic import op

from invitekit.adapters.sql._schema import UTCDateTime, _key, _long_text

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

_LANG = re.compile(r'<html[^>]*\blang="([A-Za-z0-9-]+)"')
_TOKEN = re.compile(r"(\.?[A-Za-z0-9_-]+)\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+")
_EMAIL_COLUMNS = ("sender", "subject", "text_body", "html_body", "headers")


def upgrade() -> None:
    bind = op.get_bind()
    schema = _schema_of(bind)
    op.create_table(
        "invitekit_businesses",
        sa.Column("business_id", _key(), primary_key=True),
        sa.Column("version", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("settings", sa.Text, nullable=False),
        sa.Column("created_at", UTCDateTime, nullable=False),
        schema=schema,
    )
    revisions = _template_revisions(bind, schema)
    _outbox_intents(bind, schema, revisions)
    version = sa.table("invitekit_schema_version", sa.column("version", sa.Integer), schema=schema)
    bind.execute(version.delete())
    bind.execute(version.insert().values(version=2))


def downgrade() -> None:
    raise NotImplementedError("invitekit's migrations go forward only")


def _schema_of(bind: sa.Connection) -> str | None:
    """Where the tables are: Alembic's operations do not follow a ``schema_translate_map``."""
    schema = (bind.get_execution_options().get("schema_translate_map") or {}).get(None)
    return None if schema is None else str(schema)


def _template_revisions(bind: sa.Connection, schema: str | None) -> dict[tuple[str, str], str]:
    """Make the revisions table, one revision per v1 template; their ids by business, locale."""
    revisions = op.create_table(
        "invitekit_template_revisions",
        sa.Column(
            "seq",
            sa.BigInteger().with_variant(sa.Integer, "sqlite"),
            primary_key=True,
            autoincrement=True,
        ),
        sa.Column("business_id", _key(), nullable=False),
        sa.Column("id", _key(), nullable=False),
        sa.Column("kind", _key(), nullable=False),
        sa.Column("locale", _key(35), nullable=False),
        sa.Column("subject", sa.Text, nullable=False),
        sa.Column("body", _long_text(), nullable=False),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("one_off", sa.Boolean, nullable=False),
        sa.UniqueConstraint("business_id", "id", name="invitekit_template_revisions_id"),
        schema=schema,
    )
    op.create_index(
        "invitekit_template_revisions_latest",
        "invitekit_template_revisions",
        ["business_id", "kind", "locale", "one_off"],
        schema=schema,
    )
    old = sa.Table("invitekit_templates", sa.MetaData(), autoload_with=bind, schema=schema)
    ids: dict[tuple[str, str], str] = {}
    rows = bind.execute(sa.select(old).order_by(old.c.business_id, old.c.kind, old.c.locale))
    for row in rows.mappings().all():
        revision_id = "tpl_" + secrets.token_hex(8)
        bind.execute(
            revisions.insert().values(
                business_id=row["business_id"],
                id=revision_id,
                kind=row["kind"],
                locale=row["locale"],
                subject=row["subject"],
                body=row["body"],
                created_at=_aware(row["updated_at"]),
                one_off=False,
            )
        )
        if row["kind"] == "invitation":
            ids[(row["business_id"], row["locale"])] = revision_id
    op.drop_table("invitekit_templates", schema=schema)
    return ids


def _outbox_intents(
    bind: sa.Connection, schema: str | None, revisions: dict[tuple[str, str], str]
) -> None:
    with op.batch_alter_table("invitekit_outbox", schema=schema) as batch:
        batch.add_column(sa.Column("links_issued_at", UTCDateTime))
        batch.add_column(sa.Column("locale", sa.String(35)))
        batch.add_column(sa.Column("template_id", _key()))
        batch.add_column(sa.Column("purpose", sa.String(32)))
        batch.add_column(sa.Column("registration_id", _key()))
    outbox = sa.Table("invitekit_outbox", sa.MetaData(), autoload_with=bind, schema=schema)
    rows = bind.execute(sa.select(outbox)).mappings().all()
    for row in rows:
        bind.execute(
            outbox.update().where(outbox.c.id == row["id"]).values(**_intent(row, revisions))
        )
    with op.batch_alter_table("invitekit_outbox", schema=schema) as batch:
        batch.alter_column("locale", existing_type=sa.String(35), nullable=False)
        for column in _EMAIL_COLUMNS:
            batch.drop_column(column)


def _intent(row: Any, revisions: dict[tuple[str, str], str]) -> dict[str, Any]:
    """What a v1 row's email says about what it is: its language, link and sign-up."""
    lang = _LANG.search(row["html_body"] or "")
    locale = lang[1].replace("-", "_") if lang else "en"
    kind = row["kind"]
    purpose = {
        "invitation": None,
        "provider_hint": None,
        "account_exists": "password_reset",
        "email_verification": "email_verification",
        "password_reset": (
            "activation" if str(row["subject"]).startswith("Activate") else "password_reset"
        ),
    }.get(kind)
    template_id = None
    if kind == "invitation":
        language = locale.split("_")[0]
        template_id = revisions.get((row["business_id"], locale)) or revisions.get(
            (row["business_id"], language)
        )
    registration_id = None
    if kind == "email_verification":
        registration_id = _signed_registration(row["text_body"] or "")
    return {
        "locale": locale,
        "purpose": purpose,
        "template_id": template_id,
        "registration_id": registration_id,
    }


def _aware(moment: datetime) -> datetime:
    """A moment read back from a reflected (naive UTC) column, made aware again."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _signed_registration(text: str) -> str | None:
    """The sign-up a verification link names (its payload is signed, not encrypted)."""
    for match in _TOKEN.finditer(text):
        payload = match[1]
        compressed = payload.startswith(".")
        raw = payload.lstrip(".")
        try:
            data = base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4))
            if compressed:
                data = zlib.decompress(data)
            value = json.loads(data)
        except (ValueError, zlib.error):
            continue
        registration = value.get("r") if isinstance(value, dict) else None
        if isinstance(registration, str):
            return registration
    return None
