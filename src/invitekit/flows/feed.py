"""The event feed read with a cursor, webhook endpoints, and delivering the feed to them."""

from __future__ import annotations

import base64
import binascii
import logging

import attrs

from invitekit.exceptions import (
    ConcurrentUpdate,
    DeliveryError,
    ValidationError,
    WebhookNotFound,
)
from invitekit.feed import FeedEvent, cursor_of, payload_bytes, position_of
from invitekit.flows.context import Context
from invitekit.ids import new_id
from invitekit.ports import Clock, Store, WebhookSender
from invitekit.reports import DeliveryReport
from invitekit.settings import OutboxSettings
from invitekit.text import quoted
from invitekit.webhooks import DISABLE_AFTER, Webhook, check_webhook_url, new_secret

__all__ = [
    "add_webhook",
    "deliver_webhooks",
    "events_since",
    "list_webhooks",
    "remove_webhook",
    "with_webhooks",
]

log = logging.getLogger("invitekit")

MAX_LIMIT = 1000


def events_since(ctx: Context, cursor: str | None, limit: int) -> tuple[list[FeedEvent], str]:
    """The business's feed events after ``cursor``, and the cursor after the last of them."""
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= MAX_LIMIT:
        raise ValidationError(
            f"limit must be a number from 1 to {MAX_LIMIT}", field="limit", code="invalid"
        )
    after = position_of(cursor)
    with ctx.store.transaction(readonly=True) as tx:
        items = tx.read_feed(ctx.business.id, after=after, limit=limit)
    return items, items[-1].cursor if items else cursor_of(after)


def add_webhook(ctx: Context, url: str, secret: str | None) -> Webhook:
    """Register an endpoint that receives the feed from its newest event on."""
    check_webhook_url(url)
    if secret is None:
        secret = new_secret()
    else:
        _check_secret(secret)
    with ctx.store.transaction() as tx:
        hook = Webhook(
            id=new_id("whk"),
            business_id=ctx.business.id,
            url=url,
            secret=secret,
            created_at=ctx.clock.now(),
            delivered_through=tx.feed_head(ctx.business.id),
        )
        tx.insert_webhook(hook)
    return hook


def _check_secret(secret: str) -> None:
    """A Standard Webhooks secret: ``whsec_`` and base64 of 24 to 64 bytes."""
    refused = ValidationError(
        "a webhook secret is 'whsec_' and base64 of 24 to 64 random bytes",
        field="secret",
        code="invalid",
    )
    if not isinstance(secret, str) or not secret.startswith("whsec_") or len(secret) > 120:
        raise refused
    try:
        raw = base64.b64decode(secret.removeprefix("whsec_"), validate=True)
    except (binascii.Error, ValueError) as err:
        raise refused from err
    if not 24 <= len(raw) <= 64:
        raise refused


def list_webhooks(ctx: Context) -> list[Webhook]:
    """The business's endpoints, oldest first."""
    with ctx.store.transaction(readonly=True) as tx:
        return tx.list_webhooks(ctx.business.id)


def remove_webhook(ctx: Context, webhook_id: str) -> None:
    """Forget an endpoint; nothing more is sent to it."""
    with ctx.store.transaction() as tx:
        if not isinstance(webhook_id, str) or not tx.delete_webhook(ctx.business.id, webhook_id):
            raise _not_found(webhook_id)


def enable_webhook(ctx: Context, webhook_id: str) -> Webhook:
    """Enable a disabled endpoint again, from the position it was disabled at."""
    with ctx.store.transaction() as tx:
        found = [hook for hook in tx.list_webhooks(ctx.business.id) if hook.id == webhook_id]
        if not found:
            raise _not_found(webhook_id)
        (hook,) = found
        if hook.enabled:
            return hook
        enabled = attrs.evolve(
            hook, enabled=True, failures=0, disabled_at=None, last_error=None, not_before=None
        )
        try:
            # A disabled endpoint is claimed by no worker (the one that disabled it let go).
            tx.update_webhook(enabled, claim_token=None)
        except ConcurrentUpdate as err:  # removed since it was read
            raise _not_found(webhook_id) from err
    log.info("webhook %s enabled again after position %d", hook.id, hook.delivered_through)
    return enabled


def _not_found(webhook_id: object) -> WebhookNotFound:
    return WebhookNotFound(f"no webhook with id {quoted(str(webhook_id))}")


@attrs.frozen(kw_only=True)
class _Run:
    store: Store
    clock: Clock
    outbox: OutboxSettings
    sender: WebhookSender
    claim_token: str


def deliver_webhooks(
    *,
    store: Store,
    clock: Clock,
    outbox: OutboxSettings,
    sender: WebhookSender,
    business_id: str | None,
    limit: int | None = None,
) -> tuple[int, int]:
    """POST every undelivered feed event to every enabled, due endpoint, in feed order.

    Each endpoint is claimed with a lease (as outbox rows are), so several
    workers never deliver to one endpoint at once; its events go one at a time
    in feed order, and ``delivered_through`` is committed after each, so a
    worker that dies resends at most the event it was sending (at-least-once,
    with the same ``webhook-id``).  A failure stops the endpoint's run: it is
    tried again after the outbox's backoff, from the event that failed, and is
    disabled after :data:`~invitekit.webhooks.DISABLE_AFTER` consecutive failures.
    With ``limit``, at most that many POSTs (an endpoint with a long backlog, say
    one enabled again, goes on at the next call from where this one stopped).

    Returns:
        ``(sent, failed)``: events delivered, delivery attempts that failed.
    """
    sent = failed = 0
    while True:
        run = _Run(
            store=store, clock=clock, outbox=outbox, sender=sender, claim_token=new_id("clm")
        )
        now = clock.now()
        with store.transaction() as tx:
            hooks = tx.claim_webhooks(
                now=now,
                lease_until=now + outbox.lease,
                claim_token=run.claim_token,
                limit=outbox.batch_size,
                business_id=business_id,
            )
        if not hooks:
            return sent, failed
        moved = 0
        for hook in hooks:
            left = None if limit is None else limit - sent - failed
            if left is not None and left <= 0:
                _release(run, hook)  # its turn comes at the next call
                continue
            delivered, ok = _drain(run, hook, left)
            sent += delivered
            failed += not ok
            moved += delivered + (not ok)
        if limit is not None and sent + failed >= limit:
            return sent, failed
        if not moved:
            # Only other businesses' events were new: their endpoints caught up with
            # the head, and claiming again would only chase those businesses' writes.
            return sent, failed


def with_webhooks(
    report: DeliveryReport,
    *,
    store: Store,
    clock: Clock,
    outbox: OutboxSettings,
    sender: WebhookSender | None,
    business_id: str | None,
    limit: int | None = None,
) -> DeliveryReport:
    """``report`` with the webhooks delivered now added (none without a ``sender``)."""
    if sender is None:
        return report
    sent, failed = deliver_webhooks(
        store=store,
        clock=clock,
        outbox=outbox,
        sender=sender,
        business_id=business_id,
        limit=limit,
    )
    return attrs.evolve(report, webhooks_sent=sent, webhooks_failed=failed)


def _drain(run: _Run, hook: Webhook, budget: int | None) -> tuple[int, bool]:
    """Send ``hook`` its events until none is left, one fails or ``budget`` POSTs went.

    Returns ``(how many went, no failure)``.
    """
    count = 0
    while True:
        if budget is not None and count >= budget:
            return count, _release(run, hook)
        page = run.outbox.batch_size
        if budget is not None:
            page = min(page, budget - count)
        with run.store.transaction(readonly=True) as tx:
            head = tx.feed_head(hook.business_id)  # first: every event up to it is readable
            items = tx.read_feed(hook.business_id, after=hook.delivered_through, limit=page)
        if not items:
            # None of the business's up to ``head``: other businesses' positions are passed.
            done = max(hook.delivered_through, head)
            return count, _release(run, attrs.evolve(hook, delivered_through=done))
        for item in items:
            try:
                run.sender.post(
                    hook.url,
                    secret=hook.secret,
                    message_id=f"msg_{hook.id}_{item.position}",
                    body=payload_bytes(item),
                )
            except DeliveryError as err:
                _failed(run, hook, str(err) or type(err).__name__)
                return count, False
            count += 1
            now = run.clock.now()
            hook = attrs.evolve(
                hook,
                delivered_through=item.position,
                failures=0,
                last_error=None,
                claimed_until=now + run.outbox.lease,  # the lease goes on while it delivers
            )
            if not _save(run, hook):
                return count, True


def _release(run: _Run, hook: Webhook) -> bool:
    _save(run, attrs.evolve(hook, claimed_until=None, not_before=None))
    return True


def _failed(run: _Run, hook: Webhook, error: str) -> None:
    now = run.clock.now()
    failures = hook.failures + 1
    disabled = failures >= DISABLE_AFTER
    if disabled:
        log.warning("webhook %s disabled after %d failures in a row", hook.id, failures)
    _save(
        run,
        attrs.evolve(
            hook,
            failures=failures,
            last_error=error[:200],
            enabled=not disabled,
            disabled_at=now if disabled else None,
            not_before=now + run.outbox.backoff(failures),
            claimed_until=None,
        ),
    )


def _save(run: _Run, hook: Webhook) -> bool:
    """Store ``hook``'s state under the claim; ``False`` when the claim was lost."""
    try:
        with run.store.transaction() as tx:
            tx.update_webhook(hook, claim_token=run.claim_token)
    except ConcurrentUpdate:
        log.warning("webhook %s: the claim was lost to another worker", hook.id)
        return False
    return True
