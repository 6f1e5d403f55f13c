"""Helpers for invitekit's own tests (not public API: public fakes live in invitekit.testing)."""

from __future__ import annotations

from typing import Any

from invitekit import InviteKit
from invitekit.adapters.memory import MemoryMailer
from invitekit.model import Customer, Email
from invitekit.testing import TEST_PASSWORD, extract_link, make_accepted_customer


def snapshot(kit: InviteKit) -> dict[str, Any]:
    """Everything a business can see through the facade, to compare before and after."""
    customers = kit.list_customers(archived=None)
    return {
        "customers": customers,
        "events": {c.id: kit.history(c.id) for c in customers},
        "outbox": kit.outbox_messages(),
        "groups": kit.list_groups(),
        "campaigns": kit.list_campaigns(),
        "memberships": {
            g.name: kit.list_customers(group=g.name, archived=None) for g in kit.list_groups()
        },
    }


PASSWORD = TEST_PASSWORD
ACTIVATE = "https://studio.example/activate/"
RESET = "https://studio.example/reset/"
VERIFY = "https://studio.example/verify/"
UNSUBSCRIBE = "https://studio.example/unsubscribe/"
EMAIL_CHANGE = "https://studio.example/email-change/"


def token_in(email: Email, prefix: str) -> str:
    """The token of the first link in ``email`` that starts with ``prefix``."""
    return extract_link(email, prefix).removeprefix(prefix)


def last_mail_to(mailer: MemoryMailer, address: str) -> Email:
    """The latest email delivered to ``address``."""
    mails = mailer.to(address)
    assert mails, f"no mail to {address}"
    return mails[-1]


def invite_and_deliver(kit: InviteKit, mailer: MemoryMailer, customer: Customer) -> Email:
    """Invite ``customer``, deliver, and return the invitation email."""
    kit.invite(customer.id)
    kit.deliver()
    return last_mail_to(mailer, customer.email)


def accepted_customer(
    kit: InviteKit, mailer: MemoryMailer, email: str = "ana@example.com", **names: str
) -> Customer:
    """A customer who activated the profile with :data:`PASSWORD`; ``mailer`` is emptied."""
    customer = make_accepted_customer(kit, email, **names).customer
    mailer.clear()
    return customer
