"""Deprecated home of the throttle settings and :class:`~invitekit.model.LinkCheck`.

Kept so old imports work: the settings live in :mod:`invitekit.throttle`, the
link check in :mod:`invitekit.model`.
"""

from __future__ import annotations

from invitekit.model import LinkCheck
from invitekit.throttle import LoginThrottle, MailThrottle

__all__ = ["LinkCheck", "LoginThrottle", "MailThrottle"]
