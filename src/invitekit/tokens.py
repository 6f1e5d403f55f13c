"""Signed, purpose-bound, state-bound tokens for the links in emails.

A token is an itsdangerous ``URLSafeTimedSerializer`` value whose payload names
the business, the customer (for an email verification: the sign-up, and the
customer who had the address at sign-up, if anyone did) and a *fingerprint* of
the state for the purpose.  Each purpose has its own salt, so a reset token is not an activation
token.  The fingerprint makes tokens single-use without a table of used tokens:
when the state it covers changes (the profile is activated, the password or the
address changes, the customer is archived), the token no longer matches and is
refused as used.

Time enters only through the injected :class:`~invitekit.ports.Clock`, by the
signer's :meth:`~itsdangerous.TimestampSigner.get_timestamp`, so expiry is exact
under a :class:`~invitekit.testing.FakeClock`.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import attrs
from itsdangerous import BadData, BadSignature, SignatureExpired, URLSafeTimedSerializer
from itsdangerous.encoding import base64_decode, base64_encode
from itsdangerous.timed import TimestampSigner

from invitekit.exceptions import (
    ConfigurationError,
    TokenExpired,
    TokenInvalid,
    TokenWrongBusiness,
    TokenWrongPurpose,
)
from invitekit.model import Business, Customer, Purpose, Registration, Status
from invitekit.ports import Clock

__all__ = [
    "Purpose",
    "TokenClaims",
    "TokenExpiry",
    "Tokens",
    "fingerprint",
    "link_url",
    "verification_fingerprint",
]

MIN_SECRET_LENGTH = 32
MAX_TOKEN_LENGTH = 2048
# payload.timestamp.signature in unpadded URL-safe base64 (a leading "." marks a
# compressed payload).
_TOKEN_SHAPE = re.compile(r"\.?[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+")


@attrs.frozen(kw_only=True)
class TokenExpiry:
    """How long each kind of link stays valid.  ``None`` means it never expires.

    Defaults: activation 14 days, password reset 1 hour, email verification
    24 hours, unsubscribe never (RFC 8058 one-click links must keep working).
    """

    activation: timedelta | None = timedelta(days=14)
    password_reset: timedelta | None = timedelta(hours=1)
    email_verification: timedelta | None = timedelta(hours=24)
    unsubscribe: timedelta | None = None

    def __attrs_post_init__(self) -> None:
        for name in ("activation", "password_reset", "email_verification", "unsubscribe"):
            value = getattr(self, name)
            if value is not None and value <= timedelta(0):
                raise ConfigurationError(f"token expiry for {name} must be positive")

    def of(self, purpose: Purpose) -> timedelta | None:
        """The validity of links for ``purpose``."""
        value: timedelta | None = getattr(self, purpose.value)
        return value


@attrs.frozen(kw_only=True)
class TokenClaims:
    """What a verified token says.

    Attributes:
        purpose: what it is for.
        business_id: the business that issued it.
        customer_id: the customer it belongs to; ``None`` only for an email
            verification of a new address (nobody had it when the link was signed).
        registration_id: for :attr:`Purpose.EMAIL_VERIFICATION`, the sign-up
            (:class:`~invitekit.ports.Registration`) it confirms; ``None`` otherwise.
        fingerprint: the state it was issued for; compare with :func:`fingerprint`
            (or :func:`verification_fingerprint`).
        issued_at: when it was signed (aware UTC, whole seconds).
        test: whether it comes from a test invitation.
    """

    purpose: Purpose
    business_id: str
    customer_id: str | None
    registration_id: str | None = None
    fingerprint: str
    issued_at: datetime
    test: bool = False


def link_url(business: Business, purpose: Purpose, token: str) -> str:
    """The link of ``business`` for ``purpose``: its URL template with ``token`` in it."""
    template = {
        Purpose.ACTIVATION: business.activation_url,
        Purpose.PASSWORD_RESET: business.reset_url,
        Purpose.EMAIL_VERIFICATION: business.verify_url,
        Purpose.UNSUBSCRIBE: business.unsubscribe_url,
    }[purpose]
    return template.replace("{token}", token)


def fingerprint(customer: Customer, purpose: Purpose) -> str:
    """A short digest of the parts of ``customer``'s state a token for ``purpose`` relies on.

    Every purpose covers the business, the id, the canonical address and the
    ``link_epoch`` (raised on archive and on an address change).  Activation
    and email verification also cover whether the profile is accepted, so they
    die on acceptance; a password reset also covers the password hash, so it dies
    when the password changes.  The digest is not secret (it travels inside the
    signed token); it only has to change when the state changes.
    """
    parts = [purpose.value, customer.business_id, customer.id, customer.email_key]
    parts.append(str(customer.link_epoch))
    if purpose in (Purpose.ACTIVATION, Purpose.EMAIL_VERIFICATION):
        parts.append(str(customer.status is Status.ACCEPTED))
    if purpose is Purpose.PASSWORD_RESET:
        parts.append(customer.password_hash or "")
    return _digest(parts)


def verification_fingerprint(registration: Registration, customer: Customer | None) -> str:
    """The state an email-verification token relies on.

    It covers the sign-up (its id, business, canonical address and chosen
    password hash), the exact address the link is mailed to (``customer``'s
    stored address, else the one typed at sign-up), and whether a customer
    had the address then: ``customer``'s :func:`fingerprint` for email
    verification, so the link dies when that customer is activated, archived
    or changes address, or a mark that nobody had it, so the link cannot
    activate a customer added later.  Single use comes from the sign-up being
    deleted once verified.
    """
    parts = [
        Purpose.EMAIL_VERIFICATION.value,
        registration.business_id,
        registration.id,
        registration.email_key,
        registration.password_hash,
        registration.email if customer is None else customer.email,
        "new address" if customer is None else fingerprint(customer, Purpose.EMAIL_VERIFICATION),
    ]
    return _digest(parts)


def _digest(parts: list[str]) -> str:
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:22]


class _ClockSigner(TimestampSigner):
    """A TimestampSigner whose notion of "now" is the injected Clock."""

    def __init__(self, *args: Any, clock: Clock, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._clock = clock

    def get_timestamp(self) -> int:
        return int(self._clock.now().timestamp())


class Tokens:
    """Signs and verifies the tokens of one business.

    Args:
        business_id: every token is bound to it; another business's token is refused.
        secret_keys: newest first.  The first key signs; every key verifies, so a
            key can be rotated out gradually.  Each must be at least 32 characters.
        clock: where time comes from.
        expiry: validity per purpose.
    """

    def __init__(
        self,
        *,
        business_id: str,
        secret_keys: Sequence[str],
        clock: Clock,
        expiry: TokenExpiry | None = None,
    ) -> None:
        if isinstance(secret_keys, str | bytes) or not secret_keys:
            raise ConfigurationError("secret_keys must be a non-empty list of strings")
        for key in secret_keys:
            if not isinstance(key, str) or len(key) < MIN_SECRET_LENGTH:
                raise ConfigurationError(
                    f"every secret key must be a string of at least {MIN_SECRET_LENGTH} "
                    "characters (use secrets.token_urlsafe(32))"
                )
        self._business_id = business_id
        self._clock = clock
        self.expiry = expiry or TokenExpiry()
        # itsdangerous signs with the *last* key of the list; ours signs with the first.
        keys = list(reversed(secret_keys))
        self._serializers = {
            purpose: URLSafeTimedSerializer(
                keys,
                salt=f"invitekit.{purpose.value}",
                signer=_ClockSigner,
                signer_kwargs={"clock": clock, "digest_method": hashlib.sha256},
            )
            for purpose in Purpose
        }

    def __repr__(self) -> str:
        return f"Tokens(business_id={self._business_id!r}, expiry={self.expiry!r})"

    def sign(self, customer: Customer, purpose: Purpose, *, test: bool = False) -> str:
        """Return a token for ``customer``'s current state and ``purpose``.

        Raises:
            ValueError: for :attr:`Purpose.EMAIL_VERIFICATION`, which names a
                sign-up: use :meth:`sign_verification`.
        """
        if purpose is Purpose.EMAIL_VERIFICATION:
            raise ValueError("email verification tokens name a sign-up: use sign_verification()")
        payload: dict[str, Any] = {
            "b": customer.business_id,
            "c": customer.id,
            "f": fingerprint(customer, purpose),
        }
        if test:
            payload["t"] = 1
        return str(self._serializers[purpose].dumps(payload))

    def sign_verification(self, registration: Registration, customer: Customer | None) -> str:
        """Return an email-verification token for a sign-up.

        Args:
            registration: the stored sign-up; the token names it (``r``).
            customer: the existing customer whose address it is, if any; the
                token then names that customer too (``c``) and dies with their state.
        """
        payload: dict[str, Any] = {
            "b": registration.business_id,
            "r": registration.id,
            "f": verification_fingerprint(registration, customer),
        }
        if customer is not None:
            payload["c"] = customer.id
        return str(self._serializers[Purpose.EMAIL_VERIFICATION].dumps(payload))

    def expires_at(self, purpose: Purpose) -> datetime | None:
        """When a token for ``purpose`` signed now will expire, or ``None`` if never."""
        validity = self.expiry.of(purpose)
        if validity is None:
            return None
        issued = datetime.fromtimestamp(int(self._clock.now().timestamp()), UTC)
        return issued + validity

    def verify(self, token: str, purpose: Purpose) -> TokenClaims:
        """Check the signature, purpose, business and age of ``token``.

        This does not look at the customer's current state: the caller compares
        ``claims.fingerprint`` with :func:`fingerprint` of the stored customer.

        Raises:
            TokenInvalid: malformed, tampered with, or signed by an unknown key.
            TokenWrongPurpose: genuine, but for another purpose.
            TokenWrongBusiness: genuine, but issued by another business.
            TokenExpired: genuine but too old (``expired_at`` says since when).
        """
        _check_shape(token)
        validity = self.expiry.of(purpose)
        max_age = None if validity is None else int(validity.total_seconds())
        serializer = self._serializers[purpose]
        try:
            payload, signed_at = serializer.loads(token, max_age=max_age, return_timestamp=True)
        except SignatureExpired as err:
            claims = self._claims(err.payload, purpose, err.date_signed, load=serializer)
            assert validity is not None  # only a token with a max age can expire
            raise TokenExpired(
                "this link has expired", expired_at=claims.issued_at + validity
            ) from err
        except BadSignature as err:
            self._raise_if_other_purpose(token, purpose)
            raise TokenInvalid("this link is not valid (it may be incomplete)") from err
        except BadData as err:
            raise TokenInvalid("this link is not valid") from err
        return self._claims(payload, purpose, signed_at)

    def peek(self, token: str, purpose: Purpose) -> TokenClaims:
        """Like :meth:`verify` but ignoring age: for explaining an expired link."""
        _check_shape(token)
        try:
            payload, signed_at = self._serializers[purpose].loads(
                token, max_age=None, return_timestamp=True
            )
        except BadData as err:
            raise TokenInvalid("this link is not valid") from err
        return self._claims(payload, purpose, signed_at)

    def _claims(
        self,
        payload: Any,
        purpose: Purpose,
        signed_at: datetime | None,
        *,
        load: URLSafeTimedSerializer | None = None,
    ) -> TokenClaims:
        if load is not None and isinstance(payload, bytes):
            try:
                payload = load.load_payload(payload)
            except BadData as err:
                raise TokenInvalid("this link is not valid") from err
        if (
            not isinstance(payload, dict)
            or not isinstance(payload.get("b"), str)
            or not isinstance(payload.get("f"), str)
            or signed_at is None
        ):
            raise TokenInvalid("this link is not valid")
        customer_id, registration_id = payload.get("c"), payload.get("r")
        if purpose is Purpose.EMAIL_VERIFICATION:
            well_formed = isinstance(registration_id, str) and isinstance(customer_id, str | None)
        else:
            well_formed = isinstance(customer_id, str) and registration_id is None
        if not well_formed:
            raise TokenInvalid("this link is not valid")
        if payload["b"] != self._business_id:
            raise TokenWrongBusiness("this link belongs to another business")
        return TokenClaims(
            purpose=purpose,
            business_id=payload["b"],
            customer_id=customer_id,
            registration_id=registration_id,
            fingerprint=payload["f"],
            issued_at=signed_at,
            test=payload.get("t") == 1,
        )

    def _raise_if_other_purpose(self, token: str, purpose: Purpose) -> None:
        for other, serializer in self._serializers.items():
            if other is purpose:
                continue
            try:
                serializer.loads(token, max_age=None)
            except BadData:
                continue
            wanted, found = (p.value.replace("_", " ") for p in (purpose, other))
            raise TokenWrongPurpose(f"this link is for {found}, not {wanted}")


def _check_shape(token: object) -> None:
    """Refuse anything but the one canonical spelling of a token.

    Base64 decoding is lenient (it skips stray characters and ignores the
    unused low bits of the last character), so without this check several
    strings would verify as one token.
    """
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
