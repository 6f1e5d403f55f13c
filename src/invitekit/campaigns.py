"""Campaigns: every invitation belongs to one, so a business can see how each one did.

A campaign is made by each call of :meth:`~invitekit.InviteKit.invite` and
:meth:`~invitekit.InviteKit.invite_audience`.  Its invitations (outbox rows)
and the events they cause carry its id, which is what its report counts.
Nothing here performs I/O.
"""

from __future__ import annotations

from datetime import datetime

import attrs

from invitekit.audience import Audience, AudienceKind
from invitekit.exceptions import ValidationError
from invitekit.model import storable
from invitekit.text import quoted

__all__ = ["ACTOR_MAX_LENGTH", "Campaign", "audience_label", "clean_actor"]

#: A ``by=`` (a member of staff's id) has at most this many characters.
ACTOR_MAX_LENGTH = 64


@attrs.frozen(kw_only=True)
class Campaign:
    """One call that queued invitations, and what became of it.

    Attributes:
        id: unique (``cmp_...``); :attr:`~invitekit.InvitationReport.campaign_id`
            and :attr:`~invitekit.OutboxMessage.campaign_id` name it.
        business_id: whose campaign it is.
        created_at: when it was started.
        audience: whom it was for, as a short label: ``"all"``,
            ``"status:added"``, ``"group:Monday class"``, ``"customer:cus_..."``.
        by: who started it (the ``by=`` of the call), or ``None``.
        send_at: when its invitations may leave, for a scheduled campaign; else ``None``.
        paused_at: when it was paused (its unsent invitations wait), or ``None``.
        pause_reason: why, in words, while it is paused.
    """

    id: str
    business_id: str
    created_at: datetime
    audience: str
    by: str | None = None
    send_at: datetime | None = None
    paused_at: datetime | None = None
    pause_reason: str | None = None

    @property
    def paused(self) -> bool:
        """Whether its unsent invitations wait for :meth:`~invitekit.InviteKit.resume_campaign`."""
        return self.paused_at is not None


def audience_label(audience: Audience) -> str:
    """The short label a campaign keeps of its audience (see :attr:`Campaign.audience`)."""
    if audience.kind is AudienceKind.STATUS:
        assert audience.status_filter is not None
        return f"status:{audience.status_filter.value}"
    if audience.kind is AudienceKind.GROUP:
        return f"group:{audience.group_name}"
    if audience.kind is AudienceKind.CUSTOMER:
        return f"customer:{audience.customer_id}"
    return "all"


def clean_actor(by: str | None) -> str | None:
    """Check a ``by=`` argument: a member of staff's id, as the host application names them.

    Raises:
        ValidationError: not text, empty, longer than :data:`ACTOR_MAX_LENGTH`,
            or holding a control character.
    """
    if by is None:
        return None
    if not isinstance(by, str):
        raise ValidationError(
            f"by must be text naming who made the change, got {type(by).__name__}"
        )
    cleaned = by.strip()
    if not cleaned or len(cleaned) > ACTOR_MAX_LENGTH:
        raise ValidationError(
            f"by must be 1 to {ACTOR_MAX_LENGTH} characters, got {len(cleaned)}: {quoted(cleaned)}"
        )
    if not storable(cleaned) or any(ord(ch) < 32 or 127 <= ord(ch) < 160 for ch in cleaned):
        raise ValidationError(f"by must not hold control characters: {quoted(cleaned)}")
    return cleaned
