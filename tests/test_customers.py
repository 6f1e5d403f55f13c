from __future__ import annotations

import pytest

from invitekit import (
    CustomerNotFound,
    DuplicateCustomer,
    DuplicateGroup,
    EventKind,
    GroupNotFound,
    InvalidEmail,
    InvalidLocale,
    InvalidName,
    InviteKit,
    Status,
)
from invitekit.adapters.memory import MemoryMailer
from invitekit.testing import FakeClock

from .helpers import snapshot


def test_added_customer_has_status_added_and_an_event(invitekit_kit: InviteKit) -> None:
    customer = invitekit_kit.add_customer("ana@example.com", first_name="Ana", locale="es")
    assert customer.status is Status.ADDED
    assert invitekit_kit.get_customer(customer.id) == customer
    assert [e.kind for e in invitekit_kit.history(customer.id)] == [EventKind.ADDED]


def test_find_customer_ignores_case_of_the_local_part(invitekit_kit: InviteKit) -> None:
    customer = invitekit_kit.add_customer("Ana@Example.com")
    assert invitekit_kit.find_customer("ANA@example.COM") == customer
    assert invitekit_kit.find_customer("bob@example.com") is None


@pytest.mark.parametrize("duplicate", ["ANA@example.com", " ana@EXAMPLE.com ", "ana@example.com"])
def test_duplicate_email_is_refused_and_nothing_changes(
    invitekit_kit: InviteKit, duplicate: str
) -> None:
    original = invitekit_kit.add_customer("ana@example.com")
    before = snapshot(invitekit_kit)
    with pytest.raises(DuplicateCustomer) as caught:
        invitekit_kit.add_customer(duplicate)
    assert caught.value.existing_id == original.id
    assert snapshot(invitekit_kit) == before


def test_unicode_forms_of_one_address_are_duplicates(invitekit_kit: InviteKit) -> None:
    invitekit_kit.add_customer("jos\u00e9@example.com")
    with pytest.raises(DuplicateCustomer):
        invitekit_kit.add_customer("JOSE\u0301@example.com")


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"email": ""}, InvalidEmail),
        ({"email": "not-an-address"}, InvalidEmail),
        ({"email": "ana@example.com", "first_name": "Ana\r\nBcc: x"}, InvalidName),
        ({"email": "ana@example.com", "last_name": "x" * 201}, InvalidName),
        ({"email": "ana@example.com", "locale": "xx_NOPE"}, InvalidLocale),
        ({"email": "ana@example.com", "groups": ["missing"]}, GroupNotFound),
    ],
)
def test_bad_input_raises_library_errors_and_stores_nothing(
    invitekit_kit: InviteKit, kwargs: dict[str, object], error: type[Exception]
) -> None:
    before = snapshot(invitekit_kit)
    with pytest.raises(error):
        invitekit_kit.add_customer(**kwargs)  # type: ignore[arg-type]
    assert snapshot(invitekit_kit) == before


@pytest.mark.parametrize(
    "char",
    ["\u202e", "\u2067", "\u200b", "\u200d", "\ufeff", "\U000e0061", "\u061c", "\u3164"],
)
@pytest.mark.parametrize("field", ["first_name", "last_name"])
def test_names_with_invisible_or_direction_changing_characters_are_refused(
    invitekit_kit: InviteKit, field: str, char: str
) -> None:
    before = snapshot(invitekit_kit)
    with pytest.raises(InvalidName) as caught:
        invitekit_kit.add_customer("ana@example.com", **{field: f"An{char}a"})
    assert caught.value.field == field
    assert char not in str(caught.value)
    assert f"U+{ord(char):04X}" in str(caught.value)
    assert snapshot(invitekit_kit) == before


def test_a_group_name_with_a_direction_override_is_refused(invitekit_kit: InviteKit) -> None:
    with pytest.raises(InvalidName, match="U\\+202E"):
        invitekit_kit.create_group("Monday \u202eclass")


def test_unknown_customer_is_customer_not_found(invitekit_kit: InviteKit) -> None:
    with pytest.raises(CustomerNotFound):
        invitekit_kit.get_customer("cus_missing")
    with pytest.raises(LookupError):  # also a builtin LookupError
        invitekit_kit.archive_customer("cus_missing")


def test_locale_is_stored_canonically(invitekit_kit: InviteKit) -> None:
    assert invitekit_kit.add_customer("a@example.com", locale="de-AT").locale == "de_AT"


def test_update_changes_only_what_is_given(invitekit_kit: InviteKit) -> None:
    customer = invitekit_kit.add_customer("ana@example.com", first_name="Ana", last_name="Lopez")
    updated = invitekit_kit.update_customer(customer.id, first_name="Anita")
    assert (updated.first_name, updated.last_name) == ("Anita", "Lopez")
    assert invitekit_kit.get_customer(customer.id) == updated


def test_update_email_to_another_customers_address_is_refused(invitekit_kit: InviteKit) -> None:
    invitekit_kit.add_customer("ana@example.com")
    bob = invitekit_kit.add_customer("bob@example.com")
    before = snapshot(invitekit_kit)
    with pytest.raises(DuplicateCustomer):
        invitekit_kit.update_customer(bob.id, email="ANA@example.com")
    assert snapshot(invitekit_kit) == before


def test_update_email_case_only_keeps_identity(invitekit_kit: InviteKit) -> None:
    ana = invitekit_kit.add_customer("ana@example.com")
    updated = invitekit_kit.update_customer(ana.id, email="Ana@example.com")
    assert updated.email == "Ana@example.com"
    assert invitekit_kit.find_customer("ana@example.com") == updated


def test_update_email_makes_the_old_address_free(invitekit_kit: InviteKit) -> None:
    ana = invitekit_kit.add_customer("ana@example.com")
    invitekit_kit.update_customer(ana.id, email="ana.new@example.com")
    assert invitekit_kit.find_customer("ana@example.com") is None
    assert invitekit_kit.add_customer("ana@example.com").id != ana.id


def test_archive_and_restore_keep_the_status(invitekit_kit: InviteKit) -> None:
    ana = invitekit_kit.add_customer("ana@example.com", invite=True)
    invitekit_kit.deliver()
    archived = invitekit_kit.archive_customer(ana.id)
    assert archived.archived
    assert invitekit_kit.list_customers() == []
    assert invitekit_kit.list_customers(archived=True) == [archived]
    restored = invitekit_kit.restore_customer(ana.id)
    assert restored.status is Status.INVITED
    assert not restored.archived
    kinds = [e.kind for e in invitekit_kit.history(ana.id)]
    assert kinds[-2:] == [EventKind.ARCHIVED, EventKind.RESTORED]


def test_archiving_twice_records_one_event(invitekit_kit: InviteKit) -> None:
    ana = invitekit_kit.add_customer("ana@example.com")
    invitekit_kit.archive_customer(ana.id)
    invitekit_kit.archive_customer(ana.id)
    kinds = [e.kind for e in invitekit_kit.history(ana.id)]
    assert kinds.count(EventKind.ARCHIVED) == 1


def test_status_counts_exclude_archived(invitekit_kit: InviteKit) -> None:
    invitekit_kit.add_customer("a@example.com")
    b = invitekit_kit.add_customer("b@example.com", invite=True)
    c = invitekit_kit.add_customer("c@example.com")
    invitekit_kit.deliver()
    invitekit_kit.archive_customer(c.id)
    assert invitekit_kit.get_customer(b.id).status is Status.INVITED
    assert invitekit_kit.status_counts() == {
        Status.ADDED: 1,
        Status.INVITED: 1,
        Status.ACCEPTED: 0,
    }


def test_groups(invitekit_kit: InviteKit) -> None:
    monday = invitekit_kit.create_group("Monday class")
    a = invitekit_kit.add_customer("a@example.com")
    b = invitekit_kit.add_customer("b@example.com", groups=["monday CLASS"])
    invitekit_kit.add_customer("c@example.com")
    invitekit_kit.add_to_group("Monday class", [a.id, a.id])
    assert [c.id for c in invitekit_kit.list_customers(group="Monday class")] == [a.id, b.id]
    assert invitekit_kit.list_groups() == [monday]
    with pytest.raises(DuplicateGroup):
        invitekit_kit.create_group("MONDAY class")
    with pytest.raises(GroupNotFound):
        invitekit_kit.add_to_group("Tuesday", [a.id])
    with pytest.raises(InvalidName):
        invitekit_kit.create_group("   ")


def test_add_to_group_with_an_unknown_customer_adds_nobody(invitekit_kit: InviteKit) -> None:
    invitekit_kit.create_group("Monday class")
    a = invitekit_kit.add_customer("a@example.com")
    with pytest.raises(CustomerNotFound):
        invitekit_kit.add_to_group("Monday class", [a.id, "cus_missing"])
    assert invitekit_kit.list_customers(group="Monday class") == []


def test_list_by_status_in_creation_order(
    invitekit_kit: InviteKit, invitekit_clock: FakeClock
) -> None:
    emails = [f"c{i}@example.com" for i in range(5)]
    for email in emails:
        invitekit_kit.add_customer(email)
        invitekit_clock.advance(seconds=1)
    assert [c.email for c in invitekit_kit.list_customers(status=Status.ADDED)] == emails
    assert invitekit_kit.list_customers(status=Status.INVITED) == []


def test_repr_of_customer_hides_the_password_hash(invitekit_kit: InviteKit) -> None:
    customer = invitekit_kit.add_customer("ana@example.com")
    assert "password_hash" not in repr(customer)


def test_portal_is_only_for_accepted_active_customers(
    invitekit_kit: InviteKit, invitekit_mailer: MemoryMailer
) -> None:
    from .helpers import ACTIVATE, token_in

    ana = invitekit_kit.add_customer("ana@example.com", invite=True)
    assert not invitekit_kit.can_use_portal(ana.id)
    invitekit_kit.deliver()
    assert not invitekit_kit.can_use_portal(ana.id)  # Invited: products stay hidden
    invitekit_kit.accept_invitation(
        token_in(invitekit_mailer.outbox[0], ACTIVATE), "long password 1"
    )
    assert invitekit_kit.can_use_portal(ana.id)
    invitekit_kit.archive_customer(ana.id)
    assert not invitekit_kit.can_use_portal(ana.id)
    assert not invitekit_kit.can_use_portal("cus_unknown")
