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
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime, timedelta
from typing import Any, cast

import attrs
from itsdangerous import BadData, BadSignature, SignatureExpired, Signer, URLSafeTimedSerializer
from itsdangerous.encoding import want_bytes
from itsdangerous.timed import TimestampSigner

from invitekit.email_change import EmailChange
from invitekit.exceptions import (
    ConfigurationError,
    TokenExpired,
    TokenInvalid,
    TokenWrongBusiness,
    TokenWrongPurpose,
)
from invitekit.model import Business, Customer, Purpose, Registration, Status, missing_link
from invitekit.ports import Clock
from invitekit.token_shape import check_shape

__all__ = [
    "InsecureKey",
    "Purpose",
    "TokenClaims",
    "TokenExpiry",
    "Tokens",
    "email_change_fingerprint",
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
# The end of year 9999: a booking token's valid_until is a datetime.
_MAX_EPOCH = 253_402_300_800
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
    24 hours, unsubscribe never (RFC 8058 one-click links must keep working),
    email change 24 hours.  A booking link has no fixed validity: it carries its
    own ``valid_until`` (see :meth:`Tokens.sign_booking`).
    """

    activation: timedelta | None = timedelta(days=14)
    password_reset: timedelta | None = timedelta(hours=1)
    email_verification: timedelta | None = timedelta(hours=24)
    unsubscribe: timedelta | None = None
    email_change: timedelta | None = timedelta(hours=24)

    def __attrs_post_init__(self) -> None:
        for name in attrs.fields_dict(type(self)):
            value = getattr(self, name)
            if value is not None and value <= timedelta(0):
                raise ConfigurationError(f"token expiry for {name} must be positive")

    def of(self, purpose: Purpose) -> timedelta | None:
        """The validity of links for ``purpose`` (``None`` for a booking: it has its own)."""
        if purpose is Purpose.BOOKING:
            return None
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
        handed: whether it is an activation link issued without email
            (:meth:`~invitekit.InviteKit.issue_activation_link`: the front desk,
            a QR code); it works like an emailed one but counts for no campaign.
        booking_id: for :attr:`Purpose.BOOKING`, the booking the link manages;
            ``None`` otherwise.
        valid_until: for :attr:`Purpose.BOOKING`, when the link stops working
            (aware UTC, whole seconds); ``None`` otherwise.
    """

    purpose: Purpose
    business_id: str
    customer_id: str | None
    registration_id: str | None = None
    fingerprint: str
    issued_at: datetime
    test: bool = False
    handed: bool = False
    booking_id: str | None = None
    valid_until: datetime | None = None


# The Business field holding each purpose's URL template.
_LINK_FIELDS = {
    Purpose.ACTIVATION: "activation_url",
    Purpose.PASSWORD_RESET: "reset_url",
    Purpose.EMAIL_VERIFICATION: "verify_url",
    Purpose.UNSUBSCRIBE: "unsubscribe_url",
    Purpose.BOOKING: "booking_url",
    Purpose.EMAIL_CHANGE: "email_change_url",
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
    when the password changes.  A booking link covers only the common parts: it
    outlives an activation or a password change.  The digest is not secret (it
    travels inside the signed token); it only has to change when the state changes.
    """
    parts = [purpose.value, customer.business_id, customer.id, customer.email_key]
    parts.append(str(customer.link_epoch))
    if purpose in (Purpose.ACTIVATION, Purpose.EMAIL_VERIFICATION):
        parts.append(str(customer.status is Status.ACCEPTED))
    if purpose is Purpose.PASSWORD_RESET:
        parts.append(customer.password_hash or "")
    return _digest(parts)


def email_change_fingerprint(customer: Customer, change: EmailChange) -> str:
    """The state an email-change token relies on: the customer's, and the pending request.

    It covers the customer as a password reset does (the address, the
    ``link_epoch`` and the password hash: the link dies when any changes), and
    the request's id and new address, so a newer request kills the older link.
    """
    parts = [fingerprint(customer, Purpose.EMAIL_CHANGE), customer.password_hash or ""]
    parts += [change.id, change.email_key]
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
    """A TimestampSigner whose notion of "now" is the injected Clock (or a given instant).

    It derives the signing key of each secret key once, not at every signature
    or check (itsdangerous's own derivation, kept).
    """

    def __init__(self, *args: Any, clock: Clock, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._clock = clock
        self._derived: dict[bytes, bytes] = {}

    def get_timestamp(self) -> int:
        return int((_SIGN_AS_OF.get() or self._clock.now()).timestamp())

    def derive_key(self, secret_key: str | bytes | None = None) -> bytes:
        key = self.secret_keys[-1] if secret_key is None else want_bytes(secret_key)
        derived = self._derived.get(key)
        if derived is None:
            derived = self._derived[key] = super().derive_key(key)
        return derived


class _Serializer(URLSafeTimedSerializer):
    """A URLSafeTimedSerializer that makes its signer once per salt, not once per token.

    A signer holds only its keys, salt and settings (the time comes from the
    clock at each signing), so one serves every token; making it was a tenth of
    signing one.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._signers: dict[str | bytes | None, Signer] = {}
        if self.fallback_signers:
            raise ValueError("verify() reads tokens with the serializer's one signer")
        self.signer_of_salt = cast(TimestampSigner, self.make_signer(self.salt))

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
        handed: bool = False,
        issued_at: datetime | None = None,
    ) -> str:
        """Return a token for ``customer``'s current state and ``purpose``.

        Args:
            customer: whom the token is for; its state is the token's fingerprint.
            purpose: what the token is for.
            test: a test invitation's token.
            handed: an activation link issued without email (see
                :attr:`TokenClaims.handed`).
            issued_at: the instant the token is dated (its validity counts from
                it); now by default.  Signing twice as of one instant gives the
                same token: a queued email's resend is the same bytes.

        Raises:
            ValueError: for :attr:`Purpose.EMAIL_VERIFICATION`, which names a
                sign-up: use :meth:`sign_verification`; for :attr:`Purpose.BOOKING`,
                which names a booking: use :meth:`sign_booking`; for
                :attr:`Purpose.EMAIL_CHANGE`, which names a request: use
                :meth:`sign_email_change`.
        """
        if purpose is Purpose.EMAIL_VERIFICATION:
            raise ValueError("email verification tokens name a sign-up: use sign_verification()")
        if purpose is Purpose.BOOKING:
            raise ValueError("booking tokens name a booking: use sign_booking()")
        if purpose is Purpose.EMAIL_CHANGE:
            raise ValueError("email change tokens name a request: use sign_email_change()")
        state = fingerprint(customer, purpose)
        return self._sign(customer, purpose, state, test=test, handed=handed, issued_at=issued_at)

    def sign_email_change(
        self, customer: Customer, change: EmailChange, *, issued_at: datetime | None = None
    ) -> str:
        """Return a token that confirms ``customer``'s pending email ``change``.

        Args:
            customer: whose address changes; the token dies with their state.
            change: the pending request; the token dies when a newer one replaces it.
            issued_at: the instant the token is dated; now by default.
        """
        state = email_change_fingerprint(customer, change)
        return self._sign(customer, Purpose.EMAIL_CHANGE, state, issued_at=issued_at)

    def _sign(
        self,
        customer: Customer,
        purpose: Purpose,
        state: str,
        *,
        test: bool = False,
        handed: bool = False,
        issued_at: datetime | None,
    ) -> str:
        payload: dict[str, Any] = {"b": customer.business_id, "c": customer.id, "f": state}
        if test:
            payload["t"] = 1
        if handed:
            payload["h"] = 1
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

    def sign_booking(self, customer: Customer, booking_id: str, valid_until: datetime) -> str:
        """Return a token for ``customer``'s booking ``booking_id``, valid until ``valid_until``.

        The payload names the business, the customer, the booking (``k``) and
        the end of validity (``u``, whole seconds since the epoch, rounded
        down); the fingerprint is ``customer``'s for :attr:`Purpose.BOOKING`.
        Signing the same values at the same instant gives the same token.

        Args:
            customer: whose booking it is.
            booking_id: the host application's id of the booking.
            valid_until: an aware datetime; the link is refused from then on.
        """
        payload: dict[str, Any] = {
            "b": customer.business_id,
            "c": customer.id,
            "k": booking_id,
            "u": math.floor(valid_until.timestamp()),
            "f": fingerprint(customer, Purpose.BOOKING),
        }
        return str(self._serializers[Purpose.BOOKING].dumps(payload))

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
        A booking token's age is its own ``valid_until``, compared with the clock.

        Raises:
            TokenInvalid: malformed, tampered with, or signed by an unknown key.
            TokenWrongPurpose: genuine, but for another purpose.
            TokenWrongBusiness: genuine, but issued by another business.
            TokenExpired: genuine but too old (``expired_at`` says since when).
        """
        check_shape(token)
        validity = self.expiry.of(purpose)
        max_age = None if validity is None else int(validity.total_seconds())
        serializer = self._serializers[purpose]
        try:
            # What ``serializer.loads`` does (a serializer with no fallback signers),
            # without its loop over signers: the signer checks the signature with
            # every key, then the age; the payload is read only once it is genuine.
            signed, signed_at = serializer.signer_of_salt.unsign(
                token, max_age=max_age, return_timestamp=True
            )
            payload = serializer.load_payload(signed)
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
        claims = self._claims(payload, purpose, signed_at)
        if claims.valid_until is not None and self._clock.now() >= claims.valid_until:
            raise TokenExpired("this link has expired", expired_at=claims.valid_until)
        return claims

    def peek(self, token: str, purpose: Purpose) -> TokenClaims:
        """Like :meth:`verify` but ignoring age: for explaining an expired link."""
        check_shape(token)
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
        booking_id, until = payload.get("k"), payload.get("u")
        if purpose is Purpose.EMAIL_VERIFICATION:
            well_formed = isinstance(registration_id, str) and isinstance(customer_id, str | None)
        else:
            well_formed = isinstance(customer_id, str) and registration_id is None
        if purpose is Purpose.BOOKING:
            well_formed = (
                well_formed
                and isinstance(booking_id, str)
                and type(until) is int
                and 0 < until < _MAX_EPOCH
            )
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
            handed=payload.get("h") == 1,
            booking_id=booking_id if purpose is Purpose.BOOKING else None,
            valid_until=(
                datetime.fromtimestamp(until, UTC)
                if purpose is Purpose.BOOKING and isinstance(until, int)
                else None
            ),
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
