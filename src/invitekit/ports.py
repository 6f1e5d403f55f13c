"""The three ports through which invitekit touches the world: Store, Mailer, Clock.

Adapters do not inherit from these Protocols; they only have the same shape, and
one contract test suite (``tests/contract/``) holds every adapter to it.
:class:`~invitekit.InviteKit` is the only code that calls them.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from contextlib import AbstractContextManager
from datetime import datetime
from typing import Protocol

from invitekit.email_change import EmailChange
from invitekit.feed import FeedEvent
from invitekit.funnel import Campaign, CampaignCounts
from invitekit.identities import Identity
from invitekit.model import (
    Business,
    Customer,
    Email,
    Event,
    Group,
    OutboxMessage,
    OutboxState,
    Registration,
    Status,
    StoredTemplate,
    TemplateRevision,
)
from invitekit.privacy import PurgeCutoffs, PurgeReport
from invitekit.transitions import ReminderCandidate
from invitekit.webhooks import Webhook

__all__ = [
    "CampaignOperations",
    "Clock",
    "IdentityOperations",
    "Mailer",
    "MailerSession",
    "PrivacyOperations",
    "Registration",  # a value of invitekit.model, re-exported for old imports
    "Store",
    "StoredTemplate",  # likewise
    "Transaction",
    "WebhookSender",
]


class Clock(Protocol):
    """**Protocol:** the only source of the current time in invitekit."""

    def now(self) -> datetime:
        """Return the current time, timezone-aware, in UTC."""
        ...


class MailerSession(Protocol):
    """**Protocol:** an open connection to a mail server, used for a batch of emails."""

    def send(self, email: Email) -> None:
        """Hand ``email`` to the mail server.

        Raises:
            TemporaryDeliveryError: worth retrying (4xx, connection trouble).
            PermanentDeliveryError: not worth retrying (5xx, refused recipient).
        """
        ...


class WebhookSender(Protocol):
    """**Protocol:** POSTs one signed webhook message (Standard Webhooks) to an endpoint."""

    def post(self, url: str, *, secret: str, message_id: str, body: bytes) -> None:
        """Sign ``body`` with ``secret`` and POST it to ``url``; return once answered 2xx.

        ``message_id`` is the ``webhook-id`` header, the same on every retry of
        one event to one endpoint; the ``webhook-timestamp`` is the moment of the
        attempt, as the receiver's clock should see it.

        Raises:
            TemporaryDeliveryError: anything else (a refused or unreachable
                address, a timeout, a redirect, a status other than 2xx): the
                delivery is tried again later.
        """
        ...


class Mailer(Protocol):
    """**Protocol:** hands finished emails to a mail server."""

    def session(self) -> AbstractContextManager[MailerSession]:
        """Open a connection for a batch; closing the context closes it."""
        ...


class CampaignOperations(Protocol):
    """**Protocol:** the Store's operations on campaigns and their funnel.

    Part of :class:`Transaction`.
    """

    def insert_campaign(self, campaign: Campaign) -> None:
        """Store a new campaign."""
        ...

    def update_campaign(self, campaign: Campaign) -> None:
        """Store a campaign's pause state (the ``paused_*`` and ``resumed_*`` fields)."""
        ...

    def lock_campaign(self, business_id: str, campaign_id: str) -> Campaign | None:
        """The campaign (as :meth:`get_campaign`), locked until the transaction ends.

        Another transaction locking it waits until this one has ended, and then
        sees what this one wrote: deciding whether to pause a campaign is done
        by one transaction at a time.
        """
        ...

    def pause_outbox(self, business_id: str, campaign_id: str) -> int:
        """Move the campaign's ``PENDING`` messages to ``PAUSED``; return how many.

        A paused message is never claimed, and keeps its customer's pending
        place (:meth:`enqueue` refuses a second message of its kind, and
        :meth:`cancel_pending` withdraws it).
        """
        ...

    def resume_outbox(self, business_id: str, campaign_id: str) -> int:
        """Move the campaign's ``PAUSED`` messages back to ``PENDING``; return how many."""
        ...

    def campaign_sends(
        self, business_id: str, campaign_id: str, *, since: datetime | None = None
    ) -> tuple[int, int]:
        """How many of the campaign's messages went out, and how many bounced hard.

        Counted by the store (an aggregate, not a walk over rows).

        Args:
            since: count only messages and bounces from this moment on.

        Returns:
            ``(sent, hard_bounced)``: messages ``SENT`` or ``FAILED`` (refused by
            the mail server counts as sent and bounced), with ``sent_at`` (or, for
            a failed one, ``not_before``) at or after ``since``; and
            ``BOUNCED`` events of the campaign whose detail starts ``"hard:"``, at
            or after ``since``.
        """
        ...

    def get_campaign(self, business_id: str, campaign_id: str) -> Campaign | None:
        """The business's campaign with this id, or ``None``."""
        ...

    def list_campaigns(self, business_id: str) -> list[Campaign]:
        """A business's campaigns, newest first."""
        ...

    def last_campaign_of(self, business_id: str, customer_id: str) -> str | None:
        """The campaign of the customer's most recently sent invitation, or ``None``."""
        ...

    def customer_and_unopened_campaign(
        self, business_id: str, customer_id: str
    ) -> tuple[Customer | None, str | None]:
        """:meth:`get_customer`, and :meth:`last_campaign_of` unless its link's open is recorded.

        The campaign is ``None`` also when the customer's history holds an
        ``EventKind.LINK_OPENED`` event of it; both are ``None`` for no such
        customer.  What an activation link's check asks, in one read: who the
        link is for, and whether this open is the campaign's first.
        """
        ...

    def campaign_counts(
        self, business_id: str, campaign_id: str, *, now: datetime
    ) -> CampaignCounts:
        """How a campaign did, counted where the data is (``GROUP BY`` in SQL).

        The campaign's outbox rows, and its customers (those with an invitation
        of it) who have a funnel event of it (:data:`invitekit.funnel.STEP_EVENTS`),
        each counted once, in total, per group they are in now and per locale of
        their invitation, added up by
        :func:`invitekit.funnel.tally`.  A row waiting for a ``not_before``
        after ``now`` counts as scheduled.  An unknown campaign counts nothing.
        """
        ...


class IdentityOperations(Protocol):
    """**Protocol:** the Store's operations on external sign-in identities.

    Part of :class:`Transaction`.
    """

    def insert_identity(self, identity: Identity) -> None:
        """Link an identity to its customer.

        Raises:
            DuplicateIdentity: the business has this ``(provider, subject)``
                linked already (to any customer).  Two transactions inserting
                the same identity at once: one commits, the other raises
                (at the latest when the first commits).
        """
        ...

    def find_identity(self, business_id: str, provider: str, subject: str) -> Identity | None:
        """The identity ``(provider, subject)`` of the business, or ``None``.

        ``subject`` is compared exactly (case-sensitive).
        """
        ...

    def identities_of(self, business_id: str, customer_id: str) -> list[Identity]:
        """The identities linked to a customer, by ``linked_at``, then provider and subject."""
        ...

    def delete_identities(self, business_id: str, customer_id: str, provider: str) -> int:
        """Unlink every identity of ``provider`` from the customer; how many there were."""
        ...


class PrivacyOperations(Protocol):
    """**Protocol:** the Store's operations for privacy requests and retention.

    Part of :class:`Transaction`.
    """

    def erase_customer(
        self, business_id: str, customer_id: str, *, email_keys: Collection[str], now: datetime
    ) -> None:
        """Remove every personal datum of a customer, keeping an anonymous tombstone.

        Every kind of record a store keeps is covered here, so that a new table
        is erased by extending this one method:

        * the customer's row is deleted (its ``email_key`` is free again), and
          their group memberships, the provider identities linked to them and
          their pending email change;
        * their events are deleted, except those
          :func:`~invitekit.privacy.kept_after_erasure` keeps, whose detail
          becomes :func:`~invitekit.privacy.anonymised_detail`;
        * their outbox rows lose the address, the claim, and any server text
          (:func:`~invitekit.privacy.scrubbed_error`); waiting ones are
          withdrawn (``CANCELLED``, ``last_error`` the note ``CUSTOMER_ERASED``);
        * sign-ups whose ``email_key`` is one of ``email_keys``, and those the
          customer's own outbox rows confirm, are deleted; outbox rows without
          a customer sent to one of those addresses (or confirming such a
          sign-up) are scrubbed the same way;
        * throttle attempts under :func:`~invitekit.privacy.attempt_keys` of
          ``email_keys`` are deleted.

        Args:
            business_id: the business.
            customer_id: the customer (ignored when unknown).
            email_keys: the canonical addresses whose records are the customer's
                (the flow gives the current one: a sign-up or attempt typed
                with an address the customer no longer has may be another's,
                and goes with its retention).
            now: the current time, to tell a live claim from an expired one.

        Raises:
            ConcurrentUpdate: a worker holds a live claim on one of the
                customer's messages (it may be sending it right now); nothing is
                changed: try again once the claim's lease has ended.
        """
        ...

    def purge(self, business_id: str, cutoffs: PurgeCutoffs, *, limit: int) -> PurgeReport:
        """Remove up to ``limit`` records of each kind that are past their retention.

        What goes, for each field of :class:`~invitekit.privacy.PurgeCutoffs`:
        sign-ups created before ``signups`` (their waiting verification emails
        withdrawn, ``last_error`` the note ``SIGNUP_GONE``); attempts made before ``attempts``;
        finished outbox rows (not waiting) last active (``sent_at``, else
        ``not_before``) before ``messages``: account emails deleted, invitations
        and reminders scrubbed (no ``recipient``, ``last_error`` as
        :func:`~invitekit.privacy.scrubbed_error`); events before ``events``:
        deleted, except those with a ``campaign_id``, whose detail becomes
        :func:`~invitekit.privacy.anonymised_detail`.  A record already in its
        purged form is not counted again.

        Returns:
            how many records of each kind were removed or changed.
        """
        ...


class Transaction(CampaignOperations, IdentityOperations, PrivacyOperations, Protocol):
    """**Protocol:** the Store's operations, inside one atomic transaction.

    Everything done through one ``Transaction`` is committed together when the
    ``with store.transaction()`` block ends normally, and none of it is kept
    when the block raises.  Every method is scoped by ``business_id``: nothing of
    one business is visible through another's id.
    """

    def savepoint(self) -> AbstractContextManager[None]:
        """Mark a point in the transaction, for undoing what is written after it.

        When the ``with`` block raises, everything written inside it is undone,
        the error propagates, and the transaction goes on as before the block
        (a caller that catches the error may keep using it and commit).  When the
        block ends normally its writes stay part of the transaction.

        Raises:
            StorageError: the savepoint could not be made or undone (the
                transaction must then be abandoned).
        """
        ...

    # Customers -------------------------------------------------------------------------

    def get_customer(self, business_id: str, customer_id: str) -> Customer | None:
        """The customer with this id, or ``None``."""
        ...

    def find_customer(self, business_id: str, email_key: str) -> Customer | None:
        """The customer whose canonical email is ``email_key``, or ``None``."""
        ...

    def insert_customer(self, customer: Customer) -> None:
        """Store a new customer.

        Raises:
            DuplicateCustomer: the business has a customer with this ``email_key``.
        """
        ...

    def update_customer(self, customer: Customer, *, expected_version: int) -> None:
        """Replace a stored customer, if its stored version is ``expected_version``.

        Raises:
            ConcurrentUpdate: the stored version differs (someone changed it meanwhile).
            DuplicateCustomer: the new ``email_key`` belongs to another customer.
        """
        ...

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
        """Customers ordered by id, filtered; ``after`` and ``limit`` page through them.

        ``archived=None`` means both archived and active customers.
        """
        ...

    def count_customers(self, business_id: str) -> dict[Status, int]:
        """How many non-archived customers have each status (every status present)."""
        ...

    # Groups ----------------------------------------------------------------------------

    def insert_group(self, group: Group) -> None:
        """Store a new group.

        Raises:
            DuplicateGroup: the business has a group with this name (case-insensitive).
        """
        ...

    def find_group(self, business_id: str, name: str) -> Group | None:
        """The group with this name (case-insensitive), or ``None``."""
        ...

    def list_groups(self, business_id: str) -> list[Group]:
        """Every group of the business, ordered by name."""
        ...

    def add_group_members(
        self, business_id: str, group_id: str, customer_ids: Collection[str]
    ) -> None:
        """Add customers to a group (adding a member twice is harmless)."""
        ...

    def group_ids_of(self, business_id: str, customer_id: str) -> list[str]:
        """The ids of the groups a customer belongs to."""
        ...

    # Businesses ------------------------------------------------------------------------

    def save_business(self, business: Business, *, at: datetime) -> int:
        """Store a business's settings, as a new version when they differ from the newest.

        So that a worker can compose any business's email from the store alone.

        Returns:
            the version now newest (1 for the first).
        """
        ...

    def get_business(self, business_id: str) -> Business | None:
        """The newest stored settings of a business, or ``None``."""
        ...

    def business_ids(self) -> list[str]:
        """The ids of every business whose settings are stored, sorted."""
        ...

    # Templates -------------------------------------------------------------------------

    def insert_template_revision(self, revision: TemplateRevision) -> None:
        """Store a new, immutable template revision (its id is new)."""
        ...

    def latest_template(self, business_id: str, kind: str, locale: str) -> TemplateRevision | None:
        """The newest revision saved (not ``one_off``) for a kind and locale, or ``None``.

        Of revisions inserted in one instant, the one inserted last.
        """
        ...

    def get_template_revision(self, business_id: str, revision_id: str) -> TemplateRevision | None:
        """The revision with this id, or ``None``."""
        ...

    # Outbox ----------------------------------------------------------------------------

    def enqueue(self, messages: Sequence[OutboxMessage]) -> set[str]:
        """Queue messages, at most one pending message per customer and kind.

        A message for a customer who already has a pending message of the same
        kind (queued earlier, or earlier in ``messages``) is not stored.  This
        holds across processes: it is a constraint of the Store, not a check.

        Returns:
            the ids of the customers whose message was *not* stored for that reason.
        """
        ...

    def pending_customer_ids(
        self, business_id: str, kind: str, customer_ids: Collection[str]
    ) -> set[str]:
        """Of ``customer_ids``, those with a pending message of this kind."""
        ...

    def cancel_pending(
        self, business_id: str, customer_id: str, *, reason: str, kind: str | None = None
    ) -> int:
        """Withdraw a customer's pending messages (of ``kind`` only, if given); return how many."""
        ...

    def claim_outbox(
        self,
        *,
        now: datetime,
        lease_until: datetime,
        claim_token: str,
        limit: int,
        business_id: str | None = None,
    ) -> list[OutboxMessage]:
        """Lease up to ``limit`` pending messages that are due and not leased by another.

        A message is due when ``not_before <= now``; it is free when it has no
        lease or its lease ended before ``now`` (its worker died).  Claimed messages
        get ``claimed_until=lease_until``, one more attempt, and, when they have
        none yet, ``links_issued_at=now``; no other claim can take them until then.
        Oldest first.
        """
        ...

    def update_outbox(self, message: OutboxMessage, *, claim_token: str | None) -> None:
        """Store a message's new state, if ``claim_token`` still holds its lease.

        Raises:
            ConcurrentUpdate: the lease was lost (expired and taken by another worker).
        """
        ...

    def get_outbox(self, message_id: str) -> OutboxMessage | None:
        """The message with this id, or ``None``."""
        ...

    def list_outbox(
        self,
        business_id: str,
        *,
        customer_id: str | None = None,
        state: OutboxState | None = None,
    ) -> list[OutboxMessage]:
        """A business's messages, oldest first, optionally for one customer or state."""
        ...

    def reminder_candidates(
        self,
        business_id: str,
        *,
        invited_before: datetime,
        max_reminders: int,
        after: str | None = None,
        limit: int = 100,
    ) -> list[ReminderCandidate]:
        """Customers who may be due a reminder, ordered by id; ``after`` and ``limit`` page.

        Those Invited, neither archived nor unsubscribed, whose last invitation
        was delivered (``invited_at``) at or before ``invited_before``, and who
        were sent fewer than ``max_reminders`` reminders since (sent reminder
        rows whose ``sent_at`` is after ``invited_at``: a reminder comes at least
        its delay after its invitation, so one sent at that very instant belongs
        to an earlier invitation); each with that count and the last one's
        ``sent_at``.  The store filters and counts: customers who had every
        reminder are not read.
        """
        ...

    # Events ----------------------------------------------------------------------------

    def add_events(self, events: Sequence[Event]) -> None:
        """Append events to customers' histories and to their business's feed.

        Each event gets the next feed position (see :mod:`invitekit.feed`), in
        the order given, when the transaction commits: positions are committed
        in the order they are handed out, so a reader that has seen a position
        has seen every smaller one, whatever the number of writers (threads,
        processes, machines).  Positions are numbered for the whole store; a
        business's feed is its events among them.
        """
        ...

    def read_feed(self, business_id: str, *, after: int, limit: int) -> list[FeedEvent]:
        """Up to ``limit`` events of the business's feed after position ``after``, in order."""
        ...

    def feed_head(self, business_id: str) -> int:
        """A position that every committed event of the business is at or before.

        The newest position handed out in the store (0 before any event): the
        events up to it are committed, so a later :meth:`read_feed` sees them.
        """
        ...

    # Webhooks ----------------------------------------------------------------------------

    def insert_webhook(self, webhook: Webhook) -> None:
        """Store a new webhook endpoint."""
        ...

    def list_webhooks(self, business_id: str) -> list[Webhook]:
        """A business's webhook endpoints, oldest first."""
        ...

    def delete_webhook(self, business_id: str, webhook_id: str) -> bool:
        """Remove an endpoint; whether there was one."""
        ...

    def claim_webhooks(
        self,
        *,
        now: datetime,
        lease_until: datetime,
        claim_token: str,
        limit: int,
        business_id: str | None = None,
    ) -> list[Webhook]:
        """Lease up to ``limit`` endpoints that have feed events to deliver.

        An endpoint is claimable when it is enabled, its ``not_before`` is
        ``None`` or not after ``now``, it has no lease or its lease ended before
        ``now``, and :meth:`feed_head` is after its ``delivered_through``.  Claimed endpoints get
        ``claimed_until=lease_until``; no other claim takes them until then.
        """
        ...

    def update_webhook(self, webhook: Webhook, *, claim_token: str | None) -> None:
        """Store an endpoint's delivery state (every field but url, secret, created_at).

        ``claim_token=None``: only if no worker holds a claim on the endpoint.

        Raises:
            ConcurrentUpdate: the endpoint is gone, or ``claim_token`` does not hold its lease.
        """
        ...

    def list_events(self, business_id: str, customer_id: str) -> list[Event]:
        """A customer's history, oldest first."""
        ...

    # Throttling (failed logins, account emails) ------------------------------------------

    def record_attempt(self, business_id: str, key: str, at: datetime) -> None:
        """Remember a failed login for ``key`` (``"email:<key>"``, ``"client:<addr>"``)."""
        ...

    def count_attempts(self, business_id: str, key: str, *, since: datetime) -> int:
        """How many failures were recorded for ``key`` at or after ``since``."""
        ...

    def attempt_times(self, business_id: str, key: str, *, since: datetime) -> list[datetime]:
        """When the attempts of ``key`` recorded at or after ``since`` were made, oldest first."""
        ...

    def forget_attempts(self, business_id: str, key: str, *, before: datetime) -> None:
        """Forget the attempts of ``key`` recorded before ``before`` (they count no more)."""
        ...

    def clear_attempts(self, business_id: str, key: str) -> None:
        """Forget the failures of ``key`` (after a successful login or a reset)."""
        ...

    def reserve_attempt(
        self, business_id: str, key: str, *, at: datetime, since: datetime, limit: int
    ) -> int | None:
        """Record an attempt for ``key`` at ``at``, unless ``limit`` were recorded since ``since``.

        Counting and recording are one atomic step: however many transactions
        (of threads, processes, machines) reserve one key at once, each counts
        every attempt reserved before it, so never more than ``limit`` attempts
        at or after ``since`` are reserved.  A refused reservation records
        nothing.  A reservation is an attempt like those of :meth:`record_attempt`:
        it counts until :meth:`release_attempt` or :meth:`clear_attempts` forgets it.

        Reserve before the transaction's other writes: the key stays locked
        (on the server databases) until the transaction ends.

        Returns:
            a number for :meth:`release_attempt`, greater than the number of every
            attempt of ``key`` recorded before it; ``None`` when ``limit``
            attempts were recorded at or after ``since``.
        """
        ...

    def release_attempt(
        self, business_id: str, key: str, reservation: int, *, with_earlier: bool = False
    ) -> None:
        """Forget the attempt :meth:`reserve_attempt` numbered ``reservation`` (it did not fail).

        With ``with_earlier``, forget too every attempt of ``key`` recorded before
        it, but none recorded after it (attempts still being verified stay
        counted).  An attempt already forgotten is ignored.
        """
        ...

    # Registrations -----------------------------------------------------------------------

    def insert_registration(self, registration: Registration) -> None:
        """Store a sign-up waiting for verification."""
        ...

    def get_registration(self, business_id: str, registration_id: str) -> Registration | None:
        """The sign-up with this id, or ``None``."""
        ...

    def delete_registration(self, business_id: str, registration_id: str) -> None:
        """Forget a sign-up (verified or abandoned); unknown ids are ignored."""
        ...

    def registrations_for(self, business_id: str, email_key: str) -> list[Registration]:
        """The sign-ups waiting for the address whose canonical form is ``email_key``.

        Oldest first.
        """

    # Email changes -----------------------------------------------------------------------

    def put_email_change(self, change: EmailChange) -> None:
        """Store a customer's pending email change, replacing the one they had, if any."""
        ...

    def get_email_change(self, business_id: str, customer_id: str) -> EmailChange | None:
        """The customer's pending email change, or ``None``."""
        ...

    def delete_email_change(self, business_id: str, customer_id: str) -> None:
        """Forget the customer's pending email change (confirmed); none is ignored."""
        ...


class Store(Protocol):
    """**Protocol:** where invitekit keeps customers, groups, templates, the outbox and events."""

    def transaction(self, *, readonly: bool = False) -> AbstractContextManager[Transaction]:
        """Open a transaction; see :class:`Transaction`.

        A read-only transaction (``readonly=True``) is for code that only reads.  It
        sees the committed data as one consistent state, as any transaction does,
        but it may run beside writers instead of waiting for them where the store
        allows it (SQLite's readers do not wait for its one writer; the server
        databases start it ``READ ONLY``).  Every method that would change
        something raises :class:`~invitekit.exceptions.ReadOnlyViolation` before
        changing anything, on every store.

        Args:
            readonly: open a transaction that only reads.

        Raises:
            StorageError: the store cannot be reached (the error of the driver is
                chained as ``__cause__``).
        """
        ...
