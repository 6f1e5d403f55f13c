"""The external sign-in identities of the memory store's transactions.

A part of ``invitekit.adapters.memory`` (see :class:`~invitekit.adapters.memory.MemoryStore`),
in a module of its own for length.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from invitekit.exceptions import DuplicateIdentity
from invitekit.identities import Identity

if TYPE_CHECKING:
    from invitekit.adapters.memory import MemoryStore

__all__: list[str] = []


class _Identities:
    """The identity methods of :class:`_MemoryTransaction` (a part of it).

    ``MemoryStore._identities`` maps ``(business_id, provider, subject)`` to the
    identity: the key is the uniqueness rule the SQL store's primary key keeps.
    """

    _s: MemoryStore
    _undo: list[Callable[[], None]]

    def _set(self, table: dict[Any, Any], key: Any, value: Any) -> None:
        raise NotImplementedError  # _MemoryTransaction's

    def insert_identity(self, identity: Identity) -> None:
        key = (identity.business_id, identity.provider, identity.subject)
        if key in self._s._identities:
            raise DuplicateIdentity("this identity is already linked at this business")
        self._set(self._s._identities, key, identity)

    def find_identity(self, business_id: str, provider: str, subject: str) -> Identity | None:
        return self._s._identities.get((business_id, provider, subject))

    def identities_of(self, business_id: str, customer_id: str) -> list[Identity]:
        found = [
            i
            for (b, _p, _s), i in self._s._identities.items()
            if b == business_id and i.customer_id == customer_id
        ]
        return sorted(found, key=lambda i: (i.linked_at, i.provider, i.subject))

    def delete_identities(self, business_id: str, customer_id: str, provider: str) -> int:
        gone = [i for i in self.identities_of(business_id, customer_id) if i.provider == provider]
        table = self._s._identities
        for identity in gone:
            key = (business_id, provider, identity.subject)
            del table[key]
            self._undo.append(functools.partial(table.__setitem__, key, identity))
        return len(gone)
