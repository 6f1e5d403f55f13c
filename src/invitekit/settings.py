"""How a kit uses its outbox: the settings campaigns and delivery workers follow."""

from __future__ import annotations

from datetime import timedelta

import attrs

from invitekit.exceptions import ConfigurationError

__all__ = ["OutboxSettings"]


@attrs.frozen(kw_only=True)
class OutboxSettings:
    """How delivery workers use the outbox.

    Attributes:
        batch_size: how many messages a worker claims at once.
        lease: how long a claim holds; a worker that dies loses its claim after it.
        max_attempts: attempts before a temporarily failing message is given up.
        retry_base: the first retry waits this long; each later one twice as long.
        retry_max: the longest wait between two attempts.
        campaign_batch_size: how many customers a campaign (planning and
            queueing) reads, decides and queues per transaction.  Larger batches
            commit less often; memory grows with it, not with the audience, and
            on SQLite each batch holds the write lock while it is queued.
        record_every: how many sent messages are recorded together, in one
            transaction (one commit, one ``fsync`` where the database syncs).
            A worker that dies after the mail server accepted a message and
            before its group is recorded sends that group's messages again once
            their lease ends, byte for byte the same; 1 records each message as
            soon as it is sent.  A group is also recorded at the end of its batch
            and once half the lease has passed.  See docs/reliability.md.
    """

    batch_size: int = 100
    lease: timedelta = timedelta(minutes=5)
    max_attempts: int = 8
    retry_base: timedelta = timedelta(minutes=1)
    retry_max: timedelta = timedelta(hours=6)
    campaign_batch_size: int = 1000
    record_every: int = 20

    def __attrs_post_init__(self) -> None:
        if (
            min(self.batch_size, self.max_attempts, self.campaign_batch_size, self.record_every)
            < 1
        ):
            raise ConfigurationError(
                "batch_size, max_attempts, campaign_batch_size and record_every must be at least 1"
            )
        if self.lease <= timedelta(0) or self.retry_base <= timedelta(0):
            raise ConfigurationError("lease and retry_base must be positive")

    def backoff(self, attempts: int) -> timedelta:
        """The wait after the ``attempts``-th failed attempt: 1, 2, 4... times ``retry_base``."""
        wait: timedelta = self.retry_base * (2 ** max(attempts - 1, 0))
        return min(wait, self.retry_max)
