"""Links to one booking, for the emails about it: what a checked link says, and the input rules.

A booking link lets a customer open one booking from an email (a booking
confirmation, a reminder) and cancel or reschedule it within the business's
:class:`~invitekit.policy.CancellationPolicy`, without logging in.  The token is
signed for :attr:`~invitekit.model.Purpose.BOOKING` (its own salt) and names
the business, the customer and the booking; it works until its ``valid_until``
and dies when the customer is archived or changes address (see
:mod:`invitekit.tokens`).  invitekit stores no bookings: the host application
loads the booking the checked link names and evaluates its policy.
"""

from __future__ import annotations

from datetime import UTC, datetime

import attrs

from invitekit.exceptions import ValidationError
from invitekit.model import Customer, storable
from invitekit.text import quoted

__all__ = ["BOOKING_ID_MAX_LENGTH", "BookingLinkCheck", "clean_booking_id", "clean_valid_until"]

#: The longest booking id a link may carry, in characters.
BOOKING_ID_MAX_LENGTH = 128


@attrs.frozen(kw_only=True)
class BookingLinkCheck:
    """What a valid booking link says (see :meth:`~invitekit.InviteKit.check_booking_link`).

    Attributes:
        customer: the customer it was sent to, as stored now (their ``locale``
            is the page's language).
        booking_id: the host application's id of the booking it opens; load the
            booking by it *and* check that it belongs to :attr:`customer`.
        valid_until: when the link stops working (aware UTC, whole seconds).
        issued_at: when it was signed (aware UTC, whole seconds).
    """

    customer: Customer
    booking_id: str
    valid_until: datetime
    issued_at: datetime


def clean_booking_id(booking_id: object) -> str:
    """Check a booking id for a link: text, 1 to :data:`BOOKING_ID_MAX_LENGTH` characters.

    Raises:
        ValidationError: not text (``"not_text"``), empty (``"empty"``), too long
            (``"too_long"``), or holding a control character or invalid text
            (``"control_character"``); ``field`` is ``"booking_id"``.
    """
    if not isinstance(booking_id, str):
        raise ValidationError(
            f"booking_id must be text, got {type(booking_id).__name__}",
            field="booking_id",
            code="not_text",
        )
    if not booking_id:
        raise ValidationError("booking_id must not be empty", field="booking_id", code="empty")
    if len(booking_id) > BOOKING_ID_MAX_LENGTH:
        raise ValidationError(
            f"booking_id must be at most {BOOKING_ID_MAX_LENGTH} characters",
            field="booking_id",
            code="too_long",
            limit=BOOKING_ID_MAX_LENGTH,
        )
    if not storable(booking_id) or any(ord(ch) < 32 or 127 <= ord(ch) < 160 for ch in booking_id):
        raise ValidationError(
            f"booking_id must not hold control characters: {quoted(booking_id)}",
            field="booking_id",
            code="control_character",
        )
    return booking_id


def clean_valid_until(valid_until: object, *, now: datetime) -> datetime:
    """Check a booking link's ``valid_until``: an aware datetime after ``now``, in UTC.

    Raises:
        ValidationError: not a datetime (``"invalid"``), a naive one whose zone
            nobody knows (``"invalid"``), or not after ``now`` (``"invalid"``:
            the link would be dead when sent); ``field`` is ``"valid_until"``.
    """
    if not isinstance(valid_until, datetime):
        raise ValidationError(
            f"valid_until must be a datetime, got {type(valid_until).__name__}",
            field="valid_until",
        )
    if valid_until.tzinfo is None or valid_until.utcoffset() is None:
        raise ValidationError(
            "valid_until must be an aware datetime (with its time zone, e.g. the booking's "
            f"start), got {valid_until.isoformat()}",
            field="valid_until",
        )
    moment = valid_until.astimezone(UTC)
    if moment <= now:
        raise ValidationError(
            f"valid_until is not in the future ({moment.isoformat()}): the link would be dead",
            field="valid_until",
        )
    return moment
