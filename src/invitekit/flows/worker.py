"""A worker for every business in one store: deliver whatever is due, composing for each.

The outbox holds intents, and every business's settings are stored with its
first queued email (see :meth:`~invitekit.flows.context.Context.enqueue`), so a
worker needs nothing but the store, a mailer and the secret keys: it reads the
settings of each claimed message's business and composes and signs for it.
"""

from __future__ import annotations

from collections.abc import Sequence

from invitekit.compose import Layout
from invitekit.flows import delivery
from invitekit.flows.context import Context
from invitekit.passwords import PasswordHasher, PasswordRules
from invitekit.ports import Clock, Mailer, MailerSession, Store, Transaction
from invitekit.reports import DeliveryReport
from invitekit.settings import OutboxSettings
from invitekit.throttle import LoginThrottle, MailThrottle
from invitekit.tokens import TokenExpiry, Tokens

__all__ = ["deliver_all", "store_business"]


def deliver_all(
    *,
    store: Store,
    mailer: Mailer,
    clock: Clock,
    secret_keys: Sequence[str],
    outbox: OutboxSettings,
    token_expiry: TokenExpiry | None,
    layout: Layout | None,
    limit: int | None,
    session: MailerSession | None = None,
) -> DeliveryReport:
    """Deliver the due messages of every business in ``store``, each composed for its business.

    A message whose business has no stored settings waits (it is retried later).
    ``session``: an open session of ``mailer`` to send through (see
    :func:`~invitekit.flows.delivery.deliver_from`).
    """
    contexts: dict[str, Context | None] = {}

    def context_of(tx: Transaction, business_id: str) -> Context | None:
        if business_id not in contexts:
            business = tx.get_business(business_id)
            contexts[business_id] = None
            if business is not None:
                contexts[business_id] = Context(
                    store=store,
                    mailer=mailer,
                    clock=clock,
                    business=business,
                    tokens=Tokens(
                        business_id=business.id,
                        secret_keys=secret_keys,
                        clock=clock,
                        expiry=token_expiry,
                    ),
                    password_rules=PasswordRules(),
                    password_hasher=PasswordHasher(),
                    outbox=outbox,
                    layout=layout,
                    login_throttle=LoginThrottle(),
                    mail_throttle=MailThrottle(),
                )
        return contexts[business_id]

    ports = delivery.DeliveryPorts(store=store, mailer=mailer, clock=clock, outbox=outbox)
    return delivery.deliver_from(ports, context_of, business_id=None, limit=limit, session=session)


def store_business(ctx: Context) -> int:
    """Store the business's settings now (a new version if they changed); the version."""
    with ctx.store.transaction() as tx:
        return tx.save_business(ctx.business, at=ctx.clock.now())
