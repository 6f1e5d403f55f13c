"""How often a login may fail and an address may be mailed: settings and keys."""

from __future__ import annotations

from datetime import timedelta

import attrs

from invitekit.exceptions import ConfigurationError

__all__ = ["LoginThrottle", "MailThrottle"]


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


@attrs.frozen(kw_only=True)
class MailThrottle:
    """How many account emails one address may be sent, so the forms cannot mail-bomb it.

    Every call of :meth:`~invitekit.InviteKit.request_password_reset` and
    :meth:`~invitekit.InviteKit.register` counts against the address typed,
    whether or not it belongs to a customer (so the limit reveals nothing);
    beyond the limit the call still answers the same way but sends nothing.
    Requests are kept in the Store, like login failures.

    Attributes:
        max_emails: requests per address within the window (default 5).
        window: default 1 hour.
    """

    max_emails: int = 5
    window: timedelta = timedelta(hours=1)

    def __attrs_post_init__(self) -> None:
        if self.max_emails < 1 or self.window < timedelta(seconds=1):
            raise ConfigurationError("mail throttle: need max_emails >= 1 and a window >= 1s")
