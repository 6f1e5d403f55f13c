"""Database URLs: the driver invitekit's extras install, and how to get it."""

from __future__ import annotations

import sqlalchemy as sa

from invitekit.exceptions import ConfigurationError

__all__ = ["install_hint", "with_driver"]

# Per supported backend: the driver its extra installs, and how to get it.
_DRIVERS: dict[str, tuple[str | None, str]] = {
    "sqlite": (None, "it comes with Python"),
    "postgresql": (
        "psycopg",
        "pip install invitekit[postgresql] and write postgresql+psycopg://user:password@host/db",
    ),
    "mysql": (
        "pymysql",
        "pip install invitekit[mysql] and write mysql+pymysql://user:password@host/db",
    ),
    "mariadb": (
        "pymysql",
        "pip install invitekit[mysql] and write mariadb+pymysql://user:password@host/db",
    ),
}


def with_driver(url: sa.URL) -> sa.URL:
    """``url`` with the driver invitekit's extras install when it names none.

    SQLAlchemy's own defaults for ``postgresql://`` and ``mysql://`` (psycopg2,
    mysqlclient) are not the drivers the extras install.
    """
    backend = url.get_backend_name()
    if backend not in _DRIVERS:
        raise ConfigurationError(
            f"SQLStore supports SQLite, PostgreSQL and MariaDB/MySQL, not {backend} "
            "(sqlite:///invitekit.db, postgresql+psycopg://user:password@host/db, "
            "mysql+pymysql://user:password@host/db)"
        )
    driver, _ = _DRIVERS[backend]
    if driver is None or "+" in url.drivername:
        return url
    return url.set(drivername=f"{backend}+{driver}")


def install_hint(backend: str) -> str:
    """What to install and which URL to write for a supported ``backend``."""
    return _DRIVERS[backend][1]
