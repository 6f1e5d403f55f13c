"""The hypothesis strategies draw only valid values, of every kind they promise."""

from __future__ import annotations

import subprocess
import sys

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from invitekit.addresses import parse_email
from invitekit.audience import Audience, AudienceKind
from invitekit.ids import new_id
from invitekit.model import Customer, Status
from invitekit.policy import Action, Booking, CancellationPolicy
from invitekit.testing import (
    TEST_PASSWORD,
    audiences,
    bookings,
    cancellation_policies,
    customers,
    email_addresses,
    fast_password_hasher,
    instants_near_clock_changes,
    time_zones,
)
from tests.stores import open_store, store_params


@given(email_addresses())
def test_every_address_is_valid_and_already_in_its_stored_form_but_the_domain(
    address: str,
) -> None:
    parsed = parse_email(address)
    assert parsed.address.split("@")[0] == address.split("@")[0]
    assert parse_email(parsed.address) == parsed


@given(email_addresses(unicode_local_part=False, unicode_domain=False))
def test_ascii_addresses_only_when_asked(address: str) -> None:
    assert address.isascii()
    parse_email(address)


def test_international_addresses_are_drawn() -> None:
    drawn: list[str] = []

    @settings(max_examples=200, database=None)
    @given(email_addresses())
    def collect(address: str) -> None:
        drawn.append(address)

    collect()
    locals_, domains = zip(*(address.split("@") for address in drawn), strict=True)
    assert any(not local.isascii() for local in locals_)
    assert any(not domain.isascii() for domain in domains)


@given(customers())
def test_a_customer_is_consistent_with_its_status(customer: Customer) -> None:
    assert customer.business_id == "studio-1"
    assert parse_email(customer.email).key == customer.email_key
    assert customer.created_at <= customer.updated_at
    if customer.status is Status.ADDED:
        assert customer.invited_at is customer.accepted_at is customer.password_hash is None
    if customer.status is Status.INVITED:
        assert customer.invited_at is not None
        assert customer.accepted_at is customer.password_hash is None
    if customer.status is Status.ACCEPTED:
        assert customer.accepted_at is not None
        assert (customer.auth_provider is None) == (customer.password_hash is not None)
    if customer.password_hash is not None:
        assert fast_password_hasher().verify(customer.password_hash, TEST_PASSWORD)


@pytest.mark.parametrize("kind", store_params())
def test_a_customer_is_stored_and_read_back_unchanged(kind: str) -> None:
    with open_store(kind) as store:

        @settings(max_examples=30, deadline=None, database=None)
        @given(st.data())
        def check(data: st.DataObject) -> None:
            customer = data.draw(customers(business_id=new_id("biz")))
            customer = attrs.evolve(customer, id=new_id("cus"))
            with store.transaction() as tx:
                tx.insert_customer(customer)
            with store.transaction() as tx:
                assert tx.get_customer(customer.business_id, customer.id) == customer

        check()


@given(audiences())
def test_audiences_are_everyone_or_a_status(audience: Audience) -> None:
    assert audience.kind in {AudienceKind.ALL, AudienceKind.STATUS}


@given(audiences(groups=["Monday class"], customer_ids=["cus_1"]))
def test_audiences_name_only_the_groups_and_customers_given(audience: Audience) -> None:
    assert audience.group_name in {None, "Monday class"}
    assert audience.customer_id in {None, "cus_1"}


def test_every_kind_of_audience_is_drawn() -> None:
    kinds: set[AudienceKind] = set()

    @settings(max_examples=100, database=None)
    @given(audiences(groups=["Monday class"], customer_ids=["cus_1"]))
    def collect(audience: Audience) -> None:
        kinds.add(audience.kind)

    collect()
    assert kinds == set(AudienceKind)


@given(policy=cancellation_policies(), booking=bookings(), action=st.sampled_from(Action))
def test_a_policy_judges_any_booking(
    policy: CancellationPolicy, booking: Booking, action: Action
) -> None:
    decision = policy.evaluate(booking, action, now=booking.created_at)
    assert decision.reason


@given(st.data())
def test_policies_and_instants_follow_the_zone_asked_for(data: st.DataObject) -> None:
    zone = data.draw(time_zones())
    assert data.draw(cancellation_policies(timezone=zone)).timezone == zone
    assert data.draw(instants_near_clock_changes(zone)).utcoffset() is not None


def test_without_hypothesis_the_strategies_name_the_extra_to_install() -> None:
    code = (
        "import sys; sys.modules['hypothesis'] = None\n"
        "from invitekit.testing import FakeClock, make_kit\n"
        "from invitekit.exceptions import MissingDependency\n"
        "try:\n"
        "    from invitekit.testing import email_addresses\n"
        "except MissingDependency as err:\n"
        "    print(err)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "pip install invitekit[testing]" in out.stdout
