"""Who may be handed an activation link without email: the pure rule, for every customer."""

from __future__ import annotations

from hypothesis import given

from invitekit import SkipReason, Status
from invitekit.model import Customer
from invitekit.testing.strategies import customers
from invitekit.transitions import activation_link_block


@given(customers())
def test_only_an_accepted_or_archived_profile_blocks_a_handed_link(customer: Customer) -> None:
    expected = (
        SkipReason.ACCEPTED
        if customer.status is Status.ACCEPTED
        else SkipReason.ARCHIVED
        if customer.archived
        else None
    )
    # Unsubscribed, undeliverable or recently invited customers get one all the same.
    assert activation_link_block(customer) is expected
