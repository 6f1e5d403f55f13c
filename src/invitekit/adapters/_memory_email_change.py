"""The email-change methods of the memory store's transactions.

A part of ``invitekit.adapters.memory`` (see :class:`~invitekit.adapters.memory.MemoryStore`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from invitekit.email_change import EmailChange

if TYPE_CHECKING:
    from invitekit.adapters.memory import MemoryStore

__all__: list[str] = []


class _EmailChanges:
    """The pending email changes of :class:`_MemoryTransaction` (a part of it)."""

    _s: MemoryStore
    _undo: list[Callable[[], None]]

    def _set(self, table: dict[Any, Any], key: Any, value: Any) -> None:
        raise NotImplementedError  # _MemoryTransaction's

    def put_email_change(self, change: EmailChange) -> None:
        self._set(self._s._email_changes, (change.business_id, change.customer_id), change)

    def get_email_change(self, business_id: str, customer_id: str) -> EmailChange | None:
        return self._s._email_changes.get((business_id, customer_id))

    def delete_email_change(self, business_id: str, customer_id: str) -> None:
        table, key = self._s._email_changes, (business_id, customer_id)
        old = table.pop(key, None)
        if old is not None:
            self._undo.append(lambda: table.__setitem__(key, old))
