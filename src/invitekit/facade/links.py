"""Links handed over without email, and links to one booking: a part of the facade."""

from __future__ import annotations

from datetime import datetime

from invitekit.booking_links import BookingLinkCheck
from invitekit.facade import FacadePart
from invitekit.flows import booking_links, handed_links

__all__ = ["LinkMethods"]


class LinkMethods(FacadePart):
    """Activation links for the front desk or a QR code; links to one booking."""

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

    def booking_link(self, customer_id: str, booking_id: str, *, valid_until: datetime) -> str:
        """A link to one of the customer's bookings, for an email about it.

        Put it in a booking confirmation or reminder: the customer opens the
        booking without logging in and cancels or reschedules it as the
        business's :class:`~invitekit.policy.CancellationPolicy` allows.  The
        link is :attr:`~invitekit.Business.booking_url` with a token signed for
        this purpose alone (its own salt), bound to this business, this
        customer and ``booking_id``.  It works until ``valid_until``, typically
        the booking's start, by the kit's clock; it dies when the customer is
        archived or their address changes.  It is not single-use: the
        customer may open it again.  Nothing is stored or recorded.

        The customer's status does not matter: a customer without an active
        profile gets booking emails too.  Check the link with
        :meth:`check_booking_link`.

        Args:
            customer_id: whose booking it is.
            booking_id: your application's id of the booking (1 to 128
                characters of text).
            valid_until: an aware datetime after now; whole seconds count.

        Returns:
            the URL.

        Raises:
            ConfigurationError: the business has no ``booking_url``.
            ValidationError: ``booking_id`` is not 1 to 128 characters of text
                (``field`` ``"booking_id"``), or ``valid_until`` is not an aware
                datetime after now (``field`` ``"valid_until"``).
            CustomerNotFound: no such customer.
            CustomerArchived: the customer is archived.
        """
        return booking_links.booking_link(
            self._ctx, customer_id, booking_id, valid_until=valid_until
        )

    def check_booking_link(self, token: str) -> BookingLinkCheck:
        """Whose booking a booking link opens; changes nothing (safe on a GET).

        Call it on the page the link opens *and* again in the request that
        cancels or reschedules.  Then load the booking by
        :attr:`~invitekit.BookingLinkCheck.booking_id`, make sure it belongs to
        :attr:`~invitekit.BookingLinkCheck.customer`, and evaluate your policy
        with it: the link proves who the customer is, the policy decides what
        they may do.

        Args:
            token: the token from the link's URL.

        Returns:
            the customer (as stored now), the booking id, and the link's validity.

        Raises:
            TokenInvalid: malformed or tampered with (another booking id, another
                customer, another end of validity...), or its customer is gone.
            TokenWrongPurpose: an activation, reset or other link's token.
            TokenWrongBusiness: a link of another business.
            TokenExpired: ``valid_until`` has passed (``expired_at`` is it).
            CustomerArchived: the customer is archived.
            TokenUsed: the customer's address changed, or they were archived
                and restored, since the link was signed.
        """
        return booking_links.check_booking_link(self._ctx, token)
