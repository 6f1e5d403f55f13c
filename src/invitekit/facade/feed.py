"""The event feed and webhook endpoints of one business."""

from __future__ import annotations

from invitekit.facade import FacadePart
from invitekit.feed import FeedEvent
from invitekit.flows import feed
from invitekit.webhooks import Webhook

__all__ = ["FeedMethods"]


class FeedMethods(FacadePart):
    """Reading the business's event feed; registering webhooks that receive it."""

    def events_since(
        self, cursor: str | None = None, *, limit: int = 100
    ) -> tuple[list[FeedEvent], str]:
        """The business's events after ``cursor``, oldest first, and the cursor to read on from.

        Every event of every customer of the business (added, invitation queued,
        delivered, bounced, accepted, unsubscribed, archived, restored, password
        reset, ... every :class:`~invitekit.EventKind`) has a place in one feed,
        given in the transaction that records the change.  A consumer that stores
        the returned cursor after handling the events, and passes it next time,
        sees every event at least once and in order, across restarts, whatever
        the number of processes writing.

        Args:
            cursor: a cursor this method returned (or :attr:`FeedEvent.cursor
                <invitekit.FeedEvent.cursor>`); ``None`` reads from the start.
                Cursors are short opaque strings: store them as they are.
            limit: at most this many events (1 to 1000).

        Returns:
            ``(events, next_cursor)``: up to ``limit`` :class:`~invitekit.FeedEvent`
            values in feed order, and the cursor after the last of them (the
            given one, when there is nothing new).

        Raises:
            InvalidCursor: ``cursor`` is not one the feed handed out.
            ValidationError: ``limit`` is not a number from 1 to 1000.
        """
        return feed.events_since(self._ctx, cursor, limit)

    def add_webhook(self, url: str, *, secret: str | None = None) -> Webhook:
        """Register an endpoint that receives every new event of the feed as a signed POST.

        Events from this moment on are POSTed to ``url`` by :meth:`deliver` and
        the :class:`~invitekit.Worker` of a kit or worker given a
        ``webhook_sender``, signed per Standard Webhooks (see docs/integrate.md).

        Args:
            url: ``https://...``; ``http://`` only to a loopback address.
            secret: the signing secret (``"whsec_"`` and base64 of 24 to 64
                bytes); a new random one when ``None``.

        Returns:
            the endpoint, with its ``id`` and ``secret``.

        Raises:
            InvalidWebhookURL: the URL is refused (see
                :func:`~invitekit.webhooks.check_webhook_url`).
            ValidationError: the secret is not of the form above.
        """
        return feed.add_webhook(self._ctx, url, secret)

    def list_webhooks(self) -> list[Webhook]:
        """The business's webhook endpoints, oldest first, with their delivery state."""
        return feed.list_webhooks(self._ctx)

    def enable_webhook(self, webhook_id: str) -> Webhook:
        """Enable an endpoint that was disabled after repeated failures.

        It receives the events it missed, from the first one it did not
        acknowledge, in feed order: nothing recorded while it was disabled is
        lost (the feed keeps events for ``Retention.events``).  Its count of
        failures starts again from zero.  An enabled endpoint is returned as it
        is.  To start from the present instead, remove it and add it again.

        Args:
            webhook_id: the :attr:`Webhook.id <invitekit.Webhook.id>`.

        Returns:
            the endpoint, enabled.

        Raises:
            WebhookNotFound: the business has no endpoint with this id.
        """
        return feed.enable_webhook(self._ctx, webhook_id)

    def remove_webhook(self, webhook_id: str) -> None:
        """Remove an endpoint: nothing more is sent to it.

        Args:
            webhook_id: the :attr:`Webhook.id <invitekit.Webhook.id>`.

        Raises:
            WebhookNotFound: the business has no endpoint with this id.
        """
        feed.remove_webhook(self._ctx, webhook_id)
