"""The privacy methods of the SQL store's transactions: erasure, purge, sign-ups by address.

The rules are :mod:`invitekit.privacy`'s.  Erasure covers every table of the
store: a table added later extends :meth:`Privacy.erase_customer` (and the
whole-database search in ``tests/contract/test_erasure.py`` fails until it does).
Purge works in batches: it selects at most ``limit`` keys of each kind of
record, then deletes or updates those rows by key (MariaDB allows no ``LIMIT``
in an ``IN`` subquery).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from invitekit.adapters.sql._errors import _code, storage_error
from invitekit.adapters.sql._schema import metadata
from invitekit.adapters.sql._tables import (
    _EVENT,
    _REGISTRATION,
    _chunks,
    _customers,
    _events,
    _login_failures,
    _members,
    _outbox,
    _registrations,
)
from invitekit.exceptions import ConcurrentUpdate
from invitekit.model import EventNote, MessageKind, OutboxState, Registration
from invitekit.privacy import (
    PurgeCutoffs,
    PurgeReport,
    address_key,
    anonymised_detail,
    attempt_keys,
    kept_after_erasure,
)

__all__ = ["Privacy"]

_WAITING = [OutboxState.PENDING.value, OutboxState.PAUSED.value]
_NOTES = [note.value for note in EventNote]
_CAMPAIGN_MAIL = [MessageKind.INVITATION.value, MessageKind.REMINDER.value]
# Event details already as anonymous as they get (see anonymised_detail).
_ANONYMOUS = [*_NOTES, "", "hard:", "soft:", "complaint:"]
_o = _outbox.c
_identities = metadata.tables["invitekit_identities"]
_email_changes = metadata.tables["invitekit_email_changes"]
# "Could not lock at once" (NOWAIT): PostgreSQL's SQLSTATE, MariaDB's and MySQL's errors.
_LOCKED = {"SQLSTATE 55P03", "error 1205", "error 3572"}


def _busy() -> ConcurrentUpdate:
    return ConcurrentUpdate(
        "an email to this customer is being sent right now: try again once its "
        "worker's claim has ended"
    )


def _scrubbed_error() -> sa.ColumnElement[Any]:
    """``last_error`` as :func:`~invitekit.privacy.scrubbed_error` leaves it, in SQL."""
    return sa.case((_o.last_error.in_(_NOTES), _o.last_error), else_=sa.null())


class Privacy:
    """Erasure and purge of the SQL store's transactions.

    A part of ``_SQLTransaction``, which provides how a statement runs.
    """

    _run: Callable[..., sa.CursorResult[Any]]
    _conn: sa.Connection

    def registrations_for(self, business_id: str, email_key: str) -> list[Registration]:
        r = _registrations.c
        rows = self._run(
            sa.select(_registrations)
            .where(r.business_id == business_id, r.email_key == email_key)
            .order_by(r.created_at, r.id)
        )
        return [_REGISTRATION.load(row._mapping) for row in rows]

    # Erasure -----------------------------------------------------------------------------

    def erase_customer(
        self, business_id: str, customer_id: str, *, email_keys: Collection[str], now: datetime
    ) -> None:
        keys = sorted(set(email_keys))
        own = self._lock_messages(business_id, customer_id)
        if any(r.state in _WAITING and r.claimed_until and r.claimed_until >= now for r in own):
            raise _busy()
        confirmed = [row.registration_id for row in own if row.registration_id is not None]
        r = _registrations.c
        signup_ids = list(
            self._run(
                sa.select(r.id).where(
                    r.business_id == business_id,
                    sa.or_(r.email_key.in_(keys), r.id.in_(confirmed)),
                )
            ).scalars()
        )
        strangers = self._run(
            sa.select(_o.id, _o.recipient, _o.registration_id).where(
                _o.business_id == business_id,
                _o.customer_id.is_(None),
                sa.or_(
                    # Only the rows to the domains of ``keys`` are read (stored
                    # addresses have their domain as the canonical form has it).
                    *(
                        _o.recipient.endswith(f"@{k.rpartition('@')[2]}", autoescape=True)
                        for k in keys
                    ),
                    _o.registration_id.in_(signup_ids),
                ),
            )
        ).all()
        ids = [row.id for row in own] + [
            row.id
            for row in strangers
            if row.registration_id in signup_ids or address_key(row.recipient) in keys
        ]
        for chunk in _chunks(ids):
            self._run(
                _outbox.update()
                .where(_o.id.in_(chunk), _o.state.in_(_WAITING))
                .values(
                    state=OutboxState.CANCELLED.value,
                    pending_kind=None,
                    claim_token=None,
                    claimed_until=None,
                    recipient=None,
                    last_error=EventNote.CUSTOMER_ERASED.value,
                )
            )
            self._scrub_outbox(_o.id.in_(chunk), _o.state.not_in(_WAITING))
        for chunk in _chunks(signup_ids):
            self._run(_registrations.delete().where(r.business_id == business_id, r.id.in_(chunk)))
        a = _login_failures.c
        self._run(
            _login_failures.delete().where(
                a.business_id == business_id, a.key.in_(attempt_keys(keys))
            )
        )
        m = _members.c
        self._run(
            _members.delete().where(m.business_id == business_id, m.customer_id == customer_id)
        )
        i = _identities.c
        self._run(
            _identities.delete().where(i.business_id == business_id, i.customer_id == customer_id)
        )
        e = _email_changes.c
        self._run(
            _email_changes.delete().where(
                e.business_id == business_id, e.customer_id == customer_id
            )
        )
        self._erase_events(business_id, customer_id)
        c = _customers.c
        self._run(_customers.delete().where(c.business_id == business_id, c.id == customer_id))

    def _lock_messages(self, business_id: str, customer_id: str) -> Sequence[Any]:
        """Lock the customer, then their outbox rows; their rows (id, state, claim, sign-up).

        The customer first, as every writer of a customer and its messages does
        (accepting, archiving): erasure waits for those.  The messages without
        waiting (``NOWAIT``): one locked is being claimed or recorded by a worker
        (which locks the message, then the customer), so erasure gives way at
        once rather than deadlock; SQLite's one writer needs neither.
        """
        c = _customers.c
        self._run(
            sa.select(c.id)
            .where(c.business_id == business_id, c.id == customer_id)
            .with_for_update()
        )
        query = (
            sa.select(_o.id, _o.state, _o.claimed_until, _o.registration_id)
            .where(_o.business_id == business_id, _o.customer_id == customer_id)
            .with_for_update(nowait=True)
        )
        failure: Exception
        try:
            return self._conn.execute(query).all()
        except sa.exc.SQLAlchemyError as err:
            locked = _code(getattr(err, "orig", None) or err) in _LOCKED
            failure = _busy() if locked else storage_error("a database statement failed", err)
        raise failure  # out of the except block: the driver's error is not its context

    def _scrub_outbox(self, *where: sa.ColumnElement[bool]) -> int:
        """Remove the address, the claim and server text of finished rows matching ``where``."""
        done = self._run(
            _outbox.update()
            .where(*where)
            .values(
                claim_token=None,
                claimed_until=None,
                recipient=None,
                last_error=_scrubbed_error(),
            )
        )
        return int(done.rowcount)

    def _erase_events(self, business_id: str, customer_id: str) -> None:
        e = _events.c
        whose = (e.business_id == business_id, e.customer_id == customer_id)
        self._run(_events.delete().where(*whose, e.campaign_id.is_(None)))
        for row in self._run(sa.select(_events).where(*whose)).all():
            event = _EVENT.load(row._mapping)
            assert kept_after_erasure(event)  # the others were deleted just above
            self._anonymise_event(row.seq, event.detail, anonymised_detail(event))

    def _anonymise_event(self, seq: int, detail: str, anonymous: str) -> bool:
        if anonymous == detail:
            return False
        self._run(_events.update().where(_events.c.seq == seq).values(detail=anonymous))
        return True

    # Purge -------------------------------------------------------------------------------

    def purge(self, business_id: str, cutoffs: PurgeCutoffs, *, limit: int) -> PurgeReport:
        r = _registrations.c
        signups = self._keys(
            r.id, limit, r.business_id == business_id, r.created_at < cutoffs.signups
        )
        if signups:
            self._run(
                _registrations.delete().where(r.business_id == business_id, r.id.in_(signups))
            )
            self._run(
                _outbox.update()
                .where(
                    _o.business_id == business_id,
                    _o.registration_id.in_(signups),
                    _o.state.in_(_WAITING),
                )
                .values(
                    state=OutboxState.CANCELLED.value,
                    pending_kind=None,
                    claim_token=None,
                    claimed_until=None,
                    last_error=EventNote.SIGNUP_GONE.value,
                )
            )
        a = _login_failures.c
        attempts = self._keys(a.seq, limit, a.business_id == business_id, a.at < cutoffs.attempts)
        if attempts:
            self._run(_login_failures.delete().where(a.seq.in_(attempts)))
        e = _email_changes.c
        changes = self._keys(
            e.customer_id, limit, e.business_id == business_id, e.requested_at < cutoffs.signups
        )
        if changes:
            self._run(
                _email_changes.delete().where(
                    e.business_id == business_id, e.customer_id.in_(changes)
                )
            )
        return PurgeReport(
            signups=len(signups),
            email_changes=len(changes),
            attempts=len(attempts),
            **self._purge_outbox(business_id, cutoffs.messages, limit),
            **self._purge_events(business_id, cutoffs.events, limit),
        )

    def _keys(
        self, column: sa.Column[Any], limit: int, *where: sa.ColumnElement[bool]
    ) -> list[Any]:
        return list(self._run(sa.select(column).where(*where).limit(limit)).scalars())

    def _purge_outbox(self, business_id: str, before: datetime, limit: int) -> dict[str, int]:
        finished = (
            _o.business_id == business_id,
            _o.state.not_in(_WAITING),
            sa.func.coalesce(_o.sent_at, _o.not_before, _o.created_at) < before,
        )
        deleted = self._keys(_o.id, limit, *finished, _o.kind.not_in(_CAMPAIGN_MAIL))
        if deleted:
            self._run(_outbox.delete().where(_o.id.in_(deleted)))
        scrub = self._keys(
            _o.id,
            limit,
            *finished,
            _o.kind.in_(_CAMPAIGN_MAIL),
            sa.or_(
                _o.recipient.is_not(None),
                sa.and_(_o.last_error.is_not(None), _o.last_error.not_in(_NOTES)),
            ),
        )
        if scrub:
            self._scrub_outbox(_o.id.in_(scrub))
        return {"messages_deleted": len(deleted), "messages_scrubbed": len(scrub)}

    def _purge_events(
        self, business_id: str, before: datetime | None, limit: int
    ) -> dict[str, int]:
        if before is None:
            return {"events_deleted": 0, "events_scrubbed": 0}
        e = _events.c
        old = (e.business_id == business_id, e.at < before)
        deleted = self._keys(e.seq, limit, *old, e.campaign_id.is_(None))
        if deleted:
            self._run(_events.delete().where(e.seq.in_(deleted)))
        candidates = self._run(
            sa.select(_events)
            .where(
                *old,
                e.campaign_id.is_not(None),
                e.detail.not_in(_ANONYMOUS),
                sa.not_(e.detail.startswith(f"{EventNote.SIGNS_IN_WITH} ", autoescape=True)),
            )
            .limit(limit)
        ).all()
        scrubbed = sum(
            self._anonymise_event(
                row.seq, row.detail, anonymised_detail(_EVENT.load(row._mapping))
            )
            for row in candidates
        )
        return {"events_deleted": len(deleted), "events_scrubbed": scrubbed}
