"""Email addresses as identities: validation and the one canonical form.

Within a business a customer *is* their email address, so two spellings of one
address must meet in one key, and two different mailboxes must never do so.

* The **address** we store and send to is the input trimmed, in Unicode NFC,
  with the domain encoded by IDNA2008 with UTS #46 non-transitional processing
  (``Ana@Bücher.Example`` becomes ``Ana@xn--bcher-kva.example``; ``faß.de`` stays
  ``xn--fa-hia.de`` and never becomes ``fass.de``, the IDNA2003 reading, which is
  another domain with another owner).  The local part keeps its case: some
  servers honour it, and mail goes only to what the customer gave us.
* The **key** used for uniqueness and lookup is that address with the local part
  lower-cased.  Deliberately *not* case-folded or NFKC-normalised: those map
  look-alikes together (``ﬀ`` and ``ff``, fullwidth ``\uff4b`` and ``k``, ``ß``
  and ``ss``, dotless ``\u0131`` and ``i``), and a look-alike must never reach another
  customer's account.  (The domain is mapped as UTS #46 says, fullwidth letters
  included: those spellings name the very same host.)
* Invisible and direction-changing characters (zero-width characters, the byte
  order mark, bidirectional overrides and isolates, tag characters, the Unicode
  line separators; see :mod:`invitekit.text`) are refused anywhere in an address.

The syntax and the domain are checked by
[email-validator](https://pypi.org/project/email-validator/) (which uses the
``idna`` package), without any DNS look-up: an address needs a domain with a
dot and a real top-level domain, and reserved names (``.test``, ``.local``,
``.localhost``, ``.invalid``, ``.onion``, ``.arpa``) cannot receive mail.
Quoted local parts (``"ana smith"@…``), IP addresses in brackets and display
names (``Ana <ana@…>``) are refused.
"""

from __future__ import annotations

import unicodedata

import attrs
import email_validator

from invitekit.exceptions import InvalidEmail
from invitekit.text import describe, first_invisible, quoted

__all__ = ["EmailAddress", "parse_email"]

_MAX_LOCAL_OCTETS = 64
_MAX_ADDRESS_OCTETS = 254
# Longer input is refused before it is normalised or parsed: Unicode NFC shrinks
# text by at most a factor of three, so no valid address is this long.
_MAX_INPUT_CHARACTERS = 4 * _MAX_ADDRESS_OCTETS
_LINE_BREAKS = frozenset("\r\n\x0b\x0c\x85\u2028\u2029")


@attrs.frozen
class EmailAddress:
    """A validated email address.

    Attributes:
        address: where mail goes: trimmed, NFC, domain lower-cased and IDNA-encoded.
        key: the canonical form for uniqueness and lookup (local part lower-cased too).
    """

    address: str
    key: str

    def __str__(self) -> str:
        return self.address


def parse_email(raw: str) -> EmailAddress:
    """Validate ``raw`` and return its stored address and canonical key.

    Raises:
        InvalidEmail: if ``raw`` is empty or too long, has no single ``@``, has a
            line break, a control, invisible or direction-changing character, a
            space or another character an address may not contain, an RFC 2047
            encoded word (``=?utf-8?b?...?=``) before the ``@``, or a domain
            that is not a valid (IDNA2008) host name that can receive mail.  The
            message quotes at most 80 characters of the input, never a control
            or invisible character.
    """
    if not isinstance(raw, str):
        raise InvalidEmail("an email address must be a string", field="email", code="not_text")
    stripped = raw.strip()
    if not stripped:
        raise InvalidEmail("the email address is empty", field="email", code="empty")
    if len(stripped) > _MAX_INPUT_CHARACTERS:
        raise InvalidEmail(
            f"{quoted(stripped)} is longer than 254 characters",
            field="email",
            code="too_long",
            limit=254,
        )
    text = unicodedata.normalize("NFC", stripped)
    _refuse_unreadable(text)
    if text.count("@") != 1:
        raise InvalidEmail(
            f"{quoted(text)} is not an email address (it needs one @)",
            field="email",
            code="malformed",
        )
    local, domain = text.split("@")
    if len(local.encode()) > _MAX_LOCAL_OCTETS:
        raise InvalidEmail(
            f"{quoted(text)} has too long a part before the @", field="email", code="too_long"
        )
    if "=?" in local and "?=" in local:
        # RFC 2047 (section 5): an encoded-word never appears in an address. A mail
        # program that decodes one anyway shows the To header as whatever it encodes
        # ("Bcc: ..."), so it is refused, not passed along.
        raise InvalidEmail(
            f"{quoted(text)} contains an encoded word (=?...?=), which no address may",
            field="email",
            code="malformed",
        )
    try:
        checked = _validate(text)
    except email_validator.EmailNotValidError:
        # Not chained: our message says what is wrong, in our words.
        message, code = _what_is_wrong(text, domain)
        raise InvalidEmail(message, field="email", code=code) from None
    # email-validator lower-cases a few role names (RFC 2142's ``Info@``); the
    # address keeps the case it was given in, and only the key is lower-cased.
    ascii_domain = checked.ascii_domain.lower()
    address = f"{local}@{ascii_domain}"
    if len(address.encode()) > _MAX_ADDRESS_OCTETS:
        raise InvalidEmail(
            f"{quoted(text)} is longer than 254 characters",
            field="email",
            code="too_long",
            limit=254,
        )
    return EmailAddress(address=address, key=f"{local.lower()}@{ascii_domain}")


def _validate(text: str) -> email_validator.ValidatedEmail:
    return email_validator.validate_email(
        text,
        check_deliverability=False,  # never a DNS look-up
        globally_deliverable=True,
        allow_smtputf8=True,  # local parts in any script (RFC 6531)
        allow_quoted_local=False,
        allow_domain_literal=False,
        allow_display_name=False,
        allow_empty_local=False,
        strict=True,
    )


def _refuse_unreadable(text: str) -> None:
    """Refuse what a person cannot read, or would read as something else, in our words."""
    if any(char in _LINE_BREAKS for char in text):
        raise InvalidEmail(
            f"{quoted(text)} contains a line break", field="email", code="control_character"
        )
    for char in text:
        category = unicodedata.category(char)
        if category == "Cc":
            raise InvalidEmail(
                f"{quoted(text)} contains a control character",
                field="email",
                code="control_character",
            )
        if category == "Cs":
            raise InvalidEmail(
                f"{quoted(text)} contains text that is not valid",
                field="email",
                code="invalid_text",
            )
    invisible = first_invisible(text)
    if invisible is not None:
        raise InvalidEmail(
            f"{quoted(text)} contains an invisible or direction-changing character, "
            f"{describe(invisible)}",
            field="email",
            code="invisible_character",
        )
    if any(unicodedata.category(char) == "Zs" for char in text):
        raise InvalidEmail(f"{quoted(text)} contains a space", field="email", code="space")


def _what_is_wrong(text: str, domain: str) -> tuple[str, str]:
    """The message and the :attr:`~invitekit.ValidationError.code` for a refused address."""
    try:
        _validate(f"a@{domain}")
    except email_validator.EmailNotValidError:
        last_label = domain.rsplit(".", 1)[-1].lower()
        if last_label in email_validator.SPECIAL_USE_DOMAIN_NAMES:
            return f"{quoted(text)} has a reserved domain that cannot receive mail", "domain"
        return f"{quoted(text)} has an invalid domain (the part after the @)", "domain"
    return f"{quoted(text)} has an invalid part before the @", "malformed"
