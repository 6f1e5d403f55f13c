"""What a campaign or a delivery run did: counts returned by the facade."""

from __future__ import annotations

import attrs

from invitekit.audience import SkipReason

__all__ = ["DeliveryReport", "InvitationReport"]


@attrs.frozen(kw_only=True)
class InvitationReport:
    """What :meth:`InviteKit.invite_audience` did.

    Attributes:
        queued: how many invitations were queued.
        skipped: how many customers were left out, per reason.
        campaign_id: the :class:`~invitekit.Campaign` the call started (see
            :meth:`InviteKit.list_campaigns`); ``None`` only in reports made by hand.
    """

    queued: int = 0
    skipped: dict[SkipReason, int] = attrs.field(factory=dict)
    campaign_id: str | None = None

    @property
    def total_skipped(self) -> int:
        """All customers left out."""
        return sum(self.skipped.values())


@attrs.frozen(kw_only=True)
class DeliveryReport:
    """What :meth:`InviteKit.deliver` did.

    Attributes:
        sent: accepted by the mail server.
        retrying: failed temporarily; queued again for a later attempt.
        failed: given up (a permanent refusal, or the last allowed attempt).
        cancelled: withdrawn because the customer changed meanwhile.
        held_back: invitations and reminders that pacing or quiet hours keep
            for later: pending again, due at the next allowed moment (shown as
            scheduled, not failed; see :class:`~invitekit.Pacing`).
        webhooks_sent: feed events POSTed to webhook endpoints (answered 2xx).
        webhooks_failed: webhook deliveries that failed (tried again later).
    """

    sent: int = 0
    retrying: int = 0
    failed: int = 0
    cancelled: int = 0
    held_back: int = 0
    webhooks_sent: int = 0
    webhooks_failed: int = 0
