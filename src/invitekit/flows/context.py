"""What every flow works with: the ports, the business, and the kit's settings."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

import attrs

from invitekit.compose import Layout, message_id_for
from invitekit.exceptions import CustomerNotFound, GroupNotFound
from invitekit.ids import new_id
from invitekit.model import (
    Business,
    Customer,
    Email,
    Event,
    EventKind,
    Group,
    MessageKind,
    OutboxMessage,
    storable,
)
from invitekit.passwords import PasswordHasher, PasswordRules
from invitekit.ports import Clock, Mailer, Store, Transaction
from invitekit.settings import OutboxSettings
from invitekit.text import quoted
from invitekit.throttle import LoginThrottle, MailThrottle
from invitekit.tokens import Tokens

__all__ = ["Context"]


@attrs.frozen(kw_only=True)
class Context:
    """The explicit context a flow runs in: one business, its ports and settings.

    :class:`~invitekit.InviteKit` builds one and passes it to every flow; a
    flow finds nothing anywhere else.

    Attributes:
        store, mailer, clock: the ports.
        business: the business acted for.
        tokens: signs and verifies this business's links.
        password_rules, password_hasher: what a password must be, how it is kept.
        outbox: delivery settings.
        layout: the email layout, or ``None`` for the packaged one.
        login_throttle, mail_throttle: the attempt limits.
    """

    store: Store
    mailer: Mailer
    clock: Clock
    business: Business
    tokens: Tokens
    password_rules: PasswordRules
    password_hasher: PasswordHasher
    outbox: OutboxSettings
    layout: Layout | None
    login_throttle: LoginThrottle
    mail_throttle: MailThrottle

    def customer(self, tx: Transaction, customer_id: str) -> Customer:
        """The business's customer ``customer_id``.

        Raises:
            CustomerNotFound: no such customer (or an id no store can hold).
        """
        found = tx.get_customer(self.business.id, customer_id) if storable(customer_id) else None
        if found is None:
            raise CustomerNotFound(f"no customer with id {quoted(customer_id)}")
        return found

    def customer_or_none(self, tx: Transaction, customer_id: str | None) -> Customer | None:
        """The business's customer ``customer_id``, or ``None`` (also for no id)."""
        return None if customer_id is None else tx.get_customer(self.business.id, customer_id)

    def group(self, tx: Transaction, name: str) -> Group:
        """The business's group called ``name`` (any case).

        Raises:
            GroupNotFound: no such group.
        """
        found = tx.find_group(self.business.id, name) if storable(name) else None
        if found is None:
            raise GroupNotFound(f"no group named {quoted(name)}")
        return found

    def new_customer(
        self, *, email: str, email_key: str, now: datetime, **details: Any
    ) -> Customer:
        """A customer of this business, not stored yet, created ``now`` with a new id."""
        return Customer(
            id=new_id("cus"),
            business_id=self.business.id,
            email=email,
            email_key=email_key,
            created_at=now,
            updated_at=now,
            **details,
        )

    def event(self, customer: Customer, kind: EventKind, at: datetime, detail: str = "") -> Event:
        """An event in ``customer``'s history."""
        return Event(
            business_id=self.business.id, customer_id=customer.id, kind=kind, at=at, detail=detail
        )

    def message(
        self,
        customer: Customer | None,
        kind: MessageKind,
        now: datetime,
        compose: Callable[[str], Email],
    ) -> OutboxMessage:
        """A new outbox message, due ``now``, its email composed for its ``Message-ID``.

        Args:
            customer: whom it is for (``None`` for a sign-up's new address).
            kind: what kind of email it is.
            now: when it is queued.
            compose: makes the email, given the ``Message-ID`` (stable: a retry
                reuses it).
        """
        outbox_id = new_id("msg")
        return OutboxMessage(
            id=outbox_id,
            business_id=self.business.id,
            customer_id=None if customer is None else customer.id,
            kind=kind,
            email=compose(message_id_for(outbox_id, self.business)),
            created_at=now,
            next_attempt_at=now,
        )
