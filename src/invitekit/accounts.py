"""What the account forms answer, for each kind of address: pure decisions.

"Forgot password" and self sign-up answer the visitor the same way whatever the
address typed (so the answer reveals nothing); what differs is the email, if
any, that goes to the address on file.  These functions decide which email,
from the customer as stored (``None`` for an unknown address); the flows in
:mod:`invitekit.flows` compose it, queue it, and do the same work when there
is nothing to send.

This module also re-exports the names it held before 0.2 (the throttle
settings, now in :mod:`invitekit.throttle`, and :class:`~invitekit.model.LinkCheck`).
"""

from __future__ import annotations

import enum

from invitekit.model import Customer, LinkCheck, Status
from invitekit.throttle import LoginThrottle, MailThrottle

__all__ = [
    "LinkCheck",
    "LoginThrottle",
    "MailThrottle",
    "ResetAnswer",
    "SignupAnswer",
    "reset_answer",
    "signup_answer",
]


class ResetAnswer(enum.StrEnum):
    """The email that answers a "forgot password" request.

    * ``NOTHING``: an unknown or archived address, or a profile without a way in.
    * ``PROVIDER_HINT``: "you sign in with Google".
    * ``ACTIVATION_LINK``: a customer who never activated the profile gets an
      activation link (choosing a password activates it).
    * ``RESET_LINK``: a link to choose a new password.
    """

    NOTHING = "nothing"
    PROVIDER_HINT = "provider hint"
    ACTIVATION_LINK = "activation link"
    RESET_LINK = "reset link"


class SignupAnswer(enum.StrEnum):
    """The email that answers a sign-up from the booking page.

    * ``NOTHING``: an archived customer's address.
    * ``PROVIDER_HINT``: the address of a customer who signs in with a provider.
    * ``ACCOUNT_EXISTS``: "you already have a profile", with a reset link.
    * ``VERIFY_ADDRESS``: a new address, or an Added or Invited customer's: a
      link that proves the address before anything is activated.
    """

    NOTHING = "nothing"
    PROVIDER_HINT = "provider hint"
    ACCOUNT_EXISTS = "account exists"
    VERIFY_ADDRESS = "verify address"


def _signs_in_elsewhere(customer: Customer) -> bool:
    return customer.password_hash is None and bool(customer.auth_provider)


def reset_answer(customer: Customer | None) -> ResetAnswer:
    """Which email answers "forgot password" for ``customer`` (``None``: unknown address)."""
    if customer is None or customer.archived:
        return ResetAnswer.NOTHING
    if _signs_in_elsewhere(customer):
        return ResetAnswer.PROVIDER_HINT
    if customer.status is not Status.ACCEPTED:
        return ResetAnswer.ACTIVATION_LINK
    if customer.password_hash is None:
        return ResetAnswer.NOTHING
    return ResetAnswer.RESET_LINK


def signup_answer(customer: Customer | None) -> SignupAnswer:
    """Which email answers a sign-up with the address of ``customer`` (``None``: new)."""
    if customer is None:
        return SignupAnswer.VERIFY_ADDRESS
    if customer.archived:
        return SignupAnswer.NOTHING
    if _signs_in_elsewhere(customer):
        return SignupAnswer.PROVIDER_HINT
    if customer.status is Status.ACCEPTED:
        return SignupAnswer.ACCOUNT_EXISTS
    return SignupAnswer.VERIFY_ADDRESS
