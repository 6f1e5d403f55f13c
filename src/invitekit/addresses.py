"""Email addresses as identities: validation and the one canonical form.

Within a business a customer *is* their email address, so two spellings of one
address must meet in one key, and two different mailboxes must never do so.

* The **address** we store and send to is the input trimmed, in Unicode NFC, with
  the domain lower-cased and IDNA-encoded (``Ana@Bücher.Example`` becomes
  ``Ana@xn--bcher-kva.example``).  The local part keeps its case: some servers
  honour it, and mail goes only to what the customer gave us.
* The **key** used for uniqueness and lookup is that address with the local part
  lower-cased.  Deliberately *not* case-folded or NFKC-normalised: those map
  look-alikes together (``ﬀ`` and ``ff``, fullwidth ``\uff4b`` and ``k``), and a
  look-alike must never reach another customer's account.
"""

from __future__ import annotations

import re
import unicodedata

import attrs

from invitekit.exceptions import InvalidEmail

__all__ = ["EmailAddress", "parse_email"]

# RFC 5322 "atext" plus dots, and any non-ASCII character (RFC 6531 SMTPUTF8) but
# the C1 controls and lone surrogates (which no UTF-8 can carry).
_LOCAL_PART = re.compile(r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~\u00a0-\ud7ff\ue000-\U0010FFFF.-]+$")
_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")
_MAX_LOCAL_OCTETS = 64
_MAX_ADDRESS_OCTETS = 254


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
        InvalidEmail: if ``raw`` is empty, has no single ``@``, has characters that
            an address may not contain (spaces, quotes, control characters), or a
            domain that is not a valid host name.
    """
    if not isinstance(raw, str):
        raise InvalidEmail("an email address must be a string", field="email")
    text = unicodedata.normalize("NFC", raw.strip())
    if not text:
        raise InvalidEmail("the email address is empty", field="email")
    if text.count("@") != 1:
        raise InvalidEmail(
            f"{_show(text)} is not an email address (it needs one @)", field="email"
        )
    local, domain = text.split("@")
    if (
        not _LOCAL_PART.fullmatch(local)
        or local.startswith(".")
        or local.endswith(".")
        or ".." in local
    ):
        raise InvalidEmail(f"{_show(text)} has an invalid part before the @", field="email")
    if len(local.encode()) > _MAX_LOCAL_OCTETS:
        raise InvalidEmail(f"{_show(text)} has too long a part before the @", field="email")
    ascii_domain = _encode_domain(domain, text)
    address = f"{local}@{ascii_domain}"
    if len(address.encode()) > _MAX_ADDRESS_OCTETS:
        raise InvalidEmail(f"{_show(text)} is longer than 254 characters", field="email")
    return EmailAddress(address=address, key=f"{local.lower()}@{ascii_domain}")


def _encode_domain(domain: str, text: str) -> str:
    try:
        ascii_domain = domain.encode("idna").decode("ascii").lower()
    except UnicodeError as err:
        raise InvalidEmail(f"{_show(text)} has an invalid domain", field="email") from err
    labels = ascii_domain.split(".")
    if len(labels) < 2 or not all(_LABEL.fullmatch(label) for label in labels):
        raise InvalidEmail(f"{_show(text)} has an invalid domain", field="email")
    return ascii_domain


def _show(text: str) -> str:
    """Quote outside input for an error message, without control characters or great length."""
    shown = "".join(ch if ch.isprintable() else "\N{REPLACEMENT CHARACTER}" for ch in text)
    return repr(shown if len(shown) <= 80 else shown[:77] + "...")
