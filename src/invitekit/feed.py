"""The event feed: every customer event of a business, in one order, read with a cursor.

Each :class:`~invitekit.events.Event` a store writes gets the next *position*
in the same transaction as the change it records (see
:meth:`~invitekit.ports.Transaction.add_events`); positions only grow, and a
reader never sees a position before every smaller one is visible.  Positions
are numbered for the whole store (a business's feed has gaps where other
businesses' events are).  :meth:`InviteKit.events_since <invitekit.InviteKit.events_since>`
reads the feed after a cursor; this module holds its values and the cursor's
text form, pure.
"""

from __future__ import annotations

import json
from typing import Any

import attrs

from invitekit.events import Event
from invitekit.exceptions import InvalidCursor

__all__ = ["FeedEvent", "cursor_of", "position_of", "webhook_payload"]

_PREFIX = "f1."
_MAX_CURSOR = 40  # "f1." and a 64-bit number fit many times over


@attrs.frozen(kw_only=True)
class FeedEvent:
    """One event of a business's feed.

    Attributes:
        position: its place in the feed: greater than every earlier event's,
            not one more (positions are numbered for the whole store, and
            other businesses' events take some).
        event: what happened (:class:`~invitekit.events.Event`).
    """

    position: int
    event: Event

    @property
    def id(self) -> str:
        """A stable id of the event within its business's feed, ``"evt_<position>"``."""
        return f"evt_{self.position}"

    @property
    def cursor(self) -> str:
        """The cursor that reads the feed *after* this event (store it once handled)."""
        return cursor_of(self.position)


def cursor_of(position: int) -> str:
    """The opaque cursor of the feed after ``position`` (``"f1.<position>"``)."""
    return f"{_PREFIX}{position}"


def position_of(cursor: str | None) -> int:
    """The position a cursor from :func:`cursor_of` stands after; ``None`` is the feed's start.

    Raises:
        InvalidCursor: not a cursor this feed handed out.
    """
    if cursor is None:
        return 0
    if not isinstance(cursor, str) or len(cursor) > _MAX_CURSOR or not cursor.startswith(_PREFIX):
        raise InvalidCursor("not a cursor of the event feed", field="cursor", code="malformed")
    digits = cursor.removeprefix(_PREFIX)
    if not (digits.isascii() and digits.isdigit()) or (len(digits) > 1 and digits[0] == "0"):
        raise InvalidCursor("not a cursor of the event feed", field="cursor", code="malformed")
    position = int(digits)
    if position >= 2**63:
        raise InvalidCursor("not a cursor of the event feed", field="cursor", code="malformed")
    return position


def webhook_payload(item: FeedEvent) -> dict[str, Any]:
    """The JSON body a webhook receives for one feed event (Standard Webhooks' shape).

    ``{"type": "customer.<kind>", "timestamp": ..., "data": {...}}``; ``data``
    holds the event's fields, its ``position`` and ``cursor``.  Composed at
    delivery from the stored event, so an erased detail is never sent.
    """
    event = item.event
    return {
        "type": f"customer.{event.kind.value}",
        "timestamp": event.at.isoformat().replace("+00:00", "Z"),
        "data": {
            "id": item.id,
            "position": item.position,
            "cursor": item.cursor,
            "business_id": event.business_id,
            "customer_id": event.customer_id,
            "kind": event.kind.value,
            "at": event.at.isoformat().replace("+00:00", "Z"),
            "detail": event.detail,
            "by": event.by,
            "campaign_id": event.campaign_id,
        },
    }


def payload_bytes(item: FeedEvent) -> bytes:
    """:func:`webhook_payload` as the exact bytes that are signed and sent."""
    return json.dumps(webhook_payload(item), separators=(",", ":"), ensure_ascii=False).encode()
