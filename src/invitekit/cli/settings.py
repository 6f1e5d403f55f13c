"""The ``invitekit`` command's settings: from flags, else from the environment.

* ``--database-url URL`` or ``INVITEKIT_DATABASE_URL``: an SQLAlchemy URL
  (``sqlite:///invitekit.db``, ``postgresql+psycopg://user@host/db``).
* ``--secret-keys-file PATH`` or ``INVITEKIT_SECRET_KEYS_FILE``: a file of
  secret keys, one per line, newest first; or ``INVITEKIT_SECRET_KEYS``, the
  keys themselves, separated by commas or newlines.
* ``--mail URL`` or ``INVITEKIT_MAIL_URL``:
  ``smtp://user:password@host:587?security=starttls`` (``ssl``, ``none``) or
  ``folder:PATH`` for ``.eml`` files.

There is no flag for the keys themselves, nor should a password be given as a
flag: a command line is visible to every user of the machine (``ps``).  A value
is read only when a command needs it, so ``invitekit db upgrade`` needs no keys
and no mail server.
"""

from __future__ import annotations

import argparse
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import parse_qs, unquote, urlsplit

import attrs

from invitekit.exceptions import ConfigurationError
from invitekit.ports import Mailer

if TYPE_CHECKING:
    from invitekit.adapters.sql import SQLStore

__all__ = [
    "Settings",
    "add_business_argument",
    "add_settings_arguments",
    "mailer_from_url",
    "open_store",
    "parse_secret_keys",
]


def add_settings_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the settings' flags to ``parser`` (the main parser and each command's)."""
    group = parser.add_argument_group("settings (flags win over the environment)")
    # SUPPRESS: a flag given before the command is not reset by the command's parser.
    group.add_argument(
        "--database-url",
        metavar="URL",
        default=argparse.SUPPRESS,
        help="the database, an SQLAlchemy URL [INVITEKIT_DATABASE_URL]",
    )
    group.add_argument(
        "--secret-keys-file",
        metavar="PATH",
        type=Path,
        default=argparse.SUPPRESS,
        help="a file of secret keys, one per line, newest first "
        "[INVITEKIT_SECRET_KEYS_FILE, or the keys in INVITEKIT_SECRET_KEYS]",
    )
    group.add_argument(
        "--mail",
        metavar="URL",
        default=argparse.SUPPRESS,
        help="where emails go: smtp://user:pass@host:587?security=starttls|ssl|none "
        "or folder:PATH [INVITEKIT_MAIL_URL]",
    )


def add_business_argument(parser: argparse.ArgumentParser) -> None:
    """Add ``--business ID`` to a command that works for one business."""
    parser.add_argument(
        "--business",
        metavar="ID",
        default=argparse.SUPPRESS,
        help="the business whose stored settings to use [INVITEKIT_BUSINESS]",
    )


@attrs.frozen(kw_only=True)
class Settings:
    """The settings a command may need, each read from its flag or else its variable.

    Attributes:
        database_url: the database's URL, or ``None`` when not given.
        secret_keys_file: a file of keys, one per line, or ``None``.
        secret_keys_text: keys separated by commas or newlines, or ``None``.
        mail_url: where emails go, or ``None``.
        business_id: the business a command works for, or ``None``.
    """

    database_url: str | None = None
    secret_keys_file: Path | None = None
    secret_keys_text: str | None = None
    mail_url: str | None = None
    business_id: str | None = None

    @classmethod
    def from_arguments(cls, args: argparse.Namespace, environ: Mapping[str, str]) -> Settings:
        """The settings of parsed ``args``, completed from ``environ``."""

        def pick(flag: object, variable: str) -> str | None:
            value = str(flag) if flag is not None else environ.get(variable, "")
            return value.strip() or None

        keys_file = pick(getattr(args, "secret_keys_file", None), "INVITEKIT_SECRET_KEYS_FILE")
        return cls(
            database_url=pick(getattr(args, "database_url", None), "INVITEKIT_DATABASE_URL"),
            secret_keys_file=Path(keys_file) if keys_file else None,
            secret_keys_text=environ.get("INVITEKIT_SECRET_KEYS") or None,
            mail_url=pick(getattr(args, "mail", None), "INVITEKIT_MAIL_URL"),
            business_id=pick(getattr(args, "business", None), "INVITEKIT_BUSINESS"),
        )

    def require_database_url(self) -> str:
        """The database URL.

        Raises:
            ConfigurationError: none was given.
        """
        if self.database_url is None:
            raise ConfigurationError(
                "no database: give --database-url URL or set INVITEKIT_DATABASE_URL"
            )
        return self.database_url

    def require_business_id(self) -> str:
        """The id of the business to work for.

        Raises:
            ConfigurationError: none was given.
        """
        if self.business_id is None:
            raise ConfigurationError("no business: give --business ID or set INVITEKIT_BUSINESS")
        return self.business_id

    def secret_keys(self) -> list[str]:
        """The secret keys, newest first: from the file if one is given, else the variable.

        Raises:
            ConfigurationError: no keys were given, or the file cannot be read.
        """
        if self.secret_keys_file is not None:
            try:
                text = self.secret_keys_file.read_text(encoding="utf-8")
            except OSError as err:
                raise ConfigurationError(
                    f"cannot read the secret keys file {str(self.secret_keys_file)!r}: "
                    f"{err.strerror or err}"
                ) from err
            keys = parse_secret_keys(text, separators="\n")
        else:
            keys = parse_secret_keys(self.secret_keys_text or "", separators=",\n")
        if not keys:
            raise ConfigurationError(
                "no secret keys: give --secret-keys-file PATH, or set "
                "INVITEKIT_SECRET_KEYS_FILE or INVITEKIT_SECRET_KEYS"
            )
        return keys

    def mailer(self) -> Mailer:
        """The mailer :attr:`mail_url` names (see :func:`mailer_from_url`).

        Raises:
            ConfigurationError: no mail URL was given, or it is not usable.
        """
        if self.mail_url is None:
            raise ConfigurationError("no mail target: give --mail URL or set INVITEKIT_MAIL_URL")
        return mailer_from_url(self.mail_url)


def open_store(settings: Settings) -> SQLStore:
    """The store at the settings' database URL; its schema is checked at first use.

    Raises:
        ConfigurationError: no database URL, or an unusable one.
        MissingDependency: the database's driver is not installed.
    """
    url = settings.require_database_url()
    # Imported here: `invitekit --help` works without the sql extra.
    from invitekit.adapters.sql import SQLStore

    # from_url's errors never show the URL's password.
    return SQLStore.from_url(url, create=False)


def parse_secret_keys(text: str, *, separators: str) -> list[str]:
    """The keys in ``text``, split at any of ``separators``; blanks and ``#`` lines dropped."""
    for separator in separators[1:]:
        text = text.replace(separator, separators[0])
    entries = (entry.strip() for entry in text.split(separators[0]))
    return [entry for entry in entries if entry and not entry.startswith("#")]


_SECURITY = {"starttls": "starttls", "ssl": "ssl", "none": "plain"}


def mailer_from_url(url: str) -> Mailer:
    """The Mailer a mail URL names.

    * ``smtp://user:password@host:port?security=starttls`` (``ssl``, ``none``):
      an :class:`~invitekit.adapters.smtp.SMTPMailer`; STARTTLS and its port by
      default, user and password percent-decoded.
    * ``folder:PATH``: a :class:`~invitekit.adapters.files.FolderMailer` writing
      ``.eml`` files into ``PATH`` (for development).

    Raises:
        ConfigurationError: anything else, or an unusable part (the message never
            shows the password).
    """
    if url.startswith("folder:"):
        from invitekit.adapters.files import FolderMailer

        folder = url.removeprefix("folder:")
        if not folder:
            raise ConfigurationError("folder: needs a path, as in folder:/var/lib/invitekit/mail")
        return FolderMailer(folder)
    parts = urlsplit(url)
    if parts.scheme != "smtp" or not parts.hostname:
        raise ConfigurationError(
            "the mail URL must be smtp://user:password@host:port?security=starttls|ssl|none "
            "or folder:PATH"
        )
    query = parse_qs(parts.query)
    unknown = sorted(set(query) - {"security"})
    security = query.get("security", ["starttls"])[-1]
    if unknown or security not in _SECURITY:
        raise ConfigurationError(
            "the mail URL's only parameter is security=starttls, ssl or none"
            + (f", not {', '.join(unknown)}" if unknown else f", not {security!r}")
        )
    try:
        port = parts.port
    except ValueError as err:
        raise ConfigurationError("the mail URL's port must be a number from 1 to 65535") from err
    from invitekit.adapters.smtp import SMTPMailer

    return SMTPMailer(
        host=parts.hostname,
        port=port,
        security=_SECURITY[security],
        username=unquote(parts.username) if parts.username else None,
        password=unquote(parts.password) if parts.password is not None else None,
    )
