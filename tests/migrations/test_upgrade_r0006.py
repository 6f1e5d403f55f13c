"""Revision 0006 from a database at revision 0005 with customers in every state.

The 0005 database is the v1 fixture upgraded to 0005 (Added, Invited,
Accepted, archived, unsubscribed customers at two businesses), plus what
0005 can hold and v1 did not: a customer a business added with an external
provider (``auth_provider``, no password) and an undeliverable one.  The
upgrade adds ``invitekit_identities``, empty, and rewrites nothing.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
import sqlalchemy as sa

from invitekit import ProviderEmailNotVerified, ProviderSignInRefused, Status
from invitekit.adapters.sql import current, upgrade
from invitekit.testing import FakeClock
from tests.migrations.expectations import _kit, _plain

AT = datetime(2026, 1, 6, 9, 0, tzinfo=UTC)


def _customers(engine: sa.Engine) -> dict[tuple[str, str], dict[str, Any]]:
    with engine.connect() as conn:
        table = sa.Table("invitekit_customers", sa.MetaData(), autoload_with=conn)
        rows = conn.execute(sa.select(table)).mappings().all()
    return {
        (row["business_id"], row["id"]): {k: _plain(v) for k, v in row.items()} for row in rows
    }


def _at_0005(engine: sa.Engine) -> dict[tuple[str, str], dict[str, Any]]:
    """Upgrade the v1 fixture to 0005 and add the 0005-only customers; every customer row."""
    upgrade(engine, to="0005")
    assert current(engine) == "0005"
    with engine.begin() as conn:
        table = sa.Table("invitekit_customers", sa.MetaData(), autoload_with=conn)
        base = {
            "business_id": "studio-1",
            "archived": False,
            "unsubscribed": False,
            "created_at": AT,
            "updated_at": AT,
            "link_epoch": 0,
            "version": 1,
            "auth_provider": None,
            "accepted_at": None,
            "invited_at": None,
            "undeliverable_at": None,
            "undeliverable_reason": None,
        }
        conn.execute(
            table.insert(),
            [
                {
                    **base,
                    "id": "cus_gina",
                    "email": "gina@example.com",
                    "email_key": "gina@example.com",
                    "status": "accepted",
                    "auth_provider": "google",
                    "accepted_at": AT,
                },
                {
                    **base,
                    "id": "cus_hal",
                    "email": "hal@example.com",
                    "email_key": "hal@example.com",
                    "status": "invited",
                    "invited_at": AT,
                    "undeliverable_at": AT,
                    "undeliverable_reason": "hard bounce: 5.1.1",
                },
            ],
        )
    return _customers(engine)


def test_every_customer_is_kept_and_no_identity_is_linked(v1_engine: sa.Engine) -> None:
    before = _at_0005(v1_engine)
    assert {row["status"] for row in before.values()} == {"added", "invited", "accepted"}
    assert any(row["archived"] for row in before.values())
    assert any(row["auth_provider"] for row in before.values())

    assert upgrade(v1_engine, to="0006") == ("0005", "0006")

    assert _customers(v1_engine) == before
    with v1_engine.connect() as conn:
        identities = sa.Table("invitekit_identities", sa.MetaData(), autoload_with=conn)
        assert conn.execute(sa.select(sa.func.count()).select_from(identities)).scalar() == 0
        version = sa.Table("invitekit_schema_version", sa.MetaData(), autoload_with=conn)
        assert conn.execute(sa.select(version.c.version)).scalars().all() == [6]


def test_customers_from_before_sign_in_under_the_rules(v1_engine: sa.Engine) -> None:
    _at_0005(v1_engine)
    upgrade(v1_engine)
    clock = FakeClock(datetime(2026, 1, 7, 9, 0, tzinfo=UTC))
    kit, mailer = _kit(v1_engine, "studio-1", clock)
    other, _ = _kit(v1_engine, "studio-2", clock)

    # A business's provider customer: the hint names the provider; a verified sign-in links.
    kit.request_password_reset("gina@example.com")
    kit.deliver()
    assert "Google" in mailer.to("gina@example.com")[-1].text
    gina = kit.sign_in_with_provider(
        "google", "g-1", email="gina@example.com", email_verified=True
    )
    assert (gina.id, gina.status, gina.auth_provider) == ("cus_gina", Status.ACCEPTED, "google")

    # Invited, unverified: never attached; verified: Accepted.
    with pytest.raises(ProviderEmailNotVerified):
        kit.sign_in_with_provider("google", "b-1", email="ben@example.com", email_verified=False)
    hal = kit.sign_in_with_provider("google", "h-1", email="hal@example.com", email_verified=True)
    assert hal.status is Status.ACCEPTED and hal.undeliverable

    # Archived: refused.  The same subject at the other business: its own link.
    with pytest.raises(ProviderSignInRefused):
        kit.sign_in_with_provider("google", "d-1", email="dan@example.com", email_verified=True)
    elsewhere = other.sign_in_with_provider(
        "google", "g-1", email="gina@example.com", email_verified=True
    )
    assert elsewhere.business_id == "studio-2" and elsewhere.id != gina.id
