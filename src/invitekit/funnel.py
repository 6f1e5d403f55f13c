"""Campaigns and how they did: the funnel's values and the circuit breaker's decision.

Every invitation belongs to a :class:`Campaign`.  A :class:`CampaignReport`
counts what became of its messages -- queued, held back (scheduled), sent,
failed, bounced, complained about, links opened, profiles activated,
unsubscribed -- in total, per group and per locale (each a
:class:`FunnelCounts`), with the reminders sent and whether the campaign is
paused and why.

A :class:`CircuitBreaker` pauses a campaign whose first sends bounce too much:
a list of old addresses is what gets a sender's domain blocked.
:meth:`CircuitBreaker.pause_reason` is the decision, a pure function of counts.

A store counts a campaign with ``Transaction.campaign_counts``, in SQL where it
can: it groups the campaign's outbox rows and events and hands the groups to
:func:`tally`, which says which step each one counts for (the one place those
rules live, for every store).  The result is a :class:`CampaignCounts`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import datetime
from fractions import Fraction
from typing import Literal

import attrs

from invitekit.exceptions import ConfigurationError
from invitekit.model import EventKind, MessageKind, OutboxState

__all__ = [
    "PAUSED",
    "REMINDER",
    "STEP_EVENTS",
    "Campaign",
    "CampaignCounts",
    "CampaignReport",
    "CircuitBreaker",
    "CustomerRow",
    "FunnelCounts",
    "MessageRow",
    "Scope",
    "tally",
]

#: The outbox state of a paused campaign's unsent rows; they count as scheduled.
PAUSED = OutboxState.PAUSED.value
#: The message kind of a reminder; a sent one counts in ``reminders_sent``, not
#: as an invitation.
REMINDER = MessageKind.REMINDER.value

Scope = Literal["total", "group", "locale"]
"""What a row of counts is about: the whole campaign, one group, one locale."""

MessageRow = tuple[Scope, str, str, str, bool, int]
"""Outbox rows of a campaign: ``(scope, name, kind, state, later, n)``.

``name`` is the group's name or the locale (``""`` for the total); ``later``
says whether the rows wait for a ``not_before`` after now; ``n`` how many.
"""

CustomerRow = tuple[Scope, str, str, int]
"""Customers with an event of a campaign: ``(scope, name, event kind, n distinct)``."""

# The events whose customers the funnel counts, each once per customer.
_STEPS = {
    EventKind.BOUNCED.value: "bounced",
    EventKind.COMPLAINED.value: "complained",
    EventKind.LINK_OPENED.value: "link_opened",
    EventKind.ACCEPTED.value: "accepted",
    EventKind.UNSUBSCRIBED.value: "unsubscribed",
}
#: The event kinds a store counts for :func:`tally`.
STEP_EVENTS = tuple(_STEPS)


@attrs.frozen(kw_only=True)
class Campaign:
    """One ``invite`` or ``invite_audience`` call and the messages it queued.

    Attributes:
        id: unique; ``InvitationReport.campaign_id`` names it.
        business_id: whose campaign it is.
        created_at: when it was started.
        audience: whom it was for, as a label: ``"all"``, ``"status:added"``,
            ``"group:Monday class"``, ``"customer:cus_..."``, ``"import"``
            (see :func:`invitekit.campaigns.audience_label`).
        by: the staff member who started it, when the application said so.
        send_at: when its messages were scheduled to go (``None``: at once).
        paused_at: when it was paused (by the circuit breaker), or ``None``.
        pause_reason: why it is paused, a sentence for the business, or ``None``.
        resumed_at: when it was last resumed, or ``None``; the circuit breaker
            judges a resumed campaign on what it sent since.
        resumed_by: the staff member who resumed it, when the application said so.
    """

    id: str
    business_id: str
    created_at: datetime
    audience: str = ""
    by: str | None = None
    send_at: datetime | None = None
    paused_at: datetime | None = None
    pause_reason: str | None = None
    resumed_at: datetime | None = None
    resumed_by: str | None = None

    @property
    def paused(self) -> bool:
        """Whether the rest of the campaign waits for :meth:`resume_campaign`."""
        return self.paused_at is not None


@attrs.frozen(kw_only=True)
class FunnelCounts:
    """How many of a campaign's customers reached each step (in total, a group, a locale).

    Attributes:
        queued: messages queued by the campaign (every one, whatever became of it).
        scheduled: held back for later: a ``send_at``, pacing, quiet hours or a pause.
        sent: handed to the mail server (one that later bounced still counts).
        failed: given up without being sent (a refusal, too many attempts).
        bounced: sent, then reported back as a hard or soft bounce.
        complained: sent, then marked as spam by the reader.
        link_opened: customers who opened their link (the first look at it).
        accepted: customers who then activated the profile.
        unsubscribed: customers who then unsubscribed.
    """

    queued: int = 0
    scheduled: int = 0
    sent: int = 0
    failed: int = 0
    bounced: int = 0
    complained: int = 0
    link_opened: int = 0
    accepted: int = 0
    unsubscribed: int = 0


@attrs.frozen(kw_only=True)
class CampaignReport(FunnelCounts):
    """How a campaign did: its :class:`FunnelCounts` in total and broken down.

    Attributes:
        campaign_id: the campaign reported on.
        reminders_sent: reminders delivered to the campaign's customers.
        paused: whether the rest of the campaign waits (circuit breaker).
        pause_reason: why, a sentence for the business, or ``None``.
        by_group: the counts per group name, for customers in a group (a
            customer in two groups counts in both; one in none counts in none).
        by_locale: the counts per locale the messages were written in (``"es"``).

    The other attributes are the totals of :class:`FunnelCounts`.
    """

    campaign_id: str
    reminders_sent: int = 0
    paused: bool = False
    pause_reason: str | None = None
    by_group: dict[str, FunnelCounts] = attrs.field(factory=dict)
    by_locale: dict[str, FunnelCounts] = attrs.field(factory=dict)


@attrs.frozen(kw_only=True)
class CampaignCounts:
    """What a store counted for a campaign: the report's numbers without its pause state.

    Attributes:
        total: the campaign's :class:`FunnelCounts`.
        reminders_sent: its reminders that were sent.
        by_group: per group name (the customers' groups now).
        by_locale: per locale of the outbox row.
    """

    total: FunnelCounts = FunnelCounts()
    reminders_sent: int = 0
    by_group: dict[str, FunnelCounts] = attrs.field(factory=dict)
    by_locale: dict[str, FunnelCounts] = attrs.field(factory=dict)


def tally(messages: Iterable[MessageRow], customers: Iterable[CustomerRow]) -> CampaignCounts:
    """Add up a store's grouped counts into a campaign's :class:`CampaignCounts`.

    Of the outbox rows, invitations count as ``queued`` whatever their state,
    and as ``sent``, ``failed`` or ``scheduled`` (waiting for a later
    ``not_before``, or paused) by their state; a sent reminder counts in
    ``reminders_sent``.  The customers with a bounced, complained, link opened,
    accepted or unsubscribed event count for that step; other rows are ignored.
    Rows may repeat a key (a memory store gives one row per message): they add up.
    """
    steps: dict[tuple[Scope, str], Counter[str]] = {}
    reminders = 0
    for scope, name, kind, state, later, n in messages:
        counter = steps.setdefault((scope, name), Counter())
        if kind == REMINDER:
            if scope == "total" and state == OutboxState.SENT.value:
                reminders += n
            continue
        if kind != MessageKind.INVITATION.value:
            continue
        counter["queued"] += n
        if state == OutboxState.SENT.value:
            counter["sent"] += n
        elif state == OutboxState.FAILED.value:
            counter["failed"] += n
        elif state == PAUSED or (state == OutboxState.PENDING.value and later):
            counter["scheduled"] += n
    for scope, name, event_kind, n in customers:
        step = _STEPS.get(event_kind)
        if step is not None:
            steps.setdefault((scope, name), Counter())[step] += n
    counts = {key: FunnelCounts(**counter) for key, counter in steps.items() if counter}
    return CampaignCounts(
        total=counts.get(("total", ""), FunnelCounts()),
        reminders_sent=reminders,
        by_group={name: c for (scope, name), c in sorted(counts.items()) if scope == "group"},
        by_locale={name: c for (scope, name), c in sorted(counts.items()) if scope == "locale"},
    )


def _check_share(_instance: object, _attribute: object, value: object) -> None:
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 < value < 1:
        raise ConfigurationError(
            f"CircuitBreaker share must be a fraction between 0 and 1 (0.05 for 5%), got {value!r}"
        )


def _check_minimum(_instance: object, _attribute: object, value: object) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ConfigurationError(
            f"CircuitBreaker minimum must be a whole number of sends, 1 or more, got {value!r}"
        )


@attrs.frozen(kw_only=True)
class CircuitBreaker:
    """When a campaign pauses itself: hard bounces above ``share`` of at least ``minimum`` sends.

    Attributes:
        share: the fraction of hard bounces that trips it (``0.05``: more than 5%).
        minimum: it decides nothing before this many messages were sent (a few
            bounces among the first ten say little).

    Raises:
        ConfigurationError: ``share`` not strictly between 0 and 1, or
            ``minimum`` below 1.
    """

    share: float = attrs.field(default=0.05, validator=_check_share)
    minimum: int = attrs.field(default=100, validator=_check_minimum)

    def trips(self, *, sent: int, hard_bounces: int) -> bool:
        """Whether ``hard_bounces`` among ``sent`` messages pause the campaign.

        At least :attr:`minimum` sent, and more than :attr:`share` of them bounced
        hard.  A campaign that was resumed is judged on what it sent since.
        """
        # Exact: 29 of 100 is not more than 0.29, though 0.29 * 100 is 28.999...
        return sent >= self.minimum and hard_bounces > Fraction(str(self.share)) * sent

    def pause_reason(self, *, sent: int, hard_bounces: int) -> str | None:
        """The sentence a paused campaign shows, or ``None`` if it does not pause."""
        if not self.trips(sent=sent, hard_bounces=hard_bounces):
            return None
        return (
            f"{hard_bounces} of the first {sent} messages bounced hard "
            f"({hard_bounces / sent:.1%}, more than {self.share * 100:g}%): the address list "
            "may be old; check it, then resume the campaign"
        )
