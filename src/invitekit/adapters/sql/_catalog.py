"""What the SQL store knows to compose any business's email: settings and template revisions.

A business's settings are a :class:`~invitekit.model.Business` stored as JSON,
a new version whenever they change, so that a worker can compose for every
business in the database.  Template revisions are immutable rows; the newest
saved (not one-off) one of a kind and locale is the business's text.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from invitekit.adapters.sql._tables import _REVISION, _businesses, _revisions
from invitekit.model import Business, TemplateRevision
from invitekit.settings import business_from_json, business_json

__all__ = ["Catalog"]


class Catalog:
    """The business settings and template revisions of the SQL store's transactions.

    A part of ``_SQLTransaction``, which provides how a statement runs and how
    rows are inserted unless they break a unique key.
    """

    _run: Callable[..., sa.CursorResult[Any]]
    _insert_ignoring_duplicates: Callable[..., None]

    def save_business(self, business: Business, *, at: datetime) -> int:
        newest = self._run(
            sa.select(_businesses.c.version, _businesses.c.settings)
            .where(_businesses.c.business_id == business.id)
            .order_by(_businesses.c.version.desc())
            .limit(1)
        ).first()
        settings = business_json(business)
        if newest is not None and newest.settings == settings:
            return int(newest.version)
        version = 1 if newest is None else int(newest.version) + 1
        # Two processes storing one new version at once: the first one's row stays.
        row = {"business_id": business.id, "version": version, "settings": settings}
        self._insert_ignoring_duplicates(
            _businesses, [{**row, "created_at": at}], ["business_id", "version"]
        )
        return version

    def get_business(self, business_id: str) -> Business | None:
        settings = self._run(
            sa.select(_businesses.c.settings)
            .where(_businesses.c.business_id == business_id)
            .order_by(_businesses.c.version.desc())
            .limit(1)
        ).scalar()
        return None if settings is None else business_from_json(settings)

    def business_ids(self) -> list[str]:
        query = sa.select(_businesses.c.business_id).distinct().order_by(_businesses.c.business_id)
        return [str(business_id) for business_id in self._run(query).scalars()]

    def insert_template_revision(self, revision: TemplateRevision) -> None:
        self._run(_revisions.insert(), _REVISION.values(revision))

    def latest_template(self, business_id: str, kind: str, locale: str) -> TemplateRevision | None:
        row = self._run(
            sa.select(_revisions)
            .where(
                _revisions.c.business_id == business_id,
                _revisions.c.kind == kind,
                _revisions.c.locale == locale,
                sa.not_(_revisions.c.one_off),
            )
            .order_by(_revisions.c.seq.desc())
            .limit(1)
        ).first()
        return None if row is None else _REVISION.load(row._mapping)

    def get_template_revision(self, business_id: str, rev_id: str) -> TemplateRevision | None:
        row = self._run(
            sa.select(_revisions).where(
                _revisions.c.business_id == business_id, _revisions.c.id == rev_id
            )
        ).first()
        return None if row is None else _REVISION.load(row._mapping)
