"""The external sign-in identities of the SQL store's transactions."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import sqlalchemy as sa

from invitekit.adapters.sql._rows import RowMap
from invitekit.adapters.sql._schema import metadata
from invitekit.exceptions import DuplicateIdentity
from invitekit.identities import Identity

__all__ = ["Identities"]

_identities = metadata.tables["invitekit_identities"]
_IDENTITY = RowMap(Identity, _identities)
_IDENTITY_KEY = str(_identities.primary_key.name)


class Identities:
    """The identity rows of the SQL store's transactions.

    A part of ``_SQLTransaction``, which provides how a statement runs.  The
    primary key ``(business_id, provider, subject)`` is the uniqueness rule: of
    two transactions linking one identity at once, the database lets one
    commit and refuses the other's insert.
    """

    _run: Callable[..., sa.CursorResult[Any]]

    def insert_identity(self, identity: Identity) -> None:
        self._run(
            _identities.insert(),
            _IDENTITY.values(identity),
            duplicates={
                _IDENTITY_KEY: lambda: DuplicateIdentity(
                    "this identity is already linked at this business"
                )
            },
        )

    def find_identity(self, business_id: str, provider: str, subject: str) -> Identity | None:
        row = self._run(
            sa.select(_identities).where(
                _identities.c.business_id == business_id,
                _identities.c.provider == provider,
                _identities.c.subject == subject,
            )
        ).first()
        return None if row is None else _IDENTITY.load(row._mapping)

    def identities_of(self, business_id: str, customer_id: str) -> list[Identity]:
        rows = self._run(
            sa.select(_identities)
            .where(
                _identities.c.business_id == business_id,
                _identities.c.customer_id == customer_id,
            )
            .order_by(_identities.c.linked_at, _identities.c.provider, _identities.c.subject)
        )
        return [_IDENTITY.load(row._mapping) for row in rows]

    def delete_identities(self, business_id: str, customer_id: str, provider: str) -> int:
        result = self._run(
            _identities.delete().where(
                _identities.c.business_id == business_id,
                _identities.c.customer_id == customer_id,
                _identities.c.provider == provider,
            )
        )
        return int(result.rowcount)
