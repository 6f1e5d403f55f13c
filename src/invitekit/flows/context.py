"""What every flow works with: the ports, the business, and the kit's settings."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import attrs

from invitekit.bounces import BounceSettings
from invitekit.compose import Layout, locale_name, message_id_for
from invitekit.exceptions import CustomerNotFound, GroupNotFound
from invitekit.ids import new_id
from invitekit.model import (
    Business,
    Customer,
    Event,
    EventKind,
    Group,
    MessageKind,
    OutboxMessage,
    Purpose,
    storable,
)
from invitekit.passwords import PasswordHasher, PasswordRules
from invitekit.ports import Clock, Mailer, Store, Transaction, WebhookSender
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
        bounces: when bounces make an address undeliverable, the circuit breaker.
        webhooks: how webhook messages are POSTed; ``None``: ``deliver`` sends none.
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
    bounces: BounceSettings = attrs.field(factory=BounceSettings)
    webhooks: WebhookSender | None = None

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

    def event(
        self,
        customer: Customer,
        kind: EventKind,
        at: datetime,
        detail: str = "",
        *,
        by: str | None = None,
        campaign_id: str | None = None,
    ) -> Event:
        """An event in ``customer``'s history (made by ``by``, of ``campaign_id``)."""
        return Event(
            business_id=self.business.id,
            customer_id=customer.id,
            kind=kind,
            at=at,
            detail=detail,
            by=by,
            campaign_id=campaign_id,
        )

    def enqueue(self, tx: Transaction, messages: Sequence[OutboxMessage]) -> set[str]:
        """Queue ``messages`` in ``tx`` (see :meth:`~invitekit.ports.Transaction.enqueue`).

        The business's settings are stored first (a new version if they
        changed), so that any worker can compose these emails from the store.
        """
        if messages:
            tx.save_business(self.business, at=messages[0].created_at)
        return tx.enqueue(messages)

    def message(
        self,
        customer: Customer | None,
        kind: MessageKind,
        now: datetime,
        *,
        recipient: str,
        locale: str | None,
        template_id: str | None = None,
        purpose: Purpose | None = None,
        registration_id: str | None = None,
        campaign_id: str | None = None,
        not_before: datetime | None = None,
    ) -> OutboxMessage:
        """A new outbox row, due ``now``: what to send, composed only at delivery.

        Args:
            customer: whom it is for (``None`` for a sign-up's new address).
            kind: what kind of email it is.
            now: when it is queued.
            recipient: the address it goes to.
            locale: the recipient's locale; the email's language is negotiated
                from it now (see :func:`~invitekit.compose.locale_for`).
            template_id: an invitation's template revision (``None``: the shipped text).
            purpose: an account email's link purpose.
            registration_id: an email verification's sign-up.
            campaign_id: an invitation's campaign.
            not_before: when it may go, if later than ``now`` (a scheduled send).
        """
        return OutboxMessage(
            id=new_id("msg"),
            business_id=self.business.id,
            customer_id=None if customer is None else customer.id,
            kind=kind,
            # The customer's address is read at delivery (see resolved): not stored twice.
            recipient=None if customer is not None and recipient == customer.email else recipient,
            locale=locale_name(locale, self.business),
            template_id=template_id,
            purpose=purpose,
            registration_id=registration_id,
            campaign_id=campaign_id,
            created_at=now,
            not_before=now if not_before is None else max(now, not_before),
        )

    def resolved(self, message: OutboxMessage, customer: Customer | None) -> OutboxMessage:
        """``message`` with the address and ``Message-ID`` it is sent with filled in.

        A queued row stores neither when they follow from elsewhere (see
        :meth:`sent_as`); sending records both.  A row whose address cannot be
        known (its customer is gone) keeps ``recipient=None``.

        Args:
            message: a row of this business's outbox.
            customer: its customer as stored now (``None`` if it has none or is gone).
        """
        recipient = message.recipient
        if recipient is None and customer is not None:
            recipient = customer.email
        message_id = message.message_id or message_id_for(message.id, self.business)
        if recipient == message.recipient and message_id == message.message_id:
            return message
        return attrs.evolve(message, recipient=recipient, message_id=message_id)

    def sent_as(self, message: OutboxMessage, customer: Customer | None) -> tuple[str, str]:
        """The address and ``Message-ID`` that ``message`` is sent with.

        The address is the row's, or else ``customer``'s stored one (changing it
        withdraws the row); the ``Message-ID`` is the row's, or else derived
        from its id (:func:`~invitekit.compose.message_id_for`), so every attempt
        of one row gets the same.

        Raises:
            CustomerNotFound: the row stores no address and its customer is gone.
        """
        filled = self.resolved(message, customer)
        if filled.recipient is None:
            raise CustomerNotFound(f"the customer of message {quoted(message.id)} is gone")
        assert filled.message_id is not None  # resolved always derives one
        return filled.recipient, filled.message_id
