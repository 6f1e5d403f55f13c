"""Password rules (NIST SP 800-63B) and hashing (argon2id through argon2-cffi)."""

from __future__ import annotations

import functools
import importlib.resources
import re
import unicodedata
from collections.abc import Collection, Iterable
from typing import Any

import attrs
from argon2 import Parameters, Type, extract_parameters
from argon2 import PasswordHasher as _Argon2
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from argon2.low_level import hash_secret_raw, verify_secret

from invitekit.exceptions import ConfigurationError, WeakPassword

__all__ = ["PasswordHasher", "PasswordRules", "common_passwords"]

# What may follow a context word and still count as that word ("ana.garcia2024!").
_DECORATION = "0123456789!?.,-_#*@$%&+ "
_SURROGATE = re.compile(r"[\ud800-\udfff]")
# The argon2 work that makes up a failed check's cost is done on this, and thrown away.
_TIMING_SECRET = b"invitekit: the work of a check that found no match"
_TIMING_SALT = b"invitekit-timing"


def _fold_all(words: Iterable[str]) -> frozenset[str]:
    return frozenset(unicodedata.normalize("NFC", w).casefold() for w in words)


@functools.cache
def common_passwords() -> frozenset[str]:
    """A few hundred of the most common passwords, shipped with invitekit.

    The list (``invitekit/data/common-passwords.txt``) holds passwords that
    appear at the top of every published breach corpus.  It is a floor, not a
    ceiling: an application can pass a far bigger list (e.g. the top 100,000 of
    a breach corpus) as ``PasswordRules(blocklist=...)``.
    """
    text = (
        importlib.resources.files("invitekit")
        .joinpath("data/common-passwords.txt")
        .read_text(encoding="utf-8")
    )
    return _fold_all(
        line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")
    )


@attrs.frozen(kw_only=True)
class PasswordRules:
    """What a chosen password must satisfy, after NIST SP 800-63B.

    No composition rules (no "one digit, one symbol"), no periodic expiry, every
    printable character and space allowed, length counted in Unicode characters
    after NFC normalisation.

    Attributes:
        min_length: 8 by default, the SP 800-63B minimum for a password used
            together with a second factor.  Revision 4 asks for 15 when the
            password is the only factor; set ``min_length=15`` to follow it.
        max_length: 256; SP 800-63B asks to allow at least 64.
        blocklist: passwords refused as too common or guessable, compared
            case-insensitively (e.g. the top entries of a breach corpus).  Empty
            by default; :meth:`with_common_passwords` fills it with the list
            shipped with invitekit.
    """

    min_length: int = 8
    max_length: int = 256
    blocklist: frozenset[str] = attrs.field(default=frozenset(), converter=_fold_all)

    def __attrs_post_init__(self) -> None:
        if self.min_length < 1 or self.max_length < max(self.min_length, 64):
            raise ConfigurationError("password lengths: need 1 <= min_length and max_length >= 64")

    @classmethod
    def with_common_passwords(cls, *, extra: Iterable[str] = (), **kwargs: Any) -> PasswordRules:
        """Rules that also refuse the common passwords shipped with invitekit.

        Args:
            extra: further passwords to refuse (an app's own, bigger list).
            kwargs: the other attributes (``min_length``, ``max_length``).
        """
        return cls(blocklist=common_passwords() | _fold_all(extra), **kwargs)

    def check(self, password: str, *, context: Collection[str] = ()) -> str:
        """Return ``password`` NFC-normalised if it satisfies the rules.

        Args:
            password: the candidate.
            context: words specific to this customer (their email, name, the
                business name) that the password may not be, in any case, with
                or without spaces, or followed only by digits and punctuation
                (``"Ana2024!"`` for Ana).  For an email address its part
                before the ``@`` counts as a word too.

        Raises:
            WeakPassword: with a message that says what to change.
        """
        if not isinstance(password, str):
            raise WeakPassword("the password must be text", field="password", code="not_text")
        normalized = unicodedata.normalize("NFC", password)
        if "\x00" in normalized:
            raise WeakPassword(
                "the password contains a NUL character",
                field="password",
                code="control_character",
            )
        if _SURROGATE.search(normalized):
            raise WeakPassword(
                "the password contains invalid text", field="password", code="invalid_text"
            )
        if len(normalized) < self.min_length:
            raise WeakPassword(
                f"the password must have at least {self.min_length} characters",
                field="password",
                code="too_short",
                limit=self.min_length,
            )
        if len(normalized) > self.max_length:
            raise WeakPassword(
                f"the password must have at most {self.max_length} characters",
                field="password",
                code="too_long",
                limit=self.max_length,
            )
        folded = normalized.casefold()
        if folded in self.blocklist:
            raise WeakPassword(
                "this password is too common; choose another",
                field="password",
                code="too_common",
            )
        if _is_context_word(folded, context):
            raise WeakPassword(
                "the password may not be your email address, your name or the business's name",
                field="password",
                code="personal",
            )
        return normalized


def _is_context_word(folded: str, context: Collection[str]) -> bool:
    words: set[str] = set()
    for word in context:
        text = unicodedata.normalize("NFC", word or "").strip().casefold()
        if not text:
            continue
        words.update({text, text.replace(" ", "")})
        if "@" in text:
            words.add(text.rpartition("@")[0])
    words.discard("")
    candidates = {folded, folded.replace(" ", ""), folded.rstrip(_DECORATION)}
    return bool(candidates & words)


class PasswordHasher:
    """argon2id hashing with parameters that can be raised over time.

    Hashes made with other parameters still verify; :meth:`needs_rehash` says
    when to re-hash (at the next successful login).  Defaults are argon2-cffi's
    (RFC 9106 low-memory profile).

    A check that fails costs the same argon2 work whatever was stored -- no hash
    (an unknown address), a hash at the current parameters, one made with
    cheaper parameters years ago, or something that is not an argon2 hash at
    all -- so the time a login takes does not tell which (see :meth:`verify`).

    Args:
        time_cost: argon2 iterations.
        memory_cost: argon2 memory in KiB.
        parallelism: argon2 lanes.
    """

    def __init__(
        self, *, time_cost: int = 3, memory_cost: int = 65536, parallelism: int = 4
    ) -> None:
        # argon2-cffi only complains at the first hash; the RFC 9106 bounds, checked now.
        if time_cost < 1 or parallelism < 1 or memory_cost < 8 * parallelism:
            raise ConfigurationError(
                "invalid argon2 parameters: need time_cost >= 1, parallelism >= 1 "
                "and memory_cost >= 8 * parallelism (KiB)"
            )
        try:
            self._argon2 = _Argon2(
                time_cost=time_cost,
                memory_cost=memory_cost,
                parallelism=parallelism,
                type=Type.ID,
            )
        except Exception as err:  # argon2-cffi raises its own error types for bad parameters
            raise ConfigurationError(f"invalid argon2 parameters: {err}") from err

    def __repr__(self) -> str:
        p = self._argon2
        return (
            f"PasswordHasher(time_cost={p.time_cost}, memory_cost={p.memory_cost}, "
            f"parallelism={p.parallelism})"
        )

    def hash(self, password: str) -> str:
        """Hash ``password`` (already checked by :class:`PasswordRules`)."""
        return self._argon2.hash(password)

    def verify(self, password_hash: str | None, password: str) -> bool:
        """Whether ``password`` matches ``password_hash``.

        A check that fails always does the argon2 work of one check at the
        current parameters (passes times memory), whatever ``password_hash`` is:

        * ``None`` (an unknown address, a profile without a password): that work
          is done on a throwaway input and ``False`` returned;
        * a hash made with cheaper parameters: after its own check fails, the
          missing work is done at the current passes and parallelism, with the
          memory that makes up the difference;
        * something that is not an argon2 hash: the whole work, as for ``None``.

        A hash made with *dearer* parameters (after they were lowered) costs its
        own work until it is re-hashed at the next successful login.  Work is
        counted as passes times memory: keep ``parallelism`` when raising the
        parameters, as lanes run at a speed that depends on the machine's cores.
        A check that succeeds does only its own work.
        """
        # As bytes, so that typed text UTF-8 cannot carry (a lone surrogate) costs
        # the same work and simply matches nothing (such a password is never hashed).
        typed = password.encode("utf-8", "surrogatepass")
        done = 0  # the argon2 work done so far, in passes times KiB
        stored = _parameters(password_hash)
        if password_hash is not None and stored is not None:
            try:
                return verify_secret(password_hash.encode("ascii"), typed, stored.type)
            except VerifyMismatchError:
                done = stored.time_cost * stored.memory_cost
            except VerificationError:
                pass  # refused before any work (a corrupt hash)
        self._do_missing_work(done)
        return False

    def needs_rehash(self, password_hash: str) -> bool:
        """Whether ``password_hash`` was made with parameters other than the current ones."""
        try:
            return self._argon2.check_needs_rehash(password_hash)
        except (InvalidHashError, ValueError):
            return True

    def _do_missing_work(self, done: int) -> None:
        """Do the argon2 work a check at the current parameters does, less ``done``."""
        current = self._argon2
        missing = current.time_cost * current.memory_cost - done
        if missing <= 0:
            return
        memory = max(-(-missing // current.time_cost), 8 * current.parallelism)
        hash_secret_raw(
            _TIMING_SECRET,
            _TIMING_SALT,
            time_cost=current.time_cost,
            memory_cost=memory,
            parallelism=current.parallelism,
            hash_len=current.hash_len,
            type=Type.ID,
        )


def _parameters(password_hash: str | None) -> Parameters | None:
    """The argon2 parameters of a stored hash, or ``None`` if it is not an argon2 hash."""
    if password_hash is None or not password_hash.isascii():
        return None
    try:
        return extract_parameters(password_hash)
    except InvalidHashError:
        return None
