"""A Mailer that fails on purpose, to test retries and error pages."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

import attrs

from invitekit.exceptions import PermanentDeliveryError, TemporaryDeliveryError
from invitekit.model import Email

__all__ = ["FlakyMailer"]


@attrs.define
class FlakyMailer:
    """A Mailer that fails when told to, and keeps what it did send in :attr:`sent`.

    Implements :class:`~invitekit.ports.Mailer`.

    Attributes:
        fail: decides for each email whether to fail: return ``None`` to send,
            ``"temporary"`` or ``"permanent"`` to raise that kind of failure.
        sent: every email accepted, in order.
        attempts: how many emails were offered, including failed ones.
    """

    fail: Callable[[Email], str | None] = lambda _email: None
    sent: list[Email] = attrs.field(factory=list)
    attempts: int = 0

    @contextmanager
    def session(self) -> Iterator[FlakyMailer]:
        """The mailer is its own session."""
        yield self

    def send(self, email: Email) -> None:
        """Record ``email`` or fail as :attr:`fail` decides."""
        self.attempts += 1
        verdict = self.fail(email)
        if verdict == "temporary":
            raise TemporaryDeliveryError("421 service not available, try again later")
        if verdict == "permanent":
            raise PermanentDeliveryError(f"550 mailbox unavailable: {email.to}")
        self.sent.append(email)
