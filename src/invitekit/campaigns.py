"""What a campaign records besides its counts: its audience's label, and who started it.

A :class:`~invitekit.funnel.Campaign` is made by each call of
:meth:`~invitekit.InviteKit.invite` and :meth:`~invitekit.InviteKit.invite_audience`.
Its invitations (outbox rows) and the events they cause carry its id, which is
what its report counts.  ``by=`` (who made a change) is checked here for every
method that takes it.  Nothing here performs I/O.
"""

from __future__ import annotations

from datetime import UTC, datetime

from invitekit.audience import Audience, AudienceKind
from invitekit.exceptions import ValidationError
from invitekit.model import storable
from invitekit.text import quoted

__all__ = ["ACTOR_MAX_LENGTH", "audience_label", "clean_actor", "clean_send_at"]

#: A ``by=`` (a member of staff's id) has at most this many characters.
ACTOR_MAX_LENGTH = 64


def audience_label(audience: Audience) -> str:
    """The label a campaign keeps of its audience (:attr:`~invitekit.funnel.Campaign.audience`)."""
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


def clean_send_at(send_at: datetime | None, *, now: datetime) -> datetime | None:
    """Check a ``send_at=`` argument: when a campaign's messages may go, in UTC.

    A moment already past means now (``now``); ``None`` stays ``None`` (at once).

    Raises:
        ValidationError: not a datetime, or a naive one (whose zone nobody knows).
    """
    if send_at is None:
        return None
    if not isinstance(send_at, datetime):
        raise ValidationError(
            f"send_at must be a datetime, got {type(send_at).__name__}", field="send_at"
        )
    if send_at.tzinfo is None or send_at.utcoffset() is None:
        raise ValidationError(
            f"send_at must be an aware datetime (with its time zone), got {send_at.isoformat()}",
            field="send_at",
        )
    return max(send_at.astimezone(UTC), now)
