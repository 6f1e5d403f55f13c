"""The :class:`InviteKit` facade: the only code that talks to the Store, Mailer and Clock."""

from __future__ import annotations

import contextlib
import hashlib
import logging
import math
import re
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime, timedelta
from typing import Any

import attrs
from babel import Locale

from invitekit import account_mail, transitions
from invitekit.access import can_use_portal
from invitekit.addresses import parse_email
from invitekit.audience import Audience, AudienceKind, InvitationPlan, Skipped, SkipReason
from invitekit.clock import SystemClock
from invitekit.compose import (
    InvitationText,
    Layout,
    Recipient,
    compose_invitation,
    default_invitation_text,
    locale_for,
    message_id_for,
)
from invitekit.exceptions import (
    ConcurrentUpdate,
    ConfigurationError,
    CustomerArchived,
    CustomerNotFound,
    DeliveryError,
    DuplicateCustomer,
    DuplicateGroup,
    GroupNotFound,
    InvalidCredentials,
    InvalidEmail,
    InvalidLocale,
    InvalidName,
    InvitationRefused,
    LoginThrottled,
    PermanentDeliveryError,
    TestInvitationToken,
    TokenExpired,
    TokenInvalid,
    TokenUsed,
)
from invitekit.i18n import available_locales, parse_locale
from invitekit.ids import new_id
from invitekit.importing import ImportReport, RowError, parse_customers_csv
from invitekit.model import (
    Business,
    Customer,
    Email,
    Event,
    EventKind,
    Group,
    LinkCheck,
    OutboxMessage,
    OutboxState,
    Purpose,
    Registration,
    Status,
    StoredTemplate,
    clean_name,
)
from invitekit.passwords import PasswordHasher, PasswordRules
from invitekit.ports import Clock, Mailer, MailerSession, Store, Transaction
from invitekit.sandbox import check_body, check_subject
from invitekit.throttle import LoginThrottle, MailThrottle
from invitekit.tokens import (
    TokenClaims,
    TokenExpiry,
    Tokens,
    fingerprint,
    verification_fingerprint,
)

__all__ = [
    "DeliveryReport",
    "InvitationReport",
    "InvitationTemplate",
    "InviteKit",
    "OutboxSettings",
]

log = logging.getLogger("invitekit")

INVITATION = "invitation"
# Outbox kinds of the account emails (see invitekit.account_mail).  They go
# through the outbox like invitations, so answering a request costs the same
# whether or not an email results; delivery never changes a customer's status for them.
PASSWORD_RESET = "password_reset"  # noqa: S105 (an outbox kind, not a password)
PROVIDER_HINT = "provider_hint"
EMAIL_VERIFICATION = "email_verification"
ACCOUNT_EXISTS = "account_exists"
_UNSET: object = object()


@attrs.frozen(kw_only=True)
class OutboxSettings:
    """How delivery workers use the outbox.

    Attributes:
        batch_size: how many messages a worker claims at once.
        lease: how long a claim holds; a worker that dies loses its claim after it.
        max_attempts: attempts before a temporarily failing message is given up.
        retry_base: the first retry waits this long; each later one twice as long.
        retry_max: the longest wait between two attempts.
    """

    batch_size: int = 100
    lease: timedelta = timedelta(minutes=5)
    max_attempts: int = 8
    retry_base: timedelta = timedelta(minutes=1)
    retry_max: timedelta = timedelta(hours=6)

    def __attrs_post_init__(self) -> None:
        if self.batch_size < 1 or self.max_attempts < 1:
            raise ConfigurationError("batch_size and max_attempts must be at least 1")
        if self.lease <= timedelta(0) or self.retry_base <= timedelta(0):
            raise ConfigurationError("lease and retry_base must be positive")

    def backoff(self, attempts: int) -> timedelta:
        """The wait after the ``attempts``-th failed attempt: 1, 2, 4... times ``retry_base``."""
        wait: timedelta = self.retry_base * (2 ** max(attempts - 1, 0))
        return min(wait, self.retry_max)


@attrs.frozen(kw_only=True)
class InvitationReport:
    """What :meth:`InviteKit.invite_audience` did.

    Attributes:
        queued: how many invitations were queued.
        skipped: how many customers were left out, per reason.
    """

    queued: int = 0
    skipped: dict[SkipReason, int] = attrs.field(factory=dict)

    @property
    def total_skipped(self) -> int:
        """All customers left out."""
        return sum(self.skipped.values())


@attrs.frozen(kw_only=True)
class DeliveryReport:
    """What :meth:`InviteKit.deliver` did.

    Attributes:
        sent: accepted by the mail server.
        retrying: failed temporarily; queued again for a later attempt.
        failed: given up (a permanent refusal, or the last allowed attempt).
        cancelled: withdrawn because the customer changed meanwhile.
    """

    sent: int = 0
    retrying: int = 0
    failed: int = 0
    cancelled: int = 0


@attrs.frozen(kw_only=True)
class InvitationTemplate:
    """The invitation text a business's customers of one locale receive.

    Attributes:
        locale: the locale it is for (``"es"``, ``"de_AT"``).
        subject, body: sandbox templates (see :data:`invitekit.sandbox.PLACEHOLDERS`).
        customised: ``True`` when the business saved it, ``False`` for the shipped text.
        updated_at: when the business saved it (``None`` for the shipped text).
    """

    locale: str
    subject: str
    body: str
    customised: bool
    updated_at: datetime | None = None


@attrs.frozen(kw_only=True)
class _Override:
    """A one-off subject and/or body given to ``invite``/``invite_audience``."""

    subject: str | None = None
    body: str | None = None
    save: bool = False

    @classmethod
    def checked(cls, subject: str | None, body: str | None, save: bool) -> _Override | None:
        if subject is None and body is None:
            return None
        return cls(
            subject=None if subject is None else check_subject(subject),
            body=None if body is None else check_body(body),
            save=save,
        )


class InviteKit:
    """Everything invitekit does, for one business.

    Args:
        store: where data lives (:class:`~invitekit.adapters.memory.MemoryStore`,
            ``SQLStore``...).
        mailer: how emails leave (:class:`~invitekit.adapters.memory.MemoryMailer`,
            :class:`~invitekit.adapters.files.FolderMailer`, ``SMTPMailer``...).
        business: the business this instance acts for.
        secret_keys: signing keys, newest first (see :class:`~invitekit.tokens.Tokens`).
        clock: the time source; the system clock by default.
        token_expiry: validity of each kind of link.
        password_rules: what a password must satisfy.
        password_hasher: argon2id parameters.
        outbox: delivery settings.
        layout: the email layout (:class:`~invitekit.compose.Layout`); the packaged
            one by default.
        login_throttle: how many failed logins are tolerated (see
            :class:`~invitekit.accounts.LoginThrottle` for the defaults).
        mail_throttle: how many account emails an address may be sent (see
            :class:`~invitekit.accounts.MailThrottle`).

    Raises:
        ConfigurationError: for unusable settings (short keys, a bad time zone...).
    """

    def __init__(
        self,
        *,
        store: Store,
        mailer: Mailer,
        business: Business,
        secret_keys: Sequence[str],
        clock: Clock | None = None,
        token_expiry: TokenExpiry | None = None,
        password_rules: PasswordRules | None = None,
        password_hasher: PasswordHasher | None = None,
        outbox: OutboxSettings | None = None,
        layout: Layout | None = None,
        login_throttle: LoginThrottle | None = None,
        mail_throttle: MailThrottle | None = None,
    ) -> None:
        self.store = store
        self.mailer = mailer
        self.business = business
        self.clock: Clock = clock or SystemClock()
        self.tokens = Tokens(
            business_id=business.id,
            secret_keys=tuple(secret_keys),
            clock=self.clock,
            expiry=token_expiry,
        )
        self.password_rules = password_rules or PasswordRules()
        self.password_hasher = password_hasher or PasswordHasher()
        self.outbox = outbox or OutboxSettings()
        self.layout = layout
        self.login_throttle = login_throttle or LoginThrottle()
        self.mail_throttle = mail_throttle or MailThrottle()

    def __repr__(self) -> str:
        return f"InviteKit(business={self.business.id!r}, store={self.store!r})"

    # Customers ---------------------------------------------------------------------------

    def add_customer(
        self,
        email: str,
        *,
        first_name: str | None = None,
        last_name: str | None = None,
        locale: str | None = None,
        invite: bool = False,
        groups: Iterable[str] = (),
        auth_provider: str | None = None,
    ) -> Customer:
        """Add a customer (status Added), optionally inviting them in the same step.

        Args:
            email: the address; see :mod:`invitekit.emails` for what counts as the same.
            first_name: optional; used in the greeting.
            last_name: optional.
            locale: the customer's language (``"es"``, ``"de_AT"``); ``None`` for the
                business default.
            invite: queue an invitation at once (in the same transaction).
            groups: names of existing groups to add the customer to.
            auth_provider: for a customer who signs in with an external provider
                (``"google"``, ``"facebook"``...): the profile is active through it,
                so the customer is Accepted at once, has no password and cannot be
                invited; "forgot password" tells them to sign in with the provider.

        Returns:
            the stored customer.

        Raises:
            InvalidEmail, InvalidName, InvalidLocale: bad input; nothing is stored.
            DuplicateCustomer: the business already has this address (in any case
                or Unicode form).
            GroupNotFound: one of ``groups`` does not exist; nothing is stored.
            InvitationRefused: ``invite=True`` with an ``auth_provider``.
        """
        address = parse_email(email)
        provider = clean_name(auth_provider, field="auth_provider")
        now = self.clock.now()
        customer = self._new_customer(
            email=address.address,
            email_key=address.key,
            now=now,
            first_name=clean_name(first_name, field="first_name"),
            last_name=clean_name(last_name, field="last_name"),
            locale=_clean_locale(locale),
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
        with self.store.transaction() as tx:
            existing = tx.find_customer(self.business.id, address.key)
            if existing is not None:
                raise DuplicateCustomer(
                    f"{address.address} is already a customer", existing_id=existing.id
                )
            group_ids = [self._group(tx, name).id for name in groups]
            tx.insert_customer(customer)
            for group_id in group_ids:
                tx.add_group_members(self.business.id, group_id, [customer.id])
            tx.add_events([self._event(customer, EventKind.ADDED, now)])
            if provider is not None:
                tx.add_events(
                    [self._event(customer, EventKind.ACCEPTED, now, f"signs in with {provider}")]
                )
            if invite:
                self._queue_one(tx, customer, now)
        return customer

    def import_customers(
        self,
        source: str | Iterable[str],
        *,
        group: str | None = None,
        invite: bool = False,
    ) -> ImportReport:
        """Add the customers of a CSV export (see :mod:`invitekit.importing` for the columns).

        Lines with errors are reported, not raised; addresses that are already
        customers are reported and left unchanged, so importing the same file
        twice adds nobody the second time.  Groups named in the file, and
        ``group``, are created when missing.  Customers are added in batches,
        each in one transaction together with their group memberships and (with
        ``invite=True``) their invitations.

        Args:
            source: the CSV text, or an open text file.
            group: a group to put every imported customer in.
            invite: queue an invitation for each new customer.

        Raises:
            ValidationError: the file is not CSV or has no ``email`` column;
                nothing is stored.
        """
        rows, errors = parse_customers_csv(source)
        extra = () if group is None else (group,)
        for name in {n for row in rows for n in (*row.groups, *extra)}:
            self._ensure_group(name)
        added: list[str] = []
        existing: list[RowError] = []
        queued = 0
        size = self.outbox.batch_size
        for start in range(0, len(rows), size):
            with self.store.transaction() as tx:
                now = self.clock.now()
                groups = {g.name.casefold(): g.id for g in tx.list_groups(self.business.id)}
                new: list[Customer] = []
                for row in rows[start : start + size]:
                    found = tx.find_customer(self.business.id, row.email_key)
                    if found is not None:
                        existing.append(
                            RowError(line=row.line, message=f"{row.email} is already a customer")
                        )
                        continue
                    customer = self._new_customer(
                        email=row.email,
                        email_key=row.email_key,
                        now=now,
                        first_name=row.first_name,
                        last_name=row.last_name,
                        locale=row.locale,
                    )
                    tx.insert_customer(customer)
                    for name in (*row.groups, *extra):
                        tx.add_group_members(
                            self.business.id, groups[name.casefold()], [customer.id]
                        )
                    new.append(customer)
                tx.add_events([self._event(c, EventKind.ADDED, now, "imported") for c in new])
                if invite and new:
                    queued += len(new) - len(self._queue_many(tx, new, now, None))
                added += [c.id for c in new]
        return ImportReport(
            added=tuple(added), existing=tuple(existing), errors=tuple(errors), queued=queued
        )

    def _ensure_group(self, name: str) -> None:
        with self.store.transaction() as tx:
            if tx.find_group(self.business.id, name) is not None:
                return
        with contextlib.suppress(DuplicateGroup):  # created meanwhile by someone else: fine
            self.create_group(name)

    def get_customer(self, customer_id: str) -> Customer:
        """The customer with this id.

        Raises:
            CustomerNotFound: no such customer in this business.
        """
        with self.store.transaction() as tx:
            return self._customer(tx, customer_id)

    def find_customer(self, email: str) -> Customer | None:
        """The customer with this address (any case of the local part), or ``None``.

        Raises:
            InvalidEmail: ``email`` is not an address.
        """
        key = parse_email(email).key
        with self.store.transaction() as tx:
            return tx.find_customer(self.business.id, key)

    def list_customers(
        self,
        *,
        status: Status | None = None,
        group: str | None = None,
        archived: bool | None = False,
    ) -> list[Customer]:
        """Customers in creation order, filtered.

        Args:
            status: only this status.
            group: only members of the group with this name.
            archived: ``False`` (default) active customers only, ``True`` archived
                only, ``None`` both.

        Raises:
            GroupNotFound: no group with this name.
        """
        with self.store.transaction() as tx:
            group_id = None if group is None else self._group(tx, group).id
            return tx.list_customers(
                self.business.id, status=status, archived=archived, group_id=group_id
            )

    def update_customer(
        self,
        customer_id: str,
        *,
        email: str | object = _UNSET,
        first_name: str | object | None = _UNSET,
        last_name: str | object | None = _UNSET,
        locale: str | object | None = _UNSET,
    ) -> Customer:
        """Change a customer's details; only the arguments given change.

        Changing the email address invalidates every link already sent and
        withdraws a queued invitation (it was addressed to the old address).

        Raises:
            CustomerNotFound, InvalidEmail, InvalidName, InvalidLocale: nothing changes.
            DuplicateCustomer: another customer has the new address.
        """
        names: dict[str, str | None] = {}
        if first_name is not _UNSET:
            names["first_name"] = clean_name(_str_or_none(first_name), field="first_name")
        if last_name is not _UNSET:
            names["last_name"] = clean_name(_str_or_none(last_name), field="last_name")
        if locale is not _UNSET:
            names["locale"] = _clean_locale(_str_or_none(locale))
        address = None if email is _UNSET else parse_email(_str_or_none(email) or "")
        with self.store.transaction() as tx:
            now = self.clock.now()
            current = self._customer(tx, customer_id)
            updated, events = current, []
            if names:
                updated = transitions.rename(updated, now=now, **names)
                events.append(self._event(current, EventKind.UPDATED, now, ", ".join(names)))
            if address is not None and address.address != current.email:
                if address.key != current.email_key:
                    other = tx.find_customer(self.business.id, address.key)
                    if other is not None:
                        raise DuplicateCustomer(
                            f"{address.address} is already a customer", existing_id=other.id
                        )
                updated = transitions.change_email(updated, now=now, email=address)
                events.append(self._event(current, EventKind.EMAIL_CHANGED, now, current.email))
                events += self._cancel_pending(tx, current, now, "the email address changed")
            if updated is current:
                return current
            tx.update_customer(
                attrs.evolve(updated, version=current.version + 1),
                expected_version=current.version,
            )
            tx.add_events(events)
            return attrs.evolve(updated, version=current.version + 1)

    def archive_customer(self, customer_id: str) -> Customer:
        """Archive a customer: no invitations, no login, every link already sent dies.

        A queued invitation is withdrawn.  Archiving an archived customer changes nothing.

        Raises:
            CustomerNotFound: no such customer.
        """
        with self.store.transaction() as tx:
            now = self.clock.now()
            current = self._customer(tx, customer_id)
            if current.archived:
                return current
            updated = transitions.archive(current, now=now)
            tx.update_customer(updated, expected_version=current.version)
            events = self._cancel_pending(tx, current, now, "the customer was archived")
            tx.add_events([*events, self._event(current, EventKind.ARCHIVED, now)])
            return updated

    def restore_customer(self, customer_id: str) -> Customer:
        """Bring an archived customer back with the status they had.

        Links sent before archiving stay dead; invite again if needed.

        Raises:
            CustomerNotFound: no such customer.
        """
        with self.store.transaction() as tx:
            now = self.clock.now()
            current = self._customer(tx, customer_id)
            if not current.archived:
                return current
            updated = transitions.restore(current, now=now)
            tx.update_customer(updated, expected_version=current.version)
            tx.add_events([self._event(current, EventKind.RESTORED, now)])
            return updated

    def history(self, customer_id: str) -> list[Event]:
        """A customer's event log, oldest first.

        Raises:
            CustomerNotFound: no such customer.
        """
        with self.store.transaction() as tx:
            self._customer(tx, customer_id)
            return tx.list_events(self.business.id, customer_id)

    def can_use_portal(self, customer_id: str) -> bool:
        """Whether the customer may see their bookings and products (Accepted, not archived).

        Only Accepted, non-archived customers may; an unknown id may not.
        """
        if not _storable(customer_id):
            return False
        with self.store.transaction() as tx:
            customer = tx.get_customer(self.business.id, customer_id)
        return customer is not None and can_use_portal(customer)

    def status_counts(self) -> dict[Status, int]:
        """How many active (non-archived) customers have each status."""
        with self.store.transaction() as tx:
            return tx.count_customers(self.business.id)

    # Groups ------------------------------------------------------------------------------

    def create_group(self, name: str) -> Group:
        """Create a named group of customers.

        Raises:
            InvalidName: an empty or unusable name.
            DuplicateGroup: a group with this name (in any case) exists.
        """
        clean = clean_name(name, field="group name")
        if clean is None:
            raise InvalidName("a group needs a name", field="name")
        group = Group(
            id=new_id("grp"), business_id=self.business.id, name=clean, created_at=self.clock.now()
        )
        with self.store.transaction() as tx:
            tx.insert_group(group)
        return group

    def add_to_group(self, name: str, customer_ids: Iterable[str]) -> None:
        """Add customers to the group called ``name``.

        Raises:
            GroupNotFound, CustomerNotFound: nothing is added.
        """
        ids = list(dict.fromkeys(customer_ids))
        with self.store.transaction() as tx:
            group = self._group(tx, name)
            now = self.clock.now()
            customers = [self._customer(tx, customer_id) for customer_id in ids]
            tx.add_group_members(self.business.id, group.id, ids)
            tx.add_events(
                [self._event(c, EventKind.GROUP_JOINED, now, group.name) for c in customers]
            )

    def list_groups(self) -> list[Group]:
        """Every group of the business, by name."""
        with self.store.transaction() as tx:
            return tx.list_groups(self.business.id)

    # Invitations -------------------------------------------------------------------------

    def plan_invitations(self, audience: Audience) -> InvitationPlan:
        """Who an invitation campaign would reach, and who it would skip and why.

        Nothing is stored or sent.

        Raises:
            GroupNotFound, CustomerNotFound: the audience names something unknown.
        """
        recipients: list[Customer] = []
        skipped: list[Skipped] = []
        for recipient, reason in self._walk_audience(audience, queue=False):
            if reason is None:
                recipients.append(recipient)
            else:
                skipped.append(Skipped(customer=recipient, reason=reason))
        return InvitationPlan(
            audience=audience, recipients=tuple(recipients), skipped=tuple(skipped)
        )

    def invite(
        self,
        customer_id: str,
        *,
        subject: str | None = None,
        body: str | None = None,
        save: bool = False,
    ) -> OutboxMessage:
        """Queue an invitation to one customer (Added or Invited).

        Args:
            customer_id: whom to invite.
            subject: a one-off subject for this invitation instead of the saved (or
                shipped) one of the customer's language.
            body: a one-off body, likewise; either may be given alone.
            save: also store the one-off text as the invitation template of the
                customer's language (see :meth:`save_invitation_template`).

        Returns:
            the queued message; :meth:`deliver` sends it.

        Raises:
            TemplateError: the one-off text uses something not allowed; nothing is queued.
            CustomerNotFound: no such customer.
            InvitationRefused: the customer is accepted, archived, unsubscribed,
                already has an invitation queued, or was invited too recently;
                ``reason`` says which.
        """
        override = _Override.checked(subject, body, save)
        with self.store.transaction() as tx:
            customer = self._customer(tx, customer_id)
            now = self.clock.now()
            pending = bool(tx.pending_customer_ids(self.business.id, INVITATION, [customer.id]))
            reason = transitions.invitation_block(
                customer, now=now, pending=pending, cooldown=self.business.invitation_cooldown
            )
            if reason is not None:
                raise InvitationRefused(
                    f"cannot invite {customer.email}: {customer.email} {reason.message}",
                    reason=reason,
                    customer_id=customer.id,
                )
            message = self._queue_one(tx, customer, now, override)
            if message is None:
                raise InvitationRefused(
                    f"cannot invite {customer.email}: {SkipReason.ALREADY_PENDING.message}",
                    reason=SkipReason.ALREADY_PENDING,
                    customer_id=customer.id,
                )
            return message

    def invite_audience(
        self,
        audience: Audience,
        *,
        subject: str | None = None,
        body: str | None = None,
        save: bool = False,
    ) -> InvitationReport:
        """Queue invitations for everyone in ``audience`` who can be invited.

        A one-off ``subject``/``body`` is used for every recipient of this call,
        whatever their language (the greeting, links and footer stay in each
        recipient's language); with ``save=True`` it is also stored as the
        template of the business's default language.

        Customers are read and queued in batches, each batch in one transaction
        together with the decision of whom to queue; a customer never gets a second
        invitation while one is pending, even from a campaign running at the same
        moment in another process.

        Returns:
            how many were queued, and how many skipped per reason.

        Raises:
            TemplateError: the one-off text uses something not allowed; nothing is queued.
            GroupNotFound, CustomerNotFound: the audience names something unknown.
        """
        override = _Override.checked(subject, body, save)
        if override is not None and override.save:
            with self.store.transaction() as tx:
                self._save_override(tx, locale_for(None, self.business), override)
            override = attrs.evolve(override, save=False)
        queued = 0
        skipped: dict[SkipReason, int] = {}
        for _customer, reason in self._walk_audience(audience, queue=True, override=override):
            if reason is None:
                queued += 1
            else:
                skipped[reason] = skipped.get(reason, 0) + 1
        return InvitationReport(queued=queued, skipped=skipped)

    def _walk_audience(
        self, audience: Audience, *, queue: bool, override: _Override | None = None
    ) -> Iterator[tuple[Customer, SkipReason | None]]:
        """Yield each customer of the audience with the reason they are skipped, or ``None``.

        With ``queue=True`` the invitable ones are queued, batch by batch, in the
        transaction that decided it.
        """
        after: str | None = None
        batch_size = self.outbox.batch_size
        while True:
            with self.store.transaction() as tx:
                batch = self._audience_batch(tx, audience, after=after, limit=batch_size)
                if not batch:
                    return
                now = self.clock.now()
                pending = tx.pending_customer_ids(
                    self.business.id, INVITATION, [c.id for c in batch]
                )
                decided: list[tuple[Customer, SkipReason | None]] = []
                invitable: list[Customer] = []
                for customer in batch:
                    reason = transitions.invitation_block(
                        customer,
                        now=now,
                        pending=customer.id in pending,
                        cooldown=self.business.invitation_cooldown,
                    )
                    decided.append((customer, reason))
                    if reason is None:
                        invitable.append(customer)
                if queue and invitable:
                    lost = self._queue_many(tx, invitable, now, override)
                    decided = [
                        (c, SkipReason.ALREADY_PENDING if c.id in lost else r) for c, r in decided
                    ]
            yield from decided
            if len(batch) < batch_size or audience.kind is AudienceKind.CUSTOMER:
                return
            after = batch[-1].id

    def _audience_batch(
        self, tx: Transaction, audience: Audience, *, after: str | None, limit: int
    ) -> list[Customer]:
        if audience.kind is AudienceKind.CUSTOMER:
            assert audience.customer_id is not None
            return [self._customer(tx, audience.customer_id)]
        group_id = None
        if audience.kind is AudienceKind.GROUP:
            assert audience.group_name is not None
            group_id = self._group(tx, audience.group_name).id
        return tx.list_customers(
            self.business.id,
            status=audience.status_filter,
            group_id=group_id,
            after=after,
            limit=limit,
        )

    def _queue_one(
        self,
        tx: Transaction,
        customer: Customer,
        now: datetime,
        override: _Override | None = None,
    ) -> OutboxMessage | None:
        if override is not None and override.save:
            self._save_override(tx, locale_for(customer.locale, self.business), override)
        messages = [self._compose_invitation(tx, customer, now, override, {})]
        lost = tx.enqueue(messages)
        if lost:
            return None
        tx.add_events([self._event(customer, EventKind.INVITATION_QUEUED, now)])
        return messages[0]

    def _queue_many(
        self,
        tx: Transaction,
        customers: Sequence[Customer],
        now: datetime,
        override: _Override | None,
    ) -> set[str]:
        texts: dict[str, InvitationText] = {}
        messages = [self._compose_invitation(tx, c, now, override, texts) for c in customers]
        lost = tx.enqueue(messages)
        tx.add_events(
            [
                self._event(c, EventKind.INVITATION_QUEUED, now)
                for c in customers
                if c.id not in lost
            ]
        )
        return lost

    def _compose_invitation(
        self,
        tx: Transaction,
        customer: Customer,
        now: datetime,
        override: _Override | None,
        texts: dict[str, InvitationText],
    ) -> OutboxMessage:
        outbox_id = new_id("msg")
        locale = str(locale_for(customer.locale, self.business))
        if locale not in texts:
            texts[locale] = self._invitation_text(tx, locale, override)
        email = self._invitation_email(
            customer, message_id=message_id_for(outbox_id, self.business), text=texts[locale]
        )
        return OutboxMessage(
            id=outbox_id,
            business_id=self.business.id,
            customer_id=customer.id,
            kind=INVITATION,
            email=email,
            created_at=now,
            next_attempt_at=now,
        )

    def _invitation_email(
        self, customer: Customer, *, message_id: str, text: InvitationText, test: bool = False
    ) -> Email:
        activation = self.tokens.sign(customer, Purpose.ACTIVATION, test=test)
        unsubscribe = self.tokens.sign(customer, Purpose.UNSUBSCRIBE, test=test)
        return compose_invitation(
            business=self.business,
            recipient=Recipient(
                email=customer.email,
                first_name=customer.first_name,
                last_name=customer.last_name,
                locale=customer.locale,
            ),
            activation_link=self.business.activation_url.replace("{token}", activation),
            unsubscribe_link=self.business.unsubscribe_url.replace("{token}", unsubscribe),
            valid_until=self.tokens.expires_at(Purpose.ACTIVATION),
            message_id=message_id,
            text=text,
            layout=self.layout,
        )

    def _invitation_text(
        self, tx: Transaction, locale: str, override: _Override | None = None
    ) -> InvitationText:
        """The text for customers negotiated to ``locale``: one-off, else saved, else shipped."""
        effective = self._effective_template(tx, locale)
        if override is None:
            return InvitationText(subject=effective.subject, body=effective.body)
        return InvitationText(
            subject=override.subject if override.subject is not None else effective.subject,
            body=override.body if override.body is not None else effective.body,
        )

    def _effective_template(self, tx: Transaction, locale: str) -> InvitationTemplate:
        parsed = parse_locale(locale)
        for key in dict.fromkeys([str(parsed), parsed.language]):
            stored = tx.get_template(self.business.id, INVITATION, key)
            if stored is not None:
                return InvitationTemplate(
                    locale=key,
                    subject=stored.subject,
                    body=stored.body,
                    customised=True,
                    updated_at=stored.updated_at,
                )
        shipped = default_invitation_text(parsed)
        return InvitationTemplate(
            locale=str(parsed), subject=shipped.subject, body=shipped.body, customised=False
        )

    def _save_override(self, tx: Transaction, locale: Locale, override: _Override) -> None:
        """Store a one-off text (completed from the effective one) for ``locale``'s language."""
        key = locale.language
        text = self._invitation_text(tx, key, override)
        tx.save_template(
            StoredTemplate(
                business_id=self.business.id,
                kind=INVITATION,
                locale=key,
                subject=text.subject,
                body=text.body,
                updated_at=self.clock.now(),
            )
        )

    # Invitation templates ----------------------------------------------------------------

    def save_invitation_template(
        self, locale: str, *, subject: str, body: str
    ) -> InvitationTemplate:
        """Store the business's own invitation text for customers of ``locale``.

        Used from then on for every invitation to a customer whose language
        negotiates to ``locale``: a text saved for ``"de"`` serves ``de`` and
        ``de_AT`` customers (unless one is saved for ``"de_AT"``).  Both are jinja2
        templates checked now: only the placeholders of
        :data:`invitekit.sandbox.PLACEHOLDERS` and the filters of
        :data:`invitekit.sandbox.FILTERS`, and ``{% if %}``, are allowed.  The
        subject must be one line (a line break is refused, not joined).

        Args:
            locale: a locale invitekit ships a catalog for (``"es"``, ``"de_AT"``).
            subject: the subject line template.
            body: the body template; a blank line separates paragraphs.

        Returns:
            the saved template.

        Raises:
            InvalidLocale: unknown locale, or one without a shipped catalog.
            TemplateError: the text uses something not allowed; the message says
                what and on which line.  Nothing is stored.
        """
        key = self._template_locale(locale)
        stored = StoredTemplate(
            business_id=self.business.id,
            kind=INVITATION,
            locale=key,
            subject=check_subject(subject),
            body=check_body(body),
            updated_at=self.clock.now(),
        )
        with self.store.transaction() as tx:
            tx.save_template(stored)
        return InvitationTemplate(
            locale=key,
            subject=stored.subject,
            body=stored.body,
            customised=True,
            updated_at=stored.updated_at,
        )

    def invitation_template(self, locale: str) -> InvitationTemplate:
        """The invitation text customers of ``locale`` receive: saved, else the shipped one.

        Use it to pre-fill an editor.

        Raises:
            InvalidLocale: unknown locale, or one without a shipped catalog.
        """
        key = self._template_locale(locale)
        with self.store.transaction() as tx:
            return self._effective_template(tx, key)

    def preview_invitation(
        self, customer_id: str, *, subject: str | None = None, body: str | None = None
    ) -> Email:
        """The invitation ``customer_id`` would receive now; nothing is stored or sent.

        Args:
            customer_id: the customer.
            subject: a one-off subject to preview instead of the effective one.
            body: a one-off body to preview instead of the effective one.

        Raises:
            CustomerNotFound: no such customer.
            TemplateError: the one-off text uses something not allowed.
        """
        override = _Override.checked(subject, body, save=False)
        with self.store.transaction() as tx:
            customer = self._customer(tx, customer_id)
            locale = str(locale_for(customer.locale, self.business))
            text = self._invitation_text(tx, locale, override)
        return self._invitation_email(
            customer, message_id=message_id_for(new_id("msg"), self.business), text=text
        )

    def send_test_invitation(
        self,
        address: str,
        *,
        locale: str | None = None,
        subject: str | None = None,
        body: str | None = None,
    ) -> Email:
        """Send the invitation, composed exactly as a real one, to ``address`` (the business's).

        Sent at once through the mailer, not through the outbox: the business
        waits for it and sees a delivery failure as an exception.  No customer is
        read or changed and nothing is stored.  The links are signed as a test:
        :meth:`check_activation`, :meth:`accept_invitation` and :meth:`unsubscribe`
        refuse them with :class:`~invitekit.exceptions.TestInvitationToken`.

        Args:
            address: where to send it.
            locale: the language to test; the business default when ``None``.
            subject: a one-off subject to test instead of the effective one.
            body: a one-off body to test instead of the effective one.

        Returns:
            the email sent.

        Raises:
            InvalidEmail: ``address`` is not an email address.
            InvalidLocale: ``locale`` is unknown.
            TemplateError: the one-off text uses something not allowed.
            DeliveryError: the mailer could not send it.
        """
        recipient = parse_email(address)
        override = _Override.checked(subject, body, save=False)
        wanted = _clean_locale(locale)
        now = self.clock.now()
        stand_in = Customer(
            id=new_id("tst"),
            business_id=self.business.id,
            email=recipient.address,
            email_key=recipient.key,
            locale=wanted,
            created_at=now,
            updated_at=now,
        )
        with self.store.transaction() as tx:
            text = self._invitation_text(tx, str(locale_for(wanted, self.business)), override)
        email = self._invitation_email(
            stand_in,
            message_id=message_id_for(new_id("msg"), self.business),
            text=text,
            test=True,
        )
        with self.mailer.session() as session:
            session.send(email)
        return email

    def _template_locale(self, locale: str) -> str:
        parsed = parse_locale(locale.strip() if isinstance(locale, str) else "")
        shipped = available_locales()
        if str(parsed) not in shipped and parsed.language not in shipped:
            raise InvalidLocale(
                f"invitekit has no catalog for {locale!r}; it has {', '.join(sorted(shipped))}",
                field="locale",
            )
        return str(parsed)

    def _cancel_pending(
        self,
        tx: Transaction,
        customer: Customer,
        now: datetime,
        reason: str,
        kind: str | None = None,
    ) -> list[Event]:
        if tx.cancel_pending(self.business.id, customer.id, reason=reason, kind=kind):
            return [self._event(customer, EventKind.INVITATION_CANCELLED, now, reason)]
        return []

    # Delivery ----------------------------------------------------------------------------

    def deliver(self, *, limit: int | None = None) -> DeliveryReport:
        """Hand due messages from the outbox to the mailer, until none is left (or ``limit``).

        Each message is claimed with a lease, so several workers (threads,
        processes, machines) can deliver from one Store without sending a message
        twice while its claim holds.  After the mail server accepts a message, the
        message is marked sent and the customer becomes Invited, in one
        transaction.  A temporary failure (4xx, connection trouble) is retried
        later with exponential backoff, up to ``OutboxSettings.max_attempts``; a
        permanent one (5xx) gives up at once.  Failures are recorded on the
        customer (``delivery_failure``) and in their history.

        Delivery is at-least-once: if the process dies after the server accepted a
        message but before the commit, the message is sent again later, with the
        same ``Message-ID``.

        Returns:
            counts of what happened.
        """
        totals = {"sent": 0, "retrying": 0, "failed": 0, "cancelled": 0}
        remaining = limit
        # One mailer session (one SMTP connection) serves every batch of this call;
        # it is opened when the first batch is claimed, so an idle call connects nowhere.
        try:
            with contextlib.ExitStack() as mailer:
                session: MailerSession | None = None
                while remaining is None or remaining > 0:
                    size = min(self.outbox.batch_size, remaining or self.outbox.batch_size)
                    claim_token, claimed, sendable = self._claim(size, totals)
                    if not claimed:
                        break
                    if remaining is not None:
                        remaining -= len(claimed)
                    if session is None:
                        try:
                            session = mailer.enter_context(self.mailer.session())
                        except DeliveryError as err:  # could not connect: try later
                            for message in sendable:
                                self._record_failure(message, claim_token, err, totals)
                            break
                    self._send_batch(session, sendable, claim_token, totals)
        except DeliveryError as err:
            # Closing a connection that had already dropped; every message was handled.
            log.debug("closing the mailer session failed: %s", err)
        return DeliveryReport(**totals)

    def _claim(
        self, size: int, totals: dict[str, int]
    ) -> tuple[str, list[OutboxMessage], list[OutboxMessage]]:
        """Lease up to ``size`` due messages; withdraw the stale ones at once."""
        claim_token = new_id("clm")
        with self.store.transaction() as tx:
            now = self.clock.now()
            claimed = tx.claim_outbox(
                now=now,
                lease_until=now + self.outbox.lease,
                claim_token=claim_token,
                limit=size,
                business_id=self.business.id,
            )
            sendable = self._withdraw_stale(tx, claimed, claim_token, now, totals)
        return claim_token, claimed, sendable

    def _withdraw_stale(
        self,
        tx: Transaction,
        claimed: list[OutboxMessage],
        claim_token: str,
        now: datetime,
        totals: dict[str, int],
    ) -> list[OutboxMessage]:
        """Cancel claimed invitations whose customer can no longer receive them."""
        sendable = []
        for message in claimed:
            customer = (
                None
                if message.customer_id is None
                else tx.get_customer(self.business.id, message.customer_id)
            )
            stale = message.kind == INVITATION and (
                customer is None
                or customer.status is Status.ACCEPTED
                or customer.archived
                or customer.unsubscribed
                or customer.email != message.email.to
            )
            if not stale:
                sendable.append(message)
                continue
            tx.update_outbox(
                attrs.evolve(
                    message,
                    state=OutboxState.CANCELLED,
                    claimed_until=None,
                    last_error="the customer can no longer be invited",
                ),
                claim_token=claim_token,
            )
            totals["cancelled"] += 1
        return sendable

    def _send_batch(
        self,
        session: MailerSession,
        messages: list[OutboxMessage],
        claim_token: str,
        totals: dict[str, int],
    ) -> None:
        for message in messages:
            try:
                session.send(message.email)
            except DeliveryError as err:
                self._record_failure(message, claim_token, err, totals)
            else:
                self._record_sent(message, claim_token)
                totals["sent"] += 1

    def _record_sent(self, message: OutboxMessage, claim_token: str) -> None:
        for attempt in range(3):
            try:
                with self.store.transaction() as tx:
                    now = self.clock.now()
                    tx.update_outbox(
                        attrs.evolve(
                            message,
                            state=OutboxState.SENT,
                            sent_at=now,
                            claimed_until=None,
                            last_error=None,
                        ),
                        claim_token=claim_token,
                    )
                    if message.customer_id is None:
                        return
                    customer = tx.get_customer(self.business.id, message.customer_id)
                    if customer is None:
                        return
                    if message.kind == INVITATION:
                        updated = transitions.mark_delivered(customer, now=now)
                        tx.update_customer(updated, expected_version=customer.version)
                    tx.add_events([self._event(customer, EventKind.DELIVERED, now, message.kind)])
                    return
            except ConcurrentUpdate:
                # Either the customer changed between read and write (retry), or our
                # lease was lost and another worker owns the message (give up: it
                # was sent, and the other worker will record it).
                if attempt == 2 or self._lease_lost(message, claim_token):
                    log.warning("outbox message %s: sent, but the claim was lost", message.id)
                    return

    def _lease_lost(self, message: OutboxMessage, claim_token: str) -> bool:
        with self.store.transaction() as tx:
            stored = tx.get_outbox(message.id)
        return stored is None or stored.state is not OutboxState.PENDING

    def _record_failure(
        self,
        message: OutboxMessage,
        claim_token: str,
        error: DeliveryError,
        totals: dict[str, int],
    ) -> None:
        text = str(error) or type(error).__name__
        give_up = isinstance(error, PermanentDeliveryError) or (
            message.attempts >= self.outbox.max_attempts
        )
        try:
            with self.store.transaction() as tx:
                now = self.clock.now()
                stored = tx.get_outbox(message.id)
                if stored is None or stored.state is OutboxState.CANCELLED:
                    # Withdrawn while we were trying (the customer was archived,
                    # unsubscribed...): a failure must not bring it back to life.
                    totals["cancelled"] += 1
                    return
                tx.update_outbox(
                    attrs.evolve(
                        message,
                        state=OutboxState.FAILED if give_up else OutboxState.PENDING,
                        claimed_until=None,
                        last_error=text,
                        next_attempt_at=now + self.outbox.backoff(message.attempts),
                    ),
                    claim_token=claim_token,
                )
                if message.customer_id is not None:
                    customer = tx.get_customer(self.business.id, message.customer_id)
                    if customer is not None:
                        detail = (
                            f"{text} (attempt {message.attempts}{', gave up' if give_up else ''})"
                        )
                        if message.kind == INVITATION:
                            updated = transitions.mark_delivery_failed(
                                customer, now=now, reason=text
                            )
                            tx.update_customer(updated, expected_version=customer.version)
                        tx.add_events(
                            [self._event(customer, EventKind.DELIVERY_FAILED, now, detail)]
                        )
        except ConcurrentUpdate:
            log.warning("outbox message %s: failure not recorded, claim lost", message.id)
            return
        totals["failed" if give_up else "retrying"] += 1

    def outbox_messages(
        self, *, customer_id: str | None = None, state: OutboxState | None = None
    ) -> list[OutboxMessage]:
        """The outbox of this business (oldest first), e.g. to show failed deliveries."""
        with self.store.transaction() as tx:
            return tx.list_outbox(self.business.id, customer_id=customer_id, state=state)

    # Activation --------------------------------------------------------------------------

    def check_activation(self, token: str) -> LinkCheck:
        """Who an activation link is for, and whether it still works.  Changes nothing.

        Call it when the activation page is opened (GET); mail scanners that
        pre-fetch links consume nothing.

        Raises:
            TokenError: the link is refused; the subclass says why
                (``TokenInvalid``, ``TokenExpired``, ``TokenUsed``, ``TokenWrongPurpose``,
                ``TokenWrongBusiness``, ``TestInvitationToken``, ``CustomerArchived``).
        """
        with self.store.transaction() as tx:
            claims, customer = self._redeem(tx, token, Purpose.ACTIVATION)
        return self._link_check(claims, customer)

    def accept_invitation(self, token: str, password: str) -> Customer:
        """Activate a profile: set the password and make the customer Accepted.

        Call it when the activation form is submitted (POST).  Of simultaneous
        submissions of one link exactly one succeeds; the others get
        :class:`TokenUsed`.

        Returns:
            the accepted customer.

        Raises:
            WeakPassword: the password breaks the rules; the link stays valid.
            TokenError: the link is refused; the subclass says why (see
                :meth:`check_activation`).
        """
        with self._set_password_by_link(token, Purpose.ACTIVATION, password) as link:
            tx, current, password_hash = link
            now = self.clock.now()
            accepted = transitions.accept(current, now=now, password_hash=password_hash)
            tx.update_customer(accepted, expected_version=current.version)
            tx.cancel_pending(self.business.id, current.id, reason="the customer accepted")
            tx.add_events([self._event(current, EventKind.ACCEPTED, now)])
        return accepted

    def unsubscribe(self, token: str) -> Customer:
        """Opt the customer out of invitation emails (the one-click POST of RFC 8058).

        A queued invitation is withdrawn.  Unsubscribing twice changes nothing.
        The customer can still activate with a link they already hold.

        Raises:
            TokenError: the link is refused; the subclass says why.
        """
        with self.store.transaction() as tx:
            _claims, current = self._redeem(tx, token, Purpose.UNSUBSCRIBE)
            if current.unsubscribed:
                return current
            now = self.clock.now()
            updated = transitions.unsubscribe(current, now=now)
            tx.update_customer(updated, expected_version=current.version)
            # Only the invitation: an account email the customer asked for
            # (a password reset, a sign-up confirmation) still goes out.
            events = self._cancel_pending(
                tx, current, now, "the customer unsubscribed", kind=INVITATION
            )
            tx.add_events([*events, self._event(current, EventKind.UNSUBSCRIBED, now)])
            return updated

    def _redeem(
        self, tx: Transaction, token: str, purpose: Purpose
    ) -> tuple[TokenClaims, Customer]:
        """Verify ``token`` against the stored customer; raise the precise refusal."""
        try:
            claims = self.tokens.verify(token, purpose)
        except TokenExpired:
            # An expired link to an already accepted profile is better explained as used.
            claims = self.tokens.peek(token, purpose)
            customer = (
                None
                if claims.customer_id is None
                else tx.get_customer(self.business.id, claims.customer_id)
            )
            if (
                customer is not None
                and purpose is Purpose.ACTIVATION
                and customer.status is Status.ACCEPTED
            ):
                raise TokenUsed("this profile is already activated: log in instead") from None
            if claims.test:
                raise TestInvitationToken(
                    "this link comes from a test invitation (and has expired)"
                ) from None
            raise
        if claims.test:
            raise TestInvitationToken(
                "this link comes from a test invitation: "
                "real customers see the activation page here"
            )
        customer = (
            None
            if claims.customer_id is None
            else tx.get_customer(self.business.id, claims.customer_id)
        )
        if customer is None:
            raise TokenInvalid("this link is not valid")
        if customer.archived:
            raise CustomerArchived("this profile is archived; contact the business")
        if claims.fingerprint != fingerprint(customer, purpose):
            if purpose is Purpose.ACTIVATION and customer.status is Status.ACCEPTED:
                raise TokenUsed("this profile is already activated: log in instead")
            raise TokenUsed("this link is no longer valid: it was used or replaced by a newer one")
        return claims, customer

    def _expires_at(self, claims: TokenClaims) -> datetime | None:
        validity = self.tokens.expiry.of(claims.purpose)
        return None if validity is None else claims.issued_at + validity

    # Accounts ----------------------------------------------------------------------------

    def login(self, email: str, password: str, *, client: str | None = None) -> Customer:
        """Check an email and password; return the customer if they match an active profile.

        Only Accepted, non-archived customers with a password can log in.  Every
        refusal is the same :class:`InvalidCredentials`, and an unknown address
        costs the same work as a known one (a dummy hash is verified).  Failures
        are counted in the Store per address, and per ``client`` when given
        (see :class:`~invitekit.accounts.LoginThrottle`); when a limit is reached,
        :class:`LoginThrottled` is raised before the password is checked.  A
        success forgets the address's failures and, when the hash was made with
        other argon2 parameters than the current ones, stores a new hash.

        Args:
            email: the address typed (any case of the local part).
            password: the password typed.
            client: an optional key for the client (its IP address, say).

        Returns:
            the customer, as stored after the login.

        Raises:
            LoginThrottled: too many recent failures; ``retry_at`` says when to retry.
            InvalidCredentials: the email and password do not match an active profile.
        """
        try:
            email_key: str | None = parse_email(email).key
        except InvalidEmail:
            email_key = None
        keys = self._throttle_keys(email_key, client)
        with self.store.transaction() as tx:
            now = self.clock.now()
            customer = None if email_key is None else tx.find_customer(self.business.id, email_key)
            retry_at = self._throttled_until(tx, keys, now)
            if retry_at is not None and customer is not None:
                tx.add_events([self._event(customer, EventKind.LOGIN_FAILED, now, "throttled")])
        if retry_at is not None:
            raise LoginThrottled("too many failed attempts: try again later", retry_at=retry_at)
        stored_hash = None
        if customer is not None and _can_log_in(customer):
            stored_hash = customer.password_hash
        typed = unicodedata.normalize("NFC", password) if isinstance(password, str) else ""
        matched = self.password_hasher.verify(stored_hash, typed)
        new_hash = None
        if matched and stored_hash is not None and self.password_hasher.needs_rehash(stored_hash):
            new_hash = self.password_hasher.hash(typed)
        with self.store.transaction() as tx:
            now = self.clock.now()
            current = None if customer is None else tx.get_customer(self.business.id, customer.id)
            if matched:
                # The customer may have changed since it was read (archived, a new
                # password): only the hash that was verified, still usable, counts.
                matched = (
                    current is not None
                    and _can_log_in(current)
                    and current.password_hash == stored_hash
                )
            if not (matched and current is not None):
                for key, _limit in keys:
                    tx.record_attempt(self.business.id, key, now)
                if current is not None:
                    reason = _login_refusal(current)
                    tx.add_events([self._event(current, EventKind.LOGIN_FAILED, now, reason)])
            else:
                current = self._logged_in(tx, current, new_hash, email_key, now)
        if not (matched and current is not None):
            raise InvalidCredentials("the email address or the password is not right")
        return current

    def request_password_reset(self, email: str) -> None:
        """Answer "forgot password": the same way, and with similar work, whatever the address.

        * An Accepted customer with a password gets a reset link (it dies when
          the password changes, and after :attr:`TokenExpiry.password_reset`).
        * A customer who signs in with an external provider gets an email telling
          them to sign in with it.
        * A customer who never activated the profile (Added or Invited) gets an
          activation link: choosing a password activates the profile.
        * An unknown or archived address gets nothing.

        The email is queued in the outbox (:meth:`deliver` sends it) and always
        goes to the address on file, never to the spelling typed.  At most one
        such email is pending per customer, and an address is sent at most
        :attr:`MailThrottle.max_emails` account emails per window.

        Raises:
            InvalidEmail: ``email`` is not an address at all (this says nothing
                about whether a customer has it).
        """
        address = parse_email(email)
        with self.store.transaction() as tx:
            now = self.clock.now()
            customer = tx.find_customer(self.business.id, address.key)
            message, detail = self._reset_answer(customer, address.address, now)
            if self._mail_throttled(tx, address.key, now):
                return
            if customer is not None and message is not None:
                # At most one pending per customer: a repeated request adds no mail.
                tx.enqueue([message])
                event = self._event(customer, EventKind.PASSWORD_RESET_REQUESTED, now, detail)
                tx.add_events([event])

    def check_password_reset(self, token: str) -> LinkCheck:
        """Whom a password-reset link is for, and whether it still works.  Changes nothing.

        Call it when the reset page is opened (GET).

        Raises:
            TokenError: the link is refused; the subclass says why
                (``TokenInvalid``, ``TokenExpired``, ``TokenUsed``,
                ``TokenWrongPurpose``, ``TokenWrongBusiness``,
                ``CustomerArchived``).
        """
        with self.store.transaction() as tx:
            claims, customer = self._redeem(tx, token, Purpose.PASSWORD_RESET)
        return self._link_check(claims, customer)

    def reset_password(self, token: str, new_password: str) -> Customer:
        """Set a new password with a reset link (the POST of the reset page).

        The link dies (with every other link sent to the customer), the
        address's failed logins are forgotten.  Of simultaneous submissions of
        one link exactly one succeeds; the others get :class:`TokenUsed`.

        Returns:
            the customer with the new password.

        Raises:
            WeakPassword: the password breaks the rules; the link stays valid.
            TokenError: the link is refused; the subclass says why
                (``TokenInvalid``, ``TokenExpired``, ``TokenUsed``,
                ``TokenWrongPurpose``, ``TokenWrongBusiness``,
                ``CustomerArchived``).
        """
        with self._set_password_by_link(token, Purpose.PASSWORD_RESET, new_password) as link:
            tx, current, password_hash = link
            now = self.clock.now()
            updated = transitions.set_password(current, now=now, password_hash=password_hash)
            tx.update_customer(updated, expected_version=current.version)
            tx.clear_attempts(self.business.id, _email_throttle_key(current.email_key))
            tx.add_events([self._event(current, EventKind.PASSWORD_RESET, now)])
        return updated

    def register(
        self,
        email: str,
        *,
        first_name: str | None = None,
        last_name: str | None = None,
        locale: str | None = None,
        password: str,
    ) -> None:
        """Sign a visitor up from the booking page; the address must be confirmed first.

        Answers the same way (``None``), with similar work (the password is
        always hashed), whatever the address:

        * A new address: the sign-up is kept and a verification link sent to it;
          :meth:`verify_email` then creates an Accepted customer.
        * The address of an Added or Invited customer: a verification link is
          sent to *that customer's stored address*; following it activates the
          existing profile with the password chosen here (nothing is attached
          without proof of the address, and bookings are not duplicated).
        * An Accepted customer with a password: an email saying they already
          have a profile, with a password-reset link.
        * A customer who signs in with an external provider: an email telling
          them to sign in with it.
        * An archived customer: nothing is sent.

        An address is sent at most :attr:`MailThrottle.max_emails` account
        emails per window; beyond that the call answers the same and sends nothing.

        Raises:
            InvalidEmail, InvalidName, InvalidLocale, WeakPassword: bad input,
                checked before anything is looked up.
        """
        address = parse_email(email)
        first = clean_name(first_name, field="first_name")
        last = clean_name(last_name, field="last_name")
        chosen_locale = _clean_locale(locale)
        normalized = self.password_rules.check(
            password, context=[address.address, first or "", last or "", self.business.name]
        )
        password_hash = self.password_hasher.hash(normalized)
        with self.store.transaction() as tx:
            now = self.clock.now()
            registration = Registration(
                id=new_id("reg"),
                business_id=self.business.id,
                email=address.address,
                email_key=address.key,
                first_name=first,
                last_name=last,
                locale=chosen_locale,
                password_hash=password_hash,
                created_at=now,
            )
            customer = tx.find_customer(self.business.id, address.key)
            message = self._signup_answer(registration, customer, now)
            if self._mail_throttled(tx, address.key, now) or message is None:
                return
            if not tx.enqueue([message]) and message.kind == EMAIL_VERIFICATION:
                tx.insert_registration(registration)

    def check_email_verification(self, token: str) -> LinkCheck:
        """Which sign-up a verification link confirms, and whether it still works.

        Changes nothing: call it when the verification page is opened (GET).

        Raises:
            TokenError: the link is refused; the subclass says why
                (``TokenInvalid``, ``TokenExpired``, ``TokenUsed``,
                ``TokenWrongPurpose``, ``TokenWrongBusiness``,
                ``CustomerArchived``).
        """
        with self.store.transaction() as tx:
            claims, registration, customer = self._redeem_verification(tx, token)
        return LinkCheck(
            purpose=claims.purpose,
            email=registration.email if customer is None else customer.email,
            customer_id=None if customer is None else customer.id,
            first_name=registration.first_name if customer is None else customer.first_name,
            locale=registration.locale if customer is None else customer.locale,
            expires_at=self._expires_at(claims),
            needs_password=customer is not None,
        )

    def verify_email(self, token: str, *, password: str | None = None) -> Customer:
        """Confirm a sign-up (the POST of the verification page): the profile becomes active.

        A new address becomes a new Accepted customer; an existing customer's
        profile is activated with the password chosen at sign-up.  The link
        works once; of simultaneous submissions exactly one succeeds.

        When the sign-up would activate an *existing* profile
        (:attr:`LinkCheck.needs_password` on :meth:`check_email_verification`),
        ``password`` must be the one chosen at sign-up: otherwise anyone could
        sign up with a customer's address and a password of their own, and take
        the profile over the moment the customer clicks "confirm".  For a new
        address it is optional (when given, it must match); asking for it
        always protects new addresses the same way.

        Args:
            token: from the link.
            password: the password typed on the verification page.

        Returns:
            the Accepted customer.

        Raises:
            InvalidCredentials: ``password`` is missing or not the one chosen at
                sign-up; the link stays valid.
            TokenError: the link is refused; the subclass says why
                (``TokenInvalid``, ``TokenExpired``, ``TokenUsed``,
                ``TokenWrongPurpose``, ``TokenWrongBusiness``,
                ``CustomerArchived``).
        """
        with self.store.transaction() as tx:
            _claims, registration, customer = self._redeem_verification(tx, token)
        if password is not None or customer is not None:
            typed = unicodedata.normalize("NFC", password) if isinstance(password, str) else ""
            if not self.password_hasher.verify(registration.password_hash, typed):
                raise InvalidCredentials("enter the password you chose when you signed up")
        with self.store.transaction() as tx:
            now = self.clock.now()
            # Again inside the writing transaction: another submission may have won.
            _claims, registration, customer = self._redeem_verification(tx, token)
            if customer is None:
                accepted = self._new_customer(
                    email=registration.email,
                    email_key=registration.email_key,
                    now=now,
                    first_name=registration.first_name,
                    last_name=registration.last_name,
                    locale=registration.locale,
                    status=Status.ACCEPTED,
                    password_hash=registration.password_hash,
                    accepted_at=now,
                )
                try:
                    tx.insert_customer(accepted)
                except DuplicateCustomer as err:
                    raise TokenUsed("this link was just used") from err
                events = [
                    self._event(accepted, EventKind.ADDED, now, "signed up"),
                    self._event(accepted, EventKind.ACCEPTED, now, "verified the email address"),
                ]
            else:
                accepted = transitions.accept(
                    customer, now=now, password_hash=registration.password_hash
                )
                try:
                    tx.update_customer(accepted, expected_version=customer.version)
                except ConcurrentUpdate as err:
                    raise TokenUsed("this link was just used") from err
                tx.cancel_pending(self.business.id, customer.id, reason="the customer accepted")
                events = [
                    self._event(customer, EventKind.ACCEPTED, now, "verified the email address")
                ]
            tx.delete_registration(self.business.id, registration.id)
            tx.add_events(events)
        return accepted

    def check_unsubscribe(self, token: str) -> LinkCheck:
        """Whom an unsubscribe link is for.  Changes nothing (the GET of the link).

        Show a page with a button whose POST calls :meth:`unsubscribe`.

        Raises:
            TokenError: the link is refused; the subclass says why
                (``TokenInvalid``, ``TokenUsed``, ``TokenWrongPurpose``,
                ``TokenWrongBusiness``, ``TestInvitationToken``,
                ``CustomerArchived``).
        """
        with self.store.transaction() as tx:
            claims, customer = self._redeem(tx, token, Purpose.UNSUBSCRIBE)
        return self._link_check(claims, customer)

    def _logged_in(
        self,
        tx: Transaction,
        customer: Customer,
        new_hash: str | None,
        email_key: str | None,
        now: datetime,
    ) -> Customer:
        """Record a successful login: forget the failures, upgrade the hash if needed."""
        if email_key is not None:
            tx.clear_attempts(self.business.id, _email_throttle_key(email_key))
        detail = ""
        if new_hash is not None:
            # Not a password change: links already sent stay valid (except a
            # pending reset link, whose fingerprint covers the hash).
            rehashed = attrs.evolve(
                customer, password_hash=new_hash, updated_at=now, version=customer.version + 1
            )
            try:
                tx.update_customer(rehashed, expected_version=customer.version)
            except ConcurrentUpdate:
                log.info("customer %s: hash upgrade skipped, changed meanwhile", customer.id)
            else:
                customer, detail = rehashed, "password hash upgraded"
        tx.add_events([self._event(customer, EventKind.LOGGED_IN, now, detail)])
        return customer

    def _mail_throttled(self, tx: Transaction, email_key: str, now: datetime) -> bool:
        """Count a request for an account email to ``email_key``; whether it is one too many."""
        key = f"mail:{email_key}"
        since = now - self.mail_throttle.window
        recent = tx.count_attempts(self.business.id, key, since=since)
        tx.record_attempt(self.business.id, key, now)
        return recent >= self.mail_throttle.max_emails

    def _throttle_keys(self, email_key: str | None, client: str | None) -> list[tuple[str, int]]:
        keys = []
        if email_key is not None:
            keys.append((_email_throttle_key(email_key), self.login_throttle.max_failures))
        if client is not None and self.login_throttle.client_max_failures is not None:
            keys.append((_client_throttle_key(client), self.login_throttle.client_max_failures))
        return keys

    def _throttled_until(
        self, tx: Transaction, keys: list[tuple[str, int]], now: datetime
    ) -> datetime | None:
        """When the throttled keys among ``keys`` allow an attempt again, or ``None``."""
        window = self.login_throttle.window
        retry_at: datetime | None = None
        for key, limit in keys:

            def recent(offset: int, key: str = key) -> int:
                since = now - window + timedelta(seconds=offset)
                return tx.count_attempts(self.business.id, key, since=since)

            if recent(0) < limit:
                continue
            # The Store only counts; find, to the second, the moment enough of
            # the failures have left the window (a few counts, on a rare path).
            low, high = 0, math.ceil(window.total_seconds()) + 1
            while high - low > 1:
                middle = (low + high) // 2
                low, high = (middle, high) if recent(middle) >= limit else (low, middle)
            until = now + timedelta(seconds=high)
            retry_at = until if retry_at is None else max(retry_at, until)
        return retry_at

    def _reset_answer(
        self, customer: Customer | None, typed: str, now: datetime
    ) -> tuple[OutboxMessage | None, str]:
        """The email that answers a reset request, and a note for the history."""
        if customer is None or customer.archived:
            # Compose (and drop) a reset email anyway, so that this case costs
            # about what the others do.
            decoy = Customer(
                id="cus_decoy",
                business_id=self.business.id,
                email=typed,
                email_key=typed,
                status=Status.ACCEPTED,
                created_at=now,
                updated_at=now,
            )
            self._account_message(decoy, PASSWORD_RESET, now, Purpose.PASSWORD_RESET)
            return None, ""
        if customer.password_hash is None and customer.auth_provider is not None:
            return self._account_message(customer, PROVIDER_HINT, now, None), "provider hint"
        if customer.status is not Status.ACCEPTED:
            message = self._account_message(customer, PASSWORD_RESET, now, Purpose.ACTIVATION)
            return message, "activation link"
        if customer.password_hash is None:
            return None, ""
        message = self._account_message(customer, PASSWORD_RESET, now, Purpose.PASSWORD_RESET)
        return message, "reset link"

    def _signup_answer(
        self, registration: Registration, customer: Customer | None, now: datetime
    ) -> OutboxMessage | None:
        """The email that answers a sign-up (see :meth:`register`)."""
        if customer is not None and customer.archived:
            return None
        if customer is not None and customer.password_hash is None and customer.auth_provider:
            return self._account_message(customer, PROVIDER_HINT, now, None)
        if customer is not None and customer.status is Status.ACCEPTED:
            return self._account_message(customer, ACCOUNT_EXISTS, now, Purpose.PASSWORD_RESET)
        token = self.tokens.sign_verification(registration, customer)
        outbox_id = new_id("msg")
        email = account_mail.compose_email_verification(
            business=self.business,
            recipient=Recipient(
                email=registration.email if customer is None else customer.email,
                first_name=registration.first_name if customer is None else customer.first_name,
                locale=registration.locale if customer is None else customer.locale,
            ),
            link=self.business.verify_url.replace("{token}", token),
            valid_until=self.tokens.expires_at(Purpose.EMAIL_VERIFICATION),
            message_id=message_id_for(outbox_id, self.business),
        )
        return self._outbox_message(outbox_id, customer, EMAIL_VERIFICATION, email, now)

    def _account_message(
        self, customer: Customer, kind: str, now: datetime, purpose: Purpose | None
    ) -> OutboxMessage:
        """An account email to ``customer``'s stored address, with a link for ``purpose``."""
        outbox_id = new_id("msg")
        recipient = Recipient(
            email=customer.email, first_name=customer.first_name, locale=customer.locale
        )
        message_id = message_id_for(outbox_id, self.business)
        if purpose is None:
            # Sign (and drop) a token anyway, so this answer costs what a reset does.
            self.tokens.sign(customer, Purpose.PASSWORD_RESET)
            email = account_mail.compose_provider_hint(
                business=self.business,
                recipient=recipient,
                provider=customer.auth_provider or "",
                message_id=message_id,
            )
        else:
            token = self.tokens.sign(customer, purpose)
            url = (
                self.business.activation_url
                if purpose is Purpose.ACTIVATION
                else self.business.reset_url
            )
            compose = {
                ACCOUNT_EXISTS: account_mail.compose_account_exists,
                PASSWORD_RESET: (
                    account_mail.compose_activation_request
                    if purpose is Purpose.ACTIVATION
                    else account_mail.compose_password_reset
                ),
            }[kind]
            email = compose(
                business=self.business,
                recipient=recipient,
                link=url.replace("{token}", token),
                valid_until=self.tokens.expires_at(purpose),
                message_id=message_id,
            )
        return self._outbox_message(outbox_id, customer, kind, email, now)

    def _outbox_message(
        self,
        outbox_id: str,
        customer: Customer | None,
        kind: str,
        email: Email,
        now: datetime,
    ) -> OutboxMessage:
        return OutboxMessage(
            id=outbox_id,
            business_id=self.business.id,
            customer_id=None if customer is None else customer.id,
            kind=kind,
            email=email,
            created_at=now,
            next_attempt_at=now,
        )

    def _redeem_verification(
        self, tx: Transaction, token: str
    ) -> tuple[TokenClaims, Registration, Customer | None]:
        """Verify an email-verification token; return the sign-up and the customer it activates.

        The customer is the one the token names (an existing customer when the
        visitor signed up), or the one who got the address meanwhile, or ``None``
        for a new customer.
        """
        claims = self.tokens.verify(token, Purpose.EMAIL_VERIFICATION)
        if claims.registration_id is None:
            raise TokenInvalid("this link is not valid")
        registration = tx.get_registration(self.business.id, claims.registration_id)
        if registration is None:
            raise TokenUsed("this link was already used")
        bound = None
        if claims.customer_id is not None:
            bound = tx.get_customer(self.business.id, claims.customer_id)
            if bound is None:
                raise TokenInvalid("this link is not valid")
        customer = bound or tx.find_customer(self.business.id, registration.email_key)
        if customer is not None and customer.archived:
            raise CustomerArchived("this profile is archived; contact the business")
        if claims.fingerprint != verification_fingerprint(registration, bound):
            raise TokenUsed("this link is no longer valid: the profile changed since")
        if customer is not None and customer.status is Status.ACCEPTED:
            raise TokenUsed("this profile is already activated: log in instead")
        return claims, registration, customer

    def _link_check(self, claims: TokenClaims, customer: Customer) -> LinkCheck:
        return LinkCheck(
            purpose=claims.purpose,
            email=customer.email,
            customer_id=customer.id,
            first_name=customer.first_name,
            locale=customer.locale,
            expires_at=self._expires_at(claims),
        )

    @contextlib.contextmanager
    def _set_password_by_link(
        self, token: str, purpose: Purpose, password: str
    ) -> Iterator[tuple[Transaction, Customer, str]]:
        """Redeem ``token``, hash ``password``, and open the transaction that stores it.

        The slow hash runs between two transactions, so the token is checked again
        inside the writing one: of simultaneous submissions of one link exactly one
        gets through; the others see the changed state, or lose the version check,
        and get :class:`TokenUsed`.
        """
        with self.store.transaction() as tx:
            _claims, customer = self._redeem(tx, token, purpose)
        normalized = self.password_rules.check(password, context=self._context(customer))
        password_hash = self.password_hasher.hash(normalized)
        try:
            with self.store.transaction() as tx:
                _claims, current = self._redeem(tx, token, purpose)
                yield tx, current, password_hash
        except ConcurrentUpdate as err:
            raise TokenUsed("this link was just used") from err

    def _context(self, customer: Customer) -> list[str]:
        """Words a customer's password may not be."""
        names = [customer.first_name or "", customer.last_name or ""]
        return [customer.email, *names, self.business.name]

    # Helpers -----------------------------------------------------------------------------

    def _new_customer(
        self, *, email: str, email_key: str, now: datetime, **details: Any
    ) -> Customer:
        """A customer of this business, not stored yet, created ``now`` with a new id."""
        return Customer(
            id=new_id("cus"),
            business_id=self.business.id,
            email=email,
            email_key=email_key,
            created_at=now,
            updated_at=now,
            **details,
        )

    def _customer(self, tx: Transaction, customer_id: str) -> Customer:
        customer = (
            tx.get_customer(self.business.id, customer_id) if _storable(customer_id) else None
        )
        if customer is None:
            raise CustomerNotFound(f"no customer with id {customer_id!r}")
        return customer

    def _group(self, tx: Transaction, name: str) -> Group:
        group = tx.find_group(self.business.id, name) if _storable(name) else None
        if group is None:
            raise GroupNotFound(f"no group named {name!r}")
        return group

    def _event(self, customer: Customer, kind: EventKind, at: datetime, detail: str = "") -> Event:
        return Event(
            business_id=self.business.id, customer_id=customer.id, kind=kind, at=at, detail=detail
        )


def _clean_locale(locale: str | None) -> str | None:
    if locale is None or not locale.strip():
        return None
    return str(parse_locale(locale.strip()))


def _str_or_none(value: object) -> str | None:
    if value is None or isinstance(value, str):
        return value
    raise InvalidName("expected text", field=None)


def _email_throttle_key(email_key: str) -> str:
    return f"email:{email_key}"


_UNSTORABLE = re.compile(r"[\x00\ud800-\udfff]")


def _storable(value: object) -> bool:
    """Whether outside text used to look something up can reach a database at all.

    A NUL or a lone surrogate cannot (PostgreSQL refuses NUL; no UTF-8 carries a
    surrogate); such an id or name names nothing.
    """
    return isinstance(value, str) and not _UNSTORABLE.search(value)


def _client_throttle_key(client: str) -> str:
    # Client keys come from outside (a header, say): keep the stored key short and
    # storable (no NUL, no lone surrogate: hashed like long keys).
    text = str(client)
    if len(text) > 64 or _UNSTORABLE.search(text):
        text = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
    return f"client:{text}"


def _can_log_in(customer: Customer | None) -> bool:
    return (
        customer is not None
        and customer.status is Status.ACCEPTED
        and not customer.archived
        and customer.password_hash is not None
    )


def _login_refusal(customer: Customer) -> str:
    """Why a known customer's login failed, for their history (never shown to the visitor)."""
    if customer.archived:
        return "archived"
    if customer.status is not Status.ACCEPTED:
        return "profile not activated"
    if customer.password_hash is None:
        return f"signs in with {customer.auth_provider or 'another method'}"
    return "wrong password"
