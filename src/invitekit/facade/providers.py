"""Signing in with an external provider (Google, Facebook, any OpenID Connect provider)."""

from __future__ import annotations

from invitekit.facade import FacadePart
from invitekit.flows import providers
from invitekit.identities import Identity
from invitekit.model import Customer

__all__ = ["ProviderMethods"]


class ProviderMethods(FacadePart):
    """External sign-in: sign in with a provider, unlink one, list a customer's."""

    def sign_in_with_provider(
        self,
        provider: str,
        subject: str,
        *,
        email: str,
        email_verified: bool,
        first_name: str | None = None,
        last_name: str | None = None,
        locale: str | None = None,
        allow_signup: bool = True,
    ) -> Customer:
        """Sign a visitor in with what an external provider says about them.

        Call it once the app's OpenID Connect (or OAuth) client has finished the
        login and checked the ID token (Authlib, django-allauth...): pass the
        claims ``sub``, ``email``, ``email_verified`` and, if given, the names
        and ``locale``.  See docs/integrate.md for Flask, Django and FastAPI.

        * The identity ``(provider, subject)`` is linked already: its customer
          signs in, whatever address the provider gives now.
        * Otherwise, with ``email_verified=True``: the identity is linked to the
          customer who has the address.  An Added or Invited customer becomes
          Accepted (their pending invitation is withdrawn); an Accepted one
          keeps their password and gains a second way in.  Nobody has the
          address: a new Accepted customer (when ``allow_signup``).
        * With an unverified address, and no identity linked: nothing is
          attached, created or sent; :class:`ProviderEmailNotVerified` says
          whether the app may offer its sign-up form (:meth:`register`, which
          proves the address by mail and asks for a password).

        A customer may link several providers.  Of simultaneous first sign-ins
        with one identity, one links it and the others sign in through that link.
        Events: ``PROVIDER_LINKED``, ``PROVIDER_SIGNED_IN`` (and ``ADDED``,
        ``ACCEPTED`` for a new or newly activated profile).

        Args:
            provider: the provider's name, any case (``"google"``); letters,
                digits, ``.``, ``_``, ``-``, at most 40 characters.
            subject: the provider's stable id of the person (OIDC ``sub``),
                compared exactly; printable ASCII, at most 255 characters.
            email: the address the provider gives.
            email_verified: ``True`` only when the provider vouches for the
                address (OIDC ``email_verified``); anything else counts as unverified.
            first_name: the provider's given name; left out if unusable.
            last_name: the provider's family name; left out if unusable.
            locale: the provider's (or the page's) locale; left out if unknown.
            allow_signup: whether a new customer may be created (the business's
                login mode offers sign-up); ``False`` refuses unknown addresses.

        Returns:
            the customer signed in, as stored.

        Raises:
            InvalidIdentity: ``provider`` or ``subject`` is not acceptable.
            InvalidEmail: ``email`` is not an address.
            ProviderEmailNotVerified: the address is not verified and the
                identity is not linked.
            ProviderSignInRefused: the customer is archived (``reason="archived"``),
                or nobody has the address and sign-up is not allowed
                (``reason="signup_disabled"``).
            ConcurrentUpdate: other writers changed the customer (or linked the
                identity) five times in a row while this call decided; retry.
        """
        return providers.sign_in_with_provider(
            self._ctx,
            provider,
            subject,
            email=email,
            email_verified=email_verified,
            first_name=first_name,
            last_name=last_name,
            locale=locale,
            allow_signup=allow_signup,
        )

    def unlink_provider(self, customer_id: str, provider: str) -> Customer:
        """Unlink every identity of ``provider`` from a customer, who keeps a way in.

        The customer must keep a password or another linked provider.  Records
        ``PROVIDER_UNLINKED``.  Two unlinks at once cannot both pass the check:
        the second sees the first's result.

        Args:
            customer_id: the customer.
            provider: the provider's name (any case).

        Returns:
            the customer, as stored after the change.

        Raises:
            InvalidIdentity: ``provider`` is not a provider's name.
            CustomerNotFound: no such customer.
            IdentityNotFound: no identity of ``provider`` is linked to the customer.
            LastWayIn: it is the customer's only way in.
            ConcurrentUpdate: the customer changed five times in a row meanwhile; retry.
        """
        return providers.unlink_provider(self._ctx, customer_id, provider)

    def identities(self, customer_id: str) -> list[Identity]:
        """The provider identities linked to a customer, oldest first.

        Raises:
            CustomerNotFound: no such customer.
        """
        return providers.identities(self._ctx, customer_id)
