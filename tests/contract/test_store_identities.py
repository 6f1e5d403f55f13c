"""The Store's identities: the uniqueness of (provider, subject) per business, on every store."""

from __future__ import annotations

from datetime import timedelta

import attrs
import pytest

from invitekit.exceptions import DuplicateIdentity
from invitekit.identities import Identity
from invitekit.ports import Store
from tests.contract.test_store import BIZ, T0, make_customer

ANA = make_customer(1)
BOB = make_customer(2)
GOOGLE = Identity(
    business_id=BIZ, customer_id=ANA.id, provider="google", subject="s-1", linked_at=T0
)


def _filled(store: Store) -> None:
    with store.transaction() as tx:
        tx.insert_customer(ANA)
        tx.insert_customer(BOB)
        tx.insert_identity(GOOGLE)


def test_an_identity_is_found_by_provider_and_exact_subject(store: Store) -> None:
    _filled(store)
    with store.transaction(readonly=True) as tx:
        assert tx.find_identity(BIZ, "google", "s-1") == GOOGLE
        assert tx.find_identity(BIZ, "google", "S-1") is None
        assert tx.find_identity(BIZ, "facebook", "s-1") is None
        assert tx.find_identity("other-business", "google", "s-1") is None
        assert tx.identities_of(BIZ, ANA.id) == [GOOGLE]
        assert tx.identities_of(BIZ, BOB.id) == []


def test_one_identity_links_one_customer_of_a_business(store: Store) -> None:
    _filled(store)
    with pytest.raises(DuplicateIdentity), store.transaction() as tx:
        tx.insert_identity(attrs.evolve(GOOGLE, customer_id=BOB.id))
    with store.transaction(readonly=True) as tx:
        assert tx.find_identity(BIZ, "google", "s-1") == GOOGLE  # the refused one left nothing


def test_the_same_identity_at_another_business_and_other_subjects_are_apart(
    store: Store,
) -> None:
    _filled(store)
    elsewhere = attrs.evolve(GOOGLE, business_id="studio-9", customer_id="cus_9")
    upper = attrs.evolve(GOOGLE, subject="S-1", linked_at=T0 + timedelta(seconds=1))
    facebook = attrs.evolve(GOOGLE, provider="facebook", linked_at=T0 + timedelta(seconds=2))
    with store.transaction() as tx:
        tx.insert_identity(elsewhere)
        tx.insert_identity(upper)
        tx.insert_identity(facebook)
    with store.transaction(readonly=True) as tx:
        assert tx.identities_of(BIZ, ANA.id) == [GOOGLE, upper, facebook]
        assert tx.identities_of("studio-9", "cus_9") == [elsewhere]


def test_unlinking_removes_the_providers_identities_of_the_customer_only(store: Store) -> None:
    _filled(store)
    other = attrs.evolve(GOOGLE, subject="s-2")
    bobs = attrs.evolve(GOOGLE, customer_id=BOB.id, subject="s-3")
    facebook = attrs.evolve(GOOGLE, provider="facebook")
    with store.transaction() as tx:
        for identity in (other, bobs, facebook):
            tx.insert_identity(identity)
    with store.transaction() as tx:
        assert tx.delete_identities(BIZ, ANA.id, "google") == 2
        assert tx.delete_identities(BIZ, ANA.id, "apple") == 0
    with store.transaction(readonly=True) as tx:
        assert tx.identities_of(BIZ, ANA.id) == [facebook]
        assert tx.identities_of(BIZ, BOB.id) == [bobs]


def test_a_rolled_back_unlink_keeps_the_identities(store: Store) -> None:
    _filled(store)
    with pytest.raises(RuntimeError), store.transaction() as tx:
        tx.delete_identities(BIZ, ANA.id, "google")
        raise RuntimeError("abandon")
    with store.transaction(readonly=True) as tx:
        assert tx.identities_of(BIZ, ANA.id) == [GOOGLE]


def test_a_link_undone_by_a_savepoint_leaves_nothing(store: Store) -> None:
    _filled(store)
    with store.transaction() as tx, pytest.raises(RuntimeError), tx.savepoint():
        tx.insert_identity(attrs.evolve(GOOGLE, subject="s-9"))
        raise RuntimeError("undo")
    with store.transaction(readonly=True) as tx:
        assert tx.identities_of(BIZ, ANA.id) == [GOOGLE]
