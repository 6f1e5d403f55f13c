"""A Mailer that writes each email as an ``.eml`` file into a folder, for local development.

Open the files with any mail program, or read them in tests.  A retried email
has the same ``Message-ID`` and therefore the same file name: it replaces the
earlier copy instead of appearing twice.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from invitekit.compose import to_mime
from invitekit.exceptions import TemporaryDeliveryError
from invitekit.model import Email
from invitekit.ports import Clock

__all__ = ["FolderMailer"]

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


class FolderMailer:
    """Writes every email to ``folder/<message-id>.eml``.

    Implements :class:`~invitekit.ports.Mailer`.  The folder is created if needed.

    Args:
        folder: where the files go.
        clock: dates the ``Date`` header; without one the header is left out.
    """

    def __init__(self, folder: str | os.PathLike[str], *, clock: Clock | None = None) -> None:
        self.folder = Path(folder)
        self._clock = clock

    def __repr__(self) -> str:
        return f"FolderMailer({str(self.folder)!r})"

    @contextmanager
    def session(self) -> Iterator[FolderMailer]:
        """Make sure the folder exists; the mailer is its own session."""
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
        except OSError as err:
            raise TemporaryDeliveryError(f"cannot create {self.folder}: {err}") from err
        yield self

    def send(self, email: Email) -> None:
        """Write ``email`` atomically (a temporary file renamed into place).

        Raises:
            TemporaryDeliveryError: the file cannot be written (disk full, no permission).
        """
        name = _UNSAFE.sub("_", email.message_id.strip("<>")) or "message"
        date = self._clock.now() if self._clock is not None else None
        data = to_mime(email, date=date).as_bytes()
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=self.folder, prefix=".", suffix=".tmp")
            with os.fdopen(fd, "wb") as fp:
                fp.write(data)
            os.replace(tmp, self.folder / f"{name}.eml")
        except OSError as err:
            raise TemporaryDeliveryError(f"cannot write to {self.folder}: {err}") from err

    def files(self) -> list[Path]:
        """The ``.eml`` files in the folder, oldest first."""
        return sorted(self.folder.glob("*.eml"), key=lambda p: (p.stat().st_mtime_ns, p.name))
