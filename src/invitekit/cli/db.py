"""``invitekit db``: the migrations of invitekit's tables (``upgrade``, ``current``)."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from invitekit.cli.exits import ExitCode
from invitekit.cli.settings import Settings, add_settings_arguments, open_store
from invitekit.exceptions import SchemaOutdated

if TYPE_CHECKING:
    import sqlalchemy as sa

__all__ = ["register"]


def register(commands: Any) -> None:
    """Add ``db upgrade`` and ``db current`` to ``commands`` (the main parser's subparsers)."""
    db = commands.add_parser(
        "db",
        help="migrate invitekit's tables, or tell their revision",
        description="The tables invitekit keeps in the database, and their migrations.",
    )
    actions = db.add_subparsers(title="commands", metavar="COMMAND", required=True)
    upgrade = actions.add_parser(
        "upgrade",
        help="migrate invitekit's tables to the newest revision",
        description="Migrate invitekit's tables to the newest revision: create them in an "
        "empty database, recognise a database made before the migrations, do nothing "
        "when they are up to date.  Safe to run at every deploy.  Other tables are "
        "never touched.",
    )
    add_settings_arguments(upgrade)
    upgrade.set_defaults(run=run_upgrade)
    current = actions.add_parser(
        "current",
        help="print the database's revision and the newest; exit 1 if it is older",
        description="Print the revision of invitekit's tables in the database ('none' "
        "when it has none) and the newest this invitekit knows.  Exit status 0 when "
        "they are the same, 1 when the database needs `invitekit db upgrade`.",
    )
    add_settings_arguments(current)
    current.set_defaults(run=run_current)


def _engine(settings: Settings) -> sa.Engine:
    return open_store(settings).engine


def run_upgrade(args: argparse.Namespace, settings: Settings) -> ExitCode:
    """``invitekit db upgrade``."""
    from invitekit.adapters.sql import upgrade

    engine = _engine(settings)
    try:
        before, after = upgrade(engine)
    finally:
        engine.dispose()
    if before == after:
        print(f"invitekit tables are up to date at revision {after}")
    else:
        print(f"upgraded invitekit tables from revision {before or 'none'} to {after}")
    return ExitCode.OK


def run_current(args: argparse.Namespace, settings: Settings) -> ExitCode:
    """``invitekit db current``: exit 0 when up to date, 1 when older, 4 when newer."""
    from invitekit.adapters.sql import current, head
    from invitekit.adapters.sql._migrate import check_schema

    engine = _engine(settings)
    try:
        revision = current(engine)
        print(f"current: {revision or 'none'}")
        print(f"head: {head()}", flush=True)
        check_schema(engine)  # a revision this invitekit does not know is an error
    except SchemaOutdated:
        return ExitCode.NO
    finally:
        engine.dispose()
    return ExitCode.OK
