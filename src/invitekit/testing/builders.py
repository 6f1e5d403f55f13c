"""Ready objects for tests: a business, a kit on the in-memory backends, an accepted customer.

Each builder has a sensible default for every part and takes any of them by
keyword, so a test names only what it is about::

    kit = make_kit(clock=FakeClock(start), outbox=OutboxSettings(max_attempts=2))
    ana = make_accepted_customer(kit, "ana@example.com", first_name="Ana")
    assert kit.login("ana@example.com", ana.password).id == ana.customer.id
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import attrs

from invitekit.adapters.memory import MemoryMailer, MemoryStore
from invitekit.model import Business, Customer, Email, OutboxState
from invitekit.passwords import PasswordHasher
from invitekit.ports import Clock, Mailer, MailerSession, Store
from invitekit.service import InviteKit
from invitekit.testing.clock import FakeClock
from invitekit.testing.crypto import TEST_PASSWORD, TEST_SECRET, fast_password_hasher
from invitekit.testing.links import extract_token

__all__ = ["AcceptedCustomer", "make_accepted_customer", "make_business", "make_kit"]

_STUDIO_ONE = Business(
    id="studio-1",
    name="Studio One",
    sender="hello@studio.example",
    timezone="Europe/Vienna",
    default_locale="de",
    signature="Studio One, Hauptstraße 1, Wien",
    activation_url="https://studio.example/activate/{token}",
    unsubscribe_url="https://studio.example/unsubscribe/{token}",
    reset_url="https://studio.example/reset/{token}",
    verify_url="https://studio.example/verify/{token}",
    email_change_url="https://studio.example/email-change/{token}",
)


def make_business(**changes: Any) -> Business:
    """A ready :class:`~invitekit.Business`: "Studio One" in Europe/Vienna, German by default.

    Its id is ``"studio-1"``, it sends from ``hello@studio.example``, and its
    links are ``https://studio.example/activate/{token}``, ``/unsubscribe/``,
    ``/reset/``, ``/verify/`` and ``/email-change/``.

    Args:
        changes: any :class:`~invitekit.Business` field to set instead
            (``make_business(id="studio-2", timezone="UTC")``).
    """
    return attrs.evolve(_STUDIO_ONE, **changes)


def make_kit(
    *,
    store: Store | None = None,
    mailer: Mailer | None = None,
    clock: Clock | None = None,
    business: Business | None = None,
    secret_keys: Sequence[str] = (TEST_SECRET,),
    password_hasher: PasswordHasher | None = None,
    **options: Any,
) -> InviteKit:
    """A ready :class:`~invitekit.InviteKit` for tests; every part can be given instead.

    Args:
        store: a new :class:`~invitekit.adapters.memory.MemoryStore` by default.
        mailer: a new :class:`~invitekit.adapters.memory.MemoryMailer` by default;
            keep a reference to the one you pass to read what it sent.
        clock: a new :class:`~invitekit.testing.FakeClock` by default (not the
            system clock: pass :class:`~invitekit.clock.SystemClock` for that).
        business: :func:`make_business` by default.
        secret_keys: :data:`~invitekit.testing.TEST_SECRET` by default, the
            published test key (an :class:`~invitekit.tokens.InsecureKey`).
        password_hasher: :func:`~invitekit.testing.fast_password_hasher` by default.
        options: any other keyword argument of :class:`~invitekit.InviteKit`
            (``outbox=``, ``token_expiry=``, ``login_throttle=``...).

    Raises:
        ConfigurationError: as :class:`~invitekit.InviteKit` does.
    """
    return InviteKit(
        store=MemoryStore() if store is None else store,
        mailer=MemoryMailer() if mailer is None else mailer,
        clock=FakeClock() if clock is None else clock,
        business=make_business() if business is None else business,
        secret_keys=secret_keys,
        password_hasher=fast_password_hasher() if password_hasher is None else password_hasher,
        **options,
    )


@attrs.frozen(kw_only=True)
class AcceptedCustomer:
    """A customer who activated the profile, made by :func:`make_accepted_customer`.

    Attributes:
        customer: the customer as stored after accepting (status Accepted).
        password: the password they chose; they can log in with it.
        invitation: the invitation email they received and followed.
    """

    customer: Customer
    password: str = attrs.field(repr=False)
    invitation: Email = attrs.field(repr=False)


def make_accepted_customer(
    kit: InviteKit,
    email: str = "ana@example.com",
    *,
    password: str = TEST_PASSWORD,
    **details: Any,
) -> AcceptedCustomer:
    """Add a customer, invite them, deliver, and accept the invitation as they would.

    Works with any store and mailer: the invitation is read on its way to the
    kit's mailer (the outbox holds no emails, only what to send).
    :meth:`~invitekit.InviteKit.deliver` delivers everything queued, so other
    customers' emails waiting in the outbox leave too.

    Args:
        kit: the kit to act on (its clock is not moved).
        email: the customer's address.
        password: the password they choose; :data:`~invitekit.testing.TEST_PASSWORD`
            by default.
        details: any other keyword of :meth:`~invitekit.InviteKit.add_customer`
            (``first_name=``, ``locale=``, ``groups=``...).

    Returns:
        the accepted customer, their password and the invitation email.

    Raises:
        LookupError: the invitation was not delivered (the mailer refused it).
        InviteKitError: as the facade's methods do (a taken address, a weak password...).
    """
    added = kit.add_customer(email, invite=True, **details)
    recorder = _Recorder(kit.mailer)
    kit.mailer = recorder
    try:
        kit.deliver()
    finally:
        kit.mailer = recorder.inner
    invitations = {
        message.message_id
        for message in kit.outbox_messages(customer_id=added.id, state=OutboxState.SENT)
        if message.kind == "invitation"
    }
    sent = [mail for mail in recorder.sent if mail.message_id in invitations]
    if not sent:
        raise LookupError(f"the invitation to {added.email} was not delivered")
    token = extract_token(sent[-1], kit.business.activation_url)
    customer = kit.accept_invitation(token, password)
    return AcceptedCustomer(customer=customer, password=password, invitation=sent[-1])


@attrs.define
class _Recorder:
    """A Mailer in front of another that keeps what the other accepted."""

    inner: Mailer
    sent: list[Email] = attrs.field(factory=list)

    @contextmanager
    def session(self) -> Iterator[_Recorder.Session]:
        with self.inner.session() as session:
            yield _Recorder.Session(session, self.sent)

    @attrs.define
    class Session:
        """One session of the inner mailer, recording each accepted email."""

        inner: MailerSession
        sent: list[Email]

        def send(self, email: Email) -> None:
            self.inner.send(email)
            self.sent.append(email)
