"""The ``invitekit`` command, run as a process: help, ``db upgrade``, ``db current``, errors."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
import sqlalchemy as sa

from invitekit.adapters.sql import VERSION_TABLE, current, head
from tests.cli.helpers import _SCRIPT, assert_one_error_line, invitekit
from tests.migrations.v1data import SQLITE_FILE
from tests.stores import server_url


def test_the_console_script_is_installed() -> None:
    assert _SCRIPT.exists() or shutil.which("invitekit") is not None


@pytest.mark.parametrize("args", [[], ["db"], ["db", "upgrade"], ["db", "current"]], ids=" ".join)
def test_every_command_has_help(args: list[str]) -> None:
    result = invitekit(*args, "--help")

    assert result.returncode == 0
    assert result.stdout.startswith("usage: invitekit")
    if args[-1:] in (["upgrade"], ["current"]):
        assert "INVITEKIT_DATABASE_URL" in result.stdout


def test_the_main_help_lists_the_exit_statuses() -> None:
    result = invitekit("--help")

    assert "exit status:" in result.stdout
    assert "invitekit db upgrade" in result.stdout


@pytest.mark.parametrize("args", [[], ["db"], ["db", "downgrade"], ["--no-such-flag", "db"]])
def test_a_bad_command_line_exits_2(args: list[str]) -> None:
    result = invitekit(*args)

    assert result.returncode == 2
    assert "Traceback" not in result.stderr


def test_without_a_database_url_it_says_how_to_give_one() -> None:
    line = assert_one_error_line(invitekit("db", "current"), 3)

    assert "--database-url" in line
    assert "INVITEKIT_DATABASE_URL" in line


def test_upgrade_creates_the_tables_and_current_then_says_up_to_date(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/invitekit.db"

    before = invitekit("db", "current", INVITEKIT_DATABASE_URL=url)
    upgraded = invitekit("db", "upgrade", INVITEKIT_DATABASE_URL=url)
    after = invitekit("db", "current", INVITEKIT_DATABASE_URL=url)
    again = invitekit("db", "upgrade", INVITEKIT_DATABASE_URL=url)

    assert (before.returncode, before.stdout) == (1, f"current: none\nhead: {head()}\n")
    assert upgraded.returncode == 0
    assert upgraded.stdout == f"upgraded invitekit tables from revision none to {head()}\n"
    assert (after.returncode, after.stdout) == (0, f"current: {head()}\nhead: {head()}\n")
    assert (again.returncode, again.stdout) == (
        0,
        f"invitekit tables are up to date at revision {head()}\n",
    )


def test_upgrade_migrates_the_v1_database_keeping_its_data(tmp_path: Path) -> None:
    path = tmp_path / "v1.db"
    shutil.copyfile(SQLITE_FILE, path)

    result = invitekit("db", "upgrade", "--database-url", f"sqlite:///{path}")

    assert result.returncode == 0, result.stderr
    engine = sa.create_engine(f"sqlite:///{path}")
    assert current(engine) == head()
    with engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT count(*) FROM invitekit_customers").scalar() == 10
    engine.dispose()


def test_a_flag_wins_over_the_environment_before_or_after_the_command(tmp_path: Path) -> None:
    flagged, ignored = tmp_path / "flagged.db", tmp_path / "ignored.db"
    env = {"INVITEKIT_DATABASE_URL": f"sqlite:///{ignored}"}

    first = invitekit("--database-url", f"sqlite:///{flagged}", "db", "upgrade", **env)
    second = invitekit("db", "current", "--database-url", f"sqlite:///{flagged}", **env)

    assert (first.returncode, second.returncode) == (0, 0)
    assert not ignored.exists()


def test_an_unreachable_database_exits_4(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/no/such/dir/invitekit.db"

    line = assert_one_error_line(invitekit("db", "upgrade", INVITEKIT_DATABASE_URL=url), 4)

    assert "could not" in line


def test_a_database_migrated_by_a_newer_invitekit_exits_4(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/invitekit.db"
    invitekit("db", "upgrade", INVITEKIT_DATABASE_URL=url)
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.exec_driver_sql(f"UPDATE {VERSION_TABLE} SET version_num = '9999'")
    engine.dispose()

    for command in ("upgrade", "current"):
        line = assert_one_error_line(invitekit("db", command, INVITEKIT_DATABASE_URL=url), 4)
        assert "newer invitekit" in line


@pytest.mark.parametrize(
    "url",
    [
        "postgresql+nosuchdriver://user:s3cret@localhost/db",
        "not a url s3cret",
        "oracle://u:s3cret@h/d",
    ],
)
def test_an_unusable_database_url_exits_3_without_showing_the_password(url: str) -> None:
    line = assert_one_error_line(invitekit("db", "current", "--database-url", url), 3)

    assert "s3cret" not in line


@pytest.mark.postgresql
def test_upgrade_and_current_on_postgresql() -> None:
    url = server_url("postgresql")
    admin = sa.create_engine(url)
    schema = f"invitekit_cli_{os.getpid()}"
    with admin.begin() as conn:
        conn.exec_driver_sql(f"CREATE SCHEMA {schema}")
    try:
        target = sa.make_url(url).update_query_dict({"options": f"-csearch_path={schema}"})
        env = {"INVITEKIT_DATABASE_URL": target.render_as_string(hide_password=False)}

        upgraded = invitekit("db", "upgrade", **env)
        status = invitekit("db", "current", **env)

        assert upgraded.returncode == 0, upgraded.stderr
        assert (status.returncode, status.stdout) == (0, f"current: {head()}\nhead: {head()}\n")
        with admin.connect() as conn:
            tables = set(sa.inspect(conn).get_table_names(schema=schema))
        assert {VERSION_TABLE, "invitekit_customers", "invitekit_outbox"} <= tables
    finally:
        with admin.begin() as conn:
            conn.exec_driver_sql(f"DROP SCHEMA {schema} CASCADE")
        admin.dispose()
