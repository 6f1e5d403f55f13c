"""The ``invitekit`` command's entry point: parsing, settings, exit codes, error lines."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Mapping, Sequence
from types import ModuleType

from invitekit.cli import bounces, campaigns, customers, db, privacy, worker
from invitekit.cli.exits import ExitCode
from invitekit.cli.settings import Settings, add_business_argument, add_settings_arguments
from invitekit.exceptions import (
    ConfigurationError,
    InviteKitError,
    MissingDependency,
    SchemaOutdated,
    StorageError,
)

__all__ = ["COMMANDS", "ExitCode", "build_parser", "main"]


# The modules that add commands, each with ``register(commands)``.
COMMANDS: Sequence[ModuleType] = (db, worker, customers, campaigns, bounces, privacy)

Run = Callable[[argparse.Namespace, Settings], ExitCode]


_EPILOG = """\
Each setting may come from the environment instead: INVITEKIT_DATABASE_URL,
INVITEKIT_SECRET_KEYS_FILE or INVITEKIT_SECRET_KEYS, INVITEKIT_MAIL_URL, and
INVITEKIT_BUSINESS for the commands of one business.
`invitekit COMMAND --help` tells about a command.

exit status:
  0    done; the worker also after a clean stop by SIGTERM
  1    the answer is no or the work was refused (db current: the database needs
       `invitekit db upgrade`; customers import: a line was refused; invite: not
       confirmed)
  2    bad command line
  3    a setting is missing or unusable
  4    the database cannot be reached, or a migration failed
  5    the database's invitekit tables are older: run `invitekit db upgrade`
  130  interrupted (Ctrl-C)
"""


def build_parser() -> argparse.ArgumentParser:
    """The parser of the whole command, with every command of :data:`COMMANDS`."""
    parser = argparse.ArgumentParser(
        prog="invitekit",
        description="Operate an invitekit database: migrations, the delivery worker, and a "
        "business's customers and invitations.",
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_settings_arguments(parser)
    add_business_argument(parser)
    commands = parser.add_subparsers(title="commands", metavar="COMMAND", required=True)
    for module in COMMANDS:
        module.register(commands)
    return parser


def main(argv: Sequence[str] | None = None, environ: Mapping[str, str] | None = None) -> int:
    """Run the ``invitekit`` command.

    Args:
        argv: the arguments, without the program name; ``sys.argv[1:]`` by default.
        environ: the environment to read settings from; ``os.environ`` by default.

    Returns:
        the exit status, an :class:`ExitCode`.
    """
    parser = build_parser()
    args = parser.parse_args(argv)  # exits with ExitCode.USAGE on a bad command line
    settings = Settings.from_arguments(args, os.environ if environ is None else environ)
    run: Run = args.run
    try:
        return int(run(args, settings))
    except KeyboardInterrupt:
        _error("interrupted")
        return ExitCode.INTERRUPTED
    except InviteKitError as err:
        _error(str(err))
        return _code_of(err)


def _code_of(err: InviteKitError) -> ExitCode:
    if isinstance(err, ConfigurationError | MissingDependency):
        return ExitCode.CONFIGURATION
    if isinstance(err, SchemaOutdated):
        return ExitCode.SCHEMA_OUTDATED
    if isinstance(err, StorageError):
        return ExitCode.DATABASE
    return ExitCode.NO


def _error(message: str) -> None:
    # One line: the messages never hold a secret (URLs are shown without password).
    print(f"invitekit: error: {' '.join(message.split())}", file=sys.stderr)
