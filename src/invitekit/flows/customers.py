"""Customers and groups: adding, importing, changing, archiving, reading."""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Mapping

import attrs

from invitekit import transitions
from invitekit.access import can_use_portal as portal_rule
from invitekit.addresses import parse_email
from invitekit.audience import Audience, SkipReason
from invitekit.campaigns import audience_label, clean_actor
from invitekit.exceptions import DuplicateCustomer, DuplicateGroup, InvalidName, InvitationRefused
from invitekit.flows import campaigns
from invitekit.flows.context import Context
from invitekit.i18n import clean_locale
from invitekit.ids import new_id
from invitekit.importing import ImportReport, RowError, parse_customers_csv
from invitekit.model import (
    Customer,
    Event,
    EventKind,
    EventNote,
    Group,
    Status,
    clean_name,
    storable,
)

__all__ = [
    "add_customer",
    "add_to_group",
    "archive_customer",
    "can_use_portal",
    "create_group",
    "find_customer",
    "get_customer",
    "history",
    "import_customers",
    "list_customers",
    "list_groups",
    "restore_customer",
    "status_counts",
    "update_customer",
]


def add_customer(
    ctx: Context,
    email: str,
    *,
    first_name: str | None,
    last_name: str | None,
    locale: str | None,
    invite: bool,
    groups: Iterable[str],
    auth_provider: str | None,
) -> Customer:
    """Add a customer, optionally with groups, an external provider and an invitation."""
    address = parse_email(email)
    provider = clean_name(auth_provider, field="auth_provider")
    now = ctx.clock.now()
    customer = ctx.new_customer(
        email=address.address,
        email_key=address.key,
        now=now,
        first_name=clean_name(first_name, field="first_name"),
        last_name=clean_name(last_name, field="last_name"),
        locale=clean_locale(locale),
    )
    if provider is not None:
        customer = attrs.evolve(
            customer, auth_provider=provider.lower(), status=Status.ACCEPTED, accepted_at=now
        )
        if invite:
            raise InvitationRefused(
                f"cannot invite {address.address}: {SkipReason.ACCEPTED.message}",
                reason=SkipReason.ACCEPTED,
                customer_id=customer.id,
            )
    with ctx.store.transaction() as tx:
        existing = tx.find_customer(ctx.business.id, address.key)
        if existing is not None:
            raise DuplicateCustomer(
                f"{address.address} is already a customer", existing_id=existing.id
            )
        group_ids = [ctx.group(tx, name).id for name in groups]
        tx.insert_customer(customer)
        for group_id in group_ids:
            tx.add_group_members(ctx.business.id, group_id, [customer.id])
        tx.add_events([ctx.event(customer, EventKind.ADDED, now)])
        if provider is not None:
            tx.add_events(
                [
                    ctx.event(
                        customer, EventKind.ACCEPTED, now, f"{EventNote.SIGNS_IN_WITH} {provider}"
                    )
                ]
            )
        if invite:
            label = audience_label(Audience.customer(customer.id))
            campaigns.queue_one(
                ctx, tx, customer, now, campaigns.new_campaign(ctx, now, label, None)
            )
    return customer


def import_customers(
    ctx: Context, source: str | Iterable[str], *, group: str | None, invite: bool
) -> ImportReport:
    """Add the customers of a CSV export, batch by batch (see ``InviteKit.import_customers``)."""
    rows, errors = parse_customers_csv(source)
    extra = () if group is None else (group,)
    for name in {n for row in rows for n in (*row.groups, *extra)}:
        _ensure_group(ctx, name)
    added: list[str] = []
    existing: list[RowError] = []
    queued = 0
    size = ctx.outbox.batch_size
    campaign = campaigns.new_campaign(ctx, ctx.clock.now(), "import", None)
    campaign_stored = False
    for start in range(0, len(rows), size):
        with ctx.store.transaction() as tx:
            now = ctx.clock.now()
            groups = {g.name.casefold(): g.id for g in tx.list_groups(ctx.business.id)}
            new: list[Customer] = []
            for row in rows[start : start + size]:
                found = tx.find_customer(ctx.business.id, row.email_key)
                if found is not None:
                    existing.append(
                        RowError(line=row.line, message=f"{row.email} is already a customer")
                    )
                    continue
                customer = ctx.new_customer(
                    email=row.email,
                    email_key=row.email_key,
                    now=now,
                    first_name=row.first_name,
                    last_name=row.last_name,
                    locale=row.locale,
                )
                tx.insert_customer(customer)
                for name in (*row.groups, *extra):
                    tx.add_group_members(ctx.business.id, groups[name.casefold()], [customer.id])
                new.append(customer)
            tx.add_events([ctx.event(c, EventKind.ADDED, now, EventNote.IMPORTED) for c in new])
            if invite and new:
                if not campaign_stored:
                    tx.insert_campaign(campaign)
                queued += len(new) - len(campaigns.queue_many(ctx, tx, new, now, campaign, None))
            campaign_stored = campaign_stored or (invite and bool(new))
            added += [c.id for c in new]
    return ImportReport(
        added=tuple(added),
        existing=tuple(existing),
        errors=tuple(errors),
        queued=queued,
        campaign_id=campaign.id if campaign_stored else None,
    )


def _ensure_group(ctx: Context, name: str) -> None:
    with ctx.store.transaction() as tx:
        if tx.find_group(ctx.business.id, name) is not None:
            return
    with contextlib.suppress(DuplicateGroup):  # created meanwhile by someone else: fine
        create_group(ctx, name)


def get_customer(ctx: Context, customer_id: str) -> Customer:
    """The customer with this id (raises ``CustomerNotFound``)."""
    with ctx.store.transaction(readonly=True) as tx:
        return ctx.customer(tx, customer_id)


def find_customer(ctx: Context, email: str) -> Customer | None:
    """The customer with this address, or ``None``."""
    key = parse_email(email).key
    with ctx.store.transaction(readonly=True) as tx:
        return tx.find_customer(ctx.business.id, key)


def list_customers(
    ctx: Context, *, status: Status | None, group: str | None, archived: bool | None
) -> list[Customer]:
    """Customers in creation order, filtered."""
    with ctx.store.transaction(readonly=True) as tx:
        group_id = None if group is None else ctx.group(tx, group).id
        return tx.list_customers(
            ctx.business.id, status=status, archived=archived, group_id=group_id
        )


def update_customer(
    ctx: Context,
    customer_id: str,
    *,
    email: str | None,
    changes: Mapping[str, str | None],
    by: str | None,
) -> Customer:
    """Change names or locale (``changes``, already cleaned) and/or the address."""
    address = None if email is None else parse_email(email)
    by = clean_actor(by)
    with ctx.store.transaction() as tx:
        now = ctx.clock.now()
        current = ctx.customer(tx, customer_id)
        updated, events = current, []
        if changes:
            updated = transitions.rename(updated, now=now, **changes)
            events.append(ctx.event(current, EventKind.UPDATED, now, ", ".join(changes), by=by))
        if address is not None and address.address != current.email:
            if address.key != current.email_key:
                other = tx.find_customer(ctx.business.id, address.key)
                if other is not None:
                    raise DuplicateCustomer(
                        f"{address.address} is already a customer", existing_id=other.id
                    )
            updated = transitions.change_email(updated, now=now, email=address)
            events.append(ctx.event(current, EventKind.EMAIL_CHANGED, now, current.email, by=by))
            events += campaigns.cancel_pending(ctx, tx, current, now, EventNote.EMAIL_CHANGED)
        if updated is current:
            return current
        tx.update_customer(
            attrs.evolve(updated, version=current.version + 1),
            expected_version=current.version,
        )
        tx.add_events(events)
        return attrs.evolve(updated, version=current.version + 1)


def archive_customer(ctx: Context, customer_id: str, *, by: str | None) -> Customer:
    """Archive a customer; a queued invitation is withdrawn."""
    by = clean_actor(by)
    with ctx.store.transaction() as tx:
        now = ctx.clock.now()
        current = ctx.customer(tx, customer_id)
        if current.archived:
            return current
        updated = transitions.archive(current, now=now)
        tx.update_customer(updated, expected_version=current.version)
        events = campaigns.cancel_pending(ctx, tx, current, now, EventNote.CUSTOMER_ARCHIVED)
        tx.add_events([*events, ctx.event(current, EventKind.ARCHIVED, now, by=by)])
        return updated


def restore_customer(ctx: Context, customer_id: str, *, by: str | None) -> Customer:
    """Bring an archived customer back with the status they had."""
    by = clean_actor(by)
    with ctx.store.transaction() as tx:
        now = ctx.clock.now()
        current = ctx.customer(tx, customer_id)
        if not current.archived:
            return current
        updated = transitions.restore(current, now=now)
        tx.update_customer(updated, expected_version=current.version)
        tx.add_events([ctx.event(current, EventKind.RESTORED, now, by=by)])
        return updated


def history(ctx: Context, customer_id: str) -> list[Event]:
    """A customer's event log, oldest first."""
    with ctx.store.transaction(readonly=True) as tx:
        ctx.customer(tx, customer_id)
        return tx.list_events(ctx.business.id, customer_id)


def can_use_portal(ctx: Context, customer_id: str) -> bool:
    """Whether the customer may see their bookings (an unknown id may not)."""
    if not storable(customer_id):
        return False
    with ctx.store.transaction(readonly=True) as tx:
        customer = tx.get_customer(ctx.business.id, customer_id)
    return customer is not None and portal_rule(customer)


def status_counts(ctx: Context) -> dict[Status, int]:
    """How many active (non-archived) customers have each status."""
    with ctx.store.transaction(readonly=True) as tx:
        return tx.count_customers(ctx.business.id)


def create_group(ctx: Context, name: str) -> Group:
    """Create a named group of customers."""
    clean = clean_name(name, field="group name")
    if clean is None:
        raise InvalidName("a group needs a name", field="name", code="empty")
    group = Group(
        id=new_id("grp"), business_id=ctx.business.id, name=clean, created_at=ctx.clock.now()
    )
    with ctx.store.transaction() as tx:
        tx.insert_group(group)
    return group


def add_to_group(ctx: Context, name: str, customer_ids: Iterable[str]) -> None:
    """Add customers to the group called ``name``; all or nothing."""
    ids = list(dict.fromkeys(customer_ids))
    with ctx.store.transaction() as tx:
        group = ctx.group(tx, name)
        now = ctx.clock.now()
        customers = [ctx.customer(tx, customer_id) for customer_id in ids]
        tx.add_group_members(ctx.business.id, group.id, ids)
        tx.add_events([ctx.event(c, EventKind.GROUP_JOINED, now, group.name) for c in customers])


def list_groups(ctx: Context) -> list[Group]:
    """Every group of the business, by name."""
    with ctx.store.transaction(readonly=True) as tx:
        return tx.list_groups(ctx.business.id)
