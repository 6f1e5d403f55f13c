"""Self sign-up from the booking page, and the email verification that completes it."""

from __future__ import annotations

import unicodedata
from datetime import datetime

import attrs

from invitekit import transitions
from invitekit.account_mail import AccountEmail
from invitekit.accounts import SignupAnswer, signup_answer
from invitekit.addresses import parse_email
from invitekit.exceptions import (
    ConcurrentUpdate,
    CustomerArchived,
    DuplicateCustomer,
    InvalidCredentials,
    TokenInvalid,
    TokenUsed,
    VerificationSuperseded,
)
from invitekit.flows.account_mail import account_message, verification_message
from invitekit.flows.context import Context
from invitekit.flows.links import expires_at
from invitekit.flows.password_reset import in_page_locale, mail_throttled
from invitekit.i18n import clean_locale
from invitekit.ids import new_id
from invitekit.model import (
    Customer,
    EventKind,
    EventNote,
    LinkCheck,
    MessageKind,
    Purpose,
    Registration,
    Status,
    clean_signup_name,
)
from invitekit.ports import Transaction
from invitekit.tokens import TokenClaims, require_link, verification_fingerprint

__all__ = ["check_email_verification", "register", "verify_email"]

_EMAILS = {
    SignupAnswer.PROVIDER_HINT: AccountEmail.PROVIDER_HINT,
    SignupAnswer.ACCOUNT_EXISTS: AccountEmail.ACCOUNT_EXISTS,
}


def register(
    ctx: Context,
    email: str,
    *,
    first_name: str | None,
    last_name: str | None,
    locale: str | None,
    password: str,
) -> None:
    """Keep a sign-up and mail the answer for its address (see ``InviteKit.register``).

    The business needs ``verify_url`` and ``reset_url`` (the answer to a sign-up
    with an activated customer's address carries a reset link): both are checked
    first, whatever the address, so a missing one does not tell addresses apart.
    """
    require_link(ctx.business, Purpose.EMAIL_VERIFICATION)
    require_link(ctx.business, Purpose.PASSWORD_RESET)
    address = parse_email(email)
    first = clean_signup_name(first_name, field="first_name")
    last = clean_signup_name(last_name, field="last_name")
    chosen_locale = clean_locale(locale)
    normalized = ctx.password_rules.check(
        password, context=[address.address, first or "", last or "", ctx.business.name]
    )
    password_hash = ctx.password_hasher.hash(normalized)
    with ctx.store.transaction() as tx:
        now = ctx.clock.now()
        registration = Registration(
            id=new_id("reg"),
            business_id=ctx.business.id,
            email=address.address,
            email_key=address.key,
            first_name=first,
            last_name=last,
            locale=chosen_locale,
            password_hash=password_hash,
            created_at=now,
        )
        customer = tx.find_customer(ctx.business.id, address.key)
        _answer(ctx, tx, registration, customer, now)


def check_email_verification(ctx: Context, token: str) -> LinkCheck:
    """Which sign-up a verification link confirms, and whether it still works.

    The page shows what the link was mailed for: the customer it is bound to,
    or the sign-up itself (even when a customer got the address since, which
    :func:`verify_email` then refuses).
    """
    with ctx.store.transaction(readonly=True) as tx:
        claims, registration, bound, _added = _redeem(ctx, tx, token)
    return LinkCheck(
        purpose=claims.purpose,
        email=registration.email if bound is None else bound.email,
        customer_id=None if bound is None else bound.id,
        first_name=registration.first_name if bound is None else bound.first_name,
        locale=registration.locale if bound is None else bound.locale,
        expires_at=expires_at(ctx, claims),
        needs_password=True,
    )


def verify_email(ctx: Context, token: str, *, password: str | None) -> Customer:
    """Confirm a sign-up: a new Accepted customer, or the existing profile activated.

    The sign-up password is always required.  A link signed for an address
    nobody had is refused once a customer has it (:class:`VerificationSuperseded`),
    and the answer a sign-up gets now is sent to that customer's address.
    """
    with ctx.store.transaction() as tx:
        _claims, registration, _bound, _added = _redeem(ctx, tx, token)
    typed = unicodedata.normalize("NFC", password) if isinstance(password, str) else None
    if typed is None or not ctx.password_hasher.verify(registration.password_hash, typed):
        raise InvalidCredentials("enter the password you chose when you signed up")
    with ctx.store.transaction() as tx:
        now = ctx.clock.now()
        # Every check again inside the writing transaction: another submission may
        # have won, or the business may have added the address, since the first
        # one.  The fingerprint covers the sign-up's password hash, so the
        # password checked above is the one of the sign-up read here.
        _claims, registration, bound, added = _redeem(ctx, tx, token)
        if added is None:
            return _activate(ctx, tx, registration, bound, now)
        # The sign-up answered anew, as if made now; the new link, if queued,
        # replaces this one.
        superseding = attrs.evolve(registration, id=new_id("reg"))
        if _answer(ctx, tx, superseding, added, now):
            tx.delete_registration(ctx.business.id, registration.id)
    raise VerificationSuperseded(
        "a profile with this address was added since you signed up: "
        "confirm with the new link sent to the address"
    )


def _answer(
    ctx: Context,
    tx: Transaction,
    registration: Registration,
    customer: Customer | None,
    now: datetime,
) -> bool:
    """Queue the email that answers ``registration``, for the address's ``customer``.

    A verification link goes with the sign-up stored; every other answer (or
    none) leaves it unstored.  The email is composed in every case, and the
    request counted against the mail throttle, so every case costs the same.

    Returns:
        whether an email was queued.
    """
    answer = signup_answer(customer)
    if answer is SignupAnswer.NOTHING:
        message = None
    elif answer is SignupAnswer.VERIFY_ADDRESS or customer is None:
        message = verification_message(ctx, registration, customer, now)
    else:
        message = account_message(ctx, customer, _EMAILS[answer], now)
    if message is not None and customer is not None:
        # A known customer without a locale reads the language of the sign-up page.
        message = in_page_locale(ctx, message, customer, registration.locale)
    if mail_throttled(ctx, tx, registration.email_key, now) or message is None:
        return False
    if ctx.enqueue(tx, [message]):
        return False  # one is pending for this customer already
    if message.kind is MessageKind.EMAIL_VERIFICATION:
        tx.insert_registration(registration)
    return True


def _activate(
    ctx: Context,
    tx: Transaction,
    registration: Registration,
    bound: Customer | None,
    now: datetime,
) -> Customer:
    """Store the verified sign-up: a new Accepted customer, or ``bound`` activated."""
    if bound is None:
        accepted = ctx.new_customer(
            email=registration.email,
            email_key=registration.email_key,
            now=now,
            first_name=registration.first_name,
            last_name=registration.last_name,
            locale=registration.locale,
            status=Status.ACCEPTED,
            password_hash=registration.password_hash,
            accepted_at=now,
        )
        try:
            tx.insert_customer(accepted)
        except DuplicateCustomer as err:
            raise TokenUsed("this link was just used") from err
        events = [
            ctx.event(accepted, EventKind.ADDED, now, EventNote.SIGNED_UP),
            ctx.event(accepted, EventKind.ACCEPTED, now, EventNote.VERIFIED_EMAIL),
        ]
    else:
        accepted = transitions.accept(bound, now=now, password_hash=registration.password_hash)
        # The names typed at sign-up fill what the profile lacks, now that the
        # address is proven; names the business keeps are not overwritten.
        accepted = attrs.evolve(
            accepted,
            first_name=bound.first_name or registration.first_name,
            last_name=bound.last_name or registration.last_name,
        )
        try:
            tx.update_customer(accepted, expected_version=bound.version)
        except ConcurrentUpdate as err:
            raise TokenUsed("this link was just used") from err
        tx.cancel_pending(ctx.business.id, bound.id, reason=EventNote.CUSTOMER_ACCEPTED)
        events = [ctx.event(bound, EventKind.ACCEPTED, now, EventNote.VERIFIED_EMAIL)]
    tx.delete_registration(ctx.business.id, registration.id)
    tx.add_events(events)
    return accepted


def _redeem(
    ctx: Context, tx: Transaction, token: str
) -> tuple[TokenClaims, Registration, Customer | None, Customer | None]:
    """Verify an email-verification token against the stored sign-up and customers.

    Returns:
        the claims; the sign-up; the customer the link is bound to (who had the
        address at sign-up), or ``None`` for a new address; and, for a new
        address only, the customer who got it since (``None`` if nobody did).

    Raises:
        TokenError: the precise refusal (``TokenUsed`` when the sign-up is gone
            or the bound customer changed or is already activated).
    """
    claims = ctx.tokens.verify(token, Purpose.EMAIL_VERIFICATION)
    if claims.registration_id is None:
        raise TokenInvalid("this link is not valid")
    registration = tx.get_registration(ctx.business.id, claims.registration_id)
    if registration is None:
        raise TokenUsed("this link was already used or replaced by a newer one")
    bound = None
    if claims.customer_id is not None:
        bound = tx.get_customer(ctx.business.id, claims.customer_id)
        if bound is None:
            raise TokenInvalid("this link is not valid")
    customer = bound or tx.find_customer(ctx.business.id, registration.email_key)
    if customer is not None and customer.archived:
        raise CustomerArchived("this profile is archived; contact the business")
    if claims.fingerprint != verification_fingerprint(registration, bound):
        raise TokenUsed("this link is no longer valid: the profile changed since")
    if customer is not None and customer.status is Status.ACCEPTED:
        raise TokenUsed("this profile is already activated: log in instead")
    return claims, registration, bound, None if bound is not None else customer
