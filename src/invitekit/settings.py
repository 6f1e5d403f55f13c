"""How a kit delivers: the outbox settings a delivery worker follows, and a business's stored form.

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
    """

    batch_size: int = 100
    lease: timedelta = timedelta(minutes=5)
    max_attempts: int = 8
    retry_base: timedelta = timedelta(minutes=1)
    retry_max: timedelta = timedelta(hours=6)

    def __attrs_post_init__(self) -> None:
        if self.batch_size < 1 or self.max_attempts < 1:
            raise ConfigurationError("batch_size and max_attempts must be at least 1")
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


def business_json(business: Business) -> str:
    """A business's settings as JSON text, keys sorted, so equal settings are equal text."""
    values = attrs.asdict(business, recurse=False)
    cooldown = business.invitation_cooldown
    values["invitation_cooldown"] = None if cooldown is None else cooldown.total_seconds()
    for name, kind in _NESTED.items():
        value = values.pop(name)
        if value != kind():
            values[name] = value.to_dict()
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
