"""The privacy methods of the memory store's transactions: erasure, purge, sign-ups by address.

A part of ``invitekit.adapters.memory`` (see :class:`~invitekit.adapters.memory.MemoryStore`),
in a module of its own for length.  The rules are :mod:`invitekit.privacy`'s.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

import attrs

from invitekit.events import Event
from invitekit.exceptions import ConcurrentUpdate
from invitekit.model import EventNote, OutboxMessage, OutboxState, Registration
from invitekit.privacy import (
    PurgeCutoffs,
    PurgeReport,
    address_key,
    anonymised_detail,
    attempt_keys,
    is_campaign_mail,
    kept_after_erasure,
    scrubbed_error,
)

if TYPE_CHECKING:
    from invitekit.adapters.memory import MemoryStore

__all__: list[str] = []


class _Privacy:
    """The privacy methods of :class:`_MemoryTransaction` (a part of it)."""

    _s: MemoryStore
    _undo: list[Callable[[], None]]
    _missing: Any  # the memory store's marker of a key to remove, for _set

    def _set(self, table: dict[Any, Any], key: Any, value: Any) -> None:
        raise NotImplementedError  # _MemoryTransaction's

    def _write_outbox(self, message: OutboxMessage) -> None:
        raise NotImplementedError  # _MemoryTransaction's

    def registrations_for(self, business_id: str, email_key: str) -> list[Registration]:
        found = [
            r
            for (b, _), r in self._s._registrations.items()
            if b == business_id and r.email_key == email_key
        ]
        return sorted(found, key=lambda r: (r.created_at, r.id))

    # Erasure -----------------------------------------------------------------------------

    def erase_customer(
        self, business_id: str, customer_id: str, *, email_keys: Collection[str], now: datetime
    ) -> None:
        s, gone = self._s, self._missing
        keys = set(email_keys)
        own = [
            m
            for m in s._outbox.values()
            if m.business_id == business_id and m.customer_id == customer_id
        ]
        if any(
            m.state.waiting and m.claimed_until is not None and m.claimed_until >= now for m in own
        ):
            raise ConcurrentUpdate(
                "an email to this customer is being sent right now: try again once its "
                "worker's claim has ended"
            )
        confirmed = {m.registration_id for m in own if m.registration_id is not None}
        signups = [
            key
            for key, r in s._registrations.items()
            if key[0] == business_id and (r.email_key in keys or r.id in confirmed)
        ]
        signup_ids = {registration_id for _, registration_id in signups}
        strangers = [
            m
            for m in s._outbox.values()
            if m.business_id == business_id
            and m.customer_id is None
            and (m.registration_id in signup_ids or address_key(m.recipient) in keys)
        ]
        for message in [*own, *strangers]:
            self._scrub_outbox(message, erased=True)
        for key in signups:
            self._set(s._registrations, key, gone)
        for attempt_key in attempt_keys(keys):
            self._set(s._login_failures, (business_id, attempt_key), gone)
        for group_id in s._memberships.get((business_id, customer_id), ()):
            members = s._members.get((business_id, group_id), frozenset())
            self._set(s._members, (business_id, group_id), members - {customer_id})
        self._set(s._memberships, (business_id, customer_id), gone)
        for linked, identity in list(s._identities.items()):
            if linked[0] == business_id and identity.customer_id == customer_id:
                self._set(s._identities, linked, gone)
        self._set(s._email_changes, (business_id, customer_id), gone)
        events = s._events.get((business_id, customer_id), ())
        fates = [
            attrs.evolve(e, detail=anonymised_detail(e)) if kept_after_erasure(e) else None
            for e in events
        ]
        kept = tuple(e for e in fates if e is not None)
        self._set(s._events, (business_id, customer_id), kept or gone)
        self._refeed(business_id, {customer_id: fates})
        customer = s._customers.get((business_id, customer_id))
        if customer is None:
            return
        self._set(s._customers, (business_id, customer_id), gone)
        self._set(s._email_index, (business_id, customer.email_key), gone)
        order = s._customer_order.get(business_id, [])
        position = order.index(customer_id)
        del order[position]
        self._undo.append(lambda: order.insert(position, customer_id))

    def _scrub_outbox(self, message: OutboxMessage, *, erased: bool) -> None:
        """``message`` without address, claim or server text; withdrawn if it was waiting."""
        if message.state.waiting and erased:
            self._write_outbox(
                attrs.evolve(
                    message,
                    state=OutboxState.CANCELLED,
                    claimed_until=None,
                    recipient=None,
                    last_error=EventNote.CUSTOMER_ERASED.value,
                )
            )
            return
        # A finished row: nothing of the outbox's indexes changes (see _write_outbox).
        scrubbed = attrs.evolve(
            message,
            claimed_until=None,
            recipient=None,
            last_error=scrubbed_error(message.last_error),
        )
        self._set(self._s._outbox, message.id, scrubbed)
        self._set(self._s._claims, message.id, self._missing)

    # Purge -------------------------------------------------------------------------------

    def purge(self, business_id: str, cutoffs: PurgeCutoffs, *, limit: int) -> PurgeReport:
        s, gone = self._s, self._missing
        signups = [
            key
            for key, r in s._registrations.items()
            if key[0] == business_id and r.created_at < cutoffs.signups
        ][:limit]
        for key in signups:
            self._set(s._registrations, key, gone)
        purged = {registration_id for _, registration_id in signups}
        for m in list(s._outbox.values()):
            if m.business_id == business_id and m.registration_id in purged and m.state.waiting:
                self._write_outbox(
                    attrs.evolve(
                        m,
                        state=OutboxState.CANCELLED,
                        claimed_until=None,
                        last_error=EventNote.SIGNUP_GONE.value,
                    )
                )
        changes = [
            key
            for key, change in s._email_changes.items()
            if key[0] == business_id and change.requested_at < cutoffs.signups
        ][:limit]
        for key in changes:
            self._set(s._email_changes, key, gone)
        return PurgeReport(
            signups=len(signups),
            email_changes=len(changes),
            attempts=self._purge_attempts(business_id, cutoffs.attempts, limit),
            **self._purge_outbox(business_id, cutoffs.messages, limit),
            **self._purge_events(business_id, cutoffs.events, limit),
        )

    def _purge_attempts(self, business_id: str, before: datetime, limit: int) -> int:
        table, left = self._s._login_failures, limit
        for key, attempts in list(table.items()):
            if key[0] != business_id or left == 0:
                continue
            old = {number for number, at in attempts if at < before}
            dropped = set(sorted(old)[:left])
            if dropped:
                kept = tuple(a for a in attempts if a[0] not in dropped)
                self._set(table, key, kept or self._missing)
                left -= len(dropped)
        return limit - left

    def _purge_outbox(self, business_id: str, before: datetime, limit: int) -> dict[str, int]:
        s = self._s
        deleted: list[str] = []
        scrubbed = 0
        for message_id in s._outbox_order:
            m = s._outbox[message_id]
            if m.business_id != business_id or m.state.waiting:
                continue
            if (m.sent_at or m.not_before) >= before:
                continue
            if not is_campaign_mail(m.kind):
                if len(deleted) < limit:
                    deleted.append(m.id)
            elif scrubbed < limit and (
                m.recipient is not None or scrubbed_error(m.last_error) != m.last_error
            ):
                self._scrub_outbox(m, erased=False)
                scrubbed += 1
        if deleted:
            order, old_order = s._outbox_order, list(s._outbox_order)
            for message_id in deleted:
                self._set(s._outbox, message_id, self._missing)
                self._set(s._claims, message_id, self._missing)
            dropped = set(deleted)
            order[:] = [i for i in order if i not in dropped]
            self._undo.append(lambda: order.__setitem__(slice(None), old_order))
        return {"messages_deleted": len(deleted), "messages_scrubbed": scrubbed}

    def _purge_events(
        self, business_id: str, before: datetime | None, limit: int
    ) -> dict[str, int]:
        deleted = scrubbed = 0
        if before is None:
            return {"events_deleted": 0, "events_scrubbed": 0}
        table = self._s._events
        changed: dict[str | None, list[Event | None]] = {}
        for key, events in list(table.items()):
            if key[0] != business_id:
                continue
            fates: list[Event | None] = []
            for e in events:
                if e.at < before and e.campaign_id is None and deleted < limit:
                    deleted += 1
                    fates.append(None)
                    continue
                detail = anonymised_detail(e)
                old = e.at < before and e.campaign_id is not None
                if old and detail != e.detail and scrubbed < limit:
                    scrubbed += 1
                    fates.append(attrs.evolve(e, detail=detail))
                else:
                    fates.append(e)
            kept = tuple(e for e in fates if e is not None)
            if kept != events:
                self._set(table, key, kept or self._missing)
                changed[key[1]] = fates
        self._refeed(business_id, changed)
        return {"events_deleted": deleted, "events_scrubbed": scrubbed}

    def _refeed(
        self, business_id: str, fates: Mapping[str | None, Sequence[Event | None]]
    ) -> None:
        """Make the business's feed say what ``_events`` now says of the ``fates`` customers.

        ``fates[customer]`` holds, for each of the customer's events as they were
        (in order), what became of it: ``None`` (deleted) or the event now.  The
        feed holds each customer's events in that same order (``add_events``
        appends to both), at their positions, which do not change.
        """
        feed = self._s._feed.get(business_id)
        if not feed or not fates:
            return
        seen: dict[str | None, int] = {}
        rewritten = []
        for item in feed:
            customer = item.event.customer_id
            if customer not in fates:
                rewritten.append(item)
                continue
            n = seen[customer] = seen.get(customer, -1) + 1
            now = fates[customer][n] if n < len(fates[customer]) else item.event
            if now is item.event:
                rewritten.append(item)
            elif now is not None:
                rewritten.append(attrs.evolve(item, event=now))
        self._set(self._s._feed, business_id, rewritten)
