"""The value objects of the domain: frozen, keyword-only, compared by value.

Nothing here performs I/O or reads the clock; changes are made by the pure
functions in :mod:`invitekit.transitions` and by :func:`attrs.evolve`, which return
new objects.
"""

from __future__ import annotations

import enum
import re
import unicodedata
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import attrs

from invitekit.addresses import parse_email
from invitekit.events import Event, EventKind, EventNote
from invitekit.exceptions import ConfigurationError, InvalidEmail, InvalidLocale, InvalidName
from invitekit.i18n import parse_locale
from invitekit.schedule import Pacing, Reminders, setting_field
from invitekit.text import describe, first_invisible, quoted

__all__ = [
    "ActivationCheck",
    "Business",
    "Customer",
    "Email",
    "Event",
    "EventKind",
    "EventNote",
    "Group",
    "InvitationTemplate",
    "LinkCheck",
    "MessageKind",
    "OutboxMessage",
    "OutboxState",
    "Purpose",
    "Registration",
    "Status",
    "StoredTemplate",
    "TemplateRevision",
    "clean_name",
    "clean_signup_name",
    "missing_link",
    "storable",
]


class Status(enum.StrEnum):
    """Where a customer stands with the online profile.

    * ``ADDED``: has never been handed an invitation email.
    * ``INVITED``: at least one invitation was handed to the mail server; no
      password yet; may be invited again.
    * ``ACCEPTED``: activated the profile by choosing a password.  Never invited again.
    """

    ADDED = "added"
    INVITED = "invited"
    ACCEPTED = "accepted"


class MessageKind(enum.StrEnum):
    """What kind of email an outbox message is.

    * ``INVITATION``: an invitation; its delivery makes the customer Invited.
    * ``REMINDER``: an automatic reminder of an invitation to a customer still
      Invited (see :class:`~invitekit.Reminders`), composed like one from the
      reminder template; its delivery changes no status.
    * ``PASSWORD_RESET``: the answer to "forgot password" (a reset link, or an
      activation link for a customer who never activated the profile).
    * ``PROVIDER_HINT``: "you sign in with Google": the answer to "forgot
      password" or a sign-up for a profile with external sign-in.
    * ``EMAIL_VERIFICATION``: the link that confirms a sign-up's address.
    * ``ACCOUNT_EXISTS``: "you already have a profile", the answer to a sign-up
      with the address of an Accepted customer.
    * ``EMAIL_CHANGE``: the link that confirms a customer's new address, sent to
      that new address (see :meth:`~invitekit.InviteKit.request_email_change`).
    * ``EMAIL_CHANGE_NOTICE``: "someone asked to change your address", sent to
      the old address at the same time; it has no link.

    Only an invitation changes a customer's status when it is delivered;
    invitations and reminders are campaign mail (paced, see
    :class:`~invitekit.Pacing`); the others answer something the visitor just
    did, and are never held back.
    """

    INVITATION = "invitation"
    REMINDER = "reminder"
    PASSWORD_RESET = "password_reset"
    PROVIDER_HINT = "provider_hint"
    EMAIL_VERIFICATION = "email_verification"
    ACCOUNT_EXISTS = "account_exists"
    EMAIL_CHANGE = "email_change"
    EMAIL_CHANGE_NOTICE = "email_change_notice"


class OutboxState(enum.StrEnum):
    """The life of a queued email.

    ``PENDING`` waits for a worker (possibly until ``not_before`` after a
    temporary failure); ``SENT`` was accepted by the mail server; ``FAILED`` gave up
    (a permanent refusal, or too many attempts); ``CANCELLED`` was withdrawn before
    sending because the customer was archived, unsubscribed, changed address or
    accepted meanwhile; ``PAUSED`` waits for its campaign to be resumed (the
    circuit breaker paused it): no worker claims it, and it still holds its
    customer's one pending place (nothing else of its kind is queued for them).
    """

    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"
    CANCELLED = "cancelled"
    PAUSED = "paused"

    @property
    def waiting(self) -> bool:
        """Whether the message may still be sent: ``PENDING`` or ``PAUSED``."""
        return self in (OutboxState.PENDING, OutboxState.PAUSED)


# Control characters, line separators, and lone surrogates (text that no UTF-8
# database or mail server can carry; JSON's "\ud800" decodes to one).
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff]")
MAX_NAME_LENGTH = 200


_UNSTORABLE = re.compile(r"[\x00\ud800-\udfff]")


def storable(value: object) -> bool:
    """Whether outside text used to look something up can reach a database at all.

    A NUL or a lone surrogate cannot (PostgreSQL refuses NUL; no UTF-8 carries a
    surrogate); such an id or name names nothing.
    """
    return isinstance(value, str) and not _UNSTORABLE.search(value)


def clean_name(value: str | None, *, field: str) -> str | None:
    """Trim a person's or group's name; refuse control characters, invalid text, great length.

    A name is shown to people (in lists, in the greeting of an email), so text
    that hides or reorders what they see is refused too: zero-width characters,
    the byte order mark, bidirectional overrides and isolates, tag characters
    and the other invisible characters of :mod:`invitekit.text`.

    Returns ``None`` for a missing or blank name.

    Raises:
        InvalidName: if the name contains a control character (CR, LF, NUL, ...),
            a lone surrogate, an invisible or direction-changing character, or
            is longer than 200 characters.
    """
    if value is None:
        return None
    if not isinstance(value, str):
        raise InvalidName(f"{field} must be a string", field=field, code="not_text")
    text = value.strip()
    if _CONTROL.search(text):
        raise InvalidName(
            f"{field} contains a control character", field=field, code="control_character"
        )
    invisible = first_invisible(text)
    if invisible is not None:
        raise InvalidName(
            f"{field} contains an invisible or direction-changing character, "
            f"{describe(invisible)}",
            field=field,
            code="invisible_character",
        )
    if len(text) > MAX_NAME_LENGTH:
        raise InvalidName(
            f"{field} is longer than {MAX_NAME_LENGTH} characters",
            field=field,
            code="too_long",
            limit=MAX_NAME_LENGTH,
        )
    return text or None


#: A name given at self sign-up (by anyone at all) has at most this many characters.
MAX_SIGNUP_NAME_LENGTH = 50
# What mail clients turn into a link, or what reads as an address: a scheme, "www.",
# an "@", a dotted host name ("bit.ly", "example.com"), an IPv4 address.  Matched on
# the NFKC, case-folded form, so fullwidth and other compatibility spellings count.
_LINK_LIKE = re.compile(
    r"@|://|\bwww[.\u3002]"
    r"|\b[\w-]+(?:[.\u3002][\w-]+)*[.\u3002](?:[^\W\d_]{2,24}|xn--[a-z0-9-]+)\b"
    r"|\b\d{1,3}(?:[.\u3002]\d{1,3}){3}\b"
)
_SPACES = re.compile(r"\s+")


def clean_signup_name(value: str | None, *, field: str) -> str | None:
    """Check a first or last name typed at self sign-up; return it tidied, or ``None``.

    A stranger's sign-up name becomes the greeting of an email that carries the
    business's name ("Hello Claim your prize at bit.ly/x,"), sent to whatever
    address they typed.  So on top of :func:`clean_name` (no control, invisible
    or direction-changing characters) a sign-up name:

    * is at most :data:`MAX_SIGNUP_NAME_LENGTH` (50) characters, after runs of
      spaces are made one;
    * has no ``@``, no ``://``, no ``www.``, no dotted host name (``bit.ly``,
      ``example.com``, also in fullwidth letters) and no IP address: nothing a
      mail client would show as a link or an address.

    Names the business enters itself (``add_customer``, imports) keep the rules
    of :func:`clean_name`.

    Raises:
        InvalidName: the name breaks one of these rules; the message says which,
            without quoting the name.
    """
    text = clean_name(value, field=field)
    if text is None:
        return None
    text = _SPACES.sub(" ", text)
    if len(text) > MAX_SIGNUP_NAME_LENGTH:
        raise InvalidName(
            f"{field} is longer than {MAX_SIGNUP_NAME_LENGTH} characters",
            field=field,
            code="too_long",
            limit=MAX_SIGNUP_NAME_LENGTH,
        )
    if _LINK_LIKE.search(unicodedata.normalize("NFKC", text).casefold()):
        raise InvalidName(
            f"{field} may not contain a web address, an email address or a link",
            field=field,
            code="link",
        )
    return text


def _check_zone(_instance: object, _attribute: object, value: str) -> None:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError, OSError) as err:  # OSError: a key too long
        raise ConfigurationError(f"unknown time zone {quoted(value)}") from err


def _check_link_template(_instance: object, attribute: attrs.Attribute[str], value: str) -> None:
    if value.count("{token}") != 1 or not value.startswith(("https://", "http://")):
        raise ConfigurationError(
            f"{attribute.name} must be an http(s) URL containing {{token}} once, "
            f"got {quoted(value)}"
        )


#: The page each link field of a :class:`Business` opens, for the messages that name it.
LINK_PAGES = {
    "activation_url": "a customer activates the profile",
    "unsubscribe_url": "a customer unsubscribes",
    "reset_url": "a customer chooses a new password",
    "verify_url": "a visitor who signed up confirms the address",
    "booking_url": "a customer manages a booking from a link in an email",
    "email_change_url": "a customer confirms a new email address",
}


def missing_link(field: str) -> ConfigurationError:
    """The error for a :class:`Business` without the link ``field`` where one is needed."""
    return ConfigurationError(
        f"Business needs {field}: the URL of your page where {LINK_PAGES[field]}, with "
        f"{{token}} where the signed token goes (e.g. {field}="
        f'"https://studio.example/{field.removesuffix("_url")}/{{token}}")'
    )


# Converters, not required fields: leaving a URL out raises our ConfigurationError
# naming it, where a missing keyword argument would be a bare TypeError.
def _activation_url(value: str | None) -> str:
    if value is None:
        raise missing_link("activation_url")
    return value


def _unsubscribe_url(value: str | None) -> str:
    if value is None:
        raise missing_link("unsubscribe_url")
    return value


def _check_address(_instance: object, attribute: attrs.Attribute[str], value: str) -> None:
    try:
        parse_email(value)
    except InvalidEmail as err:
        raise ConfigurationError(
            f"Business {attribute.name} must be an email address: {err}"
        ) from err


def _check_locale(_instance: object, attribute: attrs.Attribute[str], value: str) -> None:
    try:
        parse_locale(value)
    except InvalidLocale as err:
        raise ConfigurationError(
            f'Business {attribute.name}: {err} (write a language such as "en", "de" or "es_MX")'
        ) from err


# The hash is kept: a business is a key of the composing caches, looked up per email.
@attrs.frozen(kw_only=True, cache_hash=True)
class Business:
    """The business a :class:`~invitekit.InviteKit` acts for, and how its emails look.

    Attributes:
        id: a stable identifier; every record and token is bound to it.
        name: shown in the ``From`` header and the emails.
        sender: the address emails come from.
        timezone: an IANA zone name; dates in emails are shown in it.
        default_locale: the language for customers without one (``"de"``, ``"es_MX"``).
        formal: address customers formally in the shipped texts (German "Sie",
            Spanish "usted"; French uses "vous" either way); informal ("du",
            "tú") by default.
        signature: text added at the end of every email.
        activation_url: required: the page where a customer activates the profile;
            ``{token}`` is replaced by the signed token.
        unsubscribe_url: required: the page where a customer unsubscribes; an
            HTTPS URL for the ``List-Unsubscribe`` header.
        reset_url: the page where a customer chooses a new password; needed by
            "forgot password" (and by a sign-up with the address of an
            activated customer, whose answer carries a reset link).
        verify_url: the page where a self-registered visitor confirms the
            address; needed by :meth:`~invitekit.InviteKit.register`.
        booking_url: the page where a customer manages one booking (cancel,
            reschedule) from a link in an email; needed by
            :meth:`~invitekit.InviteKit.booking_link`.
        email_change_url: the page where a customer confirms a new email
            address; needed by :meth:`~invitekit.InviteKit.request_email_change`.
        reply_to: an optional ``Reply-To`` address.
        unsubscribe_mailto: an optional address for ``mailto:`` unsubscribing, offered
            in the ``List-Unsubscribe`` header beside the HTTPS link.
        invitation_cooldown: when set, a customer invited less than this long ago
            is skipped (reason ``invited_recently``).
        pacing: how fast mail goes out (:class:`~invitekit.Pacing`: per hour,
            per day, quiet hours in ``timezone``); ``Pacing()``, unlimited, by default.
        reminders: when customers still Invited are reminded
            (:class:`~invitekit.Reminders`); ``Reminders()``, none, by default.

    Raises:
        ConfigurationError: ``activation_url`` or ``unsubscribe_url`` is missing;
            a URL is not an http(s) URL with ``{token}`` once; ``sender``,
            ``reply_to`` or ``unsubscribe_mailto`` is not an email address;
            ``timezone`` or ``default_locale`` is unknown.  The message names
            the field.
    """

    id: str = attrs.field(validator=attrs.validators.min_len(1))
    name: str
    sender: str = attrs.field(validator=_check_address)
    timezone: str = attrs.field(default="UTC", validator=_check_zone)
    default_locale: str = attrs.field(default="en", validator=_check_locale)
    signature: str = ""
    activation_url: str = attrs.field(
        default=None, converter=_activation_url, validator=_check_link_template
    )
    unsubscribe_url: str = attrs.field(
        default=None, converter=_unsubscribe_url, validator=_check_link_template
    )
    reset_url: str | None = attrs.field(
        default=None, validator=attrs.validators.optional(_check_link_template)
    )
    verify_url: str | None = attrs.field(
        default=None, validator=attrs.validators.optional(_check_link_template)
    )
    booking_url: str | None = attrs.field(
        default=None, validator=attrs.validators.optional(_check_link_template)
    )
    email_change_url: str | None = attrs.field(
        default=None, validator=attrs.validators.optional(_check_link_template)
    )
    reply_to: str | None = attrs.field(
        default=None, validator=attrs.validators.optional(_check_address)
    )
    unsubscribe_mailto: str | None = attrs.field(
        default=None, validator=attrs.validators.optional(_check_address)
    )
    invitation_cooldown: timedelta | None = None
    formal: bool = False
    pacing: Pacing = setting_field(Pacing)  # noqa: RUF009 (an attrs.field)
    reminders: Reminders = setting_field(Reminders)  # noqa: RUF009 (an attrs.field)


@attrs.frozen(kw_only=True)
class Customer:
    """A customer of one business.

    Attributes:
        id: unique within the business.
        business_id: the business the customer belongs to.
        email: where mail goes (see :mod:`invitekit.addresses`).
        email_key: the canonical form, unique within the business.
        first_name, last_name: optional; the greeting falls back without a first name.
        locale: the customer's language, or ``None`` for the business default.
        status: :class:`Status`.
        archived: archived customers get no invitations and cannot log in.
        unsubscribed: opted out of invitation emails.
        password_hash: the argon2 hash once a password is set (never shown by ``repr``).
        auth_provider: ``"google"``, ``"facebook"``... for profiles created through
            an external sign-in; ``None`` for email and password.
        created_at, updated_at: aware UTC.
        invited_at: when an invitation was last handed to the mail server.
        accepted_at: when the profile was activated.
        delivery_failure: why the last invitation could not be delivered, until one is.
        undeliverable_at: when mail to :attr:`email` was found not to arrive (a
            hard bounce, or too many soft ones; see ``InviteKit.record_bounce``),
            or ``None``.  Invitations and reminders skip the customer until the
            address changes or the business clears it.
        undeliverable_reason: why, a line for the business (``"hard bounce: 5.1.1 ..."``).
        link_epoch: increases whenever every link already sent must die
            (archive, address change; not a password change, which kills only
            reset links); part of every token's fingerprint.
        version: increases with every stored change; used for compare-and-set.
    """

    id: str
    business_id: str
    email: str
    email_key: str
    first_name: str | None = None
    last_name: str | None = None
    locale: str | None = None
    status: Status = Status.ADDED
    archived: bool = False
    unsubscribed: bool = False
    password_hash: str | None = attrs.field(default=None, repr=False)
    auth_provider: str | None = None
    created_at: datetime
    updated_at: datetime
    invited_at: datetime | None = None
    accepted_at: datetime | None = None
    delivery_failure: str | None = None
    undeliverable_at: datetime | None = None
    undeliverable_reason: str | None = None
    link_epoch: int = 0
    version: int = 1

    @property
    def undeliverable(self) -> bool:
        """Whether mail to the address bounced for good (see :attr:`undeliverable_at`)."""
        return self.undeliverable_at is not None

    @property
    def display_name(self) -> str:
        """The full name when known, else the email address."""
        parts = [p for p in (self.first_name, self.last_name) if p]
        return " ".join(parts) if parts else self.email


@attrs.frozen(kw_only=True)
class Group:
    """A named set of customers a business created ("Monday class")."""

    id: str
    business_id: str
    name: str
    created_at: datetime


@attrs.frozen(kw_only=True)
class Email:
    """A finished email, ready for a :class:`~invitekit.ports.Mailer`.

    Attributes:
        sender: the ``From`` header value (``"Studio One <hello@studio.example>"``).
        to: the single recipient address.
        subject: the subject line (never contains CR or LF).
        text: the plain-text body (never shown by ``repr``: it holds live links).
        html: the HTML body, or ``None`` for text-only mail (not shown by ``repr``).
        message_id: the ``Message-ID``; stable across retries of one queued email.
        headers: further headers as ``(name, value)`` pairs (not shown by
            ``repr``: ``List-Unsubscribe`` holds a live link).
        date: the ``Date`` header, when the email fixes it (a queued email is
            dated when its links were issued, so a resend is the same bytes);
            ``None`` lets the mailer date it.
    """

    sender: str
    to: str
    subject: str
    text: str = attrs.field(repr=False)
    html: str | None = attrs.field(default=None, repr=False)
    message_id: str
    headers: tuple[tuple[str, str], ...] = attrs.field(default=(), repr=False)
    date: datetime | None = None

    def header(self, name: str) -> str | None:
        """The value of header ``name`` (case-insensitive), or ``None``."""
        wanted = name.lower()
        return next((v for k, v in self.headers if k.lower() == wanted), None)


class Purpose(enum.StrEnum):
    """What a link is for; each purpose signs with its own salt."""

    ACTIVATION = "activation"
    PASSWORD_RESET = "password_reset"
    EMAIL_VERIFICATION = "email_verification"
    UNSUBSCRIBE = "unsubscribe"
    BOOKING = "booking"
    EMAIL_CHANGE = "email_change"


@attrs.frozen(kw_only=True)
class OutboxMessage:
    """An email to send, or sent: what to send, never the email itself.

    A queued row is an *intent*: the worker composes the email and signs its
    links just before handing it to the mail server (see
    :mod:`invitekit.flows.delivery`), so no body, token or link is ever stored.

    Attributes:
        id: unique; also the basis of the stable ``Message-ID``.
        business_id, customer_id: whose email it is; ``customer_id`` is ``None``
            for the verification of a sign-up's new address.
        kind: :class:`MessageKind`.
        recipient: the address it goes to.  ``None`` while an email to a customer
            waits: it goes to the customer's stored address, read at delivery
            (changing the address withdraws it); recorded when it is sent.
        message_id: the ``Message-ID``.  ``None`` while it waits: derived at
            delivery from ``id`` and the sender's domain
            (:func:`~invitekit.compose.message_id_for`), so a resend reuses it;
            recorded when it is sent.  Rows queued by an older invitekit keep
            the one they were queued with.
        locale: the language it is written in, decided when it was queued.
        template_id: for an invitation, the :class:`TemplateRevision` whose text it
            uses; ``None`` for the text invitekit ships.
        purpose: for an account email, what its link is for (``None`` for one
            without a link); it tells a reset link from an activation link.
        registration_id: for an email verification, the sign-up it confirms.
        campaign_id: for an invitation, the :class:`~invitekit.Campaign` that queued it.
        state: :class:`OutboxState`.
        attempts: how many times a worker tried to hand it over.
        created_at: when it was queued.
        not_before: not before this may a worker pick it up (when it is
            queued, or the next retry).  ``next_attempt_at`` is its old name, a
            read-only alias.
        claimed_until: a worker's lease; another worker may take it after this.
        links_issued_at: when its links are signed: recorded when it is first
            claimed, so a resend composes the same bytes and a link's validity
            counts from sending.
        last_error: the last failure's text.
        sent_at: when the mail server accepted it.
    """

    id: str
    business_id: str
    customer_id: str | None
    kind: MessageKind = attrs.field(converter=MessageKind)
    recipient: str | None = None
    message_id: str | None = None
    locale: str
    template_id: str | None = None
    purpose: Purpose | None = None
    registration_id: str | None = None
    campaign_id: str | None = None
    state: OutboxState = OutboxState.PENDING
    attempts: int = 0
    created_at: datetime
    not_before: datetime
    claimed_until: datetime | None = None
    links_issued_at: datetime | None = None
    last_error: str | None = None
    sent_at: datetime | None = None

    @property
    def next_attempt_at(self) -> datetime:
        """The old name of :attr:`not_before` (read-only)."""
        return self.not_before


@attrs.frozen(kw_only=True)
class LinkCheck:
    """What a link is for, answered without changing anything (for the GET of a link page).

    Attributes:
        purpose: what the link does when its form is submitted.
        email: the address concerned (the customer's, or the one being verified).
        customer_id: the customer, or ``None`` for the verification of a new address.
        first_name, locale: to greet the visitor on the page.
        expires_at: when the link stops working (``None`` if never).
        needs_password: the page must ask for a password: for every email
            verification (the one chosen at sign-up, which
            :meth:`~invitekit.InviteKit.verify_email` always requires).
    """

    purpose: Purpose
    email: str
    customer_id: str | None
    first_name: str | None
    locale: str | None
    expires_at: datetime | None
    needs_password: bool = False


ActivationCheck = LinkCheck
"""The old name of :class:`LinkCheck` (returned by ``check_activation``)."""


@attrs.frozen(kw_only=True)
class TemplateRevision:
    """One immutable version of a business's own subject and body for a kind and locale.

    Saving a template adds a revision; the newest saved one of a locale is the
    text used from then on.  A one-off text given to a campaign is a revision
    too (``one_off``), used only by the emails that campaign queued.  Queued
    emails name their revision, so editing a text never changes what an
    already started campaign sends.

    Attributes:
        id: unique.
        business_id: whose text it is.
        kind: the kind of email (``"invitation"``).
        locale: the locale it is for (``"es"``, ``"de_AT"``).
        subject, body: sandbox templates.
        created_at: when it was saved.
        one_off: given to one campaign or invitation only, not saved for later.
    """

    id: str
    business_id: str
    kind: str
    locale: str
    subject: str
    body: str
    created_at: datetime
    one_off: bool = False


StoredTemplate = TemplateRevision
"""The old name of :class:`TemplateRevision`."""


@attrs.frozen(kw_only=True)
class Registration:
    """A visitor's sign-up waiting for the email address to be confirmed.

    Attributes:
        id: unique; the verification token names it.
        business_id: the business signed up with.
        email, email_key: the address as given and its canonical form.
        first_name, last_name, locale: what the visitor entered.
        password_hash: the argon2 hash of the chosen password (never shown by ``repr``).
        created_at: when the visitor signed up.
    """

    id: str
    business_id: str
    email: str
    email_key: str
    first_name: str | None = None
    last_name: str | None = None
    locale: str | None = None
    password_hash: str = attrs.field(repr=False)
    created_at: datetime


@attrs.frozen(kw_only=True)
class InvitationTemplate:
    """The invitation text a business's customers of one locale receive.

    Attributes:
        locale: the locale it is for (``"es"``, ``"de_AT"``).
        subject, body: sandbox templates (see :data:`invitekit.sandbox.PLACEHOLDERS`).
        customised: ``True`` when the business saved it, ``False`` for the shipped text.
        updated_at: when the business saved it (``None`` for the shipped text).
    """

    locale: str
    subject: str
    body: str
    customised: bool
    updated_at: datetime | None = None
