"""The :class:`Worker`: delivers the outbox of every business in one store."""

from __future__ import annotations

from collections.abc import Sequence

from invitekit.bounces import BounceSettings
from invitekit.clock import SystemClock
from invitekit.compose import Layout
from invitekit.flows import worker
from invitekit.ports import Clock, Mailer, Store
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

    def __repr__(self) -> str:
        return f"Worker(store={self.store!r})"

    def deliver(self, *, limit: int | None = None) -> DeliveryReport:
        """Hand every business's due messages to the mailer, until none is left (or ``limit``).

        Like :meth:`InviteKit.deliver() <invitekit.InviteKit.deliver>`, for every
        business at once: each message is claimed with a lease, checked again,
        composed for its business, sent, and recorded.  A message whose business
        has no stored settings (queued by an invitekit before 2.0) waits, retried later.

        Returns:
            counts of what happened.
        """
        return worker.deliver_all(
            store=self.store,
            mailer=self.mailer,
            clock=self.clock,
            secret_keys=self._secret_keys,
            outbox=self.outbox,
            token_expiry=self.token_expiry,
            layout=self.layout,
            bounces=self.bounces,
            limit=limit,
        )
