"""Helpers for invitekit's own tests (not public API: public fakes live in invitekit.testing)."""

from __future__ import annotations

from typing import Any

from invitekit import InviteKit
from invitekit.model import Email


def snapshot(kit: InviteKit) -> dict[str, Any]:
    """Everything a business can see through the facade, to compare before and after."""
    customers = kit.list_customers(archived=None)
    return {
        "customers": customers,
        "events": {c.id: kit.history(c.id) for c in customers},
        "outbox": kit.outbox_messages(),
        "groups": kit.list_groups(),
        "memberships": {
            g.name: kit.list_customers(group=g.name, archived=None) for g in kit.list_groups()
        },
    }


def token_from(email: Email, url_prefix: str) -> str:
    """The token at the end of the first link in ``email`` that starts with ``url_prefix``."""
    from invitekit.testing import extract_link

    return extract_link(email, url_prefix)[len(url_prefix) :]


ACTIVATE = "https://studio.example/activate/"
UNSUBSCRIBE = "https://studio.example/unsubscribe/"
