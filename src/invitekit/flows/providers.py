"""Signing in with an external provider, and unlinking one (see :mod:`invitekit.identities`)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TypeVar

from invitekit.addresses import EmailAddress, parse_email
from invitekit.exceptions import (
    ConcurrentUpdate,
    DuplicateCustomer,
    DuplicateIdentity,
    IdentityNotFound,
    InvalidLocale,
    InvalidName,
    LastWayIn,
    ProviderEmailNotVerified,
    ProviderSignInRefused,
)
from invitekit.flows.context import Context
from invitekit.i18n import clean_locale
from invitekit.identities import (
    Identity,
    SignInStep,
    clean_provider,
    clean_subject,
    has_way_in_without,
    linked,
    sign_in_step,
    unlinked,
)
from invitekit.model import Customer, Event, EventKind, EventNote, Status, clean_signup_name
from invitekit.ports import Transaction
from invitekit.text import quoted

__all__ = ["identities", "sign_in_with_provider", "unlink_provider"]

T = TypeVar("T")

# A transaction that lost a race (the same identity linked, the address taken, the
# customer written meanwhile) decides again from what the winner committed.
_ATTEMPTS = 5


def sign_in_with_provider(
    ctx: Context,
    provider: str,
    subject: str,
    *,
    email: str,
    email_verified: bool,
    first_name: str | None,
    last_name: str | None,
    locale: str | None,
    allow_signup: bool,
) -> Customer:
    """The customer a provider's identity signs in (see ``InviteKit.sign_in_with_provider``)."""
    name = clean_provider(provider)
    sub = clean_subject(subject)
    address = parse_email(email)
    profile = {
        "first_name": _or_none(lambda: clean_signup_name(first_name, field="first_name")),
        "last_name": _or_none(lambda: clean_signup_name(last_name, field="last_name")),
        "locale": _or_none(lambda: clean_locale(locale)),
    }

    def attempt(tx: Transaction, now: datetime) -> Customer:
        identity = tx.find_identity(ctx.business.id, name, sub)
        owner = None if identity is None else ctx.customer_or_none(tx, identity.customer_id)
        if identity is not None and owner is None:
            # The customer is gone (erased): the identity signs nobody in any more.
            tx.delete_identities(ctx.business.id, identity.customer_id, name)
        at_address = None if owner is not None else tx.find_customer(ctx.business.id, address.key)
        step = sign_in_step(
            linked=owner,
            at_address=at_address,
            email_verified=email_verified,
            allow_signup=allow_signup,
        )
        if step is SignInStep.SIGN_IN:
            assert owner is not None
            tx.add_events([ctx.event(owner, EventKind.PROVIDER_SIGNED_IN, now, name)])
            return owner
        if step is SignInStep.CREATE:
            return _create(ctx, tx, name, sub, address, profile, now)
        if step in (SignInStep.LINK, SignInStep.LINK_AND_ACCEPT):
            assert at_address is not None
            return _link(ctx, tx, at_address, name, sub, now)
        raise _refusal(step, name, address, allow_signup=allow_signup)

    return _retrying(ctx, attempt)


def unlink_provider(ctx: Context, customer_id: str, provider: str) -> Customer:
    """Unlink a provider from a customer who keeps a way in (see ``InviteKit.unlink_provider``)."""
    name = clean_provider(provider)

    def attempt(tx: Transaction, now: datetime) -> Customer:
        customer = ctx.customer(tx, customer_id)
        linked_now = tx.identities_of(ctx.business.id, customer.id)
        if not any(i.provider == name for i in linked_now):
            raise IdentityNotFound(f"the customer has no {quoted(name)} sign-in linked")
        if not has_way_in_without(customer, linked_now, name):
            raise LastWayIn(
                f"{quoted(name)} is the customer's only way to sign in: "
                "set a password or link another provider first",
                customer_id=customer.id,
                provider=name,
            )
        tx.delete_identities(ctx.business.id, customer.id, name)
        remaining = [i.provider for i in linked_now if i.provider != name]
        updated = unlinked(customer, name, remaining, now=now)
        tx.update_customer(updated, expected_version=customer.version)
        tx.add_events([ctx.event(customer, EventKind.PROVIDER_UNLINKED, now, name)])
        return updated

    return _retrying(ctx, attempt)


def identities(ctx: Context, customer_id: str) -> list[Identity]:
    """The identities linked to a customer (see ``InviteKit.identities``)."""
    with ctx.store.transaction(readonly=True) as tx:
        customer = ctx.customer(tx, customer_id)
        return tx.identities_of(ctx.business.id, customer.id)


def _retrying(ctx: Context, attempt: Callable[[Transaction, datetime], T]) -> T:
    """``attempt`` in a transaction, again while it loses a race to another writer."""
    for remaining in reversed(range(_ATTEMPTS)):
        try:
            with ctx.store.transaction() as tx:
                return attempt(tx, ctx.clock.now())
        except (DuplicateIdentity, DuplicateCustomer, ConcurrentUpdate) as err:
            if not remaining:
                raise ConcurrentUpdate(
                    "other changes to this customer kept winning: try again"
                ) from err
    raise AssertionError("unreachable")  # pragma: no cover


def _create(
    ctx: Context,
    tx: Transaction,
    provider: str,
    subject: str,
    address: EmailAddress,
    profile: dict[str, str | None],
    now: datetime,
) -> Customer:
    """A new Accepted customer, signed up through ``provider``."""
    customer = ctx.new_customer(
        email=address.address,
        email_key=address.key,
        now=now,
        status=Status.ACCEPTED,
        accepted_at=now,
        auth_provider=provider,
        **profile,
    )
    tx.insert_customer(customer)
    tx.insert_identity(_identity(ctx, customer, provider, subject, now))
    tx.add_events(
        [
            ctx.event(customer, EventKind.ADDED, now, EventNote.SIGNED_UP),
            ctx.event(customer, EventKind.ACCEPTED, now, f"{EventNote.SIGNS_IN_WITH} {provider}"),
            *_linked_events(ctx, customer, provider, now),
        ]
    )
    return customer


def _link(
    ctx: Context, tx: Transaction, customer: Customer, provider: str, subject: str, now: datetime
) -> Customer:
    """Link the identity to ``customer``, who has the verified address."""
    tx.insert_identity(_identity(ctx, customer, provider, subject, now))
    updated = linked(customer, provider, now=now)
    events: list[Event] = []
    if updated is not None:
        tx.update_customer(updated, expected_version=customer.version)
    if customer.status is not Status.ACCEPTED:
        tx.cancel_pending(ctx.business.id, customer.id, reason=EventNote.CUSTOMER_ACCEPTED)
        campaign_id = tx.last_campaign_of(ctx.business.id, customer.id)
        note = f"{EventNote.SIGNS_IN_WITH} {provider}"
        events.append(ctx.event(customer, EventKind.ACCEPTED, now, note, campaign_id=campaign_id))
    tx.add_events([*events, *_linked_events(ctx, customer, provider, now)])
    return updated or customer


def _identity(
    ctx: Context, customer: Customer, provider: str, subject: str, now: datetime
) -> Identity:
    return Identity(
        business_id=ctx.business.id,
        customer_id=customer.id,
        provider=provider,
        subject=subject,
        linked_at=now,
    )


def _linked_events(ctx: Context, customer: Customer, provider: str, now: datetime) -> list[Event]:
    return [
        ctx.event(customer, EventKind.PROVIDER_LINKED, now, provider),
        ctx.event(customer, EventKind.PROVIDER_SIGNED_IN, now, provider),
    ]


def _refusal(
    step: SignInStep, provider: str, address: EmailAddress, *, allow_signup: bool
) -> ProviderSignInRefused:
    if step is SignInStep.NOT_VERIFIED:
        return ProviderEmailNotVerified(
            "the provider has not verified this email address: it cannot sign in to a profile",
            provider=provider,
            email=address.address,
            can_sign_up=allow_signup,
        )
    if step is SignInStep.ARCHIVED:
        return ProviderSignInRefused(
            "this profile is archived; contact the business",
            reason="archived",
            provider=provider,
            email=address.address,
        )
    return ProviderSignInRefused(
        "no profile has this email address, and the business takes no sign-ups",
        reason="signup_disabled",
        provider=provider,
        email=address.address,
    )


def _or_none(clean: Callable[[], str | None]) -> str | None:
    """A profile value the provider gave, cleaned, or ``None`` when unusable.

    Names and locales come from the provider's profile, not from the visitor's
    form: one that would be refused at sign-up is left out rather than
    refusing the sign-in.
    """
    try:
        return clean()
    except (InvalidName, InvalidLocale):
        return None
