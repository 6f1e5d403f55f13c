"""A campaign's funnel in the Store contract: ``campaign_counts`` counts rows and customers."""

from __future__ import annotations

from datetime import timedelta

import attrs

from invitekit.funnel import CampaignCounts, FunnelCounts
from invitekit.model import Event, EventKind, Group, OutboxMessage, OutboxState
from invitekit.ports import Store
from tests.contract.test_store import BIZ, OTHER, T0, add_customers, make_customer, make_message
from tests.contract.test_store_campaigns import AUTUMN, SPRING

LATER = T0 + timedelta(hours=1)


def _stored(store: Store, message: OutboxMessage, state: OutboxState) -> OutboxMessage:
    with store.transaction() as tx:
        tx.enqueue([message])
        if state is not OutboxState.PENDING:
            done = attrs.evolve(
                message, state=state, sent_at=T0 if state is OutboxState.SENT else None
            )
            tx.update_outbox(done, claim_token=None)
    return message


def _event(number: int, kind: EventKind, campaign_id: str | None = SPRING.id) -> Event:
    return Event(
        business_id=BIZ,
        customer_id=f"cus_{number:04d}",
        kind=kind,
        at=T0,
        detail="hard: 5.1.1 no such user" if kind is EventKind.BOUNCED else "",
        campaign_id=campaign_id,
    )


def _spring_campaign(store: Store) -> None:
    """Six customers invited by SPRING, in three locales and two groups, and what became of it."""
    add_customers(store, *(make_customer(n) for n in range(1, 8)))
    monday = Group(id="grp_mon", business_id=BIZ, name="Monday class", created_at=T0)
    tuesday = Group(id="grp_tue", business_id=BIZ, name="Tuesday class", created_at=T0)
    with store.transaction() as tx:
        tx.insert_campaign(SPRING)
        tx.insert_campaign(AUTUMN)
        tx.insert_group(monday)
        tx.insert_group(tuesday)
        tx.add_group_members(BIZ, monday.id, ["cus_0001", "cus_0002", "cus_0003"])
        tx.add_group_members(BIZ, tuesday.id, ["cus_0003", "cus_0004"])
    rows = [
        (1, "es", OutboxState.SENT, T0),
        (2, "es", OutboxState.FAILED, T0),
        (3, "de", OutboxState.PENDING, LATER),  # held back: scheduled
        (4, "de", OutboxState.PENDING, T0),  # due now: queued only
        (5, "en", OutboxState.SENT, T0),
        (6, "en", OutboxState.CANCELLED, T0),
    ]
    for number, locale, state, not_before in rows:
        message = make_message(
            f"cus_{number:04d}", campaign_id=SPRING.id, locale=locale, not_before=not_before
        )
        _stored(store, message, state)
    # Another campaign's invitation, and an account email of no campaign.
    _stored(store, make_message("cus_0007", campaign_id=AUTUMN.id), OutboxState.SENT)
    _stored(store, make_message("cus_0001", kind="password_reset"), OutboxState.SENT)
    with store.transaction() as tx:
        tx.add_events(
            [
                _event(1, EventKind.LINK_OPENED),
                _event(1, EventKind.LINK_OPENED),  # two opens racing: one customer
                _event(1, EventKind.ACCEPTED),
                _event(2, EventKind.UNSUBSCRIBED),
                _event(5, EventKind.BOUNCED),
                _event(5, EventKind.BOUNCED),
                _event(5, EventKind.COMPLAINED),
                _event(3, EventKind.DELIVERED),  # not a step of the funnel
                _event(4, EventKind.LINK_OPENED, AUTUMN.id),  # another campaign's
                _event(7, EventKind.ACCEPTED),  # no invitation of SPRING: not its customer
            ]
        )


def test_a_campaign_is_counted_in_total_per_locale_and_per_group(store: Store) -> None:
    _spring_campaign(store)

    with store.transaction(readonly=True) as tx:
        counts = tx.campaign_counts(BIZ, SPRING.id, now=T0)

    assert counts.total == FunnelCounts(
        queued=6,
        scheduled=1,
        sent=2,
        failed=1,
        bounced=1,
        complained=1,
        link_opened=1,
        accepted=1,
        unsubscribed=1,
    )
    assert counts.by_locale == {
        "de": FunnelCounts(queued=2, scheduled=1),
        "en": FunnelCounts(queued=2, sent=1, bounced=1, complained=1),
        "es": FunnelCounts(queued=2, sent=1, failed=1, link_opened=1, accepted=1, unsubscribed=1),
    }
    assert counts.by_group == {
        "Monday class": FunnelCounts(
            queued=3,
            scheduled=1,
            sent=1,
            failed=1,
            link_opened=1,
            accepted=1,
            unsubscribed=1,
        ),
        "Tuesday class": FunnelCounts(queued=2, scheduled=1),
    }
    assert counts.reminders_sent == 0


def test_a_held_back_row_is_scheduled_only_until_its_time(store: Store) -> None:
    _spring_campaign(store)

    with store.transaction(readonly=True) as tx:
        counts = tx.campaign_counts(BIZ, SPRING.id, now=LATER)

    assert counts.total.scheduled == 0
    assert counts.total.queued == 6


def test_an_unknown_or_foreign_campaign_counts_nothing(store: Store) -> None:
    _spring_campaign(store)
    # Rows naming a campaign the business never stored count for nothing.
    _stored(store, make_message("cus_0001", campaign_id="cmp_none"), OutboxState.SENT)

    with store.transaction(readonly=True) as tx:
        assert tx.campaign_counts(BIZ, "cmp_none", now=T0) == CampaignCounts()
        assert tx.campaign_counts(OTHER, SPRING.id, now=T0) == CampaignCounts()
        autumn = tx.campaign_counts(BIZ, AUTUMN.id, now=T0)

    assert autumn.total == FunnelCounts(queued=1, sent=1)
    assert autumn.by_locale == {"es_MX": FunnelCounts(queued=1, sent=1)}
    assert autumn.by_group == {}
