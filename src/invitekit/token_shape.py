"""The one canonical spelling of a signed token, checked before its signature.

A part of :mod:`invitekit.tokens`, in a module of its own for length.
"""

from __future__ import annotations

import re

from itsdangerous import BadData
from itsdangerous.encoding import base64_decode, base64_encode

from invitekit.exceptions import TokenInvalid

__all__ = ["MAX_TOKEN_LENGTH", "check_shape"]

MAX_TOKEN_LENGTH = 2048
# payload.timestamp.signature in unpadded URL-safe base64 (a leading "." marks a
# compressed payload).
_TOKEN_SHAPE = re.compile(r"\.?[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+")
# The same, each part in its one canonical spelling (see _check_shape): a part of
# 4n+1 characters is no base64; one of 4n+2 ends in a character whose 4 unused
# low bits are 0 (A, Q, g, w), one of 4n+3 in one whose 2 unused low bits are 0.
_B64 = "[A-Za-z0-9_-]"
_PART = f"(?={_B64})(?:{_B64}{{4}})*(?:{_B64}[AQgw]|{_B64}{{2}}[AEIMQUYcgkosw048])?"
_CANONICAL_TOKEN = re.compile(rf"\.?{_PART}\.{_PART}\.{_PART}")


def check_shape(token: object) -> None:
    """Refuse anything but the one canonical spelling of a token.

    Base64 decoding is lenient (it skips stray characters and ignores the
    unused low bits of the last character), so without this check several
    strings would verify as one token.  A canonical token passes one regular
    expression; any other is decoded part by part, to say why it is refused.
    """
    if (
        isinstance(token, str)
        and len(token) <= MAX_TOKEN_LENGTH
        and _CANONICAL_TOKEN.fullmatch(token)
    ):
        return
    if (
        not isinstance(token, str)
        or len(token) > MAX_TOKEN_LENGTH
        or not _TOKEN_SHAPE.fullmatch(token)
    ):
        raise TokenInvalid("this link is not valid")
    for part in token.lstrip(".").split("."):
        try:
            canonical = base64_encode(base64_decode(part)).decode("ascii")
        except BadData as err:
            raise TokenInvalid("this link is not valid") from err
        if canonical != part:
            raise TokenInvalid("this link is not valid (it may be incomplete)")
