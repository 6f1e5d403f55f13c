"""In-memory adapters: a transactional, thread-safe Store and an inspectable Mailer.

They are production-grade for a single process (an embedded app, a test suite):
:class:`MemoryStore` serialises transactions with a lock and undoes every change
of a transaction that raises, so it behaves exactly like the SQL store, which the
shared contract tests check.
"""

from __future__ import annotations

import bisect
import itertools
import threading
from collections.abc import Callable, Collection, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from typing import Any

import attrs

from invitekit.adapters._memory_campaigns import _Campaigns
from invitekit.adapters._memory_email_change import _EmailChanges
from invitekit.adapters._memory_feed import _Feed
from invitekit.adapters._memory_identities import _Identities
from invitekit.adapters._memory_privacy import _Privacy
from invitekit.adapters._readonly import read_only
from invitekit.email_change import EmailChange
from invitekit.exceptions import (
    ConcurrentUpdate,
    DuplicateCustomer,
    DuplicateGroup,
    PermanentDeliveryError,
    StorageError,
)
from invitekit.feed import FeedEvent
from invitekit.funnel import Campaign
from invitekit.identities import Identity
from invitekit.model import (
    Business,
    Customer,
    Email,
    Event,
    Group,
    MessageKind,
    OutboxMessage,
    OutboxState,
    Registration,
    Status,
    TemplateRevision,
)
from invitekit.ports import Transaction
from invitekit.text import quoted
from invitekit.webhooks import Webhook

__all__ = ["MemoryMailer", "MemoryStore"]

_MISSING: Any = object()


class MemoryStore:
    """A Store that keeps everything in this process's memory.

    Implements :class:`~invitekit.ports.Store`.  One transaction runs at a time
    (others wait); a transaction that raises leaves no trace.  Data lives as long
    as the object: a "restart" is handing the same object to a new
    :class:`~invitekit.InviteKit`.
    """

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._active: threading.local = threading.local()
        # Every table is a dict so that one undo journal covers them all.
        self._customers: dict[tuple[str, str], Customer] = {}
        self._customer_order: dict[str, list[str]] = {}
        self._email_index: dict[tuple[str, str], str] = {}
        self._groups: dict[tuple[str, str], Group] = {}
        self._group_names: dict[tuple[str, str], str] = {}
        self._members: dict[tuple[str, str], frozenset[str]] = {}
        self._memberships: dict[tuple[str, str], frozenset[str]] = {}
        self._businesses: dict[str, tuple[Business, ...]] = {}  # every version, oldest first
        self._revisions: dict[tuple[str, str], TemplateRevision] = {}
        self._latest_templates: dict[tuple[str, str, str], TemplateRevision] = {}
        self._outbox: dict[str, OutboxMessage] = {}
        self._outbox_order: list[str] = []
        self._pending: dict[tuple[str, str, str], str] = {}  # one per customer and kind
        self._due: dict[str, None] = {}  # every pending message id, oldest first
        self._claims: dict[str, str] = {}
        self._events: dict[tuple[str, str], tuple[Event, ...]] = {}
        self._campaigns: dict[tuple[str, str], Campaign] = {}  # oldest first
        # Per customer: (sent_at, campaign id) of the newest sent invitation of a campaign.
        self._last_campaign: dict[tuple[str, str], tuple[datetime, str]] = {}
        # Per customer: when each of their sent reminders was sent, oldest first.
        self._reminders_sent: dict[tuple[str, str], tuple[datetime, ...]] = {}
        # Per key: (number, at) of each attempt, numbered in the order recorded.
        self._login_failures: dict[tuple[str, str], tuple[tuple[int, datetime], ...]] = {}
        self._attempt_numbers = itertools.count(1)
        self._registrations: dict[tuple[str, str], Registration] = {}
        self._identities: dict[tuple[str, str, str], Identity] = {}
        self._email_changes: dict[tuple[str, str], EmailChange] = {}  # one per customer
        self._feed: dict[str, list[FeedEvent]] = {}  # per business, by position
        self._feed_head = 0  # the newest position handed out
        self._webhooks: dict[tuple[str, str], Webhook] = {}
        self._webhook_claims: dict[tuple[str, str], str] = {}

    def __repr__(self) -> str:
        return f"MemoryStore(customers={len(self._customers)}, outbox={len(self._outbox)})"

    @contextmanager
    def transaction(self, *, readonly: bool = False) -> Iterator[Transaction]:
        """Open a transaction (see :meth:`~invitekit.ports.Store.transaction`).

        A read-only one refuses every change, so it never has anything to undo; it
        still waits for the lock like any other, because a writer changes the
        tables in place until it commits or undoes its work.

        Raises:
            StorageError: when called inside another transaction of the same thread.
        """
        if getattr(self._active, "open", False):
            raise StorageError("MemoryStore transactions cannot be nested")
        with self._lock:
            self._active.open = True
            tx = _MemoryTransaction(self)
            try:
                yield read_only(tx) if readonly else tx
            except BaseException:
                tx.rollback()
                raise
            finally:
                self._active.open = False


class _MemoryTransaction(_Campaigns, _Identities, _Privacy, _EmailChanges, _Feed):
    """One transaction of a :class:`MemoryStore`; undoes its changes on rollback."""

    _missing = _MISSING

    def __init__(self, store: MemoryStore) -> None:
        self._s = store
        self._undo: list[Callable[[], None]] = []

    def rollback(self, *, to: int = 0) -> None:
        """Undo the changes made since the ``to``-th (all of them by default)."""
        while len(self._undo) > to:
            self._undo.pop()()

    @contextmanager
    def savepoint(self) -> Iterator[None]:
        mark = len(self._undo)
        try:
            yield
        except BaseException:
            self.rollback(to=mark)
            raise

    def _set(self, table: dict[Any, Any], key: Any, value: Any) -> None:
        old = table.get(key, _MISSING)

        def undo() -> None:
            if old is _MISSING:
                table.pop(key, None)
            else:
                table[key] = old

        self._undo.append(undo)
        if value is _MISSING:
            table.pop(key, None)
        else:
            table[key] = value

    # Customers ---------------------------------------------------------------------------

    def get_customer(self, business_id: str, customer_id: str) -> Customer | None:
        return self._s._customers.get((business_id, customer_id))

    def find_customer(self, business_id: str, email_key: str) -> Customer | None:
        customer_id = self._s._email_index.get((business_id, email_key))
        return None if customer_id is None else self.get_customer(business_id, customer_id)

    def insert_customer(self, customer: Customer) -> None:
        key = (customer.business_id, customer.id)
        existing = self._s._email_index.get((customer.business_id, customer.email_key))
        if existing is not None:
            raise DuplicateCustomer(
                "a customer with this email address already exists", existing_id=existing
            )
        if key in self._s._customers:
            raise DuplicateCustomer(
                "a customer with this id already exists", existing_id=customer.id
            )
        self._set(self._s._customers, key, customer)
        self._set(self._s._email_index, (customer.business_id, customer.email_key), customer.id)
        order = self._s._customer_order.setdefault(customer.business_id, [])
        position = bisect.bisect_left(order, customer.id)
        order.insert(position, customer.id)
        self._undo.append(lambda: order.remove(customer.id))

    def update_customer(self, customer: Customer, *, expected_version: int) -> None:
        key = (customer.business_id, customer.id)
        stored = self._s._customers.get(key)
        if stored is None or stored.version != expected_version:
            raise ConcurrentUpdate("the customer changed meanwhile; read it again")
        if stored.email_key != customer.email_key:
            index_key = (customer.business_id, customer.email_key)
            owner = self._s._email_index.get(index_key)
            if owner is not None and owner != customer.id:
                raise DuplicateCustomer(
                    "a customer with this email address already exists", existing_id=owner
                )
            self._set(self._s._email_index, (customer.business_id, stored.email_key), _MISSING)
            self._set(self._s._email_index, index_key, customer.id)
        self._set(self._s._customers, key, customer)

    def list_customers(
        self,
        business_id: str,
        *,
        status: Status | None = None,
        archived: bool | None = None,
        group_id: str | None = None,
        after: str | None = None,
        limit: int | None = None,
    ) -> list[Customer]:
        if group_id is not None:
            ids: Sequence[str] = sorted(self._s._members.get((business_id, group_id), ()))
        else:
            ids = self._s._customer_order.get(business_id, [])
        start = 0 if after is None else bisect.bisect_right(ids, after)
        found: list[Customer] = []
        for customer_id in ids[start:]:
            customer = self._s._customers[(business_id, customer_id)]
            if status is not None and customer.status is not status:
                continue
            if archived is not None and customer.archived is not archived:
                continue
            found.append(customer)
            if limit is not None and len(found) >= limit:
                break
        return found

    def count_customers(self, business_id: str) -> dict[Status, int]:
        counts = dict.fromkeys(Status, 0)
        for customer_id in self._s._customer_order.get(business_id, []):
            customer = self._s._customers[(business_id, customer_id)]
            if not customer.archived:
                counts[customer.status] += 1
        return counts

    # Groups ------------------------------------------------------------------------------

    def insert_group(self, group: Group) -> None:
        name_key = (group.business_id, group.name.casefold())
        if name_key in self._s._group_names:
            raise DuplicateGroup(f"a group named {quoted(group.name)} already exists")
        self._set(self._s._groups, (group.business_id, group.id), group)
        self._set(self._s._group_names, name_key, group.id)

    def find_group(self, business_id: str, name: str) -> Group | None:
        group_id = self._s._group_names.get((business_id, name.casefold()))
        return None if group_id is None else self._s._groups[(business_id, group_id)]

    def list_groups(self, business_id: str) -> list[Group]:
        groups = [g for (b, _), g in self._s._groups.items() if b == business_id]
        return sorted(groups, key=lambda g: (g.name.casefold(), g.id))

    def add_group_members(
        self, business_id: str, group_id: str, customer_ids: Collection[str]
    ) -> None:
        key = (business_id, group_id)
        self._set(
            self._s._members, key, self._s._members.get(key, frozenset()) | set(customer_ids)
        )
        for customer_id in customer_ids:
            member_key = (business_id, customer_id)
            current = self._s._memberships.get(member_key, frozenset())
            self._set(self._s._memberships, member_key, current | {group_id})

    def group_ids_of(self, business_id: str, customer_id: str) -> list[str]:
        return sorted(self._s._memberships.get((business_id, customer_id), ()))

    # Templates ---------------------------------------------------------------------------

    def save_business(self, business: Business, *, at: datetime) -> int:
        versions = self._s._businesses.get(business.id, ())
        if versions and versions[-1] == business:
            return len(versions)
        self._set(self._s._businesses, business.id, (*versions, business))
        return len(versions) + 1

    def get_business(self, business_id: str) -> Business | None:
        versions = self._s._businesses.get(business_id, ())
        return versions[-1] if versions else None

    def business_ids(self) -> list[str]:
        return sorted(self._s._businesses)

    def insert_template_revision(self, revision: TemplateRevision) -> None:
        self._set(self._s._revisions, (revision.business_id, revision.id), revision)
        if not revision.one_off:
            key = (revision.business_id, revision.kind, revision.locale)
            self._set(self._s._latest_templates, key, revision)

    def latest_template(self, business_id: str, kind: str, locale: str) -> TemplateRevision | None:
        return self._s._latest_templates.get((business_id, kind, locale))

    def get_template_revision(self, business_id: str, revision_id: str) -> TemplateRevision | None:
        return self._s._revisions.get((business_id, revision_id))

    # Outbox ------------------------------------------------------------------------------

    def enqueue(self, messages: Sequence[OutboxMessage]) -> set[str]:
        refused: set[str] = set()
        for message in messages:
            if message.customer_id is not None and message.state is OutboxState.PENDING:
                pending_key = (message.business_id, message.customer_id, message.kind)
                if pending_key in self._s._pending:
                    refused.add(message.customer_id)
                    continue
                self._set(self._s._pending, pending_key, message.id)
            if message.state is OutboxState.PENDING:
                self._set(self._s._due, message.id, None)
            self._set(self._s._outbox, message.id, message)
            self._s._outbox_order.append(message.id)
            self._undo.append(self._s._outbox_order.pop)  # type: ignore[arg-type]
        return refused

    def pending_customer_ids(
        self, business_id: str, kind: str, customer_ids: Collection[str]
    ) -> set[str]:
        pending = self._s._pending
        return {c for c in customer_ids if (business_id, c, kind) in pending}

    def cancel_pending(
        self, business_id: str, customer_id: str, *, reason: str, kind: str | None = None
    ) -> int:
        cancelled = 0
        for (b, c, k), message_id in list(self._s._pending.items()):
            if b == business_id and c == customer_id and kind in (None, k):
                message = self._s._outbox[message_id]
                self._write_outbox(
                    attrs.evolve(message, state=OutboxState.CANCELLED, last_error=reason)
                )
                cancelled += 1
        return cancelled

    def claim_outbox(
        self,
        *,
        now: datetime,
        lease_until: datetime,
        claim_token: str,
        limit: int,
        business_id: str | None = None,
    ) -> list[OutboxMessage]:
        claimed: list[OutboxMessage] = []
        for message_id in self._s._due:
            if len(claimed) >= limit:
                break
            message = self._s._outbox[message_id]
            if business_id is not None and message.business_id != business_id:
                continue
            if message.not_before > now:
                continue
            if message.claimed_until is not None and message.claimed_until >= now:
                continue
            claimed.append(message)
        claimed.sort(key=lambda m: (m.created_at, m.id))
        result = []
        for message in claimed:
            leased = attrs.evolve(
                message,
                claimed_until=lease_until,
                attempts=message.attempts + 1,
                links_issued_at=message.links_issued_at or now,
            )
            self._set(self._s._outbox, message.id, leased)
            self._set(self._s._claims, message.id, claim_token)
            result.append(leased)
        return result

    def update_outbox(self, message: OutboxMessage, *, claim_token: str | None) -> None:
        stored = self._s._outbox.get(message.id)
        if stored is None:
            raise ConcurrentUpdate("no such outbox message")
        if claim_token is not None and self._s._claims.get(message.id) != claim_token:
            raise ConcurrentUpdate("the claim on this message was lost to another worker")
        self._write_outbox(message)

    def _write_outbox(self, message: OutboxMessage) -> None:
        self._set(self._s._outbox, message.id, message)
        if message.state is OutboxState.PENDING:
            if message.id not in self._s._due:  # resumed
                self._set(self._s._due, message.id, None)
        else:
            self._set(self._s._due, message.id, _MISSING)
        if not message.state.waiting and message.customer_id is not None:
            pending_key = (message.business_id, message.customer_id, message.kind)
            if self._s._pending.get(pending_key) == message.id:
                self._set(self._s._pending, pending_key, _MISSING)
        if message.claimed_until is None:
            self._set(self._s._claims, message.id, _MISSING)
        if (
            message.state is OutboxState.SENT
            and message.kind is MessageKind.REMINDER
            and message.customer_id is not None
            and message.sent_at is not None
        ):
            key = (message.business_id, message.customer_id)
            sent = self._s._reminders_sent.get(key, ())
            self._set(self._s._reminders_sent, key, tuple(sorted((*sent, message.sent_at))))
        if (
            message.state is OutboxState.SENT
            and message.kind is MessageKind.INVITATION
            and message.campaign_id is not None
            and message.customer_id is not None
            and message.sent_at is not None
        ):
            key = (message.business_id, message.customer_id)
            last = self._s._last_campaign.get(key)
            if last is None or last[0] <= message.sent_at:
                self._set(self._s._last_campaign, key, (message.sent_at, message.campaign_id))

    def get_outbox(self, message_id: str) -> OutboxMessage | None:
        return self._s._outbox.get(message_id)

    def list_outbox(
        self,
        business_id: str,
        *,
        customer_id: str | None = None,
        state: OutboxState | None = None,
    ) -> list[OutboxMessage]:
        found = []
        for message_id in self._s._outbox_order:
            message = self._s._outbox[message_id]
            if message.business_id != business_id:
                continue
            if customer_id is not None and message.customer_id != customer_id:
                continue
            if state is not None and message.state is not state:
                continue
            found.append(message)
        return found

    # Events ------------------------------------------------------------------------------

    def add_events(self, events: Sequence[Event]) -> None:
        for event in events:
            key = (event.business_id, event.customer_id)
            self._set(self._s._events, key, (*self._s._events.get(key, ()), event))
        self._to_feed(events)

    def list_events(self, business_id: str, customer_id: str) -> list[Event]:
        return list(self._s._events.get((business_id, customer_id), ()))

    # Login throttling --------------------------------------------------------------------

    def record_attempt(self, business_id: str, key: str, at: datetime) -> None:
        self._add_attempt(business_id, key, at)

    def count_attempts(self, business_id: str, key: str, *, since: datetime) -> int:
        attempts = self._s._login_failures.get((business_id, key), ())
        return sum(1 for _number, at in attempts if at >= since)

    def attempt_times(self, business_id: str, key: str, *, since: datetime) -> list[datetime]:
        attempts = self._s._login_failures.get((business_id, key), ())
        return sorted(at for _number, at in attempts if at >= since)

    def forget_attempts(self, business_id: str, key: str, *, before: datetime) -> None:
        table = self._s._login_failures
        kept = tuple(a for a in table.get((business_id, key), ()) if a[1] >= before)
        self._set(table, (business_id, key), kept or _MISSING)

    def clear_attempts(self, business_id: str, key: str) -> None:
        self._set(self._s._login_failures, (business_id, key), _MISSING)

    def reserve_attempt(
        self, business_id: str, key: str, *, at: datetime, since: datetime, limit: int
    ) -> int | None:
        # Atomic as every transaction is: one at a time holds the store's lock.
        if self.count_attempts(business_id, key, since=since) >= limit:
            return None
        return self._add_attempt(business_id, key, at)

    def release_attempt(
        self, business_id: str, key: str, reservation: int, *, with_earlier: bool = False
    ) -> None:
        table = self._s._login_failures
        kept = tuple(
            (number, at)
            for number, at in table.get((business_id, key), ())
            if number > reservation or (number < reservation and not with_earlier)
        )
        self._set(table, (business_id, key), kept or _MISSING)

    def _add_attempt(self, business_id: str, key: str, at: datetime) -> int:
        table = self._s._login_failures
        number = next(self._s._attempt_numbers)
        self._set(table, (business_id, key), (*table.get((business_id, key), ()), (number, at)))
        return number

    # Registrations -----------------------------------------------------------------------

    def insert_registration(self, registration: Registration) -> None:
        self._set(
            self._s._registrations, (registration.business_id, registration.id), registration
        )

    def get_registration(self, business_id: str, registration_id: str) -> Registration | None:
        return self._s._registrations.get((business_id, registration_id))

    def delete_registration(self, business_id: str, registration_id: str) -> None:
        self._set(self._s._registrations, (business_id, registration_id), _MISSING)


@attrs.define
class MemoryMailer:
    """A Mailer that keeps every email in :attr:`outbox` instead of sending it.

    Implements :class:`~invitekit.ports.Mailer`.

    Attributes:
        outbox: every email handed over, in order.
        refuse: addresses (exact) to refuse permanently, to try failure paths.
    """

    outbox: list[Email] = attrs.field(factory=list)
    refuse: set[str] = attrs.field(factory=set)
    _lock: threading.Lock = attrs.field(factory=threading.Lock, repr=False)

    @contextmanager
    def session(self) -> Iterator[MemoryMailer]:
        """Nothing to connect to: the mailer is its own session."""
        yield self

    def send(self, email: Email) -> None:
        """Append ``email`` to :attr:`outbox`.

        Raises:
            PermanentDeliveryError: if the recipient is in :attr:`refuse`.
        """
        if email.to in self.refuse:
            raise PermanentDeliveryError(
                f"550 mailbox unavailable: {email.to}", recipient_refused=True
            )
        with self._lock:
            self.outbox.append(email)

    def to(self, address: str) -> list[Email]:
        """The emails sent to ``address``."""
        return [email for email in self.outbox if email.to == address]

    def clear(self) -> None:
        """Forget every email."""
        with self._lock:
            self.outbox.clear()
