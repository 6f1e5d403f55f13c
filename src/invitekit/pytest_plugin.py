"""pytest fixtures for applications that use invitekit (registered as the ``invitekit`` plugin).

Installed with invitekit and enabled automatically through the ``pytest11``
entry point.  Every fixture is function-scoped and independent:

* ``invitekit_clock``: a :class:`~invitekit.testing.FakeClock` at 2026-01-05 09:00 UTC.
* ``invitekit_store``: a fresh :class:`~invitekit.adapters.memory.MemoryStore`.
* ``invitekit_mailer``: a fresh :class:`~invitekit.adapters.memory.MemoryMailer`.
* ``invitekit_business``: a :class:`~invitekit.Business` ("Studio One", Europe/Vienna).
* ``invitekit_kit``: an :class:`~invitekit.InviteKit` wired to the four above, with
  the published test key and cheap password hashing.

Each fixture is one of the builders of :mod:`invitekit.testing`
(:func:`~invitekit.testing.make_business`, :func:`~invitekit.testing.make_kit`), which
build the same objects outside pytest.

Override any of them in your ``conftest.py`` to change one piece, e.g. a
business of your own; ``invitekit_kit`` picks the override up.
"""

from __future__ import annotations

import pytest

from invitekit.adapters.memory import MemoryMailer, MemoryStore
from invitekit.model import Business
from invitekit.service import InviteKit
from invitekit.testing import FakeClock, make_business, make_kit


@pytest.fixture
def invitekit_clock() -> FakeClock:
    """A FakeClock at Monday 2026-01-05 09:00 UTC; move it with ``advance(...)``."""
    return FakeClock()


@pytest.fixture
def invitekit_store() -> MemoryStore:
    """An empty MemoryStore."""
    return MemoryStore()


@pytest.fixture
def invitekit_mailer() -> MemoryMailer:
    """A MemoryMailer; read what was sent in ``invitekit_mailer.outbox``."""
    return MemoryMailer()


@pytest.fixture
def invitekit_business() -> Business:
    """A business called "Studio One" in Europe/Vienna, German by default."""
    return make_business()


@pytest.fixture
def invitekit_kit(
    invitekit_store: MemoryStore,
    invitekit_mailer: MemoryMailer,
    invitekit_clock: FakeClock,
    invitekit_business: Business,
) -> InviteKit:
    """An InviteKit on the memory backends and the fake clock, ready to use."""
    return make_kit(
        store=invitekit_store,
        mailer=invitekit_mailer,
        clock=invitekit_clock,
        business=invitekit_business,
    )
