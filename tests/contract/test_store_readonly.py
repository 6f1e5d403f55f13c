"""Read-only transactions: every Store reads through them and refuses every change."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import attrs
import pytest

from invitekit.email_change import EmailChange
from invitekit.exceptions import ReadOnlyViolation, StorageError
from invitekit.funnel import Campaign
from invitekit.identities import Identity
from invitekit.model import (
    Event,
    EventKind,
    Group,
    OutboxState,
    Registration,
    TemplateRevision,
)
from invitekit.ports import Store, Transaction
from invitekit.privacy import Retention
from invitekit.testing import FaultyStore, make_business
from invitekit.webhooks import Webhook
from tests.contract.test_store import BIZ, LEASE, T0, make_customer, make_message

ANA = make_customer(1, first_name="Ana")
STUDIO = make_business(id=BIZ)
YOGA = Group(id="grp_yoga", business_id=BIZ, name="Yoga", created_at=T0)
TEMPLATE = TemplateRevision(
    id="tpl_1",
    business_id=BIZ,
    kind="invitation",
    locale="de",
    subject="Hallo",
    body="Text",
    created_at=T0,
)
CAMPAIGN = Campaign(id="cmp_1", business_id=BIZ, created_at=T0, audience="all", by="staff-1")
INVITATION = attrs.evolve(make_message(ANA.id), campaign_id=CAMPAIGN.id)
ADDED = Event(business_id=BIZ, customer_id=ANA.id, kind=EventKind.ADDED, at=T0)
HOOK = Webhook(
    id="whk_1",
    business_id=BIZ,
    url="https://crm.example/hook",
    secret="whsec_" + "A" * 44,
    created_at=T0,
)
SIGN_UP = Registration(
    id="reg_1",
    business_id=BIZ,
    email="neu@example.com",
    email_key="neu@example.com",
    password_hash="$argon2id$hash",
    created_at=T0,
)

CHANGE = EmailChange(
    id="chg_1",
    business_id=BIZ,
    customer_id=ANA.id,
    email="ana.neu@example.com",
    email_key="ana.neu@example.com",
    requested_at=T0,
)


def read_in_a_savepoint(tx: Transaction) -> object:
    with tx.savepoint():
        return tx.get_customer(BIZ, ANA.id)


# Every method of a Transaction that changes nothing, called on the data of ``filled``.
LINKED = Identity(
    business_id=BIZ, customer_id=ANA.id, provider="google", subject="g-1", linked_at=T0
)

READS: dict[str, Callable[[Transaction], Any]] = {
    "find_identity": lambda tx: tx.find_identity(BIZ, "google", "g-1"),
    "identities_of": lambda tx: tx.identities_of(BIZ, ANA.id),
    "savepoint": read_in_a_savepoint,
    "get_customer": lambda tx: tx.get_customer(BIZ, ANA.id),
    "find_customer": lambda tx: tx.find_customer(BIZ, ANA.email_key),
    "list_customers": lambda tx: tx.list_customers(BIZ),
    "count_customers": lambda tx: tx.count_customers(BIZ),
    "find_group": lambda tx: tx.find_group(BIZ, "yoga"),
    "list_groups": lambda tx: tx.list_groups(BIZ),
    "group_ids_of": lambda tx: tx.group_ids_of(BIZ, ANA.id),
    "get_business": lambda tx: tx.get_business(BIZ),
    "latest_template": lambda tx: tx.latest_template(BIZ, "invitation", "de"),
    "get_template_revision": lambda tx: tx.get_template_revision(BIZ, TEMPLATE.id),
    "pending_customer_ids": lambda tx: tx.pending_customer_ids(BIZ, "invitation", [ANA.id]),
    "get_outbox": lambda tx: tx.get_outbox(INVITATION.id),
    "list_outbox": lambda tx: tx.list_outbox(BIZ),
    "list_events": lambda tx: tx.list_events(BIZ, ANA.id),
    "count_attempts": lambda tx: tx.count_attempts(BIZ, "email:ana", since=T0),
    "get_registration": lambda tx: tx.get_registration(BIZ, SIGN_UP.id),
    "registrations_for": lambda tx: tx.registrations_for(BIZ, SIGN_UP.email_key),
    "get_email_change": lambda tx: tx.get_email_change(BIZ, ANA.id),
    "get_campaign": lambda tx: tx.get_campaign(BIZ, CAMPAIGN.id),
    "list_campaigns": lambda tx: tx.list_campaigns(BIZ),
    "last_campaign_of": lambda tx: tx.last_campaign_of(BIZ, ANA.id),
    "customer_and_unopened_campaign": lambda tx: tx.customer_and_unopened_campaign(BIZ, ANA.id),
    "campaign_sends": lambda tx: tx.campaign_sends(BIZ, CAMPAIGN.id),
    "business_ids": lambda tx: tx.business_ids(),
    "attempt_times": lambda tx: tx.attempt_times(BIZ, "email:ana", since=T0),
    "reminder_candidates": lambda tx: tx.reminder_candidates(
        BIZ, invited_before=T0, max_reminders=2
    ),
    "campaign_counts": lambda tx: tx.campaign_counts(BIZ, CAMPAIGN.id, now=T0),
    "read_feed": lambda tx: tx.read_feed(BIZ, after=0, limit=10),
    "feed_head": lambda tx: tx.feed_head(BIZ),
    "list_webhooks": lambda tx: tx.list_webhooks(BIZ),
}

# Every changing method, each a change that a writing transaction would make.
WRITES: dict[str, Callable[[Transaction], object]] = {
    "insert_identity": lambda tx: tx.insert_identity(attrs.evolve(LINKED, subject="g-2")),
    "delete_identities": lambda tx: tx.delete_identities(BIZ, ANA.id, "google"),
    "insert_customer": lambda tx: tx.insert_customer(make_customer(2)),
    "update_customer": lambda tx: tx.update_customer(
        attrs.evolve(ANA, first_name="Anna", version=2), expected_version=1
    ),
    "insert_group": lambda tx: tx.insert_group(attrs.evolve(YOGA, id="grp_2", name="Pilates")),
    "add_group_members": lambda tx: tx.add_group_members(BIZ, YOGA.id, ["cus_0002"]),
    "save_business": lambda tx: tx.save_business(attrs.evolve(STUDIO, name="Two"), at=T0),
    "insert_template_revision": lambda tx: tx.insert_template_revision(
        attrs.evolve(TEMPLATE, id="tpl_2", subject="Servus")
    ),
    "enqueue": lambda tx: tx.enqueue([make_message("cus_0002")]),
    "cancel_pending": lambda tx: tx.cancel_pending(BIZ, ANA.id, reason="withdrawn"),
    "claim_outbox": lambda tx: tx.claim_outbox(
        now=T0, lease_until=T0 + LEASE, claim_token="clm_a", limit=10
    ),
    "update_outbox": lambda tx: tx.update_outbox(
        attrs.evolve(INVITATION, state=OutboxState.SENT, sent_at=T0), claim_token=None
    ),
    "add_events": lambda tx: tx.add_events([attrs.evolve(ADDED, kind=EventKind.ARCHIVED)]),
    "record_attempt": lambda tx: tx.record_attempt(BIZ, "email:ana", T0 + timedelta(1)),
    "clear_attempts": lambda tx: tx.clear_attempts(BIZ, "email:ana"),
    "forget_attempts": lambda tx: tx.forget_attempts(BIZ, "email:ana", before=T0 + timedelta(9)),
    "reserve_attempt": lambda tx: tx.reserve_attempt(
        BIZ, "email:ana", at=T0 + timedelta(1), since=T0, limit=10
    ),
    "release_attempt": lambda tx: tx.release_attempt(BIZ, "email:ana", 10**9, with_earlier=True),
    "insert_registration": lambda tx: tx.insert_registration(attrs.evolve(SIGN_UP, id="reg_2")),
    "delete_registration": lambda tx: tx.delete_registration(BIZ, SIGN_UP.id),
    "put_email_change": lambda tx: tx.put_email_change(attrs.evolve(CHANGE, id="chg_2")),
    "delete_email_change": lambda tx: tx.delete_email_change(BIZ, ANA.id),
    "insert_campaign": lambda tx: tx.insert_campaign(attrs.evolve(CAMPAIGN, id="cmp_2")),
    "update_campaign": lambda tx: tx.update_campaign(
        attrs.evolve(CAMPAIGN, paused_at=T0, pause_reason="bounces")
    ),
    # Taking a lock is for a transaction about to write (FOR UPDATE is refused in
    # a read-only transaction on the server databases).
    "lock_campaign": lambda tx: tx.lock_campaign(BIZ, CAMPAIGN.id),
    "pause_outbox": lambda tx: tx.pause_outbox(BIZ, CAMPAIGN.id),
    "resume_outbox": lambda tx: tx.resume_outbox(BIZ, CAMPAIGN.id),
    "erase_customer": lambda tx: tx.erase_customer(
        BIZ, ANA.id, email_keys=[ANA.email_key], now=T0
    ),
    "purge": lambda tx: tx.purge(BIZ, Retention().cutoffs(T0 + timedelta(days=5000)), limit=10),
    "insert_webhook": lambda tx: tx.insert_webhook(attrs.evolve(HOOK, id="whk_2")),
    "delete_webhook": lambda tx: tx.delete_webhook(BIZ, HOOK.id),
    "claim_webhooks": lambda tx: tx.claim_webhooks(
        now=T0, lease_until=T0 + LEASE, claim_token="clm_w", limit=10
    ),
    "update_webhook": lambda tx: tx.update_webhook(
        attrs.evolve(HOOK, failures=1), claim_token="clm_none"
    ),
}


@pytest.fixture
def filled(store: Store) -> Store:
    """The store with a customer in a group, a template, a queued message and the rest."""
    with store.transaction() as tx:
        tx.insert_customer(ANA)
        tx.insert_group(YOGA)
        tx.add_group_members(BIZ, YOGA.id, [ANA.id])
        tx.save_business(STUDIO, at=T0)
        tx.insert_template_revision(TEMPLATE)
        tx.enqueue([INVITATION])
        tx.add_events([ADDED])
        tx.record_attempt(BIZ, "email:ana", T0)
        tx.insert_registration(SIGN_UP)
        tx.insert_campaign(CAMPAIGN)
        tx.insert_identity(LINKED)
        tx.put_email_change(CHANGE)
        tx.insert_webhook(HOOK)
    return store


def everything(store: Store, *, readonly: bool = True) -> dict[str, Any]:
    """What every reading method answers, in one transaction."""
    with store.transaction(readonly=readonly) as tx:
        return {name: read(tx) for name, read in READS.items()}


def test_every_method_of_a_transaction_is_a_read_or_a_write() -> None:
    methods = {name for name, _ in inspect.getmembers(Transaction, inspect.isfunction)}
    assert {name for name in methods if not name.startswith("_")} == {*READS, *WRITES}


def test_a_read_only_transaction_sees_the_committed_data(filled: Store) -> None:
    seen = everything(filled)

    assert seen == everything(filled, readonly=False)
    assert seen["get_customer"] == ANA
    assert seen["group_ids_of"] == [YOGA.id]
    assert seen["list_outbox"] == [INVITATION]
    assert seen["get_registration"] == SIGN_UP
    assert seen["identities_of"] == [LINKED]
    assert seen["get_email_change"] == CHANGE


def test_a_read_only_transaction_sees_what_was_committed_after_the_last_one(
    filled: Store,
) -> None:
    everything(filled)
    with filled.transaction() as tx:
        tx.insert_customer(make_customer(2))

    with filled.transaction(readonly=True) as tx:
        assert [c.id for c in tx.list_customers(BIZ)] == [ANA.id, "cus_0002"]


@pytest.mark.parametrize("write", WRITES)
def test_a_change_in_a_read_only_transaction_is_refused_and_changes_nothing(
    filled: Store, write: str
) -> None:
    before = everything(filled)

    with filled.transaction(readonly=True) as tx:
        with pytest.raises(ReadOnlyViolation, match=write):
            WRITES[write](tx)
        still_readable = tx.get_customer(BIZ, ANA.id)

    assert still_readable == ANA
    assert everything(filled) == before


def test_a_refused_change_is_a_storage_error(filled: Store) -> None:
    with filled.transaction(readonly=True) as tx, pytest.raises(StorageError):
        tx.add_events([ADDED])


def test_a_read_only_transaction_that_raises_leaves_the_store_usable(filled: Store) -> None:
    with pytest.raises(ReadOnlyViolation), filled.transaction(readonly=True) as tx:
        tx.insert_customer(make_customer(2))

    with filled.transaction() as tx:
        tx.insert_customer(make_customer(2))
    assert len(everything(filled)["list_customers"]) == 2


def test_read_only_transactions_cannot_be_nested(store: Store) -> None:
    with store.transaction(), pytest.raises(StorageError), store.transaction(readonly=True):
        pass  # pragma: no cover


def test_a_faulty_store_passes_readonly_to_the_store_it_wraps(filled: Store) -> None:
    faulty = FaultyStore(filled)

    with faulty.transaction(readonly=True) as tx:
        found = tx.get_customer(BIZ, ANA.id)
        with pytest.raises(ReadOnlyViolation):
            tx.insert_customer(make_customer(2))

    assert found == ANA
    assert everything(filled)["list_customers"] == [ANA]
