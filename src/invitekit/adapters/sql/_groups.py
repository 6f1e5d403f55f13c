"""The groups of the SQL store's transactions: named groups and their members."""

from __future__ import annotations

from collections.abc import Callable, Collection
from typing import Any

import sqlalchemy as sa

from invitekit.adapters.sql._tables import _GROUP, _GROUP_NAME, _groups, _members
from invitekit.exceptions import DuplicateGroup
from invitekit.model import Group

__all__ = ["Groups"]


class Groups:
    """The group rows of the SQL store's transactions.

    A part of ``_SQLTransaction``, which provides how a statement runs, how a
    column is looked up among many values, and how rows are inserted unless they
    break a unique key.
    """

    _run: Callable[..., sa.CursorResult[Any]]
    _among: Callable[..., set[str]]
    _insert_ignoring_duplicates: Callable[..., None]

    def insert_group(self, group: Group) -> None:
        if self.find_group(group.business_id, group.name) is not None:
            raise DuplicateGroup(f"a group named {group.name!r} already exists")
        self._run(
            _groups.insert(),
            {**_GROUP.values(group), "name_key": group.name.casefold()},
            duplicates={
                _GROUP_NAME: lambda: DuplicateGroup(f"a group named {group.name!r} already exists")
            },
        )

    def find_group(self, business_id: str, name: str) -> Group | None:
        row = self._run(
            sa.select(_groups).where(
                _groups.c.business_id == business_id, _groups.c.name_key == name.casefold()
            )
        ).first()
        return None if row is None else _GROUP.load(row._mapping)

    def list_groups(self, business_id: str) -> list[Group]:
        rows = self._run(sa.select(_groups).where(_groups.c.business_id == business_id))
        groups = [_GROUP.load(row._mapping) for row in rows]
        # Sorted here: the memory store's order (case-folded name), on every backend.
        return sorted(groups, key=lambda g: (g.name.casefold(), g.id))

    def add_group_members(
        self, business_id: str, group_id: str, customer_ids: Collection[str]
    ) -> None:
        wanted = list(dict.fromkeys(customer_ids))
        present = self._among(
            _members.c.customer_id,
            wanted,
            _members.c.business_id == business_id,
            _members.c.group_id == group_id,
        )
        rows = [
            {"business_id": business_id, "group_id": group_id, "customer_id": customer_id}
            for customer_id in wanted
            if customer_id not in present
        ]
        if rows:
            self._insert_ignoring_duplicates(
                _members, rows, ["business_id", "group_id", "customer_id"]
            )

    def group_ids_of(self, business_id: str, customer_id: str) -> list[str]:
        return list(
            self._run(
                sa.select(_members.c.group_id)
                .where(
                    _members.c.business_id == business_id,
                    _members.c.customer_id == customer_id,
                )
                .order_by(_members.c.group_id)
            ).scalars()
        )
