"""A customer's change of email address: the pending request, and who may ask for it.

A change is asked for by the customer (re-authenticated), confirmed by a link
mailed to the new address, and announced to the old one.  Until it is
confirmed the customer keeps the old address; one :class:`EmailChange` per
customer is pending at a time, and a newer request replaces it (its ``id``
changes, so the older link dies: see :func:`invitekit.tokens.email_change_fingerprint`).
"""

from __future__ import annotations

import enum
from datetime import datetime, timedelta

import attrs

from invitekit.exceptions import ValidationError
from invitekit.model import Customer

__all__ = ["REAUTHENTICATION_WINDOW", "EmailChange", "Proof", "reauthentication"]

REAUTHENTICATION_WINDOW = timedelta(minutes=10)
"""How recent a re-authentication an application vouches for may be (``reauthenticated_at``)."""

# A clock a little ahead of ours (another machine's) is not a reason to refuse.
_CLOCK_SKEW = timedelta(minutes=1)


@attrs.frozen(kw_only=True)
class EmailChange:
    """A customer's request to change their address, waiting for confirmation.

    Attributes:
        id: unique per request; a newer request gets a new one, which kills the
            older confirmation link.
        business_id, customer_id: whose address would change.
        email, email_key: the new address as given and its canonical form.
        requested_at: when it was asked for.
    """

    id: str
    business_id: str
    customer_id: str
    email: str
    email_key: str
    requested_at: datetime


class Proof(enum.Enum):
    """How a request for an email change proves the customer is there."""

    PASSWORD = "password"  # noqa: S105 (a kind of proof, not a password)
    RECENT_SIGN_IN = "recent sign-in"
    NONE_NEEDED = "no password to ask"
    MISSING = "missing"


def reauthentication(
    customer: Customer,
    *,
    password_given: bool,
    reauthenticated_at: datetime | None,
    now: datetime,
) -> Proof:
    """Which proof a request for an email change carries, or :attr:`Proof.MISSING`.

    A password, when given, is what is checked (and counted like a login).
    Without one: a re-authentication the application vouches for, at most
    :data:`REAUTHENTICATION_WINDOW` before ``now``; else, for a customer who has
    no password (who signs in with a provider), nothing more can be asked.

    Raises:
        ValidationError: ``reauthenticated_at`` has no time zone (``field`` says which).
    """
    if reauthenticated_at is not None and reauthenticated_at.utcoffset() is None:
        raise ValidationError(
            "reauthenticated_at must be a timezone-aware datetime", field="reauthenticated_at"
        )
    if password_given:
        return Proof.PASSWORD
    if reauthenticated_at is not None:
        recent = now - REAUTHENTICATION_WINDOW <= reauthenticated_at <= now + _CLOCK_SKEW
        return Proof.RECENT_SIGN_IN if recent else Proof.MISSING
    return Proof.NONE_NEEDED if customer.password_hash is None else Proof.MISSING
