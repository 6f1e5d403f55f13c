"""Who may log in on the booking page, and who may reach the customer portal.

Both are pure checks a host application calls on each request:

* :func:`login_requirement` tells the booking page what to do about logging in,
  given the business's :class:`LoginMode` and whether the visitor is logged in;
  :func:`must_log_in` is its yes/no shortcut for the code that takes a booking.
* :func:`can_use_portal` tells whether a customer may see their bookings and
  products: only once they activated their profile, and while not archived.

:func:`can_log_in` and :func:`login_refusal` are the rules behind
:meth:`~invitekit.InviteKit.login`: who may log in with a password, and why not.
"""

from __future__ import annotations

import enum

from invitekit.exceptions import ConfigurationError
from invitekit.model import Customer, EventNote, Status
from invitekit.text import quoted

__all__ = [
    "LoginMode",
    "LoginRequirement",
    "can_log_in",
    "can_use_portal",
    "login_refusal",
    "login_requirement",
    "must_log_in",
]


class LoginMode(enum.StrEnum):
    """How a business's booking page treats logging in.

    * ``DISABLED``: the page offers no login; every visitor books as a guest,
      giving their contact details.
    * ``OPTIONAL``: the page offers a login (and sign-up); a visitor may also
      book as a guest.
    * ``REQUIRED``: a visitor must log in, or sign up, before booking.
    """

    DISABLED = "disabled"
    OPTIONAL = "optional"
    REQUIRED = "required"


class LoginRequirement(enum.StrEnum):
    """What the booking page should do about logging in, for one visitor.

    * ``NOT_OFFERED``: show no login; take the booking as a guest.
    * ``OFFERED``: show a login (and sign-up) link, but let the visitor go on as a guest.
    * ``REQUIRED``: stop and ask the visitor to log in or sign up before booking.
    * ``SATISFIED``: the visitor is logged in; take the booking for their profile.
    """

    NOT_OFFERED = "not_offered"
    OFFERED = "offered"
    REQUIRED = "required"
    SATISFIED = "satisfied"


def _mode(mode: LoginMode | str) -> LoginMode:
    try:
        return LoginMode(mode)
    except ValueError as err:
        allowed = ", ".join(repr(m.value) for m in LoginMode)
        raise ConfigurationError(
            f"unknown login mode {quoted(mode)}; use one of {allowed}"
        ) from err


def login_requirement(mode: LoginMode | str, *, logged_in: bool) -> LoginRequirement:
    """What the booking page should do about logging in.

    Args:
        mode: the business's :class:`LoginMode` (or its value, ``"optional"``).
        logged_in: whether the visitor has a logged-in session of a customer who
            may use the portal (see :func:`can_use_portal`).

    Returns:
        ``NOT_OFFERED`` when the mode is ``DISABLED`` (whether or not the visitor
        is logged in elsewhere: the page does not use accounts), ``SATISFIED`` when
        a login is possible and the visitor is logged in, else ``OFFERED``
        (``OPTIONAL``) or ``REQUIRED`` (``REQUIRED``).

    Raises:
        ConfigurationError: for an unknown mode.
    """
    chosen = _mode(mode)
    if chosen is LoginMode.DISABLED:
        return LoginRequirement.NOT_OFFERED
    if logged_in:
        return LoginRequirement.SATISFIED
    if chosen is LoginMode.REQUIRED:
        return LoginRequirement.REQUIRED
    return LoginRequirement.OFFERED


def must_log_in(mode: LoginMode | str, *, logged_in: bool) -> bool:
    """Whether the visitor must log in before the booking can be taken.

    True only when the mode is ``REQUIRED`` and the visitor is not logged in.

    Raises:
        ConfigurationError: for an unknown mode.
    """
    return login_requirement(mode, logged_in=logged_in) is LoginRequirement.REQUIRED


def can_use_portal(customer: Customer) -> bool:
    """Whether ``customer`` may see their bookings and products in the portal.

    Only customers who activated their profile (status ``ACCEPTED``) and are not
    archived may; an invited customer who has not chosen a password yet may not.
    """
    return customer.status is Status.ACCEPTED and not customer.archived


def can_log_in(customer: Customer | None) -> bool:
    """Whether ``customer`` may log in with a password: Accepted, not archived, has one."""
    return (
        customer is not None
        and customer.status is Status.ACCEPTED
        and not customer.archived
        and customer.password_hash is not None
    )


def login_refusal(customer: Customer) -> str:
    """Why a known customer's login failed, for their history (never shown to the visitor)."""
    if customer.archived:
        return EventNote.ARCHIVED
    if customer.status is not Status.ACCEPTED:
        return EventNote.NOT_ACTIVATED
    if customer.password_hash is None:
        return f"{EventNote.SIGNS_IN_WITH} {customer.auth_provider or 'another method'}"
    return EventNote.WRONG_PASSWORD
