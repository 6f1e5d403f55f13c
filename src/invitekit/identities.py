"""Signing in with an external provider (OpenID Connect, OAuth): the pure rules.

A host application runs the provider's login itself (Authlib, django-allauth,
a framework's OIDC client) and hands invitekit what came back: the provider's
name, the subject (the provider's stable id of the person, OIDC's ``sub``),
the address and whether the provider verified it.  The rules below decide what
that proves here; :mod:`invitekit.flows.providers` applies them in the Store.

* An identity ``(provider, subject)`` already linked signs its customer in,
  whatever address the provider gives now (archived customers are refused).
* Otherwise only a **verified** address attaches the identity, to the customer
  who has it (Added and Invited become Accepted; an Accepted one gains a way
  in); with nobody at the address, a new Accepted customer, if the business
  takes sign-ups.
* An **unverified** address never attaches anything: anyone can open a provider
  account with someone else's address, and attaching it would hand them the
  profile (the "pre-account takeover").

See docs/security.md ("Signing in with a provider") for the threat each rule answers.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable
from datetime import datetime

import attrs

from invitekit.exceptions import InvalidIdentity
from invitekit.model import Customer, Status
from invitekit.transitions import touch

__all__ = [
    "MAX_PROVIDER_LENGTH",
    "MAX_SUBJECT_LENGTH",
    "Identity",
    "SignInStep",
    "clean_provider",
    "clean_subject",
    "has_way_in_without",
    "linked",
    "providers_of",
    "sign_in_step",
    "unlinked",
]

MAX_PROVIDER_LENGTH = 40
"""A provider's name has at most this many characters (``"google"``, ``"keycloak-staff"``)."""

MAX_SUBJECT_LENGTH = 255
"""A subject has at most this many characters: OpenID Connect's limit for ``sub``."""

_PROVIDER = re.compile(r"[a-z0-9](?:[a-z0-9._-]*[a-z0-9])?")
_SUBJECT = re.compile(r"[\x21-\x7e]+")  # printable ASCII, no space: OIDC Core 1.0, 2


@attrs.frozen(kw_only=True)
class Identity:
    """An external sign-in linked to a customer: who the provider says they are.

    Attributes:
        business_id: the business; the same identity at another business is
            another record, linked independently.
        customer_id: the customer it signs in.
        provider: the provider's name, lower case (``"google"``).
        subject: the provider's stable id of the person (OIDC ``sub``), case-sensitive.
        linked_at: when it was linked (aware UTC).
    """

    business_id: str
    customer_id: str
    provider: str
    subject: str
    linked_at: datetime


def clean_provider(value: object) -> str:
    """A provider's name as stored: trimmed, lower case; checked.

    Letters ``a-z``, digits, ``.``, ``_`` and ``-`` (starting and ending with a
    letter or digit), at most :data:`MAX_PROVIDER_LENGTH` characters.

    Raises:
        InvalidIdentity: with ``field="provider"`` and a code (``not_text``,
            ``empty``, ``too_long``, ``malformed``).
    """
    text = value.strip().lower() if isinstance(value, str) else value
    return _checked(
        text,
        field="provider",
        limit=MAX_PROVIDER_LENGTH,
        pattern=_PROVIDER,
        allowed="letters a-z, digits, '.', '_' and '-'",
    )


def clean_subject(value: object) -> str:
    """A subject as given (it is case-sensitive and never rewritten); checked.

    Printable ASCII without spaces, 1 to :data:`MAX_SUBJECT_LENGTH` characters,
    as OpenID Connect defines ``sub``.

    Raises:
        InvalidIdentity: with ``field="subject"`` and a code (``not_text``,
            ``empty``, ``too_long``, ``malformed``).
    """
    return _checked(
        value,
        field="subject",
        limit=MAX_SUBJECT_LENGTH,
        pattern=_SUBJECT,
        allowed="printable ASCII characters without spaces",
    )


def _checked(
    value: object, *, field: str, limit: int, pattern: re.Pattern[str], allowed: str
) -> str:
    """``value`` if it is text of 1 to ``limit`` characters matching ``pattern``."""
    if not isinstance(value, str):
        raise InvalidIdentity(f"{field} must be a string", field=field, code="not_text")
    if not value:
        raise InvalidIdentity(f"{field} is empty", field=field, code="empty")
    if len(value) > limit:
        raise InvalidIdentity(
            f"{field} is longer than {limit} characters",
            field=field,
            code="too_long",
            limit=limit,
        )
    if not pattern.fullmatch(value):
        raise InvalidIdentity(f"{field} may hold only {allowed}", field=field, code="malformed")
    return value


class SignInStep(enum.StrEnum):
    """What a provider sign-in does, decided by :func:`sign_in_step`.

    * ``SIGN_IN``: the identity is linked already: its customer signs in.
    * ``LINK_AND_ACCEPT``: a verified address of an Added or Invited customer:
      link the identity; the profile becomes Accepted.
    * ``LINK``: a verified address of an Accepted customer: a second way in.
    * ``CREATE``: a verified address nobody has: a new Accepted customer.
    * ``ARCHIVED``: the customer is archived: refused.
    * ``NOT_VERIFIED``: no identity linked and the address is not verified: refused.
    * ``NO_SIGNUP``: a verified address nobody has, and no sign-ups: refused.
    """

    SIGN_IN = "sign_in"
    LINK_AND_ACCEPT = "link_and_accept"
    LINK = "link"
    CREATE = "create"
    ARCHIVED = "archived"
    NOT_VERIFIED = "not_verified"
    NO_SIGNUP = "no_signup"


def sign_in_step(
    *,
    linked: Customer | None,
    at_address: Customer | None,
    email_verified: bool,
    allow_signup: bool,
) -> SignInStep:
    """What a provider sign-in does.

    Args:
        linked: the customer the identity is linked to, or ``None``.
        at_address: the customer with the provider's address, or ``None``.
        email_verified: ``True`` only when the provider vouches for the address.
        allow_signup: whether the business takes sign-ups.
    """
    if linked is not None:
        return SignInStep.ARCHIVED if linked.archived else SignInStep.SIGN_IN
    if email_verified is not True:
        return SignInStep.NOT_VERIFIED
    if at_address is None:
        return SignInStep.CREATE if allow_signup else SignInStep.NO_SIGNUP
    if at_address.archived:
        return SignInStep.ARCHIVED
    if at_address.status is Status.ACCEPTED:
        return SignInStep.LINK
    return SignInStep.LINK_AND_ACCEPT


def providers_of(customer: Customer, identities: Iterable[Identity]) -> tuple[str, ...]:
    """The providers ``customer`` signs in with: linked ones first, then ``auth_provider``.

    ``auth_provider`` is the provider a business recorded at ``add_customer``;
    it counts until an identity of that provider is linked (then it is one of them).
    """
    names = [i.provider for i in identities if i.customer_id == customer.id]
    if customer.auth_provider:
        names.append(customer.auth_provider)
    return tuple(dict.fromkeys(names))


def has_way_in_without(customer: Customer, identities: Iterable[Identity], provider: str) -> bool:
    """Whether ``customer`` can still sign in once every identity of ``provider`` is unlinked.

    A password counts, and any identity of another provider.  The
    ``auth_provider`` label does not: without a linked identity it signs nobody in.
    """
    if customer.password_hash is not None:
        return True
    return any(i.provider != provider for i in identities if i.customer_id == customer.id)


def linked(customer: Customer, provider: str, *, now: datetime) -> Customer | None:
    """``customer`` once an identity of ``provider`` is linked; ``None`` if nothing changes.

    An Added or Invited customer becomes Accepted (no password: the provider is
    the way in).  A customer without a password is labelled with the provider
    (:attr:`~invitekit.Customer.auth_provider`) unless they have one already,
    so code that reads that field keeps telling how they sign in.
    """
    label = customer.auth_provider
    if customer.password_hash is None and label is None:
        label = provider
    if customer.status is Status.ACCEPTED:
        if label == customer.auth_provider:
            return None
        return attrs.evolve(touch(customer, now=now), auth_provider=label)
    return attrs.evolve(
        touch(customer, now=now),
        status=Status.ACCEPTED,
        accepted_at=now,
        delivery_failure=None,
        auth_provider=label,
    )


def unlinked(
    customer: Customer, provider: str, remaining: Iterable[str], *, now: datetime
) -> Customer:
    """``customer`` once every identity of ``provider`` is unlinked (always a new version).

    The ``auth_provider`` label moves to a provider still linked, or goes,
    when it named ``provider``.  The new version makes two unlinks at once meet
    at the customer's compare-and-set, so they cannot both take a way in away.
    """
    label = customer.auth_provider
    if label == provider:
        label = next(iter(remaining), None)
    return attrs.evolve(touch(customer, now=now), auth_provider=label)
