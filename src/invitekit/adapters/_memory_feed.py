"""The feed and webhook methods of the memory store's transactions.

A part of ``invitekit.adapters.memory`` (see :class:`~invitekit.adapters.memory.MemoryStore`),
in a module of its own for length.  Transactions run one at a time, so the feed's
positions are handed out in commit order by simply counting.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

import attrs

from invitekit.events import Event
from invitekit.exceptions import ConcurrentUpdate
from invitekit.feed import FeedEvent
from invitekit.webhooks import Webhook

if TYPE_CHECKING:
    from invitekit.adapters.memory import MemoryStore

__all__: list[str] = []


class _Feed:
    """The feed and webhook methods of :class:`_MemoryTransaction` (a part of it)."""

    _s: MemoryStore
    _undo: list[Callable[[], None]]

    def _set(self, table: dict[Any, Any], key: Any, value: Any) -> None:
        raise NotImplementedError  # _MemoryTransaction's

    def _to_feed(self, events: Sequence[Event]) -> None:
        """Give each event the next position (numbered for the whole store, as in SQL)."""
        for event in events:
            feed = self._s._feed.setdefault(event.business_id, [])
            self._s._feed_head += 1
            feed.append(FeedEvent(position=self._s._feed_head, event=event))
            self._undo.append(_popper(self._s, feed))

    def read_feed(self, business_id: str, *, after: int, limit: int) -> list[FeedEvent]:
        feed = self._s._feed.get(business_id, [])
        start = bisect.bisect_right(feed, after, key=lambda item: item.position)
        return feed[start : start + limit]

    def feed_head(self, business_id: str) -> int:
        return self._s._feed_head

    # Webhooks ----------------------------------------------------------------------------

    def insert_webhook(self, webhook: Webhook) -> None:
        self._set(self._s._webhooks, (webhook.business_id, webhook.id), webhook)

    def list_webhooks(self, business_id: str) -> list[Webhook]:
        found = [w for (owner, _), w in self._s._webhooks.items() if owner == business_id]
        return sorted(found, key=lambda w: (w.created_at, w.id))

    def delete_webhook(self, business_id: str, webhook_id: str) -> bool:
        if (business_id, webhook_id) not in self._s._webhooks:
            return False
        self._pop(self._s._webhooks, (business_id, webhook_id))
        self._pop(self._s._webhook_claims, (business_id, webhook_id))
        return True

    def _pop(self, table: dict[Any, Any], key: Any) -> None:
        if key in table:
            old = table.pop(key)
            self._undo.append(lambda: table.__setitem__(key, old))

    def claim_webhooks(
        self,
        *,
        now: datetime,
        lease_until: datetime,
        claim_token: str,
        limit: int,
        business_id: str | None = None,
    ) -> list[Webhook]:
        claimed: list[Webhook] = []
        for key, hook in sorted(self._s._webhooks.items(), key=lambda kv: kv[1].created_at):
            if len(claimed) >= limit:
                break
            if business_id is not None and hook.business_id != business_id:
                continue
            if not hook.enabled or (hook.not_before is not None and hook.not_before > now):
                continue
            if hook.claimed_until is not None and hook.claimed_until >= now:
                continue
            if self._s._feed_head <= hook.delivered_through:
                continue
            leased = attrs.evolve(hook, claimed_until=lease_until)
            self._set(self._s._webhooks, key, leased)
            self._set(self._s._webhook_claims, key, claim_token)
            claimed.append(leased)
        return claimed

    def update_webhook(self, webhook: Webhook, *, claim_token: str | None) -> None:
        key = (webhook.business_id, webhook.id)
        stored = self._s._webhooks.get(key)
        if stored is None or self._s._webhook_claims.get(key) != claim_token:
            raise ConcurrentUpdate("the claim on this webhook endpoint was lost")
        self._set(
            self._s._webhooks,
            key,
            attrs.evolve(
                webhook, url=stored.url, secret=stored.secret, created_at=stored.created_at
            ),
        )
        if webhook.claimed_until is None:
            self._pop(self._s._webhook_claims, key)


def _popper(store: MemoryStore, items: list[FeedEvent]) -> Callable[[], None]:
    """An undo that takes the last event off ``items`` and gives its position back."""

    def undo() -> None:
        items.pop()
        store._feed_head -= 1

    return undo
