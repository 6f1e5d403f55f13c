"""Running the ``invitekit`` command as a process, and a business to run it for."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

from invitekit import SystemClock
from invitekit.adapters.sql import SQLStore
from invitekit.testing import make_kit

# The console script beside this Python when installed (it is, by dev.py); the
# module otherwise: the same code.
_SCRIPT = Path(sys.executable).with_name("invitekit")
COMMAND = [str(_SCRIPT)] if _SCRIPT.exists() else [sys.executable, "-m", "invitekit.cli"]


def environment(**environ: str) -> dict[str, str]:
    """The process environment without INVITEKIT_ variables, plus ``environ``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("INVITEKIT_")}
    env.update(environ)
    return env


def invitekit(
    *args: str, stdin: str | None = None, **environ: str
) -> subprocess.CompletedProcess[str]:
    """Run ``invitekit args`` with only ``environ``'s INVITEKIT_ variables set."""
    return subprocess.run(
        [*COMMAND, *args],
        capture_output=True,
        text=True,
        env=environment(**environ),
        input=stdin,
        timeout=120,
        check=False,
    )


def assert_one_error_line(result: subprocess.CompletedProcess[str], code: int) -> str:
    """The one ``invitekit: error:`` line of a run that exited with ``code``."""
    assert result.returncode == code, result.stderr
    assert "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("invitekit: error: ")
    return lines[0]


class Studio:
    """A business stored in an SQLite file, with what the command needs to reach it."""

    def __init__(self, folder: Path) -> None:
        self.url = f"sqlite:///{folder}/invitekit.db"
        self.mail = folder / "mail"
        self.key = secrets.token_urlsafe(32)
        self.store = SQLStore.from_url(self.url)
        # The system clock: the command's processes read it too.
        self.kit = make_kit(store=self.store, clock=SystemClock(), secret_keys=[self.key])
        self.kit.store_business()

    @property
    def env(self) -> dict[str, str]:
        """The variables that point the command at this business."""
        return {
            "INVITEKIT_DATABASE_URL": self.url,
            "INVITEKIT_SECRET_KEYS": self.key,
            "INVITEKIT_MAIL_URL": f"folder:{self.mail}",
            "INVITEKIT_BUSINESS": "studio-1",
        }

    def run(self, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
        """``invitekit args`` for this business."""
        return invitekit(*args, stdin=stdin, **self.env)

    def queue(self, count: int) -> None:
        """Add ``count`` customers and queue an invitation to each."""
        for index in range(count):
            self.kit.invite(self.kit.add_customer(f"customer{index}@example.com").id)

    def sent(self) -> list[Path]:
        """The .eml files the command wrote."""
        return sorted(self.mail.glob("*.eml")) if self.mail.exists() else []
