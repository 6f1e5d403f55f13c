"""Composing emails: greeting + the business's text + link + signature -> :class:`Email`.

Pure: everything it needs (the business, the recipient, the signed links, the
moment) is passed in.

Every kind of email is built the same way, in two steps:

1. the kind's own function gathers a :class:`Content` in the recipient's
   language -- subject, greeting, paragraphs, an action link, how long it is
   valid, the signature, an optional unsubscribe link -- from the message
   catalogs and, for text a business may edit, the sandbox
   (:mod:`invitekit.sandbox`);
2. :func:`render_email` lays the content out as a plain-text and an HTML part
   with a :class:`Layout` (``invitekit/templates/email.txt`` and ``email.html``)
   and adds the headers.

:func:`compose_invitation` is the invitation's step 1.  Another kind (a
password reset, an email verification, a "sign in with Google" hint) adds its
msgids to the catalogs, builds a :class:`Content` with :func:`greeting`,
:func:`link`, :func:`validity` and :func:`signature`, and calls
:func:`render_email` -- see docs/emails.md.
"""

from __future__ import annotations

import functools
import gettext
import hashlib
import re
from collections.abc import Sequence
from datetime import datetime
from email import policy as email_policy
from email.header import Header
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from os import PathLike

import attrs
import jinja2
from babel import Locale

from invitekit.dates import format_moment
from invitekit.i18n import gettext_noop as _
from invitekit.i18n import negotiate_locale, translate, translations
from invitekit.model import Business, Email
from invitekit.sandbox import render_template

__all__ = [
    "Content",
    "InvitationText",
    "Layout",
    "Link",
    "Recipient",
    "compose_invitation",
    "default_invitation_text",
    "default_reminder_text",
    "from_header",
    "greeting",
    "header_safe",
    "link",
    "locale_for",
    "locale_name",
    "message_id_for",
    "render_email",
    "signature",
    "to_mime",
    "validity",
]

_HEADER_UNSAFE = re.compile(r"[\x00-\x1f\x7f\u2028\u2029\x85]+")
# Control characters that have no place in an email's text (line breaks and tabs do).
_TEXT_UNSAFE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\u2028\u2029\x85]")

# The shipped default text of the invitation: msgids of the catalogs, and
# templates for the sandbox (a business edits the translated text).
LINK_HINT = _("If the button does not work, copy this link into your browser:")
INVITATION_SUBJECT = _("{{ business_name }} invites you to book online")
INVITATION_BODY = _(
    "You can now book and manage your appointments with {{ business_name }} online.\n"
    "\n"
    "Activate your profile by choosing a password: it only takes a minute."
)
# The shipped default text of a reminder (see invitekit.Reminders), likewise.
REMINDER_SUBJECT = _("Reminder: your online profile with {{ business_name }} is waiting")
REMINDER_BODY = _(
    "We recently invited you to book and manage your appointments with "
    "{{ business_name }} online, and your profile is not active yet.\n"
    "\n"
    "Activate it by choosing a password: it only takes a minute."
)


@attrs.frozen(kw_only=True)
class Recipient:
    """Whom an email is for: a customer, or the business's own address for a test."""

    email: str
    first_name: str | None = None
    last_name: str | None = None
    locale: str | None = None


@attrs.frozen(kw_only=True)
class InvitationText:
    """A business's subject and body for the invitation: sandbox templates.

    See :data:`invitekit.sandbox.PLACEHOLDERS` for what they may use.
    """

    subject: str
    body: str


@attrs.frozen(kw_only=True)
class Link:
    """A link shown in an email.

    Attributes:
        label: the button or link text (``"Activate my profile"``).
        url: where it goes.
        line: how the plain-text part shows it (``"Activate my profile: https://..."``).
    """

    label: str
    url: str
    line: str


@attrs.frozen(kw_only=True)
class Content:
    """What one email says, already in the recipient's language; laid out by a :class:`Layout`.

    Attributes:
        lang: the language tag for the HTML part (``"de-AT"``).
        subject: the subject line.
        greeting: ``"Hola Ana:"``.
        paragraphs: the message, one paragraph each (line breaks inside are kept).
        action: the link the email is about, or ``None``.
        link_hint: the line above the bare action URL in the HTML part.
        validity: ``"This link is valid until ..."``, or ``None``.
        closing: paragraphs after the link (``"If you did not ask for this..."``).
        signature: the business's signature (several lines allowed).
        footer: why the recipient gets this email, or ``None``.
        unsubscribe: the unsubscribe link, or ``None`` for mail one cannot opt out of.
    """

    lang: str
    subject: str
    greeting: str
    paragraphs: tuple[str, ...]
    action: Link | None = None
    link_hint: str = ""
    validity: str | None = None
    closing: tuple[str, ...] = ()
    signature: str
    footer: str | None = None
    unsubscribe: Link | None = None


class Layout:
    """The templates that lay a :class:`Content` out as plain text and HTML.

    The packaged layout is ``invitekit/templates/email.txt`` and ``email.html``
    (jinja2, autoescaped for HTML).  An application can replace either file by
    giving a loader (or :meth:`from_folder`) that has a template of that name;
    the packaged one is used for the other.  Layout templates are trusted code of
    the application, not text a business edits; they receive the fields of
    :class:`Content` as variables.

    Args:
        loader: a jinja2 loader searched before the packaged templates.
    """

    TEXT = "email.txt"
    HTML = "email.html"

    def __init__(self, loader: jinja2.BaseLoader | None = None) -> None:
        packaged = jinja2.PackageLoader("invitekit", "templates")
        self._environment = jinja2.Environment(
            loader=packaged if loader is None else jinja2.ChoiceLoader([loader, packaged]),
            autoescape=jinja2.select_autoescape(enabled_extensions=("html",)),
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
            auto_reload=False,  # a layout does not change while the process runs
        )
        self._loaded: tuple[jinja2.Template, jinja2.Template] | None = None

    @classmethod
    def from_folder(cls, folder: str | PathLike[str]) -> Layout:
        """A layout using ``folder/email.html`` and/or ``folder/email.txt`` when present."""
        return cls(jinja2.FileSystemLoader(folder))

    def render(self, content: Content) -> tuple[str, str]:
        """The plain-text and HTML parts for ``content``."""
        values = attrs.asdict(content, recurse=False)
        text_template, html_template = self._templates()
        return _squeeze_blank_lines(text_template.render(values)), html_template.render(values)

    def _templates(self) -> tuple[jinja2.Template, jinja2.Template]:
        # Looked up once: the environment's lookup takes a lock and asks the
        # loader, for every email (the templates never change, see auto_reload).
        if self._loaded is None:
            self._loaded = (
                self._environment.get_template(self.TEXT),
                self._environment.get_template(self.HTML),
            )
        return self._loaded


@functools.cache
def _default_layout() -> Layout:
    return Layout()


def header_safe(value: str, *, limit: int = 200) -> str:
    """``value`` as a single header line: control characters become spaces, length is capped."""
    if (
        len(value) <= limit
        and value.isprintable()  # no control character, no whitespace but " "
        and "  " not in value
        and value[:1] != " "
        and value[-1:] != " "
    ):
        return value  # already one clean line (most values: names, addresses, links)
    text = " ".join(_HEADER_UNSAFE.sub(" ", value).split())
    return text if len(text) <= limit else text[: limit - 1] + "\N{HORIZONTAL ELLIPSIS}"


def message_id_for(outbox_id: str, business: Business) -> str:
    """The ``Message-ID`` of a queued email, from its outbox id: a retry reuses it."""
    domain = business.sender.rpartition("@")[2] or "invitekit.invalid"
    return f"<{outbox_id}@{domain}>"


# The three caches below are pure functions of few distinct inputs (a business, a
# handful of locales, one expiry per second of a campaign); a campaign calls
# them once per email, and they were a quarter of its time (bench/README.md).
@functools.lru_cache(maxsize=256)
def locale_for(recipient_locale: str | None, business: Business) -> Locale:
    """The locale an email to this recipient is written in.

    The chain is the recipient's locale (``de_AT``), its language (``de``), the
    business default, then English; the territory is kept for date formats.
    """
    return negotiate_locale([recipient_locale], default=business.default_locale)


@functools.lru_cache(maxsize=256)
def locale_name(recipient_locale: str | None, business: Business) -> str:
    """The identifier (``de_AT``) of :func:`locale_for`: what an outbox row stores."""
    return str(locale_for(recipient_locale, business))


def greeting(catalog: gettext.NullTranslations, first_name: str | None) -> str:
    """``"Hola Ana:"``, or ``"Hola:"`` without a first name."""
    name = header_safe(first_name or "", limit=80)
    if name:
        return catalog.gettext("Hello {first_name},").format(first_name=name)
    return catalog.gettext("Hello,")


def link(catalog: gettext.NullTranslations, label: str, url: str) -> Link:
    """A :class:`Link` with its localised plain-text line."""
    return Link(
        label=label, url=url, line=catalog.gettext("{label}: {url}").format(label=label, url=url)
    )


@functools.lru_cache(maxsize=256)
def validity(
    catalog: gettext.NullTranslations, locale: Locale, until: datetime, timezone: str
) -> str:
    """``"This link is valid until Monday, January 12, 2026 at 10:00 AM (...)."``.

    The moment is shown in ``timezone`` (the business's), in the one date style
    of ``locale`` (:func:`invitekit.dates.format_moment`), with the zone named
    as people read it.
    """
    moment = format_moment(until, locale=locale, timezone=timezone, with_zone=True)
    return catalog.gettext("This link is valid until {date}.").format(date=moment)


@functools.lru_cache(maxsize=64)
def signature(business: Business) -> str:
    """The business's signature, or its name when it has none."""
    text = _clean_text(business.signature).strip()
    return text or header_safe(business.name)


@functools.lru_cache(maxsize=256)
def default_invitation_text(locale: Locale | str, *, formal: bool = False) -> InvitationText:
    """The shipped subject and body of the invitation in ``locale`` (sandbox templates).

    ``formal`` chooses the formal address where the language has one (German
    "Sie", Spanish "usted"); see :attr:`Business.formal <invitekit.model.Business>`.
    """
    catalog = translations(locale)
    return InvitationText(
        subject=translate(catalog, INVITATION_SUBJECT, formal=formal),
        body=translate(catalog, INVITATION_BODY, formal=formal),
    )


@functools.lru_cache(maxsize=256)
def default_reminder_text(locale: Locale | str, *, formal: bool = False) -> InvitationText:
    """The shipped subject and body of a reminder in ``locale`` (sandbox templates).

    A reminder is composed as an invitation is (:func:`compose_invitation`,
    with this text): the same greeting, activation link, validity, footer and
    unsubscribe link.  ``formal`` as for :func:`default_invitation_text`.
    """
    catalog = translations(locale)
    return InvitationText(
        subject=translate(catalog, REMINDER_SUBJECT, formal=formal),
        body=translate(catalog, REMINDER_BODY, formal=formal),
    )


def compose_invitation(
    *,
    business: Business,
    recipient: Recipient,
    activation_link: str,
    unsubscribe_link: str,
    valid_until: datetime | None,
    message_id: str,
    text: InvitationText | None = None,
    layout: Layout | None = None,
    test: bool = False,
) -> Email:
    """The invitation email for ``recipient``, in their language.

    Args:
        business: whose invitation it is.
        recipient: the customer (or the business's own address for a test).
        activation_link: the signed activation link.
        unsubscribe_link: the signed unsubscribe link.
        valid_until: when the activation link expires, or ``None``.
        message_id: the ``Message-ID`` (see :func:`message_id_for`).
        text: the business's subject and body; the shipped default of the
            recipient's language when ``None``.
        layout: the layout; the packaged one when ``None``.
        test: a test invitation to the business's own address: its subject
            says so ("[Test] ...", "[Prueba] ...").

    Raises:
        TemplateError: ``text`` uses something other than the documented placeholders.
    """
    locale = locale_for(recipient.locale, business)
    catalog = translations(locale)
    chosen = text or default_invitation_text(locale, formal=business.formal)
    values = {
        "first_name": header_safe(recipient.first_name or "", limit=80),
        "last_name": header_safe(recipient.last_name or "", limit=80),
        "business_name": header_safe(business.name),
    }
    subject = render_template(chosen.subject, values, field="subject")
    if test:
        subject = catalog.gettext("[Test] {subject}").format(subject=subject)
    body = render_template(chosen.body, values, field="body")
    content = Content(
        lang=str(locale).replace("_", "-"),
        subject=header_safe(subject),
        greeting=greeting(catalog, recipient.first_name),
        paragraphs=_paragraphs(body),
        action=link(catalog, catalog.gettext("Activate my profile"), activation_link),
        link_hint=translate(catalog, LINK_HINT, formal=business.formal),
        validity=(
            None
            if valid_until is None
            else validity(catalog, locale, valid_until, business.timezone)
        ),
        signature=signature(business),
        footer=translate(
            catalog,
            _("You receive this email because you are a customer of {business_name}."),
            formal=business.formal,
        ).format(business_name=values["business_name"]),
        unsubscribe=link(
            catalog, catalog.gettext("Unsubscribe from these emails"), unsubscribe_link
        ),
    )
    return render_email(
        content,
        business=business,
        to=recipient.email,
        message_id=message_id,
        layout=layout,
    )


def render_email(
    content: Content,
    *,
    business: Business,
    to: str,
    message_id: str,
    layout: Layout | None = None,
    headers: Sequence[tuple[str, str]] = (),
) -> Email:
    """Lay ``content`` out and add the headers every invitekit email carries.

    ``From`` shows the business's name; ``Reply-To`` is added when the business
    has one; ``Auto-Submitted: auto-generated`` always.  When ``content`` has an
    unsubscribe link, ``List-Unsubscribe`` (the HTTPS link, and a ``mailto:`` when
    the business has ``unsubscribe_mailto``) and ``List-Unsubscribe-Post:
    List-Unsubscribe=One-Click`` (RFC 8058) are added.  Every header value is one
    line.

    Args:
        content: what the email says.
        business: whose email it is.
        to: the recipient's address.
        message_id: the ``Message-ID``.
        layout: the layout; the packaged one when ``None``.
        headers: further headers of this kind of email.
    """
    text, html = (layout or _default_layout()).render(content)
    extra: list[tuple[str, str]] = []
    if content.unsubscribe is not None:
        targets = [f"<{content.unsubscribe.url}>"]
        if business.unsubscribe_mailto:
            targets.append(f"<mailto:{business.unsubscribe_mailto}?subject=unsubscribe>")
        extra += [
            ("List-Unsubscribe", ", ".join(targets)),
            ("List-Unsubscribe-Post", "List-Unsubscribe=One-Click"),
        ]
    if business.reply_to:
        extra.append(("Reply-To", business.reply_to))
    extra.append(("Auto-Submitted", "auto-generated"))
    extra += headers
    return Email(
        sender=from_header(business),
        to=header_safe(to, limit=320),
        subject=header_safe(content.subject),
        text=text,
        html=html,
        message_id=header_safe(message_id),
        headers=tuple((name, header_safe(value, limit=2000)) for name, value in extra),
    )


@functools.lru_cache(maxsize=64)
def from_header(business: Business) -> str:
    """The ``From`` header of a business's emails: its name and sender address."""
    return str(
        Address(display_name=header_safe(business.name, limit=100), addr_spec=business.sender)
    )


def _clean_text(value: str) -> str:
    return _TEXT_UNSAFE.sub("", value.replace("\r\n", "\n").replace("\r", "\n"))


# A business's body is the same text for most of its emails (one per locale and
# revision, unless it names the recipient): cleaned and split once.
@functools.lru_cache(maxsize=256)
def _paragraphs(body: str) -> tuple[str, ...]:
    """``body``'s paragraphs, its control characters but line ends removed."""
    blocks = re.split(r"\n[ \t]*\n", _clean_text(body).strip())
    return tuple(block.strip("\n") for block in blocks if block.strip())


# Three or more line ends in a row; spelt with a literal start, which the regex
# engine looks for directly (``\n{3,}`` tried a match at every character).
_BLANK_LINES = re.compile(r"\n\n\n+")


def _squeeze_blank_lines(text: str) -> str:
    return _BLANK_LINES.sub("\n\n", text).strip("\n") + "\n"


_SHORT_SUBJECT = 60  # fits on the first line without folding


def _set_subject(message: EmailMessage, subject: str) -> None:
    if subject.isascii() and "=?" not in subject and len(subject) <= _SHORT_SUBJECT:
        message["Subject"] = subject
        return
    # The standard library's folding (Python 3.11-3.13) can drop the space between
    # two encoded words, or add one before a long word, changing the subject;
    # encoded words that carry their own spaces keep it exact.  Text that merely
    # looks like an encoded word is encoded too, so it is shown as typed.
    message.set_raw("Subject", Header(subject, "utf-8", header_name="Subject").encode())


# Python's folding turns a token longer than the line limit (a URL in
# List-Unsubscribe) into RFC 2047 encoded words, which mail providers do not
# decode in structured headers; RFC 5322 allows lines up to 998 characters.
MIME_POLICY = email_policy.default.clone(max_line_length=998)


def to_mime(email: Email, *, date: datetime | None = None) -> EmailMessage:
    """Build the standard-library message that a mailer sends or writes to a file.

    A plain-text part, and with an HTML part a ``multipart/alternative``.
    Header values are made single lines whatever the :class:`Email` holds.  The
    ``Date`` header is the email's own :attr:`~invitekit.model.Email.date` when
    it has one (a queued email: a resend is the same bytes), else ``date``; the
    MIME boundary is derived from the email, so one email is always the same bytes.
    """
    message = EmailMessage(policy=MIME_POLICY)
    message["From"] = header_safe(email.sender, limit=998)
    message["To"] = header_safe(email.to, limit=998)
    _set_subject(message, header_safe(email.subject, limit=998))
    message["Message-ID"] = header_safe(email.message_id or make_msgid(), limit=998)
    dated = email.date or date
    if dated is not None:
        message["Date"] = format_datetime(dated)
    for name, value in email.headers:
        message[header_safe(name, limit=76)] = header_safe(value, limit=2000)
    message.set_content(email.text)
    if email.html is not None:
        message.add_alternative(email.html, subtype="html")
        # The standard library draws a random boundary; one derived from the email
        # makes a resend of one queued email the same bytes.
        digest = hashlib.sha256(
            "\x1f".join((email.message_id, email.text, email.html)).encode()
        ).hexdigest()
        message.set_boundary(f"=_invitekit_{digest[:40]}")
    return message
