"""Deprecated name of :mod:`invitekit.addresses`, kept so old imports work."""

from __future__ import annotations

from invitekit.addresses import *  # noqa: F403
from invitekit.addresses import __all__ as __all__
