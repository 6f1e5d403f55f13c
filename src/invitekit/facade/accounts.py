"""Accounts and links: activation, login, reset, sign-up, as methods of the facade."""

from __future__ import annotations

from invitekit.facade import FacadePart
from invitekit.flows import (
    activation,
    login,
    password_reset,
    signup,
)
from invitekit.model import (
    Customer,
    LinkCheck,
)

__all__ = ["AccountMethods"]


class AccountMethods(FacadePart):
    """What customers do with their links and passwords."""

    # Activation and unsubscribing --------------------------------------------------

    def check_activation(self, token: str) -> LinkCheck:
        """Who an activation link is for, and whether it still works.

        Call it when the activation page is opened (GET); mail scanners that
        pre-fetch links consume nothing: the customer's state never changes
        here.  Only the campaign's funnel learns of it: the first open of a
        customer's link after an invitation is recorded once, as an
        ``EventKind.LINK_OPENED`` event of the campaign of their latest
        invitation (see :meth:`campaign_report`).  A scanner's pre-fetch counts
        as an open too.  A test invitation's or a preview's link records nothing.

        Raises:
            TokenError: the link is refused; the subclass says why
                (``TokenInvalid``, ``TokenExpired``, ``TokenUsed``, ``TokenWrongPurpose``,
                ``TokenWrongBusiness``, ``TestInvitationToken``, ``CustomerArchived``).
        """
        return activation.check_activation(self._ctx, token)

    def accept_invitation(self, token: str, password: str) -> Customer:
        """Activate a profile: set the password and make the customer Accepted.

        Call it when the activation form is submitted (POST).  Of simultaneous
        submissions of one link exactly one succeeds; the others get
        :class:`TokenUsed`.

        Returns:
            the accepted customer.

        Raises:
            WeakPassword: the password breaks the rules; the link stays valid.
            TokenError: the link is refused; the subclass says why (see
                :meth:`check_activation`).
        """
        return activation.accept_invitation(self._ctx, token, password)

    def check_unsubscribe(self, token: str) -> LinkCheck:
        """Whom an unsubscribe link is for.  Changes nothing (the GET of the link).

        Show a page with a button whose POST calls :meth:`unsubscribe`.

        Raises:
            TokenError: the link is refused; the subclass says why
                (``TokenInvalid``, ``TokenUsed``, ``TokenWrongPurpose``,
                ``TokenWrongBusiness``, ``TestInvitationToken``,
                ``CustomerArchived``).
        """
        return activation.check_unsubscribe(self._ctx, token)

    def unsubscribe(self, token: str) -> Customer:
        """Opt the customer out of invitation emails (the one-click POST of RFC 8058).

        A queued invitation is withdrawn.  Unsubscribing twice changes nothing.
        The customer can still activate with a link they already hold.

        Raises:
            TokenError: the link is refused; the subclass says why.
        """
        return activation.unsubscribe(self._ctx, token)

    # Login -------------------------------------------------------------------------

    def login(self, email: str, password: str, *, client: str | None = None) -> Customer:
        """Check an email and password; return the customer if they match an active profile.

        Only Accepted, non-archived customers with a password can log in.  Every
        refusal is the same :class:`InvalidCredentials`, and an unknown address
        costs the same work as a known one (a failed check does the argon2 work
        of one check at the current parameters, whatever is stored).  Failures
        are counted in the Store per address, and per ``client`` when given
        (see :class:`~invitekit.throttle.LoginThrottle`); when a limit is reached,
        :class:`LoginThrottled` is raised before the password is checked.  A
        success forgets the address's failures and, when the hash was made with
        other argon2 parameters than the current ones, stores a new hash.

        Args:
            email: the address typed (any case of the local part).
            password: the password typed.
            client: an optional key for the client (its IP address, say).

        Returns:
            the customer, as stored after the login.

        Raises:
            LoginThrottled: too many recent failures; ``retry_at`` says when to retry.
            InvalidCredentials: the email and password do not match an active profile.
        """
        return login.login(self._ctx, email, password, client=client)

    # Password reset ----------------------------------------------------------------

    def request_password_reset(self, email: str, *, locale: str | None = None) -> None:
        """Answer "forgot password": the same way, and with similar work, whatever the address.

        * An Accepted customer with a password gets a reset link (it dies when
          the password changes, and after :attr:`TokenExpiry.password_reset`).
        * A customer who signs in with an external provider gets an email telling
          them to sign in with it.
        * A customer who never activated the profile (Added or Invited) gets an
          activation link: choosing a password activates the profile.
        * An unknown or archived address gets nothing.

        The email is queued in the outbox (:meth:`deliver` sends it) and always
        goes to the address on file, never to the spelling typed.  It is written in
        the customer's language, else ``locale`` (the language of the page the
        visitor used), else the business default.  At most one
        such email is pending per customer, and an address is sent at most
        :attr:`MailThrottle.max_emails` account emails per window.

        Raises:
            InvalidEmail: ``email`` is not an address at all (this says nothing
                about whether a customer has it).
            InvalidLocale: ``locale`` is not a locale.
            ConfigurationError: the business has no ``reset_url``.
        """
        password_reset.request_password_reset(self._ctx, email, locale=locale)

    def check_password_reset(self, token: str) -> LinkCheck:
        """Whom a password-reset link is for, and whether it still works.  Changes nothing.

        Call it when the reset page is opened (GET).

        Raises:
            TokenError: the link is refused; the subclass says why
                (``TokenInvalid``, ``TokenExpired``, ``TokenUsed``,
                ``TokenWrongPurpose``, ``TokenWrongBusiness``,
                ``CustomerArchived``).
        """
        return password_reset.check_password_reset(self._ctx, token)

    def reset_password(self, token: str, new_password: str) -> Customer:
        """Set a new password with a reset link (the POST of the reset page).

        The link dies, with every other reset link sent to the customer
        (unsubscribe links keep working), and the address's failed logins are
        forgotten.  Of simultaneous submissions of one link exactly one
        succeeds; the others get :class:`TokenUsed`.

        Returns:
            the customer with the new password.

        Raises:
            WeakPassword: the password breaks the rules; the link stays valid.
            TokenError: the link is refused; the subclass says why
                (``TokenInvalid``, ``TokenExpired``, ``TokenUsed``,
                ``TokenWrongPurpose``, ``TokenWrongBusiness``,
                ``CustomerArchived``).
        """
        return password_reset.reset_password(self._ctx, token, new_password)

    # Sign-up -----------------------------------------------------------------------

    def register(
        self,
        email: str,
        *,
        first_name: str | None = None,
        last_name: str | None = None,
        locale: str | None = None,
        password: str,
    ) -> None:
        """Sign a visitor up from the booking page; the address must be confirmed first.

        Answers the same way (``None``), with similar work (the password is
        always hashed), whatever the address:

        * A new address: the sign-up is kept and a verification link sent to it;
          :meth:`verify_email` then creates an Accepted customer (unless the
          business adds the address meanwhile: see :meth:`verify_email`).
        * The address of an Added or Invited customer: a verification link is
          sent to *that customer's stored address*; following it activates the
          existing profile with the password chosen here (nothing is attached
          without proof of the address, and bookings are not duplicated). The
          names typed here fill the profile's empty ones then (the names the
          business keeps are not replaced); the email greets by the name on
          file, or without a name, never by a name a stranger typed.
        * An Accepted customer with a password: an email saying they already
          have a profile, with a password-reset link.
        * A customer who signs in with an external provider: an email telling
          them to sign in with it.
        * An archived customer: nothing is sent.

        An address is sent at most :attr:`MailThrottle.max_emails` account
        emails per window; beyond that the call answers the same and sends nothing.
        The email is in the customer's language, else ``locale`` (the sign-up
        page's), else the business default.

        Raises:
            InvalidEmail, InvalidName, InvalidLocale, WeakPassword: bad input,
                checked before anything is looked up.
            ConfigurationError: the business has no ``verify_url`` or no
                ``reset_url`` (a sign-up with an activated customer's address is
                answered with a reset link).
        """
        signup.register(
            self._ctx,
            email,
            first_name=first_name,
            last_name=last_name,
            locale=locale,
            password=password,
        )

    def check_email_verification(self, token: str) -> LinkCheck:
        """Which sign-up a verification link confirms, and whether it still works.

        Changes nothing: call it when the verification page is opened (GET).

        Raises:
            TokenError: the link is refused; the subclass says why
                (``TokenInvalid``, ``TokenExpired``, ``TokenUsed``,
                ``TokenWrongPurpose``, ``TokenWrongBusiness``,
                ``CustomerArchived``).
        """
        return signup.check_email_verification(self._ctx, token)

    def verify_email(self, token: str, *, password: str | None = None) -> Customer:
        """Confirm a sign-up (the POST of the verification page): the profile becomes active.

        A new address becomes a new Accepted customer; an existing customer's
        profile is activated with the password chosen at sign-up.  The link
        works once; of simultaneous submissions exactly one succeeds.

        ``password`` must always be the one chosen at sign-up: otherwise anyone
        could sign up with someone else's address and a password of their own,
        and own the profile (the customer's, or a new one at their address) the
        moment the owner of the mailbox clicks "confirm".

        A link mailed for an address nobody had is bound to that fact: if the
        business has added a customer with the address since, it activates
        nothing and raises :class:`VerificationSuperseded`, and the sign-up is
        answered again, as if made now, at the customer's stored address (a new
        link bound to that customer, which replaces this one).  Every check is
        made again inside the transaction that writes.

        Args:
            token: from the link.
            password: the password typed on the verification page.

        Returns:
            the Accepted customer.

        Raises:
            InvalidCredentials: ``password`` is missing or not the one chosen at
                sign-up; the link stays valid.
            VerificationSuperseded: a customer got the address since the sign-up
                (checked after the password).
            TokenError: the link is refused; the subclass says why
                (``TokenInvalid``, ``TokenExpired``, ``TokenUsed``,
                ``TokenWrongPurpose``, ``TokenWrongBusiness``,
                ``CustomerArchived``).
        """
        return signup.verify_email(self._ctx, token, password=password)
