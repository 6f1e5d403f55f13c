"""The ``invitekit`` command: operate an invitekit database from a shell, a deploy step or a unit.

::

    invitekit db upgrade      migrate invitekit's tables to the newest revision
    invitekit db current      print the database's revision and the newest; exit 1 if older
    invitekit worker          deliver the outbox of every business until SIGTERM (--once)
    invitekit deliver --once  deliver what is due now, then exit
    invitekit customers import FILE.csv | customers list
    invitekit plan | invite   (--group NAME | --status added | --all)
    invitekit send-test ADDRESS
    invitekit status          customers per status, emails per outbox state

Settings come from flags or the environment (:mod:`invitekit.cli.settings`); every
error is one line on stderr and a documented exit code (:class:`ExitCode`), never a
traceback.  ``python -m invitekit.cli`` is the same command.

Adding a command: a module in this package with a ``register(commands)`` function
that adds its parser to ``commands`` (an :meth:`argparse.ArgumentParser.add_subparsers`
object) with ``set_defaults(run=...)``, listed in :data:`invitekit.cli.main.COMMANDS`.
``run`` takes the parsed arguments and the :class:`~invitekit.cli.settings.Settings`
and returns an :class:`ExitCode`.
"""

from __future__ import annotations

from invitekit.cli.exits import ExitCode
from invitekit.cli.main import main

__all__ = ["ExitCode", "main"]
