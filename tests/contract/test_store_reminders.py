"""Reminders and pacing in the Store contract: candidates, send times, businesses."""

from __future__ import annotations

from datetime import datetime, timedelta

import attrs

from invitekit.model import Customer, OutboxState, Status
from invitekit.ports import Store
from invitekit.testing import make_business
from tests.contract.test_store import BIZ, OTHER, T0, add_customers, make_customer, make_message

DAY = timedelta(days=1)


def _invited(number: int, *, at: datetime = T0, **changes: object) -> Customer:
    return make_customer(number, status=Status.INVITED, invited_at=at, **changes)


def _sent_reminder(store: Store, customer_id: str, at: datetime) -> None:
    message = make_message(customer_id, kind="reminder")
    with store.transaction() as tx:
        tx.enqueue([message])
        tx.update_outbox(
            attrs.evolve(message, state=OutboxState.SENT, sent_at=at), claim_token=None
        )


def test_candidates_are_invited_active_customers_invited_long_enough_ago(store: Store) -> None:
    add_customers(
        store,
        _invited(1),  # yes
        make_customer(2),  # Added: never invited
        _invited(3, archived=True),
        _invited(4, unsubscribed=True),
        make_customer(5, status=Status.ACCEPTED, invited_at=T0),
        _invited(6, at=T0 + 2 * DAY),  # invited too recently
        _invited(7, business_id=OTHER),  # another business
        _invited(8, at=T0 + DAY),  # yes, invited exactly at the bound
    )

    with store.transaction(readonly=True) as tx:
        found = tx.reminder_candidates(BIZ, invited_before=T0 + DAY, max_reminders=2)

    assert [c.customer.id for c in found] == ["cus_0001", "cus_0008"]
    assert [(c.reminders_sent, c.last_reminded_at) for c in found] == [(0, None), (0, None)]


def test_candidates_count_the_reminders_sent_since_the_last_invitation(store: Store) -> None:
    add_customers(store, _invited(1, at=T0 + 3 * DAY), _invited(2), _invited(3))
    _sent_reminder(store, "cus_0001", T0 + DAY)  # before the newest invitation: not counted
    _sent_reminder(store, "cus_0001", T0 + 3 * DAY)  # at its very instant: an older one's
    _sent_reminder(store, "cus_0002", T0 + 3 * DAY)
    _sent_reminder(store, "cus_0002", T0 + 10 * DAY)  # had both: left out
    _sent_reminder(store, "cus_0003", T0 + 3 * DAY)
    pending = make_message("cus_0003", kind="reminder")  # not sent: not counted
    with store.transaction() as tx:
        tx.enqueue([pending])

    with store.transaction(readonly=True) as tx:
        found = tx.reminder_candidates(BIZ, invited_before=T0 + 20 * DAY, max_reminders=2)

    assert [(c.customer.id, c.reminders_sent, c.last_reminded_at) for c in found] == [
        ("cus_0001", 0, None),
        ("cus_0003", 1, T0 + 3 * DAY),
    ]


def test_candidates_page_by_id(store: Store) -> None:
    add_customers(store, *(_invited(n) for n in range(1, 8)))

    pages = []
    after = None
    with store.transaction(readonly=True) as tx:
        while page := tx.reminder_candidates(
            BIZ, invited_before=T0, max_reminders=1, after=after, limit=3
        ):
            pages.append([c.customer.id for c in page])
            after = page[-1].customer.id

    assert [len(p) for p in pages] == [3, 3, 1]
    assert [i for page in pages for i in page] == [f"cus_{n:04d}" for n in range(1, 8)]


def test_attempt_times_lists_a_keys_attempts_since_oldest_first(store: Store) -> None:
    with store.transaction() as tx:
        for minutes in (30, 0, 10, 50):
            tx.record_attempt(BIZ, "pacing:hour", T0 + timedelta(minutes=minutes))
        tx.record_attempt(BIZ, "other", T0 + timedelta(minutes=20))
        tx.record_attempt(OTHER, "pacing:hour", T0 + timedelta(minutes=20))

    with store.transaction(readonly=True) as tx:
        times = tx.attempt_times(BIZ, "pacing:hour", since=T0 + timedelta(minutes=10))

    assert times == [T0 + timedelta(minutes=m) for m in (10, 30, 50)]


def test_business_ids_are_those_with_stored_settings_sorted(store: Store) -> None:
    with store.transaction() as tx:
        assert tx.business_ids() == []
        tx.save_business(make_business(id="studio-b"), at=T0)
        tx.save_business(make_business(id="studio-a"), at=T0)
        tx.save_business(attrs.evolve(make_business(id="studio-a"), name="Renamed"), at=T0)

    with store.transaction(readonly=True) as tx:
        assert tx.business_ids() == ["studio-a", "studio-b"]


def test_forgetting_attempts_before_a_moment_keeps_the_later_ones(store: Store) -> None:
    with store.transaction() as tx:
        for minutes in (0, 10, 20):
            tx.record_attempt(BIZ, "pacing:day", T0 + timedelta(minutes=minutes))
        tx.record_attempt(OTHER, "pacing:day", T0)

    with store.transaction() as tx:
        tx.forget_attempts(BIZ, "pacing:day", before=T0 + timedelta(minutes=10))

    with store.transaction(readonly=True) as tx:
        assert tx.attempt_times(BIZ, "pacing:day", since=T0) == [
            T0 + timedelta(minutes=10),
            T0 + timedelta(minutes=20),
        ]
        assert tx.attempt_times(OTHER, "pacing:day", since=T0) == [T0]
