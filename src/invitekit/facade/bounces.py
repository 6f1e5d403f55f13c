"""Bounces, complaints, undeliverable addresses and paused campaigns.

The methods of :class:`~invitekit.InviteKit` for one business, and
:class:`BounceProcessor`, which applies reports to whichever business of a store
sent the message (the ``invitekit bounces`` command uses it).
"""

from __future__ import annotations

from invitekit.bounces import BounceKind, BounceOutcome, BounceReport, BounceSettings
from invitekit.clock import SystemClock
from invitekit.facade import FacadePart
from invitekit.flows import bounces
from invitekit.funnel import Campaign
from invitekit.model import Customer
from invitekit.ports import Clock, Store

__all__ = ["BounceMethods", "BounceProcessor"]


class BounceMethods(FacadePart):
    """Bounces and complaints, undeliverable addresses, the circuit breaker."""

    def record_bounce(
        self, message_id: str, kind: BounceKind | str, *, detail: str = ""
    ) -> BounceOutcome:
        """Record that a message of this business bounced, or that its reader complained.

        The message is found by its ``Message-ID`` (``"<msg_...@studio.example>"``,
        the angle brackets optional), which names its outbox row; the event
        (:attr:`EventKind.BOUNCED <invitekit.EventKind.BOUNCED>` with detail
        ``"hard: <detail> (message <id>)"`` or ``"soft: ..."``, or
        :attr:`EventKind.COMPLAINED <invitekit.EventKind.COMPLAINED>`) carries the
        message's campaign.

        * ``"hard"``: the customer's address becomes undeliverable (every plan
          skips them with ``SkipReason.UNDELIVERABLE``; a queued invitation is
          withdrawn) until the address changes or :meth:`clear_undeliverable`;
          and the message's campaign may pause (the circuit breaker of
          :class:`~invitekit.BounceSettings`).
        * ``"soft"``: counted; ``soft_limit`` soft bounces within
          ``soft_window`` (3 in 30 days by default) make the address undeliverable.
        * ``"complaint"``: the reader marked it as spam: the customer is
          unsubscribed, as by :meth:`unsubscribe`, and a queued invitation withdrawn.

        A bounce of a message sent to an address the customer no longer has is
        recorded in the history and changes nothing else.  Recording the same
        report again (same message, same kind) changes nothing: the outcome
        says ``recorded=False``.

        Args:
            message_id: the bounced message's ``Message-ID``.
            kind: a :class:`~invitekit.BounceKind` or ``"hard"``, ``"soft"``, ``"complaint"``.
            detail: the server's reason (``"5.1.1 user unknown"``), one line, kept
                in the event (control characters removed, at most 500 characters).

        Returns:
            what was done (:class:`~invitekit.BounceOutcome`).

        Raises:
            InvalidBounceKind: ``kind`` is none of the three.
            ValidationError: ``detail`` is not text.
            MessageNotFound: no message of this business has this ``Message-ID``.
        """
        ctx = self._ctx
        return bounces.record_bounce(
            _ports(ctx.store, ctx.clock, ctx.bounces),
            message_id,
            kind,
            detail=detail,
            business=ctx.business,
        )

    def process_report(self, raw_bytes: bytes) -> BounceReport | None:
        """Read a bounce or complaint report (the raw email) and apply it (:meth:`record_bounce`).

        Feed it only the emails that arrived at the business's bounce (return
        path) or feedback address.  A report can only touch a message whose
        whole ``Message-ID`` it names, of this business; a forged one naming
        nothing real does nothing.

        Returns:
            the :class:`~invitekit.BounceReport` applied (including one recorded
            before, which changes nothing again); ``None`` when the email is no
            report (see :func:`~invitekit.bounces.parse_report`) or is about a
            message this business did not send (another business's, or none).

        Raises:
            InvalidReport: ``raw_bytes`` is not bytes.
        """
        ctx = self._ctx
        status, report, _outcome = bounces.process_report(
            _ports(ctx.store, ctx.clock, ctx.bounces), raw_bytes, business=ctx.business
        )
        return report if status == "applied" else None

    def clear_undeliverable(self, customer_id: str, *, by: str | None = None) -> Customer:
        """Mark the customer's address as working again (the mailbox was fixed).

        Invitations and reminders reach them again; soft bounces from before
        stop counting.  Records
        :attr:`EventKind.UNDELIVERABLE_CLEARED <invitekit.EventKind.UNDELIVERABLE_CLEARED>`
        (with ``by``), unless the address was not undeliverable (then nothing changes).
        Changing the address (:meth:`update_customer` with ``email=``) clears it too.

        Raises:
            CustomerNotFound: no such customer.
            ValidationError: ``by`` is not a usable staff id.
        """
        return bounces.clear_undeliverable(self._ctx, customer_id, by=by)

    def resume_campaign(self, campaign_id: str, *, by: str | None = None) -> Campaign:
        """Send the rest of a campaign the circuit breaker paused.

        Its held messages (``OutboxState.PAUSED``) are pending again; the
        campaign keeps ``resumed_at`` and ``resumed_by`` (no customer event: the
        campaign is the record), and the breaker judges it from then on on what
        it sends since.  A campaign that is not paused is returned unchanged.

        Returns:
            the campaign as stored now.

        Raises:
            CampaignNotFound: no campaign of this business has this id.
            ValidationError: ``by`` is not a usable staff id.
        """
        return bounces.resume_campaign(self._ctx, campaign_id, by=by)


class BounceProcessor:
    """Applies bounce and complaint reports to every business of one store.

    Where :meth:`InviteKit.process_report` answers for one business, a
    processor serves them all, as :class:`~invitekit.Worker` delivers for all:
    a report's ``Message-ID`` names an outbox row, the row names its business,
    and that business's stored settings name its messages.  It needs no secret
    key and no mailer.

    Args:
        store: the store every business's kit uses.
        clock: the time source; the system clock by default.
        bounces: when bounces make an address undeliverable and pause a
            campaign (:class:`~invitekit.BounceSettings` defaults).
    """

    def __init__(
        self, *, store: Store, clock: Clock | None = None, bounces: BounceSettings | None = None
    ) -> None:
        self.store = store
        self.clock: Clock = clock or SystemClock()
        self.bounces = bounces or BounceSettings()

    def __repr__(self) -> str:
        return f"BounceProcessor(store={self.store!r})"

    def record_bounce(
        self, message_id: str, kind: BounceKind | str, *, detail: str = ""
    ) -> BounceOutcome:
        """:meth:`InviteKit.record_bounce`, for the message of any business of the store.

        Raises:
            InvalidBounceKind: ``kind`` is none of the three.
            MessageNotFound: no message of the store has this ``Message-ID``.
        """
        return bounces.record_bounce(
            _ports(self.store, self.clock, self.bounces),
            message_id,
            kind,
            detail=detail,
            business=None,
        )

    def process_report(self, raw_bytes: bytes) -> tuple[str, BounceOutcome | None]:
        """Read one report and apply it to the business whose message it is about.

        Returns:
            ``("applied", outcome)``; ``("not a report", None)`` for an email
            that is no report invitekit acts on; ``("unknown message", None)``
            for a report about a message no business of the store sent.

        Raises:
            InvalidReport: ``raw_bytes`` is not bytes.
        """
        status, _report, outcome = bounces.process_report(
            _ports(self.store, self.clock, self.bounces), raw_bytes, business=None
        )
        return status, outcome


def _ports(store: Store, clock: Clock, settings: BounceSettings) -> bounces.BouncePorts:
    return bounces.BouncePorts(store=store, clock=clock, settings=settings)
