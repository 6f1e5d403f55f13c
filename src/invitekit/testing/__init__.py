"""Helpers for testing code that uses invitekit: a controllable clock, faulty mailers and stores.

Everything here is public and stable, so an application's tests can use the
same fakes as invitekit's own (see also the pytest fixtures in
:mod:`invitekit.pytest_plugin`).  Each concern has its own module, and every
public name is importable from here:

* :mod:`~invitekit.testing.builders`: :func:`make_business`, :func:`make_kit`,
  :func:`make_accepted_customer` (and its :class:`AcceptedCustomer`).
* :mod:`~invitekit.testing.clock`: :class:`FakeClock`.
* :mod:`~invitekit.testing.mailers`: :class:`FlakyMailer`.
* :mod:`~invitekit.testing.faulty_store`: :class:`FaultyStore`.
* :mod:`~invitekit.testing.links`: :func:`extract_link`, :func:`extract_token`.
* :mod:`~invitekit.testing.crypto`: :data:`TEST_SECRET`, :data:`TEST_PASSWORD`,
  :func:`fast_password_hasher`, and
  :class:`~invitekit.tokens.InsecureKey` for a test's own published keys.
* :mod:`~invitekit.testing.smtp_server`: :class:`SMTPTestServer`, :class:`ReceivedMail`.
* :mod:`~invitekit.testing.webhook_server`: :class:`WebhookTestServer`,
  :class:`ReceivedWebhook` (needs ``invitekit[webhooks]``).
* :mod:`~invitekit.testing.strategies`: hypothesis strategies: :func:`email_addresses`,
  :func:`customers`, :func:`audiences`, :func:`cancellation_policies`, :func:`bookings`,
  :func:`time_zones`, :func:`instants_near_clock_changes`.

:class:`SMTPTestServer` needs ``aiosmtpd`` and ``trustme``, the strategies need
``hypothesis`` (``pip install invitekit[testing]`` installs all three).  Their
modules, the first of which imports :mod:`invitekit.adapters.smtp`, are imported
only when one of their names is first asked for, so
``from invitekit.testing import FakeClock`` stays light and works without them.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from invitekit.testing.builders import (
    AcceptedCustomer,
    make_accepted_customer,
    make_business,
    make_kit,
)
from invitekit.testing.clock import FakeClock
from invitekit.testing.crypto import (
    TEST_PASSWORD,
    TEST_SECRET,
    InsecureKey,
    fast_password_hasher,
)
from invitekit.testing.faulty_store import FaultyStore
from invitekit.testing.links import extract_link, extract_token
from invitekit.testing.mailers import FlakyMailer

if TYPE_CHECKING:
    from invitekit.testing.smtp_server import ReceivedMail, SMTPTestServer
    from invitekit.testing.strategies import (
        audiences,
        bookings,
        cancellation_policies,
        customers,
        email_addresses,
        instants_near_clock_changes,
        time_zones,
    )
    from invitekit.testing.webhook_server import ReceivedWebhook, WebhookTestServer

__all__ = [
    "TEST_PASSWORD",
    "TEST_SECRET",
    "AcceptedCustomer",
    "FakeClock",
    "FaultyStore",
    "FlakyMailer",
    "InsecureKey",
    "ReceivedMail",
    "ReceivedWebhook",
    "SMTPTestServer",
    "WebhookTestServer",
    "audiences",
    "bookings",
    "cancellation_policies",
    "customers",
    "email_addresses",
    "extract_link",
    "extract_token",
    "fast_password_hasher",
    "instants_near_clock_changes",
    "make_accepted_customer",
    "make_business",
    "make_kit",
    "time_zones",
]

# Names whose modules import an adapter or an optional dependency: imported on first use.
_LAZY = {
    "ReceivedMail": "invitekit.testing.smtp_server",
    "SMTPTestServer": "invitekit.testing.smtp_server",
    "ReceivedWebhook": "invitekit.testing.webhook_server",
    "WebhookTestServer": "invitekit.testing.webhook_server",
    **dict.fromkeys(
        [
            "audiences",
            "bookings",
            "cancellation_policies",
            "customers",
            "email_addresses",
            "instants_near_clock_changes",
            "time_zones",
        ],
        "invitekit.testing.strategies",
    ),
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_LAZY})
