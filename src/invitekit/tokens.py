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

Anyone who knows a secret key can sign any link, so :class:`Tokens` refuses keys
that are easy to guess: shorter than :data:`MIN_KEY_BYTES`, made of fewer than
:data:`MIN_KEY_DISTINCT_BYTES` different bytes, with fewer than
:data:`MIN_KEY_BITS` bits by a Shannon estimate, or published by invitekit itself
(its README, documentation, examples and test key).  An :class:`InsecureKey` is
exempt: it is how tests and demos say that they know their key is not secret.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime, timedelta
from typing import Any

import attrs
from itsdangerous import BadData, BadSignature, SignatureExpired, Signer, URLSafeTimedSerializer
from itsdangerous.encoding import base64_decode, base64_encode
from itsdangerous.timed import TimestampSigner

from invitekit.exceptions import (
    ConfigurationError,
    TokenExpired,
    TokenInvalid,
    TokenWrongBusiness,
    TokenWrongPurpose,
)
from invitekit.model import Business, Customer, Purpose, Registration, Status, missing_link
from invitekit.ports import Clock

__all__ = [
    "InsecureKey",
    "Purpose",
    "TokenClaims",
    "TokenExpiry",
    "Tokens",
    "fingerprint",
    "link_url",
    "require_link",
    "verification_fingerprint",
]

#: A secret key's minimum length, in bytes of its UTF-8 encoding.
MIN_KEY_BYTES = 32
#: The fewest different byte values a secret key may be made of.
MIN_KEY_DISTINCT_BYTES = 10
#: The fewest bits a secret key may carry by a Shannon estimate of its byte frequencies.
MIN_KEY_BITS = 128
MAX_TOKEN_LENGTH = 2048
_MAKE_A_KEY = 'make one with: python -c "import secrets; print(secrets.token_urlsafe(32))"'
# Keys that invitekit's README, documentation, examples, benchmark and
# invitekit.testing.TEST_SECRET show (or once showed): everyone can read them.
_PUBLISHED_KEYS = frozenset(
    {
        "change-me-to-a-long-random-secret-key-of-32+-chars",
        "invitekit-test-secret-key-not-for-production-use",
        "demo-only-secret-key-0123456789abcdefghijklmnop",
        "4b1f0c9e-new-key-0123456789abcdefghijklmnop",
        "a-long-random-secret-key-for-this-example-only",
        "a-long-random-secret-key-of-32-characters-or-more",
        "a-secret-key-of-at-least-thirty-two-characters",
        "bench-secret-key-that-is-long-enough-0123456789",
    }
)
# payload.timestamp.signature in unpadded URL-safe base64 (a leading "." marks a
# compressed payload).
_TOKEN_SHAPE = re.compile(r"\.?[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+")


class InsecureKey(str):
    """A signing key that is known not to be secret: for tests, demos and documentation.

    :class:`Tokens` refuses a plain ``str`` key that is weak or that invitekit
    has published.  Wrapping a key in ``InsecureKey`` says, in code, that you
    know anyone may have it, and the key is accepted as it is: that is the
    opt-in for tests and demos (:data:`invitekit.testing.TEST_SECRET` is one).
    A key read from configuration is a plain ``str``, so it is always checked.

    Never wrap a production key: with a known key anyone can sign an activation
    or password-reset link for any customer.
    """

    __slots__ = ()


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


# The Business field holding each purpose's URL template.
_LINK_FIELDS = {
    Purpose.ACTIVATION: "activation_url",
    Purpose.PASSWORD_RESET: "reset_url",
    Purpose.EMAIL_VERIFICATION: "verify_url",
    Purpose.UNSUBSCRIBE: "unsubscribe_url",
}


def require_link(business: Business, purpose: Purpose) -> str:
    """The URL template of ``business`` for links with ``purpose``.

    Raises:
        ConfigurationError: the business has no URL for that purpose (``reset_url``
            and ``verify_url`` are optional); the message names the field.
    """
    field = _LINK_FIELDS[purpose]
    template: str | None = getattr(business, field)
    if template is None:
        raise missing_link(field)
    return template


def link_url(business: Business, purpose: Purpose, token: str) -> str:
    """The link of ``business`` for ``purpose``: its URL template with ``token`` in it.

    Raises:
        ConfigurationError: the business has no URL for ``purpose``; see
            :func:`require_link`.
    """
    return require_link(business, purpose).replace("{token}", token)


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


# The instant a token being signed is dated, when it is not "now": a queued email's
# links are signed as of the moment they were first issued (see Tokens.sign).
_SIGN_AS_OF: ContextVar[datetime | None] = ContextVar("invitekit_sign_as_of", default=None)


@contextmanager
def _as_of(at: datetime | None) -> Iterator[None]:
    reset = _SIGN_AS_OF.set(at)
    try:
        yield
    finally:
        _SIGN_AS_OF.reset(reset)


class _ClockSigner(TimestampSigner):
    """A TimestampSigner whose notion of "now" is the injected Clock (or a given instant)."""

    def __init__(self, *args: Any, clock: Clock, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._clock = clock

    def get_timestamp(self) -> int:
        return int((_SIGN_AS_OF.get() or self._clock.now()).timestamp())


class _Serializer(URLSafeTimedSerializer):
    """A URLSafeTimedSerializer that makes its signer once per salt, not once per token.

    A signer holds only its keys, salt and settings (the time comes from the
    clock at each signing), so one serves every token; making it was a tenth of
    signing one.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._signers: dict[str | bytes | None, Signer] = {}

    def make_signer(self, salt: str | bytes | None = None) -> Signer:
        signer = self._signers.get(salt)
        if signer is None:
            signer = self._signers[salt] = super().make_signer(salt)
        return signer


class Tokens:
    """Signs and verifies the tokens of one business.

    Args:
        business_id: every token is bound to it; another business's token is refused.
        secret_keys: a list of keys, newest first.  The first key signs; every key
            verifies, so a key can be rotated out gradually.  Each must be random:
            at least :data:`MIN_KEY_BYTES` bytes (UTF-8), at least
            :data:`MIN_KEY_DISTINCT_BYTES` different bytes, an estimated
            :data:`MIN_KEY_BITS` bits, and not a key invitekit has published;
            ``secrets.token_urlsafe(32)`` makes one.  An :class:`InsecureKey` is
            accepted as it is (tests and demos).
        clock: where time comes from.
        expiry: validity per purpose.

    Raises:
        ConfigurationError: ``secret_keys`` is not a list of keys, or a key is weak
            or published; the message says which key and how to make a good one.
    """

    def __init__(
        self,
        *,
        business_id: str,
        secret_keys: Sequence[str],
        clock: Clock,
        expiry: TokenExpiry | None = None,
    ) -> None:
        _check_keys(secret_keys)
        self._business_id = business_id
        self._clock = clock
        self.expiry = expiry or TokenExpiry()
        # itsdangerous signs with the *last* key of the list; ours signs with the first.
        keys = list(reversed(secret_keys))
        self._serializers = {
            purpose: _Serializer(
                keys,
                salt=f"invitekit.{purpose.value}",
                signer=_ClockSigner,
                signer_kwargs={"clock": clock, "digest_method": hashlib.sha256},
            )
            for purpose in Purpose
        }

    def __repr__(self) -> str:
        return f"Tokens(business_id={self._business_id!r}, expiry={self.expiry!r})"

    def sign(
        self,
        customer: Customer,
        purpose: Purpose,
        *,
        test: bool = False,
        issued_at: datetime | None = None,
    ) -> str:
        """Return a token for ``customer``'s current state and ``purpose``.

        Args:
            customer: whom the token is for; its state is the token's fingerprint.
            purpose: what the token is for.
            test: a test invitation's token.
            issued_at: the instant the token is dated (its validity counts from
                it); now by default.  Signing twice as of one instant gives the
                same token: a queued email's resend is the same bytes.

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
        with _as_of(issued_at):
            return str(self._serializers[purpose].dumps(payload))

    def sign_verification(
        self,
        registration: Registration,
        customer: Customer | None,
        *,
        issued_at: datetime | None = None,
    ) -> str:
        """Return an email-verification token for a sign-up.

        Args:
            registration: the stored sign-up; the token names it (``r``).
            customer: the existing customer whose address it is, if any; the
                token then names that customer too (``c``) and dies with their state.
            issued_at: the instant the token is dated; now by default.
        """
        payload: dict[str, Any] = {
            "b": registration.business_id,
            "r": registration.id,
            "f": verification_fingerprint(registration, customer),
        }
        if customer is not None:
            payload["c"] = customer.id
        with _as_of(issued_at):
            return str(self._serializers[Purpose.EMAIL_VERIFICATION].dumps(payload))

    def expires_at(
        self, purpose: Purpose, *, issued_at: datetime | None = None
    ) -> datetime | None:
        """When a token for ``purpose`` signed now (or at ``issued_at``) expires, or ``None``."""
        validity = self.expiry.of(purpose)
        if validity is None:
            return None
        moment = issued_at or self._clock.now()
        issued = datetime.fromtimestamp(int(moment.timestamp()), UTC)
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


def _check_keys(secret_keys: object) -> None:
    """Refuse anything but a non-empty list of strong (or explicitly insecure) keys."""
    if isinstance(secret_keys, str | bytes) or not isinstance(secret_keys, Sequence):
        raise ConfigurationError(
            "secret_keys must be a list of keys, newest first (secret_keys=[key]), "
            f"not {type(secret_keys).__name__}"
        )
    if not secret_keys:
        raise ConfigurationError("secret_keys must be a list of keys with at least one key")
    for index, key in enumerate(secret_keys):
        if not isinstance(key, str):
            raise ConfigurationError(
                f"secret_keys[{index}] must be a str, not {type(key).__name__}"
            )
        problem = None if isinstance(key, InsecureKey) else _weakness(key)
        if problem is not None:
            raise ConfigurationError(f"secret_keys[{index}] {problem}; {_MAKE_A_KEY}")


def _weakness(key: str) -> str | None:
    """What makes ``key`` easy to guess, or ``None`` if nothing visible does."""
    if key in _PUBLISHED_KEYS:
        return "is a key published by invitekit (its documentation, examples or tests)"
    try:
        raw = key.encode()
    except UnicodeEncodeError:
        return "is not valid text (it has a lone surrogate)"
    if len(raw) < MIN_KEY_BYTES:
        return f"is {len(raw)} bytes long; a secret key needs at least {MIN_KEY_BYTES} bytes"
    distinct = len(set(raw))
    if distinct < MIN_KEY_DISTINCT_BYTES:
        return (
            f"has too little entropy: it uses only {distinct} of the 256 byte values, "
            f"at least {MIN_KEY_DISTINCT_BYTES} are needed"
        )
    bits = _estimated_bits(raw)
    if bits < MIN_KEY_BITS:
        return (
            f"has too little entropy: about {bits:.0f} bits by the frequency of its "
            f"bytes, at least {MIN_KEY_BITS} are needed"
        )
    return None


def _estimated_bits(raw: bytes) -> float:
    """The Shannon entropy of ``raw``'s byte frequencies, times its length.

    This is what the key would carry if its bytes were drawn independently with
    the frequencies they have in it: an upper bound for a key with any structure
    (``"0123456789" * 4`` scores 133 bits), so it only catches keys that repeat
    few bytes too often.  A random ``secrets.token_urlsafe(32)`` key scores about
    210 bits, ``secrets.token_hex(32)`` about 245; a sentence can score as well,
    which is why the published keys are refused by name.
    """
    total = len(raw)
    return -sum(count * math.log2(count / total) for count in Counter(raw).values())


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
