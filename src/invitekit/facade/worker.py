"""The :class:`Worker`: delivers the outbox of every business in one store."""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from datetime import datetime
from types import TracebackType

from invitekit.bounces import BounceSettings
from invitekit.clock import SystemClock
from invitekit.compose import Layout
from invitekit.exceptions import DeliveryError
from invitekit.flows import feed, privacy, worker
from invitekit.ports import Clock, Mailer, MailerSession, Store, WebhookSender
from invitekit.privacy import PurgeReport, Retention
from invitekit.reports import DeliveryReport
from invitekit.settings import OutboxSettings
from invitekit.tokens import TokenExpiry, Tokens

__all__ = ["Worker"]


class Worker:
    """Delivers due emails for every business in a store, with the secret keys it is given.

    Where :meth:`InviteKit.deliver() <invitekit.InviteKit.deliver>` delivers one
    business's outbox, a worker serves them all: the outbox holds what to send,
    each business's settings are stored with its first queued email, and the
    worker composes each email for its business and signs its links with
    ``secret_keys`` just before handing it to the mailer.  Run as many as you
    like on PostgreSQL or MariaDB (claims are leases, taken with ``FOR UPDATE SKIP
    LOCKED``); see docs/production.md.

    Used as a context manager (``with worker: ...``), a worker keeps one mailer
    session -- one SMTP connection -- for every :meth:`deliver` in the block, and
    closes it when the block ends (a long-running worker connects once, not once
    per batch).  An :class:`~invitekit.adapters.smtp.SMTPMailer` session
    reconnects by itself when the server drops an idle connection; after a
    delivery with temporary failures the worker opens a new session for the next
    one.  Outside a ``with`` block, each :meth:`deliver` opens and closes its own.
    A worker is not meant to be shared between threads.

    Args:
        store: the store every business's kit uses.
        mailer: how emails leave.
        secret_keys: the signing keys, newest first, as the kits have them (one set
            for every business in the store).
        clock: the time source; the system clock by default.
        outbox: delivery settings (batch size, lease, attempts, backoff).
        token_expiry: validity of each kind of link, as the kits have it.
        layout: the email layout; the packaged one by default.
        bounces: as the kits have it: a recipient refused by the mail server is a
            hard bounce, and may pause its campaign (circuit breaker).
        retention: what :meth:`purge` removes, for every business (see
            :class:`~invitekit.Retention` for the defaults).
        webhook_sender: how the feed is POSTed to every business's webhooks
            (:class:`~invitekit.adapters.webhooks.HTTPWebhookSender`); ``None``:
            this worker delivers no webhooks.

    Raises:
        ConfigurationError: ``secret_keys`` is not a list of strong keys.
    """

    def __init__(
        self,
        *,
        store: Store,
        mailer: Mailer,
        secret_keys: Sequence[str],
        clock: Clock | None = None,
        outbox: OutboxSettings | None = None,
        token_expiry: TokenExpiry | None = None,
        layout: Layout | None = None,
        bounces: BounceSettings | None = None,
        retention: Retention | None = None,
        webhook_sender: WebhookSender | None = None,
    ) -> None:
        self.store = store
        self.mailer = mailer
        self.clock: Clock = clock or SystemClock()
        Tokens(business_id="-", secret_keys=secret_keys, clock=self.clock)  # checks the keys
        self._secret_keys = list(secret_keys)
        self.outbox = outbox or OutboxSettings()
        self.token_expiry = token_expiry
        self.layout = layout
        self.bounces = bounces or BounceSettings()
        self.retention = retention or Retention()
        self.webhook_sender = webhook_sender
        self._running: contextlib.ExitStack | None = None  # while in a ``with`` block
        self._session: MailerSession | None = None

    def __enter__(self) -> Worker:
        """Keep one mailer session for every :meth:`deliver` until the block ends."""
        if self._running is None:
            self._running = contextlib.ExitStack()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """Close the kept mailer session, if any (``QUIT``); the worker may be used again."""
        running, self._running, self._session = self._running, None, None
        if running is None:
            return
        # Closing a connection that had already dropped: every email was handled.
        with contextlib.suppress(DeliveryError):
            running.close()

    def __repr__(self) -> str:
        return f"Worker(store={self.store!r})"

    def deliver(self, *, limit: int | None = None) -> DeliveryReport:
        """Hand every business's due messages to the mailer, until none is left (or ``limit``).

        Like :meth:`InviteKit.deliver() <invitekit.InviteKit.deliver>`, for every
        business at once: each message is claimed with a lease, checked again,
        composed for its business, sent, and recorded.  A message whose business
        has no stored settings (queued by an invitekit before 2.0) waits, retried later.
        With a ``webhook_sender``, the businesses' webhooks follow; ``limit`` also
        caps the POSTs of one call, and the next call goes on from there.

        Returns:
            counts of what happened.
        """
        report = worker.deliver_all(
            store=self.store,
            mailer=self.mailer,
            clock=self.clock,
            secret_keys=self._secret_keys,
            outbox=self.outbox,
            token_expiry=self.token_expiry,
            layout=self.layout,
            bounces=self.bounces,
            limit=limit,
            session=self._kept_session(),
        )
        report = feed.with_webhooks(
            report,
            store=self.store,
            clock=self.clock,
            outbox=self.outbox,
            sender=self.webhook_sender,
            business_id=None,
            limit=limit,
        )
        if report.retrying and self._running is not None:
            # The server may be down or have dropped us: the next delivery starts afresh.
            self.close()
            self._running = contextlib.ExitStack()
        return report

    def purge(self, now: datetime | None = None) -> PurgeReport:
        """Remove what is past :attr:`retention`, for every business in the store.

        As :meth:`InviteKit.purge() <invitekit.InviteKit.purge>` does for one
        business, in batches of ``retention.batch_size`` (one short transaction
        each); ``invitekit worker --purge-every HOURS`` calls it between
        deliveries.

        Args:
            now: the moment retention is counted from; the clock's time by default.

        Returns:
            the counts of every business, added up.
        """
        return privacy.purge_all(self.store, self.retention, now=now or self.clock.now())

    def _kept_session(self) -> MailerSession | None:
        """The session kept for this ``with`` block (opened now if needed), or ``None``."""
        if self._running is None:
            return None
        if self._session is None:
            try:
                self._session = self._running.enter_context(self.mailer.session())
            except DeliveryError:
                return None  # deliver_all tries again, and records the failure if it fails
        return self._session
