"""Campaigns in the Store contract: stored, listed, paused, and named by outbox rows and events."""

from __future__ import annotations

from datetime import timedelta

import attrs
import pytest

from invitekit.exceptions import ConcurrentUpdate
from invitekit.funnel import Campaign
from invitekit.model import Event, EventKind, OutboxState
from invitekit.ports import Store, Transaction
from tests.contract.test_store import (
    BIZ,
    LEASE,
    OTHER,
    T0,
    add_customers,
    make_customer,
    make_message,
)

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


def _opened(customer_id: str, campaign_id: str | None, kind: EventKind) -> Event:
    return Event(
        business_id=BIZ, customer_id=customer_id, kind=kind, at=T0, campaign_id=campaign_id
    )


def _unopened(tx: Transaction, business_id: str, customer_id: str) -> str | None:
    """The campaign of ``customer_and_unopened_campaign``, whose customer is get_customer's."""
    customer, campaign_id = tx.customer_and_unopened_campaign(business_id, customer_id)
    assert customer == tx.get_customer(business_id, customer_id)
    return campaign_id


def test_no_customer_has_no_unopened_campaign(store: Store) -> None:
    ana = make_customer(1)
    add_customers(store, ana)
    message = make_message(ana.id, campaign_id=SPRING.id)
    with store.transaction() as tx:
        tx.enqueue([message])
        tx.update_outbox(
            attrs.evolve(message, state=OutboxState.SENT, sent_at=T0), claim_token=None
        )
    with store.transaction(readonly=True) as tx:
        assert tx.customer_and_unopened_campaign(BIZ, ana.id) == (ana, SPRING.id)
        assert tx.customer_and_unopened_campaign(BIZ, "cus_nobody") == (None, None)
        assert tx.customer_and_unopened_campaign(OTHER, ana.id) == (None, None)


def test_the_unopened_campaign_is_the_last_one_until_the_open_of_its_link_is_recorded(
    store: Store,
) -> None:
    ana, ben = make_customer(1), make_customer(2)
    add_customers(store, ana, ben)
    first = make_message(ana.id, campaign_id=SPRING.id)
    second = make_message(ana.id, campaign_id=AUTUMN.id, created_at=T0 + timedelta(days=1))
    with store.transaction() as tx:
        assert _unopened(tx, BIZ, ana.id) is None  # nothing sent yet
        tx.enqueue([first])
        tx.update_outbox(attrs.evolve(first, state=OutboxState.SENT, sent_at=T0), claim_token=None)
    with store.transaction(readonly=True) as tx:
        assert _unopened(tx, BIZ, ana.id) == SPRING.id
    with store.transaction() as tx:
        # Other events of the campaign, an open of no campaign or of another
        # customer, and another business's open are not this open.
        tx.add_events(
            [
                _opened(ana.id, SPRING.id, EventKind.ACCEPTED),
                _opened(ana.id, None, EventKind.LINK_OPENED),
                _opened(ben.id, SPRING.id, EventKind.LINK_OPENED),
                attrs.evolve(_opened(ana.id, SPRING.id, EventKind.LINK_OPENED), business_id=OTHER),
            ]
        )
    with store.transaction(readonly=True) as tx:
        assert _unopened(tx, BIZ, ana.id) == SPRING.id
        assert _unopened(tx, BIZ, ben.id) is None  # never invited
        assert _unopened(tx, OTHER, ana.id) is None
    with store.transaction() as tx:
        tx.add_events([_opened(ana.id, SPRING.id, EventKind.LINK_OPENED)])
    with store.transaction(readonly=True) as tx:
        assert _unopened(tx, BIZ, ana.id) is None
    with store.transaction() as tx:
        # A newer invitation: its open is not recorded, whatever the older one's.
        tx.enqueue([second])
        sent = attrs.evolve(second, state=OutboxState.SENT, sent_at=T0 + timedelta(days=1))
        tx.update_outbox(sent, claim_token=None)
    with store.transaction(readonly=True) as tx:
        assert _unopened(tx, BIZ, ana.id) == AUTUMN.id
    with store.transaction() as tx:
        tx.add_events([_opened(ana.id, AUTUMN.id, EventKind.LINK_OPENED)])
        assert _unopened(tx, BIZ, ana.id) is None  # seen in the same transaction


# Pausing a campaign's rows (circuit breaker), and counting its sends and hard bounces --


def _campaign_rows(store: Store, count: int, *, campaign_id: str = SPRING.id) -> list[str]:
    customers = [make_customer(n) for n in range(1, count + 1)]
    add_customers(store, *customers)
    messages = [
        make_message(c.id, campaign_id=campaign_id, created_at=T0 + timedelta(seconds=n))
        for n, c in enumerate(customers)
    ]
    with store.transaction() as tx:
        tx.insert_campaign(SPRING)
        tx.enqueue(messages)
    return [m.id for m in messages]


def _states(store: Store) -> list[OutboxState]:
    with store.transaction(readonly=True) as tx:
        return [m.state for m in tx.list_outbox(BIZ)]


def test_paused_rows_are_never_claimed_until_resumed_oldest_first(store: Store) -> None:
    ids = _campaign_rows(store, 3)
    other = make_message("cus_0009", created_at=T0 + timedelta(seconds=9))
    with store.transaction() as tx:
        tx.enqueue([other])
        assert tx.pause_outbox(BIZ, SPRING.id) == 3
        assert tx.pause_outbox(OTHER, SPRING.id) == 0  # another business's id: none

    assert _states(store) == [OutboxState.PAUSED] * 3 + [OutboxState.PENDING]
    later = T0 + timedelta(hours=1)
    with store.transaction() as tx:
        assert [
            m.id for m in tx.claim_outbox(now=later, lease_until=later, claim_token="a", limit=9)
        ] == [other.id]
        assert tx.resume_outbox(BIZ, SPRING.id) == 3
        assert tx.resume_outbox(BIZ, SPRING.id) == 0
    with store.transaction() as tx:
        claimed = tx.claim_outbox(
            now=later + LEASE * 2, lease_until=later + LEASE * 3, claim_token="b", limit=2
        )
    assert [m.id for m in claimed] == ids[:2]
    assert _states(store) == [OutboxState.PENDING] * 4


def test_a_paused_row_keeps_its_customers_pending_place(store: Store) -> None:
    (paused_id,) = _campaign_rows(store, 1)
    with store.transaction() as tx:
        tx.pause_outbox(BIZ, SPRING.id)
    with store.transaction() as tx:
        assert tx.pending_customer_ids(BIZ, "invitation", ["cus_0001"]) == {"cus_0001"}
        assert tx.enqueue([make_message("cus_0001")]) == {"cus_0001"}
        # Withdrawn as any waiting message is (archived, unsubscribed...).
        assert tx.cancel_pending(BIZ, "cus_0001", reason="archived") == 1
        assert tx.pending_customer_ids(BIZ, "invitation", ["cus_0001"]) == set()
        assert tx.enqueue([make_message("cus_0001")]) == set()
    with store.transaction(readonly=True) as tx:
        stored = tx.get_outbox(paused_id)
    assert stored is not None and stored.state is OutboxState.CANCELLED


def test_a_paused_row_written_back_by_its_worker_stays_paused_and_in_place(store: Store) -> None:
    _campaign_rows(store, 1)
    later = T0 + timedelta(hours=1)
    with store.transaction() as tx:
        (claimed,) = tx.claim_outbox(
            now=later, lease_until=later + LEASE, claim_token="a", limit=1
        )
        tx.pause_outbox(BIZ, SPRING.id)
    with store.transaction() as tx:
        tx.update_outbox(
            attrs.evolve(claimed, state=OutboxState.PAUSED, claimed_until=None), claim_token="a"
        )
        assert tx.enqueue([make_message("cus_0001")]) == {"cus_0001"}
        assert (
            tx.claim_outbox(
                now=later + LEASE * 9, lease_until=later + LEASE * 10, claim_token="b", limit=1
            )
            == []
        )


def test_a_campaigns_sends_and_hard_bounces_are_counted(store: Store) -> None:
    ids = _campaign_rows(store, 5)
    sent_at = T0 + timedelta(hours=1)
    with store.transaction() as tx:
        rows = {m.id: m for m in tx.list_outbox(BIZ)}
        for message_id in ids[:3]:
            tx.update_outbox(
                attrs.evolve(rows[message_id], state=OutboxState.SENT, sent_at=sent_at),
                claim_token=None,
            )
        tx.update_outbox(
            attrs.evolve(rows[ids[3]], state=OutboxState.FAILED, not_before=sent_at),
            claim_token=None,
        )
        # Elsewhere: another campaign's sent row, and a sent row of no campaign.
        tx.enqueue(
            [
                make_message(
                    "cus_0008", campaign_id="cmp_other", state=OutboxState.SENT, sent_at=sent_at
                )
            ]
        )

        def bounce(
            customer: str, detail: str, at: object = sent_at, campaign: str | None = SPRING.id
        ) -> Event:
            return Event(
                business_id=BIZ,
                customer_id=customer,
                kind=EventKind.BOUNCED,
                at=at,  # type: ignore[arg-type]
                detail=detail,
                campaign_id=campaign,
            )

        tx.add_events(
            [
                bounce("cus_0001", "hard: 5.1.1 (message a)"),
                bounce("cus_0002", "soft: 4.2.2 (message b)"),
                bounce("cus_0004", "hard: 550 (message d)", at=sent_at + timedelta(hours=2)),
                bounce("cus_0005", "hard: 5.1.1", campaign="cmp_other"),
                attrs.evolve(bounce("cus_0003", "hard: x"), kind=EventKind.COMPLAINED),
                attrs.evolve(bounce("cus_0003", "hard: y"), business_id=OTHER),
            ]
        )

    with store.transaction(readonly=True) as tx:
        assert tx.campaign_sends(BIZ, SPRING.id) == (4, 2)
        assert tx.campaign_sends(BIZ, SPRING.id, since=sent_at + timedelta(hours=1)) == (0, 1)
        assert tx.campaign_sends(BIZ, SPRING.id, since=sent_at) == (4, 2)
        assert tx.campaign_sends(OTHER, SPRING.id) == (0, 1)  # its own event only
        assert tx.campaign_sends(BIZ, "cmp_none") == (0, 0)


def test_locking_a_campaign_reads_it(store: Store) -> None:
    with store.transaction() as tx:
        tx.insert_campaign(SPRING)
    with store.transaction() as tx:
        assert tx.lock_campaign(BIZ, SPRING.id) == SPRING
        assert tx.lock_campaign(OTHER, SPRING.id) is None


def test_a_resume_is_stored_with_who_resumed(store: Store) -> None:
    with store.transaction() as tx:
        tx.insert_campaign(SPRING)
    resumed = attrs.evolve(SPRING, resumed_at=T0 + timedelta(days=1), resumed_by="owner")
    with store.transaction() as tx:
        tx.update_campaign(resumed)
    with store.transaction(readonly=True) as tx:
        assert tx.get_campaign(BIZ, SPRING.id) == resumed


def test_an_undeliverable_customer_is_stored_and_cleared(store: Store) -> None:
    ana = make_customer(1)
    add_customers(store, ana)
    marked = attrs.evolve(
        ana, undeliverable_at=T0, undeliverable_reason="hard bounce: 5.1.1 ünknown", version=2
    )
    with store.transaction() as tx:
        tx.update_customer(marked, expected_version=1)
    with store.transaction(readonly=True) as tx:
        assert tx.get_customer(BIZ, ana.id) == marked
    cleared = attrs.evolve(marked, undeliverable_at=None, undeliverable_reason=None, version=3)
    with store.transaction() as tx:
        tx.update_customer(cleared, expected_version=2)
    with store.transaction(readonly=True) as tx:
        assert tx.get_customer(BIZ, ana.id) == cleared
