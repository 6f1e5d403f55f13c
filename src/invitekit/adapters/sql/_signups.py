"""Failed-login records and sign-ups in SQL: a part of the SQL store's transactions.

A part of ``_SQLTransaction`` (see :mod:`invitekit.adapters.sql._store`), in a
module of its own for length; the throttles' atomic reservations are in
:mod:`invitekit.adapters.sql._attempts`.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from invitekit.adapters.sql._tables import _REGISTRATION, _login_failures, _registrations
from invitekit.model import Registration

__all__ = ["AttemptsAndSignups"]


class AttemptsAndSignups:
    """The attempt and sign-up methods of ``_SQLTransaction``, which provides ``_run``."""

    _run: Callable[..., sa.CursorResult[Any]]

    # Login throttling --------------------------------------------------------------------

    def record_attempt(self, business_id: str, key: str, at: datetime) -> None:
        self._run(_login_failures.insert(), {"business_id": business_id, "key": key, "at": at})

    def count_attempts(self, business_id: str, key: str, *, since: datetime) -> int:
        count = self._run(
            sa.select(sa.func.count()).where(
                _login_failures.c.business_id == business_id,
                _login_failures.c.key == key,
                _login_failures.c.at >= since,
            )
        ).scalar()
        return int(count or 0)

    def clear_attempts(self, business_id: str, key: str) -> None:
        self._run(
            _login_failures.delete().where(
                _login_failures.c.business_id == business_id, _login_failures.c.key == key
            )
        )

    # Registrations -----------------------------------------------------------------------

    def insert_registration(self, registration: Registration) -> None:
        self.delete_registration(registration.business_id, registration.id)
        self._run(_registrations.insert(), _REGISTRATION.values(registration))

    def get_registration(self, business_id: str, registration_id: str) -> Registration | None:
        row = self._run(
            sa.select(_registrations).where(
                _registrations.c.business_id == business_id,
                _registrations.c.id == registration_id,
            )
        ).first()
        return None if row is None else _REGISTRATION.load(row._mapping)

    def delete_registration(self, business_id: str, registration_id: str) -> None:
        self._run(
            _registrations.delete().where(
                _registrations.c.business_id == business_id,
                _registrations.c.id == registration_id,
            )
        )
