"""Deprecated name of :mod:`invitekit.transitions`, kept so old imports work."""

from __future__ import annotations

from invitekit.transitions import *  # noqa: F403
from invitekit.transitions import __all__ as __all__
