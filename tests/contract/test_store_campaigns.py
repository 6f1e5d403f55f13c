"""Campaigns in the Store contract: stored, listed, paused, and named by outbox rows and events."""

from __future__ import annotations

from datetime import timedelta

import attrs
import pytest

from invitekit.exceptions import ConcurrentUpdate
from invitekit.funnel import Campaign
from invitekit.model import Event, EventKind, OutboxState
from invitekit.ports import Store
from tests.contract.test_store import BIZ, OTHER, T0, add_customers, make_customer, make_message

SPRING = Campaign(id="cmp_0001", business_id=BIZ, created_at=T0, audience="all", by="staff-7")
AUTUMN = Campaign(
    id="cmp_0002",
    business_id=BIZ,
    created_at=T0 + timedelta(days=180),
    audience="group:Monday class",
)


def test_a_campaign_is_stored_and_listed_newest_first_by_business(store: Store) -> None:
    elsewhere = attrs.evolve(SPRING, id="cmp_0003", business_id=OTHER)
    with store.transaction() as tx:
        tx.insert_campaign(SPRING)
        tx.insert_campaign(AUTUMN)
        tx.insert_campaign(elsewhere)

    with store.transaction(readonly=True) as tx:
        assert tx.list_campaigns(BIZ) == [AUTUMN, SPRING]
        assert tx.list_campaigns(OTHER) == [elsewhere]
        assert tx.get_campaign(BIZ, SPRING.id) == SPRING
        assert tx.get_campaign(OTHER, SPRING.id) is None
        assert tx.get_campaign(BIZ, "cmp_none") is None


def test_pausing_and_resuming_a_campaign_changes_only_its_pause(store: Store) -> None:
    with store.transaction() as tx:
        tx.insert_campaign(SPRING)
    paused = attrs.evolve(SPRING, paused_at=T0, pause_reason="7 of 100 hard bounces")

    with store.transaction() as tx:
        # Only the pause is stored: a changed audience is not.
        tx.update_campaign(attrs.evolve(paused, audience="something else"))
    with store.transaction(readonly=True) as tx:
        assert tx.get_campaign(BIZ, SPRING.id) == paused
        assert paused.paused

    with store.transaction() as tx:
        tx.update_campaign(attrs.evolve(paused, paused_at=None, pause_reason=None))
    with store.transaction(readonly=True) as tx:
        assert tx.get_campaign(BIZ, SPRING.id) == SPRING


def test_updating_an_unknown_campaign_is_refused(store: Store) -> None:
    with pytest.raises(ConcurrentUpdate), store.transaction() as tx:
        tx.update_campaign(SPRING)


def test_outbox_rows_and_events_keep_their_campaign_and_who_made_them(store: Store) -> None:
    ana = make_customer(1)
    add_customers(store, ana)
    message = make_message(ana.id, campaign_id=SPRING.id)
    queued = Event(
        business_id=BIZ,
        customer_id=ana.id,
        kind=EventKind.INVITATION_QUEUED,
        at=T0,
        by="staff-7",
        campaign_id=SPRING.id,
    )
    archived = Event(
        business_id=BIZ, customer_id=ana.id, kind=EventKind.ARCHIVED, at=T0, by="Müller, J."
    )
    with store.transaction() as tx:
        tx.insert_campaign(SPRING)
        tx.enqueue([message])
        tx.add_events([queued, archived])

    with store.transaction(readonly=True) as tx:
        assert tx.get_outbox(message.id) == message
        assert tx.list_events(BIZ, ana.id) == [queued, archived]


def test_a_customers_last_campaign_is_that_of_their_newest_sent_invitation(store: Store) -> None:
    ana, ben = make_customer(1), make_customer(2)
    add_customers(store, ana, ben)
    first = make_message(ana.id, campaign_id=SPRING.id)
    second = make_message(ana.id, campaign_id=AUTUMN.id, created_at=T0 + timedelta(days=1))
    reset = make_message(ana.id, kind="password_reset", created_at=T0 + timedelta(days=2))
    with store.transaction() as tx:
        assert tx.last_campaign_of(BIZ, ana.id) is None
        tx.enqueue([first])
        # Queued but not sent: no campaign has reached her yet.
        assert tx.last_campaign_of(BIZ, ana.id) is None
        tx.update_outbox(attrs.evolve(first, state=OutboxState.SENT, sent_at=T0), claim_token=None)
        tx.enqueue([second])
        tx.update_outbox(
            attrs.evolve(second, state=OutboxState.SENT, sent_at=T0 + timedelta(days=1)),
            claim_token=None,
        )
        # A later account email belongs to no campaign and changes nothing.
        tx.enqueue([reset])
        tx.update_outbox(
            attrs.evolve(reset, state=OutboxState.SENT, sent_at=T0 + timedelta(days=2)),
            claim_token=None,
        )

    with store.transaction(readonly=True) as tx:
        assert tx.last_campaign_of(BIZ, ana.id) == AUTUMN.id
        assert tx.last_campaign_of(BIZ, ben.id) is None
        assert tx.last_campaign_of(OTHER, ana.id) is None
