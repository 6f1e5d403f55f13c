"""Every error invitekit raises, in one hierarchy.

Catch :class:`InviteKitError` to handle anything the library refuses; catch a
leaf to handle one case.  Errors that share the meaning of a builtin also
subclass it (a missing customer is a :class:`LookupError`, a malformed email a
:class:`ValueError`), so generic handlers keep working.  Errors raised by a
dependency (a database driver, ``smtplib``, itsdangerous) never escape: they are
translated at the boundary with ``raise ... from err``.

::

    InviteKitError
    ├── ConfigurationError (ValueError)
    ├── MissingDependency (ImportError)
    ├── ValidationError (ValueError)
    │   ├── InvalidEmail
    │   ├── InvalidName
    │   ├── InvalidLocale
    │   ├── WeakPassword
    │   ├── TemplateError
    │   ├── InvalidReport
    │   ├── InvalidBounceKind
    │   ├── InvalidIdentity
    │   ├── InvalidCursor
    │   └── InvalidWebhookURL
    ├── NotFound (LookupError)
    │   ├── CustomerNotFound
    │   ├── GroupNotFound
    │   ├── MessageNotFound
    │   ├── CampaignNotFound
    │   ├── IdentityNotFound
    │   └── WebhookNotFound
    ├── Conflict
    │   ├── DuplicateCustomer
    │   ├── DuplicateGroup
    │   ├── DuplicateIdentity
    │   ├── ConcurrentUpdate
    │   └── LastWayIn
    ├── InvitationRefused
    ├── TokenError
    │   ├── TokenInvalid
    │   ├── TokenExpired
    │   ├── TokenUsed
    │   ├── TokenWrongPurpose
    │   ├── TokenWrongBusiness
    │   ├── TestInvitationToken
    │   ├── CustomerArchived
    │   ├── EmailAddressTaken
    │   └── VerificationSuperseded
    ├── AuthenticationError
    │   ├── InvalidCredentials
    │   ├── LoginThrottled
    │   ├── ReauthenticationRequired
    │   └── ProviderSignInRefused
    │       └── ProviderEmailNotVerified
    ├── StorageError
    │   ├── ReadOnlyViolation
    │   └── SchemaOutdated
    ├── DeliveryError
    │   ├── TemporaryDeliveryError
    │   └── PermanentDeliveryError
    └── PolicyError
        ├── InvalidPolicy (ValueError)
        ├── InvalidBooking (ValueError)
        └── PolicyRefused

This module imports nothing else from the package, so any module can use it.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # for the annotation only: at run time this module imports nothing
    from invitekit.policy import Decision

__all__ = [
    "AuthenticationError",
    "CampaignNotFound",
    "ConcurrentUpdate",
    "ConfigurationError",
    "Conflict",
    "CustomerArchived",
    "CustomerNotFound",
    "DeliveryError",
    "DuplicateCustomer",
    "DuplicateGroup",
    "DuplicateIdentity",
    "EmailAddressTaken",
    "GroupNotFound",
    "IdentityNotFound",
    "InvalidBooking",
    "InvalidBounceKind",
    "InvalidCredentials",
    "InvalidCursor",
    "InvalidEmail",
    "InvalidIdentity",
    "InvalidLocale",
    "InvalidName",
    "InvalidPolicy",
    "InvalidReport",
    "InvalidWebhookURL",
    "InvitationRefused",
    "InviteKitError",
    "LastWayIn",
    "LoginThrottled",
    "MessageNotFound",
    "MissingDependency",
    "NotFound",
    "PermanentDeliveryError",
    "PolicyError",
    "PolicyRefused",
    "ProviderEmailNotVerified",
    "ProviderSignInRefused",
    "ReadOnlyViolation",
    "ReauthenticationRequired",
    "SchemaOutdated",
    "StorageError",
    "TemplateError",
    "TemporaryDeliveryError",
    "TestInvitationToken",
    "TokenError",
    "TokenExpired",
    "TokenInvalid",
    "TokenUsed",
    "TokenWrongBusiness",
    "TokenWrongPurpose",
    "ValidationError",
    "VerificationSuperseded",
    "WeakPassword",
    "WebhookNotFound",
]


class InviteKitError(Exception):
    """Root of every error raised by invitekit."""


class ConfigurationError(InviteKitError, ValueError):
    """The library was set up with values it cannot work with (a bad secret, URL or zone)."""


class MissingDependency(InviteKitError, ImportError):
    """An optional dependency is not installed.

    The message names the extra to install, e.g. ``pip install invitekit[sql]``.
    """


class ValidationError(InviteKitError, ValueError):
    """Input from outside (a form, a CSV file, an API call) is not acceptable.

    The message is English, for logs and developers.  An application that shows
    the refusal to a person translates it by type, :attr:`field` and
    :attr:`code`, which are stable:

    * ``"not_text"``: the value is not a string
    * ``"empty"``: the value is empty (an email address, a group name)
    * ``"too_short"``: shorter than :attr:`limit` characters (a password)
    * ``"too_long"``: longer than :attr:`limit` characters
    * ``"control_character"``: a line break, NUL or other control character
    * ``"invalid_text"``: text that is not valid Unicode (a lone surrogate)
    * ``"invisible_character"``: an invisible or direction-changing character
    * ``"space"``: a space inside an email address
    * ``"malformed"``: not of the form of an email address
    * ``"domain"``: the part after the @ cannot receive mail
    * ``"unchanged"``: a new email address that is the current one (an email change)
    * ``"link"``: a name typed at sign-up that reads as a link or address
    * ``"too_common"``: a password on the list of common passwords
    * ``"personal"``: a password that is the customer's name or address
    * ``"unknown_locale"``: a locale that cannot be parsed, or has no catalog
    * ``"line_break"``: a line break in a template's one-line subject
    * ``"syntax"``: a template that does not parse or render
    * ``"not_allowed"``: a template using more than the documented placeholders
    * ``"too_complex"``: a template nested or combined beyond the limits
    * ``"invalid"``: anything else (a CSV file: see the message)

    Attributes:
        field: the name of the offending input, when there is one.
        code: why it is refused, one of the codes above.
        limit: the length limit that was broken, for ``"too_short"`` and ``"too_long"``.
    """

    def __init__(
        self,
        message: str,
        *,
        field: str | None = None,
        code: str = "invalid",
        limit: int | None = None,
    ) -> None:
        super().__init__(message)
        self.field = field
        self.code = code
        self.limit = limit


class InvalidEmail(ValidationError):
    """An email address is empty or malformed."""


class InvalidName(ValidationError):
    """A name (first name, last name, group name) is too long or contains control characters."""


class InvalidLocale(ValidationError):
    """A locale identifier cannot be parsed (``"de_AT"``, ``"es"`` and ``"fr-CA"`` can)."""


class WeakPassword(ValidationError):
    """A password breaks the password rules (too short, too long, too common)."""


class TemplateError(ValidationError):
    """A business's email template uses something other than the documented placeholders.

    Attributes:
        lineno: the line of the template where the problem is, when known.
    """

    def __init__(
        self,
        message: str,
        *,
        field: str | None = None,
        code: str = "invalid",
        limit: int | None = None,
        lineno: int | None = None,
    ) -> None:
        super().__init__(message, field=field, code=code, limit=limit)
        self.lineno = lineno


class InvalidReport(ValidationError):
    """What was given to :func:`invitekit.bounces.parse_report` cannot be a report (not bytes)."""


class InvalidBounceKind(ValidationError):
    """The kind given to ``record_bounce`` is none of ``"hard"``, ``"soft"``, ``"complaint"``."""


class InvalidIdentity(ValidationError):
    """A provider name or subject given to ``sign_in_with_provider`` is not acceptable.

    :attr:`field` is ``"provider"`` or ``"subject"``; :attr:`code` one of
    ``"not_text"``, ``"empty"``, ``"too_long"``, ``"malformed"``.
    """


class InvalidCursor(ValidationError):
    """A cursor given to ``events_since`` is not one the feed handed out (code ``"malformed"``)."""


class InvalidWebhookURL(ValidationError):
    """A webhook URL is refused: not ``https`` (nor ``http`` to a loopback address), or malformed.

    Its :attr:`~ValidationError.code` says why: ``"malformed"``, ``"scheme"``
    (neither ``https`` nor loopback ``http``), ``"credentials"`` (a user or
    password in the URL), ``"host"`` (no host, or an address that is not
    public: private, link-local, multicast, reserved), ``"too_long"``.
    """


class NotFound(InviteKitError, LookupError):
    """Something looked up by id or name does not exist in this business."""


class CustomerNotFound(NotFound):
    """No customer with this id or email exists in this business."""


class GroupNotFound(NotFound):
    """No group with this name or id exists in this business."""


class MessageNotFound(NotFound):
    """No outbox message with this id exists in this business."""


class CampaignNotFound(NotFound):
    """No campaign with this id exists in this business."""


class IdentityNotFound(NotFound):
    """The customer has no identity of this provider linked."""


class WebhookNotFound(NotFound):
    """No webhook endpoint with this id exists in this business."""


class Conflict(InviteKitError):
    """The change would break a uniqueness rule or lost a race with another change."""


class DuplicateCustomer(Conflict):
    """Another customer of this business already has this (canonical) email address.

    Attributes:
        existing_id: the id of the customer who has it.
    """

    def __init__(self, message: str, *, existing_id: str | None = None) -> None:
        super().__init__(message)
        self.existing_id = existing_id


class DuplicateGroup(Conflict):
    """This business already has a group with this name."""


class ConcurrentUpdate(Conflict):
    """The record changed since it was read; re-read it and try again."""


class DuplicateIdentity(Conflict):
    """This provider identity (provider and subject) is already linked at this business."""


class LastWayIn(Conflict):
    """Unlinking this provider would leave the customer no way to sign in.

    A customer keeps a password or another linked provider; set a password
    first (a reset link) or link another provider.

    Attributes:
        customer_id: the customer concerned.
        provider: the provider that was to be unlinked.
    """

    def __init__(self, message: str, *, customer_id: str, provider: str) -> None:
        super().__init__(message)
        self.customer_id = customer_id
        self.provider = provider


class InvitationRefused(InviteKitError):
    """This customer cannot be invited now.

    Attributes:
        reason: a :class:`invitekit.SkipReason` saying why (accepted, archived,
            unsubscribed, already pending, invited too recently).
        customer_id: the customer concerned.
    """

    def __init__(self, message: str, *, reason: object, customer_id: str) -> None:
        super().__init__(message)
        self.reason = reason
        self.customer_id = customer_id


class TokenError(InviteKitError):
    """A link's token was refused.  Each subclass is one reason, so an app can explain it."""


class TokenInvalid(TokenError):
    """The token is malformed or its signature does not match: it was tampered with or cut."""


class TokenExpired(TokenError):
    """The token is genuine but too old.

    Attributes:
        expired_at: when it stopped being valid (aware UTC), when known.
    """

    def __init__(self, message: str, *, expired_at: datetime | None = None) -> None:
        super().__init__(message)
        self.expired_at = expired_at


class TokenUsed(TokenError):
    """The token was already used, or the state it was issued for has changed since.

    An activation link dies when the profile is activated, a reset link when the
    password changes, every link when the email address changes.
    """


class TokenWrongPurpose(TokenError):
    """A genuine token used for another purpose (a reset token on the activation page)."""


class TokenWrongBusiness(TokenError):
    """A genuine token issued by another business."""


class TestInvitationToken(TokenError):
    """The link comes from a test invitation: it shows what customers see and activates nothing."""

    __test__ = False  # not a pytest test class, despite the name


class CustomerArchived(TokenError):
    """The customer the token belongs to is archived."""


class EmailAddressTaken(TokenError):
    """An email-change link whose new address belongs to another customer now.

    Only the holder of the link (the owner of the new address) sees it: asking
    for the change answers the same whatever the address, so nobody learns
    from it who is a customer.  The profile keeps its address.
    """


class VerificationSuperseded(TokenError):
    """A sign-up's verification link for a new address, followed after a customer got it.

    The link was signed for an address that belonged to nobody; the business
    has since added a customer with it.  The link does not activate that
    profile: a new one, bound to the customer, is sent to the address on file,
    and it too asks for the password chosen at sign-up.
    """


class AuthenticationError(InviteKitError):
    """A login attempt was refused."""


class InvalidCredentials(AuthenticationError):
    """The email and password do not match an active profile (the message never says which)."""


class LoginThrottled(AuthenticationError):
    """Too many failed attempts: try again later.

    Attributes:
        retry_at: when the next attempt will be considered (aware UTC).
    """

    def __init__(self, message: str, *, retry_at: datetime) -> None:
        super().__init__(message)
        self.retry_at = retry_at


class ProviderSignInRefused(AuthenticationError):
    """A sign-in with an external provider (``sign_in_with_provider``) was refused.

    The provider proved who the visitor is there; this says why that does not
    sign them in here.  :attr:`reason` is stable, for an app to choose its page:

    * ``"archived"``: the customer is archived (contact the business).
    * ``"signup_disabled"``: nobody has the address, and the business takes no
      sign-ups (``allow_signup=False``).
    * ``"email_not_verified"``: see :class:`ProviderEmailNotVerified`.

    Attributes:
        reason: one of the codes above.
        provider: the provider's name, as stored (``"google"``).
        email: the address the provider gave, as invitekit would store it
            (``None`` only when a caller raises it without one).
    """

    def __init__(
        self, message: str, *, reason: str, provider: str, email: str | None = None
    ) -> None:
        super().__init__(message)
        self.reason = reason
        self.provider = provider
        self.email = email


class ProviderEmailNotVerified(ProviderSignInRefused):
    """The provider does not vouch for the address, and no identity is linked yet.

    An unverified address is never attached to a profile (anyone can make a
    provider account with someone else's address).  Nothing is changed and
    nothing is sent.

    Attributes:
        can_sign_up: whether the app may offer its sign-up form (``register``)
            with :attr:`email` filled in: the existing verification flow, which
            proves the address by mail and asks for a password.  ``False``
            when the business takes no sign-ups.
    """

    def __init__(self, message: str, *, provider: str, email: str, can_sign_up: bool) -> None:
        super().__init__(message, reason="email_not_verified", provider=provider, email=email)
        self.can_sign_up = can_sign_up


class ReauthenticationRequired(AuthenticationError):
    """A sensitive change needs proof that the customer is at the keyboard now.

    Raised by :meth:`~invitekit.InviteKit.request_email_change` without a
    password for a customer who has one, unless the application says when it
    last re-authenticated them (``reauthenticated_at``), and that was recently.
    """


class StorageError(InviteKitError):
    """The Store failed (database unreachable, a driver raised); nothing was half-written."""


class ReadOnlyViolation(StorageError):
    """A change was asked of a read-only transaction (``store.transaction(readonly=True)``).

    Nothing was changed: the store refuses before it writes.  This is a mistake in
    the calling code, not a state of the database, so retrying does not help.
    """


class SchemaOutdated(StorageError):
    """The database's invitekit tables are older than this invitekit (or missing).

    A state of the database, not a wrong argument: it is a :class:`StorageError`,
    so whatever already handles an unusable database handles this one, and the
    fix is an act on the database (``invitekit db upgrade``,
    :func:`invitekit.adapters.sql.upgrade`), which the message names.

    Attributes:
        current: the revision the database is at, ``None`` when it has no
            invitekit tables.
        head: the revision this invitekit needs.
    """

    def __init__(self, message: str, *, current: str | None, head: str) -> None:
        super().__init__(message)
        self.current = current
        self.head = head


class DeliveryError(InviteKitError):
    """A mailer could not hand a message to the mail server."""


class TemporaryDeliveryError(DeliveryError):
    """A failure worth retrying: a 4xx answer, a dropped or refused connection."""


class PermanentDeliveryError(DeliveryError):
    """A failure not worth retrying: a 5xx answer, such as an unknown recipient.

    Attributes:
        recipient_refused: whether the refusal is about the recipient's address
            (a 5xx answer to ``RCPT TO``, or an enhanced status ``5.1.x``): then
            it counts as a hard bounce of that address.
    """

    def __init__(self, message: str, *, recipient_refused: bool = False) -> None:
        super().__init__(message)
        self.recipient_refused = recipient_refused


class PolicyError(InviteKitError):
    """Something about a cancellation or rescheduling policy, or its use, went wrong."""


class InvalidPolicy(PolicyError, ValueError):
    """A cancellation policy cannot be built: a negative duration, an unknown time zone,
    an unknown key in its dict form, or rules that contradict each other.

    It derives from :class:`PolicyError` rather than :class:`ValidationError`: a policy
    is the business's configuration, usually loaded from storage with
    :meth:`~invitekit.policy.CancellationPolicy.from_dict`, not a customer's input, and
    whoever handles policy problems should catch them all with one class.  It is also
    a :class:`ValueError`, as a bad value is what it is.

    Attributes:
        field: the dotted path of the offending setting (``"cancel.cutoff.before"``),
            when there is one.
    """

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class InvalidBooking(PolicyError, ValueError):
    """A booking, or the time it is evaluated at, cannot be judged by a policy.

    Raised for naive datetimes (without a time zone), an end not after the start, a
    negative reschedule count, or a percentage fee for a booking without a price.
    """


class PolicyRefused(PolicyError):
    """The policy does not allow this cancellation or rescheduling now.

    Raised by :meth:`~invitekit.policy.CancellationPolicy.ensure_allowed`, on the code
    path that actually performs the change.

    Attributes:
        decision: the :class:`~invitekit.policy.Decision` that refused it, with its
            reason code, deadline and the moment the answer changes.
    """

    def __init__(self, message: str, *, decision: Decision) -> None:
        super().__init__(message)
        self.decision = decision
