"""The pending email changes of the SQL store's transactions, one row per customer."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import sqlalchemy as sa

from invitekit.adapters.sql._tables import _EMAIL_CHANGE, _email_changes
from invitekit.email_change import EmailChange

__all__ = ["EmailChanges"]

_t = _email_changes
_p = sa.bindparam
_OF_CUSTOMER = sa.and_(_t.c.business_id == _p("p_business_id"), _t.c.customer_id == _p("p_id"))


class EmailChanges:
    """The email-change rows of the SQL store's transactions (a part of ``_SQLTransaction``)."""

    _run: Callable[..., sa.CursorResult[Any]]
    _insert_ignoring_duplicates: Callable[..., None]

    def put_email_change(self, change: EmailChange) -> None:
        values = _EMAIL_CHANGE.values(change)
        fields = {k: v for k, v in values.items() if k not in ("business_id", "customer_id")}
        update = (
            _t.update()
            .where(_t.c.business_id == change.business_id, _t.c.customer_id == change.customer_id)
            .values(**fields)
        )
        if self._run(update).rowcount:
            return
        # No row yet: insert, unless a simultaneous request inserted one
        # meanwhile; then overwrite it (its lock is held until then): the later wins.
        self._insert_ignoring_duplicates(_t, [values], ["business_id", "customer_id"])
        self._run(update)

    def get_email_change(self, business_id: str, customer_id: str) -> EmailChange | None:
        row = self._run(
            sa.select(_t).where(_OF_CUSTOMER), {"p_business_id": business_id, "p_id": customer_id}
        ).first()
        return None if row is None else _EMAIL_CHANGE.load(row._mapping)

    def delete_email_change(self, business_id: str, customer_id: str) -> None:
        self._run(
            _t.delete().where(_OF_CUSTOMER), {"p_business_id": business_id, "p_id": customer_id}
        )
