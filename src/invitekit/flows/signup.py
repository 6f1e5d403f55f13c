"""Self sign-up from the booking page, and the email verification that completes it."""

from __future__ import annotations

import unicodedata

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
)
from invitekit.flows.account_mail import account_message, verification_message
from invitekit.flows.context import Context
from invitekit.flows.links import expires_at
from invitekit.flows.password_reset import mail_throttled
from invitekit.i18n import clean_locale
from invitekit.ids import new_id
from invitekit.model import (
    Customer,
    EventKind,
    LinkCheck,
    MessageKind,
    Purpose,
    Registration,
    Status,
    clean_signup_name,
)
from invitekit.ports import Transaction
from invitekit.tokens import TokenClaims, verification_fingerprint

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
    """Keep a sign-up and mail the answer for its address (see ``InviteKit.register``)."""
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
        answer = signup_answer(customer)
        if answer is SignupAnswer.NOTHING:
            message = None
        elif answer is SignupAnswer.VERIFY_ADDRESS or customer is None:
            message = verification_message(ctx, registration, customer, now)
        else:
            message = account_message(ctx, customer, _EMAILS[answer], now)
        if mail_throttled(ctx, tx, address.key, now) or message is None:
            return
        if not tx.enqueue([message]) and message.kind is MessageKind.EMAIL_VERIFICATION:
            tx.insert_registration(registration)


def check_email_verification(ctx: Context, token: str) -> LinkCheck:
    """Which sign-up a verification link confirms, and whether it still works."""
    with ctx.store.transaction() as tx:
        claims, registration, customer = _redeem(ctx, tx, token)
    return LinkCheck(
        purpose=claims.purpose,
        email=registration.email if customer is None else customer.email,
        customer_id=None if customer is None else customer.id,
        first_name=registration.first_name if customer is None else customer.first_name,
        locale=registration.locale if customer is None else customer.locale,
        expires_at=expires_at(ctx, claims),
        needs_password=customer is not None,
    )


def verify_email(ctx: Context, token: str, *, password: str | None) -> Customer:
    """Confirm a sign-up: a new Accepted customer, or the existing profile activated."""
    with ctx.store.transaction() as tx:
        _claims, registration, customer = _redeem(ctx, tx, token)
    if password is not None or customer is not None:
        typed = unicodedata.normalize("NFC", password) if isinstance(password, str) else ""
        if not ctx.password_hasher.verify(registration.password_hash, typed):
            raise InvalidCredentials("enter the password you chose when you signed up")
    with ctx.store.transaction() as tx:
        now = ctx.clock.now()
        # Again inside the writing transaction: another submission may have won.
        _claims, registration, customer = _redeem(ctx, tx, token)
        if customer is None:
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
                ctx.event(accepted, EventKind.ADDED, now, "signed up"),
                ctx.event(accepted, EventKind.ACCEPTED, now, "verified the email address"),
            ]
        else:
            accepted = transitions.accept(
                customer, now=now, password_hash=registration.password_hash
            )
            try:
                tx.update_customer(accepted, expected_version=customer.version)
            except ConcurrentUpdate as err:
                raise TokenUsed("this link was just used") from err
            tx.cancel_pending(ctx.business.id, customer.id, reason="the customer accepted")
            events = [ctx.event(customer, EventKind.ACCEPTED, now, "verified the email address")]
        tx.delete_registration(ctx.business.id, registration.id)
        tx.add_events(events)
    return accepted


def _redeem(
    ctx: Context, tx: Transaction, token: str
) -> tuple[TokenClaims, Registration, Customer | None]:
    """Verify an email-verification token; return the sign-up and the customer it activates.

    The customer is the one the token names (an existing customer when the
    visitor signed up), or the one who got the address meanwhile, or ``None``
    for a new customer.
    """
    claims = ctx.tokens.verify(token, Purpose.EMAIL_VERIFICATION)
    if claims.registration_id is None:
        raise TokenInvalid("this link is not valid")
    registration = tx.get_registration(ctx.business.id, claims.registration_id)
    if registration is None:
        raise TokenUsed("this link was already used")
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
    return claims, registration, customer
