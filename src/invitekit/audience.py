"""Choosing whom to invite, with a reason for every customer left out."""

from __future__ import annotations

import enum

import attrs

from invitekit.model import Customer, Status
from invitekit.text import quoted

__all__ = ["Audience", "AudienceKind", "InvitationPlan", "SkipReason", "Skipped"]


class SkipReason(enum.StrEnum):
    """Why a customer does not get an invitation."""

    ACCEPTED = "accepted"
    """Already activated the profile; never invited again."""
    ARCHIVED = "archived"
    """Archived customers receive no invitations."""
    UNSUBSCRIBED = "unsubscribed"
    """Opted out of invitation emails."""
    ALREADY_PENDING = "already_pending"
    """An invitation to them is already queued and not yet delivered."""
    INVITED_RECENTLY = "invited_recently"
    """Invited less than the business's cooldown ago."""
    UNDELIVERABLE = "undeliverable"
    """Mail to their address bounced for good; skipped until the address changes or is cleared."""

    @property
    def message(self) -> str:
        """A sentence for the business, e.g. for the skipped list of a plan."""
        return _MESSAGES[self]


_MESSAGES = {
    SkipReason.ACCEPTED: "has already accepted an invitation",
    SkipReason.ARCHIVED: "is archived",
    SkipReason.UNSUBSCRIBED: "has unsubscribed from invitation emails",
    SkipReason.ALREADY_PENDING: "already has an invitation waiting to be sent",
    SkipReason.INVITED_RECENTLY: "was invited too recently",
    SkipReason.UNDELIVERABLE: "cannot receive email at this address (it bounced)",
}


class AudienceKind(enum.StrEnum):
    """The four ways to choose an audience."""

    ALL = "all"
    STATUS = "status"
    GROUP = "group"
    CUSTOMER = "customer"


@attrs.frozen(kw_only=True)
class Audience:
    """Whom an invitation campaign is for.  Build one with the class methods.

    ``Audience.all()``, ``Audience.status(Status.ADDED)``, ``Audience.group("Monday
    class")``, ``Audience.customer(customer_id)``.

    Attributes:
        kind: which of the four it is.
        status_filter: for ``status(...)``, the status chosen.
        group_name: for ``group(...)``, the group's name.
        customer_id: for ``customer(...)``, the customer's id.
    """

    kind: AudienceKind
    status_filter: Status | None = None
    group_name: str | None = None
    customer_id: str | None = None

    @classmethod
    def all(cls) -> Audience:
        """Every customer of the business (archived and accepted ones are skipped)."""
        return cls(kind=AudienceKind.ALL)

    @classmethod
    def status(cls, status: Status) -> Audience:
        """The customers with this status.  ``ACCEPTED`` yields nobody, and says so."""
        return cls(kind=AudienceKind.STATUS, status_filter=Status(status))

    @classmethod
    def group(cls, name: str) -> Audience:
        """The members of a group the business created."""
        return cls(kind=AudienceKind.GROUP, group_name=name)

    @classmethod
    def customer(cls, customer_id: str) -> Audience:
        """A single customer."""
        return cls(kind=AudienceKind.CUSTOMER, customer_id=customer_id)

    def describe(self) -> str:
        """A short English description, e.g. ``"customers with status added"``."""
        if self.kind is AudienceKind.STATUS:
            return f"customers with status {self.status_filter}"
        if self.kind is AudienceKind.GROUP:
            return f"group {quoted(self.group_name)}"
        if self.kind is AudienceKind.CUSTOMER:
            return f"customer {quoted(self.customer_id)}"
        return "all customers"


@attrs.frozen(kw_only=True)
class Skipped:
    """A customer left out of a campaign, and why."""

    customer: Customer
    reason: SkipReason

    @property
    def message(self) -> str:
        """E.g. ``"ana@example.com has already accepted an invitation"``."""
        return f"{self.customer.email} {self.reason.message}"


@attrs.frozen(kw_only=True)
class InvitationPlan:
    """What a campaign would do, computed before anything is queued.

    Attributes:
        audience: the audience planned for.
        recipients: who would get an invitation.
        skipped: everyone else in the audience, with the reason.
    """

    audience: Audience
    recipients: tuple[Customer, ...]
    skipped: tuple[Skipped, ...]

    @property
    def empty_reason(self) -> str | None:
        """Why nobody would be invited, or ``None`` when someone would."""
        if self.recipients:
            return None
        if (
            self.audience.kind is AudienceKind.STATUS
            and self.audience.status_filter is Status.ACCEPTED
        ):
            return "accepted customers are never invited again"
        if not self.skipped:
            return f"{self.audience.describe()}: nobody matches"
        return f"{self.audience.describe()}: every customer is skipped"

    def skipped_counts(self) -> dict[SkipReason, int]:
        """How many customers were skipped for each reason (reasons with none left out)."""
        counts: dict[SkipReason, int] = {}
        for item in self.skipped:
            counts[item.reason] = counts.get(item.reason, 0) + 1
        return counts
