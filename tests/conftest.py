"""Helpers shared by the account-security tests."""

from __future__ import annotations

import pytest

from invitekit.adapters.memory import MemoryMailer
from invitekit.model import Customer, Email
from invitekit.service import InviteKit
from invitekit.testing import extract_link

PASSWORD = "correct horse battery"
ACTIVATE = "https://studio.example/activate/"
RESET = "https://studio.example/reset/"
VERIFY = "https://studio.example/verify/"
UNSUBSCRIBE = "https://studio.example/unsubscribe/"


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
    """A customer who activated the profile with :data:`PASSWORD`."""
    customer = kit.add_customer(email, **names)
    invitation = invite_and_deliver(kit, mailer, customer)
    mailer.clear()
    return kit.accept_invitation(token_in(invitation, ACTIVATE), PASSWORD)


@pytest.fixture
def ana(invitekit_kit: InviteKit, invitekit_mailer: MemoryMailer) -> Customer:
    """Ana, an Accepted customer whose password is :data:`PASSWORD`."""
    return accepted_customer(invitekit_kit, invitekit_mailer, first_name="Ana")
