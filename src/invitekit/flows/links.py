"""Redeeming signed links: who a link is for, and whether it still works.

Every link a customer follows is checked here against the customer as stored:
the signature, the purpose, the business and the age by :class:`~invitekit.tokens.Tokens`,
then the state it was issued for (its fingerprint).  Each refusal is its own
exception, so the page can say why.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from datetime import datetime

from invitekit.exceptions import (
    ConcurrentUpdate,
    CustomerArchived,
    TestInvitationToken,
    TokenExpired,
    TokenInvalid,
    TokenUsed,
)
from invitekit.flows.context import Context
from invitekit.model import Customer, LinkCheck, Purpose, Status
from invitekit.ports import Transaction
from invitekit.tokens import TokenClaims, fingerprint

__all__ = [
    "check_link",
    "expires_at",
    "link_check",
    "matched",
    "redeem",
    "set_password_by_link",
    "verified",
]

_ACTIVATED = "this profile is already activated: log in instead"


def check_link(ctx: Context, token: str, purpose: Purpose) -> LinkCheck:
    """Who a link for ``purpose`` is for, and until when it works.  Changes nothing."""
    with ctx.store.transaction(readonly=True) as tx:
        claims, customer = redeem(ctx, tx, token, purpose)
    return link_check(ctx, claims, customer)


def redeem(
    ctx: Context,
    tx: Transaction,
    token: str,
    purpose: Purpose,
    *,
    state: Callable[[Customer], str | None] | None = None,
) -> tuple[TokenClaims, Customer]:
    """Verify ``token`` against the stored customer; raise the precise refusal.

    ``state`` gives the fingerprint the token must carry for a customer (``None``:
    nothing it could be signed for any more); :func:`~invitekit.tokens.fingerprint`
    by default.
    """
    claims = verified(ctx, tx, token, purpose)
    found = ctx.customer_or_none(tx, claims.customer_id)
    return claims, matched(claims, found, state=state)


def verified(ctx: Context, tx: Transaction, token: str, purpose: Purpose) -> TokenClaims:
    """The claims of ``token`` once its signature, purpose, business and age are checked.

    The first half of :func:`redeem`, for a flow that reads the customer its own
    way; :func:`matched` is the second.  An expired link is explained by the
    customer's state (``tx`` is read only then).
    """
    try:
        claims = ctx.tokens.verify(token, purpose)
    except TokenExpired:
        # An expired link to an already accepted profile is better explained as used.
        claims = ctx.tokens.peek(token, purpose)
        customer = ctx.customer_or_none(tx, claims.customer_id)
        if (
            customer is not None
            and purpose is Purpose.ACTIVATION
            and customer.status is Status.ACCEPTED
        ):
            raise TokenUsed(_ACTIVATED) from None
        if claims.test:
            raise TestInvitationToken(
                "this link comes from a test invitation (and has expired)"
            ) from None
        raise
    if claims.test:
        raise TestInvitationToken(
            "this link comes from a test invitation: real customers see the activation page here"
        )
    return claims


def matched(
    claims: TokenClaims,
    customer: Customer | None,
    *,
    state: Callable[[Customer], str | None] | None = None,
) -> Customer:
    """``customer``, the stored customer of verified ``claims``, if the link still fits them.

    Raises:
        TokenInvalid: no such customer.
        CustomerArchived: the customer is archived.
        TokenUsed: the customer's state changed since the link was issued
            (``state``, see :func:`redeem`).
    """
    purpose = claims.purpose
    if customer is None:
        raise TokenInvalid("this link is not valid")
    if customer.archived:
        raise CustomerArchived("this profile is archived; contact the business")
    expected = fingerprint(customer, purpose) if state is None else state(customer)
    if claims.fingerprint != expected:
        if purpose is Purpose.ACTIVATION and customer.status is Status.ACCEPTED:
            raise TokenUsed(_ACTIVATED)
        if purpose is Purpose.BOOKING:
            raise TokenUsed("this link is no longer valid: the customer's profile changed")
        raise TokenUsed("this link is no longer valid: it was used or replaced by a newer one")
    return customer


def expires_at(ctx: Context, claims: TokenClaims) -> datetime | None:
    """When the link of ``claims`` stops working, or ``None`` if never."""
    validity = ctx.tokens.expiry.of(claims.purpose)
    return None if validity is None else claims.issued_at + validity


def link_check(ctx: Context, claims: TokenClaims, customer: Customer) -> LinkCheck:
    """The :class:`LinkCheck` of a redeemed link to ``customer``'s profile."""
    return LinkCheck(
        purpose=claims.purpose,
        email=customer.email,
        customer_id=customer.id,
        first_name=customer.first_name,
        locale=customer.locale,
        expires_at=expires_at(ctx, claims),
    )


@contextlib.contextmanager
def set_password_by_link(
    ctx: Context, token: str, purpose: Purpose, password: str
) -> Iterator[tuple[Transaction, Customer, str]]:
    """Redeem ``token``, hash ``password``, and open the transaction that stores it.

    The slow hash runs between two transactions, so the token is checked again
    inside the writing one: of simultaneous submissions of one link exactly one
    gets through; the others see the changed state, or lose the version check,
    and get :class:`TokenUsed`.
    """
    with ctx.store.transaction(readonly=True) as tx:
        _claims, customer = redeem(ctx, tx, token, purpose)
    names = [customer.first_name or "", customer.last_name or ""]
    normalized = ctx.password_rules.check(
        password, context=[customer.email, *names, ctx.business.name]
    )
    password_hash = ctx.password_hasher.hash(normalized)
    try:
        with ctx.store.transaction() as tx:
            _claims, current = redeem(ctx, tx, token, purpose)
            yield tx, current, password_hash
    except ConcurrentUpdate as err:
        raise TokenUsed("this link was just used") from err
