"""Privacy requests and retention: what an export holds, what erasure leaves, what purge removes.

Pure rules, applied by :mod:`invitekit.flows.privacy` and by every Store:

* An **export** (:func:`export_document`) is everything stored about one
  customer, as JSON-ready data (GDPR articles 15 and 20).
* An **erasure** removes every personal datum of a customer (article 17) and
  keeps an anonymous tombstone: the campaign's outbox rows (without address or
  server text) and the funnel's events (:func:`kept_after_erasure`, with
  :func:`anonymised_detail`), so campaign reports keep counting right.
* A **purge** removes what is past its :class:`Retention`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any

import attrs

from invitekit.addresses import parse_email
from invitekit.email_change import EmailChange
from invitekit.events import Event, EventKind, EventNote
from invitekit.exceptions import ConfigurationError, InvalidEmail
from invitekit.identities import Identity
from invitekit.model import Customer, Group, MessageKind, OutboxMessage, Registration
from invitekit.throttle import email_key, mail_key

__all__ = [
    "EXPORT_FORMAT",
    "PurgeCutoffs",
    "PurgeReport",
    "Retention",
    "address_key",
    "anonymised_detail",
    "attempt_keys",
    "export_document",
    "is_campaign_mail",
    "kept_after_erasure",
    "scrubbed_error",
]

#: The version of :func:`export_document`'s layout, in its ``"format"`` key.
EXPORT_FORMAT = "invitekit.customer-export.v1"

# The details of these events start with the bounce's kind ("hard:", "soft:",
# "complaint:"), which the circuit breaker and the soft-bounce limit count.
_BOUNCES = frozenset({EventKind.BOUNCED, EventKind.COMPLAINED})
_NOTES = frozenset(note.value for note in EventNote)


def address_key(address: str | None) -> str | None:
    """The canonical key of a stored address, or ``None`` (no address, or not one at all)."""
    if address is None:
        return None
    try:
        return parse_email(address).key
    except InvalidEmail:
        return None


def is_campaign_mail(kind: MessageKind) -> bool:
    """Whether rows of this kind feed campaign reports (invitations, reminders): kept by purge."""
    return kind in (MessageKind.INVITATION, MessageKind.REMINDER)


def attempt_keys(email_keys: Iterable[str]) -> list[str]:
    """The throttle keys counted under any of these canonical addresses (logins, account mail)."""
    return sorted({key for k in email_keys for key in (email_key(k), mail_key(k))})


def anonymised_detail(event: Event) -> str:
    """What an event's detail keeps once it must hold no personal datum.

    Fixed notes (:class:`~invitekit.EventNote`) are no data and stay; a bounce
    or complaint keeps its kind (``"hard:"``), which the campaign's circuit
    breaker counts; anything else (an old address, a group's name, a mail
    server's answer) becomes ``""``.
    """
    if event.kind in _BOUNCES:
        kind, colon, _rest = event.detail.partition(":")
        return kind + colon if colon else ""
    return event.detail if event.note is not None else ""


def kept_after_erasure(event: Event) -> bool:
    """Whether an erased customer's event stays, anonymised: those a campaign's funnel counts."""
    return event.campaign_id is not None


def scrubbed_error(text: str | None) -> str | None:
    """An outbox row's ``last_error`` without data: a fixed note stays, a server's text goes."""
    return text if text in _NOTES else None


@attrs.frozen(kw_only=True)
class PurgeCutoffs:
    """The moments before which each kind of record is past its retention.

    Attributes:
        signups: sign-ups never confirmed, made before this, are deleted.
        attempts: throttle attempts (failed logins, account-mail requests,
            pacing slots) made before this are deleted.
        messages: finished outbox rows (sent, failed, withdrawn) whose last
            activity is before this lose their address and server text; those
            of account emails are deleted.
        events: events before this are deleted, except the funnel's (their
            detail is anonymised); ``None`` keeps every event.
    """

    signups: datetime
    attempts: datetime
    messages: datetime
    events: datetime | None


@attrs.frozen(kw_only=True)
class Retention:
    """How long invitekit keeps what it no longer needs, for :meth:`~invitekit.InviteKit.purge`.

    The defaults and why (docs/privacy.md says more):

    Attributes:
        signups: unconfirmed sign-ups, and email changes requested but not
            confirmed (7 days): a verification link works for 24 hours by
            default, an email change's too; a week leaves room for longer ones.
        attempts: throttle attempts (2 days): the login and mail throttles look
            back 15 minutes and an hour, pacing a day; nothing older counts.
            Must be at least a day and at least the kit's throttle windows.
        messages: the address and server text of finished outbox rows, and
            account-email rows entirely (90 days): enough to answer a bounce
            or a "did you send it?" question; campaign rows stay, without them,
            so reports keep counting.
        events: a customer's history (730 days), except the events a campaign's
            funnel counts (kept, anonymised); ``None`` keeps the history forever.
        batch_size: how many records of each kind one purge transaction
            handles (500): short transactions, so a purge runs beside live traffic.

    Raises:
        ConfigurationError: a duration that is not positive, ``attempts``
            shorter than a day, or ``batch_size`` below 1.
    """

    signups: timedelta = timedelta(days=7)
    attempts: timedelta = timedelta(days=2)
    messages: timedelta = timedelta(days=90)
    events: timedelta | None = timedelta(days=730)
    batch_size: int = 500

    def __attrs_post_init__(self) -> None:
        durations = [self.signups, self.attempts, self.messages]
        if self.events is not None:
            durations.append(self.events)
        if any(d <= timedelta(0) for d in durations):
            raise ConfigurationError("retention periods must be positive")
        if self.attempts < timedelta(days=1):
            raise ConfigurationError(
                "retention of attempts must be at least a day (pacing counts a day of sends)"
            )
        if self.batch_size < 1:
            raise ConfigurationError("the purge batch size must be at least 1")

    def cutoffs(self, now: datetime) -> PurgeCutoffs:
        """The :class:`PurgeCutoffs` of a purge run at ``now``."""
        return PurgeCutoffs(
            signups=now - self.signups,
            attempts=now - self.attempts,
            messages=now - self.messages,
            events=None if self.events is None else now - self.events,
        )


@attrs.frozen(kw_only=True)
class PurgeReport:
    """What a purge removed, by kind of record.

    Attributes:
        signups: unconfirmed sign-ups deleted.
        attempts: throttle attempts deleted.
        email_changes: email changes requested but not confirmed, deleted
            (with ``Retention.signups``): the new address they hold goes, and
            their link no longer works.
        messages_deleted: finished account-email outbox rows deleted.
        messages_scrubbed: finished campaign outbox rows whose address and
            server text were removed.
        events_deleted: events deleted.
        events_scrubbed: funnel events whose detail was anonymised.
    """

    signups: int = 0
    attempts: int = 0
    email_changes: int = 0
    messages_deleted: int = 0
    messages_scrubbed: int = 0
    events_deleted: int = 0
    events_scrubbed: int = 0

    @property
    def total(self) -> int:
        """How many records were deleted or changed in all."""
        return sum(attrs.astuple(self))

    def __add__(self, other: PurgeReport) -> PurgeReport:
        return PurgeReport(
            **{k: getattr(self, k) + getattr(other, k) for k in attrs.fields_dict(PurgeReport)}
        )


def _time(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def export_document(
    customer: Customer,
    *,
    groups: Sequence[Group],
    events: Sequence[Event],
    messages: Sequence[OutboxMessage],
    login_failures: Sequence[datetime],
    mail_requests: Sequence[datetime],
    signups: Sequence[Registration],
    exported_at: datetime,
    identities: Sequence[Identity],
    email_change: EmailChange | None,
) -> dict[str, Any]:
    """Everything stored about ``customer``, as JSON-ready data (see docs/privacy.md).

    Times are ISO 8601 strings in UTC; the password hash is never exported
    (only whether there is one); the rest is as stored.
    """
    return {
        "format": EXPORT_FORMAT,
        "exported_at": exported_at.isoformat(),
        "business_id": customer.business_id,
        "customer": {
            "id": customer.id,
            "email": customer.email,
            "first_name": customer.first_name,
            "last_name": customer.last_name,
            "locale": customer.locale,
            "status": customer.status.value,
            "archived": customer.archived,
            "unsubscribed": customer.unsubscribed,
            "has_password": customer.password_hash is not None,
            "auth_provider": customer.auth_provider,
            "created_at": _time(customer.created_at),
            "updated_at": _time(customer.updated_at),
            "invited_at": _time(customer.invited_at),
            "accepted_at": _time(customer.accepted_at),
            "delivery_failure": customer.delivery_failure,
            "undeliverable_at": _time(customer.undeliverable_at),
            "undeliverable_reason": customer.undeliverable_reason,
        },
        "groups": [{"id": g.id, "name": g.name} for g in groups],
        "identities": [
            {"provider": i.provider, "subject": i.subject, "linked_at": _time(i.linked_at)}
            for i in identities
        ],
        "email_change": None
        if email_change is None
        else {"email": email_change.email, "requested_at": _time(email_change.requested_at)},
        "events": [
            {
                "kind": e.kind.value,
                "at": _time(e.at),
                "detail": e.detail,
                "by": e.by,
                "campaign_id": e.campaign_id,
            }
            for e in events
        ],
        "messages": [
            {
                "id": m.id,
                "kind": m.kind.value,
                "state": m.state.value,
                "to": m.recipient,
                "message_id": m.message_id,
                "locale": m.locale,
                "campaign_id": m.campaign_id,
                "attempts": m.attempts,
                "queued_at": _time(m.created_at),
                "sent_at": _time(m.sent_at),
                "last_error": m.last_error,
            }
            for m in messages
        ],
        "login_failures": [_time(at) for at in login_failures],
        "account_email_requests": [_time(at) for at in mail_requests],
        "signups": [
            {
                "id": r.id,
                "email": r.email,
                "first_name": r.first_name,
                "last_name": r.last_name,
                "locale": r.locale,
                "created_at": _time(r.created_at),
            }
            for r in signups
        ],
    }
