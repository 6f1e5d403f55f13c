"""The :class:`InviteKit` facade: the public entry point, bound to one business.

Each method documents the use case and delegates to its flow in
:mod:`invitekit.flows`; the flows are the only code that calls the Store,
Mailer and Clock.
"""

from __future__ import annotations

from collections.abc import Sequence

from invitekit.bounces import BounceSettings
from invitekit.clock import SystemClock
from invitekit.compose import Layout
from invitekit.exceptions import ConfigurationError
from invitekit.facade.accounts import AccountMethods
from invitekit.facade.bounces import BounceMethods
from invitekit.facade.customers import CustomerMethods
from invitekit.facade.email_change import EmailChangeMethods
from invitekit.facade.feed import FeedMethods
from invitekit.facade.invitations import InvitationMethods
from invitekit.facade.links import LinkMethods
from invitekit.facade.privacy import PrivacyMethods
from invitekit.facade.providers import ProviderMethods
from invitekit.flows.context import Context
from invitekit.model import (
    ActivationCheck,
    Business,
    InvitationTemplate,
)
from invitekit.passwords import PasswordHasher, PasswordRules
from invitekit.ports import Clock, Mailer, Store, WebhookSender
from invitekit.privacy import Retention
from invitekit.reports import DeliveryReport, InvitationReport
from invitekit.settings import OutboxSettings
from invitekit.throttle import LoginThrottle, MailThrottle
from invitekit.tokens import TokenExpiry, Tokens

__all__ = [
    "ActivationCheck",
    "DeliveryReport",
    "InvitationReport",
    "InvitationTemplate",
    "InviteKit",
    "OutboxSettings",
]


class InviteKit(
    AccountMethods,
    InvitationMethods,
    BounceMethods,
    CustomerMethods,
    LinkMethods,
    ProviderMethods,
    PrivacyMethods,
    EmailChangeMethods,
    FeedMethods,
):
    """Everything invitekit does, for one business.

    Args:
        store: where data lives (:class:`~invitekit.adapters.memory.MemoryStore`,
            ``SQLStore``...).
        mailer: how emails leave (:class:`~invitekit.adapters.memory.MemoryMailer`,
            :class:`~invitekit.adapters.files.FolderMailer`, ``SMTPMailer``...).
        business: the business this instance acts for.
        secret_keys: signing keys, newest first (see :class:`~invitekit.tokens.Tokens`).
        clock: the time source; the system clock by default.
        token_expiry: validity of each kind of link.
        password_rules: what a password must satisfy.
        password_hasher: argon2id parameters.
        outbox: delivery settings.
        layout: the email layout (:class:`~invitekit.compose.Layout`); the packaged
            one by default.
        login_throttle: how many failed logins are tolerated (see
            :class:`~invitekit.throttle.LoginThrottle` for the defaults).
        mail_throttle: how many account emails an address may be sent (see
            :class:`~invitekit.throttle.MailThrottle`).
        bounces: when bounces make an address undeliverable, and when the circuit
            breaker pauses a campaign (see :class:`~invitekit.BounceSettings`).
        retention: how long what is no longer needed is kept, for :meth:`purge`
            (see :class:`~invitekit.Retention` for the defaults).
        webhook_sender: how :meth:`deliver` POSTs the feed to the business's
            webhooks (:class:`~invitekit.adapters.webhooks.HTTPWebhookSender`);
            ``None``: this kit delivers no webhooks (a worker given one does).

    Raises:
        ConfigurationError: for unusable settings (short keys, a bad time zone...).
    """

    def __init__(
        self,
        *,
        store: Store,
        mailer: Mailer,
        business: Business,
        secret_keys: Sequence[str],
        clock: Clock | None = None,
        token_expiry: TokenExpiry | None = None,
        password_rules: PasswordRules | None = None,
        password_hasher: PasswordHasher | None = None,
        outbox: OutboxSettings | None = None,
        layout: Layout | None = None,
        login_throttle: LoginThrottle | None = None,
        mail_throttle: MailThrottle | None = None,
        bounces: BounceSettings | None = None,
        retention: Retention | None = None,
        webhook_sender: WebhookSender | None = None,
    ) -> None:
        self.store = store
        self.mailer = mailer
        self.business = business
        self.clock: Clock = clock or SystemClock()
        self.tokens = Tokens(
            business_id=business.id,
            secret_keys=secret_keys,
            clock=self.clock,
            expiry=token_expiry,
        )
        self.password_rules = password_rules or PasswordRules()
        self.password_hasher = password_hasher or PasswordHasher()
        self.outbox = outbox or OutboxSettings()
        self.layout = layout
        self.login_throttle = login_throttle or LoginThrottle()
        self.mail_throttle = mail_throttle or MailThrottle()
        self.bounces = bounces or BounceSettings()
        self.retention = retention or Retention()
        _check_retention(self.retention, self.login_throttle, self.mail_throttle)
        self.webhook_sender = webhook_sender

    def __setattr__(self, name: str, value: object) -> None:
        super().__setattr__(name, value)
        # The context is made of these attributes, which an application (or a
        # test) may replace after construction: the next call builds it anew.
        self.__dict__.pop("_context", None)

    @property
    def _ctx(self) -> Context:
        context: Context | None = self.__dict__.get("_context")
        if context is None:
            context = self.__dict__["_context"] = self._new_context()
        return context

    def _new_context(self) -> Context:
        return Context(
            store=self.store,
            mailer=self.mailer,
            clock=self.clock,
            business=self.business,
            tokens=self.tokens,
            password_rules=self.password_rules,
            password_hasher=self.password_hasher,
            outbox=self.outbox,
            layout=self.layout,
            login_throttle=self.login_throttle,
            mail_throttle=self.mail_throttle,
            bounces=self.bounces,
            webhooks=self.webhook_sender,
        )

    def __repr__(self) -> str:
        return f"InviteKit(business={self.business.id!r}, store={self.store!r})"


def _check_retention(retention: Retention, login: LoginThrottle, mail: MailThrottle) -> None:
    """Refuse a retention of attempts shorter than a throttle looks back: it would lift it."""
    if retention.attempts < max(login.window, mail.window):
        raise ConfigurationError(
            "retention of attempts must be at least the login and mail throttles' windows"
        )
