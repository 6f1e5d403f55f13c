"""Outside text that no database can store (lone surrogates, NUL) is refused or names nothing.

Found by the reliability campaign (tests/reliability/test_hostile_input.py): such
text (JSON's ``"\\ud800"`` decodes to a lone surrogate) reached the SQL drivers and
escaped as ``UnicodeEncodeError`` or ``StorageError``; the memory store took it.
Every store now answers the same, with the library's own errors.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from invitekit import Business, InviteKit
from invitekit.adapters.memory import MemoryMailer
from invitekit.exceptions import (
    CustomerNotFound,
    GroupNotFound,
    InvalidCredentials,
    InvalidEmail,
    InvalidName,
    LoginThrottled,
    WeakPassword,
)
from invitekit.testing import make_kit

from .helpers import PASSWORD, accepted_customer
from .stores import open_store, store_params

SURROGATE = "\ud800"


@pytest.fixture(params=store_params(("memory", "sqlite", "postgresql")))
def kit(request: pytest.FixtureRequest, invitekit_business: Business) -> Iterator[InviteKit]:
    with open_store(request.param) as store:
        yield make_kit(store=store, business=invitekit_business)


@pytest.mark.parametrize("email", [f"a{SURROGATE}@example.com", "a\x85b@example.com"])
def test_an_address_with_a_lone_surrogate_or_c1_control_is_invalid(
    kit: InviteKit, email: str
) -> None:
    with pytest.raises(InvalidEmail):
        kit.add_customer(email)
    with pytest.raises(InvalidEmail):
        kit.request_password_reset(email)
    assert kit.list_customers() == []


def test_a_name_with_a_lone_surrogate_is_invalid(kit: InviteKit) -> None:
    with pytest.raises(InvalidName):
        kit.add_customer("ana@example.com", first_name=f"A{SURROGATE}")
    with pytest.raises(InvalidName):
        kit.create_group(f"Monday{SURROGATE}")
    assert kit.list_customers() == []
    assert kit.list_groups() == []


def test_a_csv_line_with_a_lone_surrogate_is_a_line_error(kit: InviteKit) -> None:
    report = kit.import_customers(f"email,first_name\nana@example.com,{SURROGATE}\n")
    assert report.added == ()
    assert [e.line for e in report.errors] == [2]


@pytest.mark.parametrize("text", [SURROGATE, "cus\x00"])
def test_an_unstorable_id_or_group_name_names_nothing(kit: InviteKit, text: str) -> None:
    with pytest.raises(CustomerNotFound):
        kit.get_customer(text)
    with pytest.raises(GroupNotFound):
        kit.list_customers(group=text)
    assert kit.can_use_portal(text) is False


def test_a_password_with_a_lone_surrogate_is_refused_and_never_matches(kit: InviteKit) -> None:
    mailer = kit.mailer
    assert isinstance(mailer, MemoryMailer)
    ana = accepted_customer(kit, mailer)
    with pytest.raises(WeakPassword):
        kit.register("bob@example.com", password=f"long enough {SURROGATE}")
    with pytest.raises(InvalidCredentials):
        kit.login(ana.email, PASSWORD + SURROGATE)
    assert kit.login(ana.email, PASSWORD).id == ana.id


@pytest.mark.parametrize("client", [f"203.0.113.7{SURROGATE}", "203.0.113.7\x00"])
def test_an_unstorable_client_key_is_throttled_like_any_other(kit: InviteKit, client: str) -> None:
    limit = kit.login_throttle.client_max_failures
    assert limit is not None
    for n in range(limit):
        with pytest.raises(InvalidCredentials):
            kit.login(f"nobody{n}@example.com", "not the password", client=client)
    with pytest.raises(LoginThrottled):
        kit.login("someone.else@example.com", "not the password", client=client)
