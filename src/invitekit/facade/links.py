"""Links handed over without email, and links to one booking: a part of the facade."""

from __future__ import annotations

from invitekit.facade import FacadePart
from invitekit.flows import handed_links

__all__ = ["LinkMethods"]


class LinkMethods(FacadePart):
    """Activation links for the front desk or a QR code."""

    def issue_activation_link(self, customer_id: str, *, by: str | None = None) -> str:
        """An activation URL to hand to a customer without email.

        For the front desk (shown as a QR code the customer scans), or a text
        message the business sends itself.  It is the link an invitation email
        carries, under the same rules: it works once (it dies when the profile
        is activated), for :attr:`~invitekit.TokenExpiry.activation` from now,
        only at this business, and dies when the customer is archived or their
        address changes.  :meth:`check_activation` and
        :meth:`accept_invitation` redeem it.

        Nothing is mailed and the status does not change: an Added customer
        stays Added, since Invited means that an invitation email reached the
        mail server.  Unsubscribing, an undeliverable address, a queued
        invitation or a cooldown do not prevent it: they are about email.  The
        customer's history gets an ``EventKind.ACTIVATION_LINK_ISSUED`` event
        with ``by``; opening or following the link counts for no campaign's
        funnel, and activating with it records ``EventNote.HANDED_LINK``.
        Every call signs a new link; earlier ones stay valid until one is used.

        Args:
            customer_id: whose link.
            by: who asked for it (a member of staff's id, up to 64 characters),
                kept as the event's :attr:`~invitekit.Event.by`.

        Returns:
            the URL: :attr:`~invitekit.Business.activation_url` with the token.

        Raises:
            ValidationError: ``by`` is not a short line of text.
            CustomerNotFound: no such customer.
            InvitationRefused: the customer is Accepted or archived; ``reason``
                says which (``SkipReason.ACCEPTED``, ``SkipReason.ARCHIVED``).
        """
        return handed_links.issue_activation_link(self._ctx, customer_id, by=by)
