"""A customer's change of email address, as methods of the facade."""

from __future__ import annotations

from datetime import datetime

from invitekit.facade import FacadePart
from invitekit.flows import email_change
from invitekit.model import Customer, LinkCheck

__all__ = ["EmailChangeMethods"]


class EmailChangeMethods(FacadePart):
    """What a signed-in customer does to change their email address."""

    def request_email_change(
        self,
        customer_id: str,
        new_email: str,
        *,
        password: str | None = None,
        reauthenticated_at: datetime | None = None,
    ) -> None:
        """Ask to change a customer's address: a link to the new one confirms it.

        Call it from the customer's own "my details" page, for the customer
        signed in there.  Changing the address hands the profile to whoever
        reads the new mailbox, so the customer proves again that it is them,
        in one of three ways, each explicit:

        * ``password``: their password, checked like a login (a wrong one is a
          failed login of their address, throttled the same way);
        * ``reauthenticated_at``: the moment your application re-authenticated
          them (a fresh provider sign-in, a second factor), at most
          :data:`~invitekit.email_change.REAUTHENTICATION_WINDOW` (10 minutes) ago;
        * neither, only for a customer who has no password (who signs in with a
          provider): there is nothing the library could ask.

        Then the new address is sent a confirmation link (``Business.email_change_url``)
        and the current one a notice, both in the customer's language; until the
        link is followed the profile keeps its address.  A newer request
        replaces the older one: its link dies.  The answer is the same whatever
        the new address, even one that belongs to another customer (the
        confirmation is refused then, see :meth:`confirm_email_change`), and
        when the addresses were sent too many account emails lately
        (:class:`~invitekit.MailThrottle`), in which case nothing is sent.

        Args:
            customer_id: the customer signed in.
            new_email: the address they want; canonicalised like every address.
            password: their password, to re-authenticate them.
            reauthenticated_at: when your application re-authenticated them (aware).

        Raises:
            InvalidEmail: ``new_email`` is not an address (invisible or
                direction-changing characters included), or is the current one.
            ValidationError: ``reauthenticated_at`` has no time zone.
            CustomerNotFound: no such customer.
            CustomerArchived: the customer is archived.
            ReauthenticationRequired: no proof given for a customer with a
                password, or ``reauthenticated_at`` is not recent.
            InvalidCredentials: the password is not right.
            LoginThrottled: too many failed attempts for the customer's address.
            ConfigurationError: the business has no ``email_change_url``.
        """
        email_change.request_email_change(
            self._ctx,
            customer_id,
            new_email,
            password=password,
            reauthenticated_at=reauthenticated_at,
        )

    def check_email_change(self, token: str) -> LinkCheck:
        """Whom an email-change link is for, and the new address; changes nothing.

        Call it when the confirmation page is opened (GET): mail scanners that
        pre-fetch links confirm nothing.

        Returns:
            the link's :class:`LinkCheck`; its ``email`` is the new address.

        Raises:
            EmailAddressTaken: the new address belongs to another customer now.
            TokenError: the link is refused; the subclass says why
                (``TokenInvalid``, ``TokenExpired``, ``TokenUsed`` also when a
                newer request replaced it, ``TokenWrongPurpose``,
                ``TokenWrongBusiness``, ``CustomerArchived``).
        """
        return email_change.check_email_change(self._ctx, token)

    def confirm_email_change(self, token: str) -> Customer:
        """Switch the customer's address to the one the link was sent to.

        Call it when the confirmation form is submitted (POST).  Every link
        sent before (activation, password reset, unsubscribe, an older email
        change) dies, mail still queued for the old address is withdrawn (but
        the notice of the change), and an ``EMAIL_CHANGED`` event records the
        old address.  Of simultaneous submissions of one link exactly one
        succeeds; the others get :class:`TokenUsed`.

        Returns:
            the customer with the new address.

        Raises:
            EmailAddressTaken: the new address belongs to another customer
                (also when one took it at the same moment); nothing changed.
            TokenError: the link is refused; see :meth:`check_email_change`.
        """
        return email_change.confirm_email_change(self._ctx, token)
