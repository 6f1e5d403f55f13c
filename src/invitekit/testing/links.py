"""Reading the links out of the emails a test received."""

from __future__ import annotations

import re

from invitekit.model import Email

__all__ = ["extract_link"]


def extract_link(email: Email, prefix: str) -> str:
    """The first URL in ``email``'s text that starts with ``prefix``.

    Raises:
        LookupError: if there is none.
    """
    match = re.search(re.escape(prefix) + r"[^\s<>\"]*", email.text)
    if match is None:
        raise LookupError(f"no link starting with {prefix!r} in the email to {email.to}")
    return match.group(0)
