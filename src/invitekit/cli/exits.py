"""The ``invitekit`` command's exit statuses."""

from __future__ import annotations

import enum

from invitekit.exceptions import InviteKitError

__all__ = ["ExitCode", "Refused"]


class ExitCode(enum.IntEnum):
    """What the ``invitekit`` command's exit status means (docs/cli.md lists them)."""

    OK = 0
    """Done; for ``db current``: the database is up to date."""
    NO = 1
    """The command ran and the answer is no (``db current``: older than the newest),
    or invitekit refused the work for a reason the message gives."""
    USAGE = 2
    """Unknown command or flag, a missing argument (argparse's own code)."""
    CONFIGURATION = 3
    """A setting is missing or unusable (no database URL, a bad mail URL, weak keys),
    or an optional dependency is not installed."""
    DATABASE = 4
    """The database cannot be reached, a migration failed, or the database was
    migrated by a newer invitekit."""
    SCHEMA_OUTDATED = 5
    """The database's invitekit tables are older than this invitekit: run
    ``invitekit db upgrade``."""
    INTERRUPTED = 130
    """Stopped by Ctrl-C (SIGINT) before the command finished."""


class Refused(InviteKitError):
    """The command would not do the work, for the reason given (exit status 1)."""
