"""Reading the links out of the emails a test received."""

from __future__ import annotations

import re

from invitekit.model import Email

__all__ = ["extract_link", "extract_token"]

# A token is URL-safe base64 parts joined by dots (see invitekit.tokens).
_LINK_PART = r"([A-Za-z0-9_.-]+)"


def extract_link(email: Email, prefix: str) -> str:
    """The first URL in ``email``'s text that starts with ``prefix``.

    Raises:
        LookupError: if there is none.
    """
    match = re.search(re.escape(prefix) + r"[^\s<>\"]*", email.text)
    if match is None:
        raise LookupError(f"no link starting with {prefix!r} in the email to {email.to}")
    return match.group(0)


def extract_token(email: Email, url: str) -> str:
    """The token in ``email``'s first link made from ``url``, a link template with ``{token}``.

    ``extract_token(mail, kit.business.activation_url)`` is the token a customer
    would follow from ``mail`` to the activation page.

    Raises:
        LookupError: if ``email`` has no such link.
        ValueError: if ``url`` has no ``{token}``.
    """
    prefix, found, suffix = url.partition("{token}")
    if not found:
        raise ValueError(f"{url!r} is no link template: it has no {{token}}")
    match = re.search(re.escape(prefix) + _LINK_PART + re.escape(suffix), email.text)
    if match is None:
        raise LookupError(f"no link made from {url!r} in the email to {email.to}")
    return match.group(1)
