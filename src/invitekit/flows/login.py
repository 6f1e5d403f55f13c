"""Logging in with an email and a password, throttled per address and per client."""

from __future__ import annotations

import logging
import unicodedata
from collections.abc import Callable
from datetime import datetime

import attrs

from invitekit.access import can_log_in, login_refusal
from invitekit.addresses import parse_email
from invitekit.exceptions import ConcurrentUpdate, InvalidCredentials, InvalidEmail, LoginThrottled
from invitekit.flows.context import Context
from invitekit.model import Customer, EventKind, EventNote
from invitekit.ports import Transaction
from invitekit.throttle import email_key, retry_at

__all__ = ["login", "verify_password"]

log = logging.getLogger("invitekit")


def login(ctx: Context, email: str, password: str, *, client: str | None) -> Customer:
    """The customer whose email and password these are (see ``InviteKit.login``)."""
    try:
        address_key: str | None = parse_email(email).key
    except InvalidEmail:
        address_key = None
    keys = ctx.login_throttle.keys(address_key, client)
    with ctx.store.transaction() as tx:
        now = ctx.clock.now()
        customer = None if address_key is None else tx.find_customer(ctx.business.id, address_key)
        # The attempt is counted before the password is verified, so requests
        # arriving together cannot all slip in before any failure is recorded.
        reserved = _reserve(ctx, tx, keys, now)
        if isinstance(reserved, datetime) and customer is not None:
            tx.add_events([ctx.event(customer, EventKind.LOGIN_FAILED, now, EventNote.THROTTLED)])
    if isinstance(reserved, datetime):
        raise LoginThrottled("too many failed attempts: try again later", retry_at=reserved)
    stored_hash = customer.password_hash if customer is not None and can_log_in(customer) else None
    typed = unicodedata.normalize("NFC", password) if isinstance(password, str) else ""
    matched = ctx.password_hasher.verify(stored_hash, typed)
    new_hash = None
    if matched and stored_hash is not None and ctx.password_hasher.needs_rehash(stored_hash):
        new_hash = ctx.password_hasher.hash(typed)
    with ctx.store.transaction() as tx:
        now = ctx.clock.now()
        current = ctx.customer_or_none(tx, None if customer is None else customer.id)
        # The customer may have changed since it was read (archived, a new
        # password): only the hash that was verified, still usable, counts.
        verified = matched and current is not None and can_log_in(current)
        if verified and current is not None and current.password_hash == stored_hash:
            _release(ctx, tx, reserved, address_key)
            return _logged_in(ctx, tx, current, new_hash, now)
        # The reservations stay: they are this attempt's failures.
        if current is not None:
            reason = login_refusal(current)
            tx.add_events([ctx.event(current, EventKind.LOGIN_FAILED, now, reason)])
    raise InvalidCredentials("the email address or the password is not right")


def verify_password(ctx: Context, customer: Customer, password: str) -> None:
    """Check ``customer``'s password again, counted like a login to their address.

    For a sensitive change by a customer already signed in: a wrong password is
    a failed login (throttled, recorded), so it cannot be guessed here instead.

    Raises:
        LoginThrottled: too many failed attempts for the address.
        InvalidCredentials: the password is not right (or the customer has none).
    """
    keys = ctx.login_throttle.keys(customer.email_key, None)
    with ctx.store.transaction() as tx:
        now = ctx.clock.now()
        reserved = _reserve(ctx, tx, keys, now)
        if isinstance(reserved, datetime):
            tx.add_events([ctx.event(customer, EventKind.LOGIN_FAILED, now, EventNote.THROTTLED)])
    if isinstance(reserved, datetime):
        raise LoginThrottled("too many failed attempts: try again later", retry_at=reserved)
    typed = unicodedata.normalize("NFC", password) if isinstance(password, str) else ""
    matched = ctx.password_hasher.verify(customer.password_hash, typed)
    with ctx.store.transaction() as tx:
        now = ctx.clock.now()
        current = ctx.customer_or_none(tx, customer.id)
        if matched and current is not None and current.password_hash == customer.password_hash:
            _release(ctx, tx, reserved, customer.email_key)
            return
        if current is not None:
            reason = EventNote.WRONG_PASSWORD if current.password_hash else login_refusal(current)
            tx.add_events([ctx.event(current, EventKind.LOGIN_FAILED, now, reason)])
    raise InvalidCredentials("the password is not right")


def _reserve(
    ctx: Context, tx: Transaction, keys: list[tuple[str, int]], now: datetime
) -> list[tuple[str, int]] | datetime:
    """Reserve an attempt on every key, or on none and say when they allow one again.

    Returns:
        each key with the number of its reservation, or, when a key is at its
        limit, the moment every key allows an attempt again.
    """
    window = ctx.login_throttle.window
    reserved: list[tuple[str, int]] = []
    for key, limit in keys:
        number = tx.reserve_attempt(ctx.business.id, key, at=now, since=now - window, limit=limit)
        if number is None:
            # A refused attempt is not counted, on any key: the lock ends at retry_at.
            for done, reservation in reserved:
                tx.release_attempt(ctx.business.id, done, reservation)
            return _retry_at(ctx, tx, keys, now)
        reserved.append((key, number))
    return reserved


def _retry_at(
    ctx: Context, tx: Transaction, keys: list[tuple[str, int]], now: datetime
) -> datetime:
    """When every key among ``keys`` allows an attempt again (``now`` for those that do)."""

    def count_since(key: str) -> Callable[[datetime], int]:
        return lambda since: tx.count_attempts(ctx.business.id, key, since=since)

    window = ctx.login_throttle.window
    return max(
        retry_at(count_since(key), limit=limit, window=window, now=now) or now
        for key, limit in keys
    )


def _release(
    ctx: Context, tx: Transaction, reserved: list[tuple[str, int]], address_key: str | None
) -> None:
    """A success: forget its reservations, and the address's failures reserved before it.

    Failures reserved after it (requests still being verified) stay counted;
    the client's earlier failures stay too.
    """
    address = None if address_key is None else email_key(address_key)
    for key, reservation in reserved:
        tx.release_attempt(ctx.business.id, key, reservation, with_earlier=key == address)


def _logged_in(
    ctx: Context, tx: Transaction, customer: Customer, new_hash: str | None, now: datetime
) -> Customer:
    """Record a successful login, upgrading the hash if needed."""
    detail: str = ""
    if new_hash is not None:
        # Not a password change: links already sent stay valid (except a
        # pending reset link, whose fingerprint covers the hash).
        rehashed = attrs.evolve(
            customer, password_hash=new_hash, updated_at=now, version=customer.version + 1
        )
        try:
            tx.update_customer(rehashed, expected_version=customer.version)
        except ConcurrentUpdate:
            log.info("customer %s: hash upgrade skipped, changed meanwhile", customer.id)
        else:
            customer, detail = rehashed, EventNote.HASH_UPGRADED
    tx.add_events([ctx.event(customer, EventKind.LOGGED_IN, now, detail)])
    return customer
