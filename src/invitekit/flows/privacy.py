"""Privacy requests and retention: export a customer, erase one, purge what is past retention.

The rules are :mod:`invitekit.privacy`'s; each Store applies them to every kind of
record it keeps (:meth:`~invitekit.ports.Transaction.erase_customer`,
:meth:`~invitekit.ports.Transaction.purge`).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import attrs

from invitekit.campaigns import clean_actor
from invitekit.flows.context import Context
from invitekit.model import EventKind, Registration
from invitekit.ports import Store, Transaction
from invitekit.privacy import PurgeReport, Retention, export_document
from invitekit.throttle import email_key, mail_key

__all__ = ["erase_customer", "export_customer", "purge", "purge_all"]

_EVER = datetime(1970, 1, 1, tzinfo=UTC)


def export_customer(ctx: Context, customer_id: str) -> dict[str, Any]:
    """Everything stored about a customer, read in one consistent transaction."""
    business_id = ctx.business.id
    with ctx.store.transaction(readonly=True) as tx:
        customer = ctx.customer(tx, customer_id)
        group_ids = set(tx.group_ids_of(business_id, customer.id))
        events = tx.list_events(business_id, customer.id)
        messages = [
            ctx.resolved(m, customer) for m in tx.list_outbox(business_id, customer_id=customer.id)
        ]
        bound = {m.registration_id for m in messages if m.registration_id is not None}
        key = customer.email_key
        return export_document(
            customer,
            groups=[g for g in tx.list_groups(business_id) if g.id in group_ids],
            events=events,
            messages=messages,
            login_failures=tx.attempt_times(business_id, email_key(key), since=_EVER),
            mail_requests=tx.attempt_times(business_id, mail_key(key), since=_EVER),
            signups=_signups(tx, business_id, key, bound),
            exported_at=ctx.clock.now(),
            identities=tx.identities_of(business_id, customer.id),
            email_change=tx.get_email_change(business_id, customer.id),
        )


def _signups(
    tx: Transaction, business_id: str, email_key: str, bound: set[str]
) -> list[Registration]:
    """The sign-ups for the customer's address, and those their own emails confirm."""
    found = {r.id: r for r in tx.registrations_for(business_id, email_key)}
    for registration_id in sorted(bound - set(found)):
        registration = tx.get_registration(business_id, registration_id)
        if registration is not None:
            found[registration_id] = registration
    return sorted(found.values(), key=lambda r: (r.created_at, r.id))


def erase_customer(ctx: Context, customer_id: str, *, by: str | None) -> None:
    """Remove every personal datum of a customer, in one transaction; record ``ERASED``."""
    by = clean_actor(by)
    business_id = ctx.business.id
    with ctx.store.transaction() as tx:
        now = ctx.clock.now()
        customer = ctx.customer(tx, customer_id)
        # The current address, and the one a pending email change asks for: both the
        # customer's own.  An address they left may be someone else's now.
        keys = [customer.email_key]
        if (change := tx.get_email_change(business_id, customer.id)) is not None:
            keys.append(change.email_key)
        tx.erase_customer(business_id, customer.id, email_keys=keys, now=now)
        tx.add_events([ctx.event(customer, EventKind.ERASED, now, by=by)])


def purge(store: Store, business_id: str, retention: Retention, *, now: datetime) -> PurgeReport:
    """Remove what of a business is past ``retention`` as of ``now``, a transaction a batch."""
    cutoffs = retention.cutoffs(now)
    total = PurgeReport()
    while True:
        with store.transaction() as tx:
            batch = tx.purge(business_id, cutoffs, limit=retention.batch_size)
        total += batch
        # A full batch of any kind may have left more of it behind.
        if max(attrs.astuple(batch)) < retention.batch_size:
            return total


def purge_all(store: Store, retention: Retention, *, now: datetime) -> PurgeReport:
    """:func:`purge` every business whose settings the store holds; the sum of their reports."""
    with store.transaction(readonly=True) as tx:
        business_ids = tx.business_ids()
    total = PurgeReport()
    for business_id in business_ids:
        total += purge(store, business_id, retention, now=now)
    return total
