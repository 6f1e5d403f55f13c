"""How often a login may fail and an address may be mailed: settings, keys, waits.

Attempts are counted in the Store under a key per thing protected: one per
email address (``"email:<key>"``), one per client (``"client:<ip>"``) for
logins, one per address for account emails (``"mail:<key>"``).  This module
names those keys and computes, from the counts, when a throttled key allows an
attempt again; the flows do the counting inside their transactions, with
:meth:`~invitekit.ports.Transaction.reserve_attempt`: an attempt is counted
before it is tried, in one atomic step, so requests arriving together cannot
all pass before the first is counted.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable
from datetime import datetime, timedelta

import attrs

from invitekit.exceptions import ConfigurationError
from invitekit.model import storable

__all__ = [
    "LoginThrottle",
    "MailThrottle",
    "client_key",
    "email_key",
    "mail_key",
    "retry_at",
]


@attrs.frozen(kw_only=True)
class LoginThrottle:
    """How many failed logins are tolerated before further attempts are refused.

    Failures are kept in the Store (so the limit holds across processes and
    across every :class:`~invitekit.InviteKit` sharing it), counted over a
    sliding ``window``.  Once a key has ``max_failures`` failures within the
    window, attempts are refused with :class:`~invitekit.LoginThrottled` --
    before the password is even checked -- until enough of those failures are
    older than the window.  A refused attempt is not itself counted, so the
    lock ends at the announced ``retry_at``.

    Each attempt is counted as a failure *before* its password is checked, and
    forgotten if the password was right: however many attempts arrive at once
    (threads, processes, machines sharing the Store), no more than
    ``max_failures`` passwords are checked per key and window, except that a
    successful login forgets the address's failures counted before it (attempts
    still being checked stay counted).

    Attributes:
        max_failures: failures per email address (default 5).  Unknown addresses
            count exactly like known ones, so the throttle reveals nothing.
        window: how far back failures count (default 15 minutes).
        client_max_failures: failures per client key (an IP address, say) when
            :meth:`~invitekit.InviteKit.login` is given one (default 50: a client
            trying many addresses); ``None`` disables the client limit.
    """

    max_failures: int = 5
    window: timedelta = timedelta(minutes=15)
    client_max_failures: int | None = 50

    def __attrs_post_init__(self) -> None:
        if self.max_failures < 1 or (
            self.client_max_failures is not None and self.client_max_failures < 1
        ):
            raise ConfigurationError("login throttle limits must be at least 1")
        if self.window < timedelta(seconds=1):
            raise ConfigurationError("the login throttle window must be at least one second")

    def keys(self, email: str | None, client: str | None) -> list[tuple[str, int]]:
        """The keys a login attempt counts against, each with its limit.

        Args:
            email: the canonical key of the address typed, or ``None`` when it is
                not an address at all.
            client: the client key given to ``login``, or ``None``.
        """
        keys = []
        if email is not None:
            keys.append((email_key(email), self.max_failures))
        if client is not None and self.client_max_failures is not None:
            keys.append((client_key(client), self.client_max_failures))
        return keys


@attrs.frozen(kw_only=True)
class MailThrottle:
    """How many account emails one address may be sent, so the forms cannot mail-bomb it.

    Every call of :meth:`~invitekit.InviteKit.request_password_reset` and
    :meth:`~invitekit.InviteKit.register` counts against the address typed,
    whether or not it belongs to a customer (so the limit reveals nothing);
    beyond the limit the call still answers the same way but sends nothing.
    Requests are kept in the Store, like login failures, and counted atomically:
    however many arrive at once, at most ``max_emails`` emails are sent.

    Attributes:
        max_emails: requests per address within the window (default 5).
        window: default 1 hour.
    """

    max_emails: int = 5
    window: timedelta = timedelta(hours=1)

    def __attrs_post_init__(self) -> None:
        if self.max_emails < 1 or self.window < timedelta(seconds=1):
            raise ConfigurationError("mail throttle: need max_emails >= 1 and a window >= 1s")


def email_key(address_key: str) -> str:
    """The throttle key of failed logins for one address (its canonical key)."""
    return f"email:{address_key}"


def mail_key(address_key: str) -> str:
    """The throttle key of account emails requested for one address."""
    return f"mail:{address_key}"


def client_key(client: str) -> str:
    """The throttle key of failed logins from one client (an IP address, say).

    Client keys come from outside (a header, say): a long or unstorable one
    (NUL, lone surrogate) is replaced by its SHA-256, so the stored key stays
    short and storable.
    """
    text = str(client)
    if len(text) > 64 or not storable(text):
        text = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
    return f"client:{text}"


def retry_at(
    count_since: Callable[[datetime], int], *, limit: int, window: timedelta, now: datetime
) -> datetime | None:
    """When a key allows an attempt again, or ``None`` if it allows one now.

    A key allows an attempt while fewer than ``limit`` attempts were counted in
    the last ``window``.  The Store only counts, so this finds, to the second,
    the moment enough of them have left the window (a few counts, on a rare path).

    Args:
        count_since: how many attempts were recorded at or after a moment.
        limit: the attempts allowed per window.
        window: how far back attempts count.
        now: the current time.
    """

    def recent(offset: int) -> int:
        return count_since(now - window + timedelta(seconds=offset))

    if recent(0) < limit:
        return None
    low, high = 0, math.ceil(window.total_seconds()) + 1
    while high - low > 1:
        middle = (low + high) // 2
        low, high = (middle, high) if recent(middle) >= limit else (low, middle)
    return now + timedelta(seconds=high)
