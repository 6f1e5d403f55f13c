"""How a kit uses its outbox, and a business's stored form.

:class:`OutboxSettings` are the settings campaigns and delivery workers follow.
A store keeps a :class:`~invitekit.model.Business` as the JSON text of
:func:`business_json` and reads it back with :func:`business_from_json`, so that
any worker can compose and pace for any business.
"""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import attrs

from invitekit.exceptions import ConfigurationError
from invitekit.model import Business
from invitekit.schedule import Pacing, Reminders

__all__ = ["OutboxSettings", "business_from_json", "business_json"]


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


# Settings stored before these fields existed have no key for them; a business
# that keeps the default is written without the key, so its text is unchanged
# and saving it again stores no new version.
_NESTED: dict[str, type[Pacing] | type[Reminders]] = {"pacing": Pacing, "reminders": Reminders}
# Optional fields added later: written only when set, for the same reason.
_LATER = ("booking_url", "email_change_url")


def business_json(business: Business) -> str:
    """A business's settings as JSON text, keys sorted, so equal settings are equal text."""
    values = attrs.asdict(business, recurse=False)
    cooldown = business.invitation_cooldown
    values["invitation_cooldown"] = None if cooldown is None else cooldown.total_seconds()
    for name, kind in _NESTED.items():
        value = values.pop(name)
        if value != kind():
            values[name] = value.to_dict()
    for name in _LATER:
        if values[name] is None:
            del values[name]
    return json.dumps(values, sort_keys=True, ensure_ascii=False)


def business_from_json(text: str) -> Business:
    """The :class:`~invitekit.model.Business` of :func:`business_json`'s text.

    Keys this version does not know (written by a newer one) are ignored;
    missing ones take their defaults.

    Raises:
        ConfigurationError: the stored values no longer make a valid business.
    """
    stored = json.loads(text)
    names = {field.name for field in attrs.fields(Business)}
    values: dict[str, Any] = {name: value for name, value in stored.items() if name in names}
    cooldown = values.get("invitation_cooldown")
    values["invitation_cooldown"] = None if cooldown is None else timedelta(seconds=cooldown)
    for name, kind in _NESTED.items():
        if isinstance(values.get(name), dict):
            values[name] = kind.from_dict(values[name])
    return Business(**values)
