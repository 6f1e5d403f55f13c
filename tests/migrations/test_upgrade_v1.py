"""The migration harness: a v1 database, made by the v1 code, upgraded to the newest revision."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from invitekit.adapters.sql import VERSION_TABLE, SQLStore, create_schema, current, head, upgrade
from invitekit.exceptions import SchemaOutdated
from tests.migrations.expectations import EXPECTATIONS
from tests.migrations.v1data import v1_rows


def test_a_v1_database_is_recognised_as_revision_0001(v1_engine: sa.Engine) -> None:
    assert current(v1_engine) == "0001"


def test_a_v1_database_older_than_head_is_refused_until_upgraded(v1_engine: sa.Engine) -> None:
    if head() == "0001":
        pytest.skip("revision 0001 is the newest: a v1 database is up to date")
    with (
        pytest.raises(SchemaOutdated, match="invitekit db upgrade"),
        SQLStore(v1_engine).transaction(),
    ):
        pass  # pragma: no cover


@pytest.mark.parametrize("check", EXPECTATIONS, ids=lambda check: check.__name__)
def test_upgrading_a_v1_database_keeps_everything(v1_engine: sa.Engine, check: object) -> None:
    assert upgrade(v1_engine) == ("0001", head())
    assert current(v1_engine) == head()

    assert callable(check)
    check(v1_engine, v1_rows())


def test_upgrading_twice_changes_nothing(v1_engine: sa.Engine) -> None:
    upgrade(v1_engine)

    assert upgrade(v1_engine) == (head(), head())


def test_create_schema_stamps_a_v1_database_that_is_the_newest_keeping_its_rows(
    v1_engine: sa.Engine,
) -> None:
    if head() != "0001":
        pytest.skip("a v1 database is older than the newest revision: create_schema refuses it")
    version = sa.Table(VERSION_TABLE, sa.MetaData(), sa.Column("version_num", sa.String(32)))
    customers = sa.Table("invitekit_customers", sa.MetaData(), sa.Column("id", sa.String(64)))

    create_schema(v1_engine)

    with v1_engine.connect() as conn:
        assert conn.execute(sa.select(version.c.version_num)).scalars().all() == ["0001"]
        assert conn.execute(sa.select(sa.func.count()).select_from(customers)).scalar() == len(
            v1_rows()["invitekit_customers"]
        )
