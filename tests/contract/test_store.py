"""The Store contract: every adapter (memory, SQLite, PostgreSQL, MariaDB) behaves alike."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import attrs
import pytest

from invitekit.exceptions import ConcurrentUpdate, DuplicateCustomer, DuplicateGroup, StorageError
from invitekit.ids import new_id
from invitekit.model import (
    Customer,
    Event,
    EventKind,
    Group,
    OutboxMessage,
    OutboxState,
    Purpose,
    Registration,
    Status,
    TemplateRevision,
)
from invitekit.ports import Store, Transaction
from invitekit.schedule import Pacing, Reminders
from invitekit.testing import make_business

BIZ = "studio-1"
OTHER = "studio-2"
T0 = datetime(2026, 1, 5, 9, 0, 0, 123456, tzinfo=UTC)
LEASE = timedelta(minutes=5)


def make_customer(number: int, *, business_id: str = BIZ, **changes: object) -> Customer:
    email = f"person{number}@example.com"
    customer = Customer(
        id=f"cus_{number:04d}",
        business_id=business_id,
        email=email,
        email_key=email,
        created_at=T0,
        updated_at=T0,
    )
    return attrs.evolve(customer, **changes)


def make_message(
    customer_id: str | None,
    *,
    business_id: str = BIZ,
    kind: str = "invitation",
    created_at: datetime = T0,
    **changes: object,
) -> OutboxMessage:
    message_id = new_id("msg")
    message = OutboxMessage(
        id=message_id,
        business_id=business_id,
        customer_id=customer_id,
        kind=kind,
        recipient=f"{customer_id}@example.com",
        message_id=f"<{message_id}@studio.example>",
        locale="es_MX",
        template_id="tpl_0001" if kind == "invitation" else None,
        created_at=created_at,
        not_before=created_at,
    )
    return attrs.evolve(message, **changes)


def add_customers(store: Store, *customers: Customer) -> None:
    with store.transaction() as tx:
        for customer in customers:
            tx.insert_customer(customer)


def enqueue(store: Store, *messages: OutboxMessage) -> set[str]:
    with store.transaction() as tx:
        return tx.enqueue(messages)


def claim(store: Store, now: datetime, *, worker: str = "clm_a", limit: int = 10) -> list[str]:
    with store.transaction() as tx:
        claimed = tx.claim_outbox(
            now=now, lease_until=now + LEASE, claim_token=worker, limit=limit
        )
    return [m.id for m in claimed]


# Transactions ------------------------------------------------------------------------------


class Undo(Exception):
    """Raised to leave a transaction or a savepoint without keeping its writes."""


def write_one_of_each(tx: Transaction, customer: Customer) -> None:
    """A customer, a queued message, an event and a failed login: one row of each kind."""
    tx.insert_customer(customer)
    tx.enqueue([make_message(customer.id)])
    tx.add_events([Event(business_id=BIZ, customer_id=customer.id, kind=EventKind.ADDED, at=T0)])
    tx.record_attempt(BIZ, "email:x", T0)


def assert_none_kept(tx: Transaction, customer: Customer) -> None:
    assert tx.get_customer(BIZ, customer.id) is None
    assert [m.customer_id for m in tx.list_outbox(BIZ)].count(customer.id) == 0
    assert tx.list_events(BIZ, customer.id) == []
    assert tx.count_attempts(BIZ, "email:x", since=T0) == 0


def test_a_transaction_that_raises_keeps_nothing(store: Store) -> None:
    customer = make_customer(1)
    with pytest.raises(Undo), store.transaction() as tx:
        write_one_of_each(tx, customer)
        raise Undo

    with store.transaction() as tx:
        assert_none_kept(tx, customer)
        assert tx.list_outbox(BIZ) == []


def test_a_rolled_back_update_leaves_the_stored_customer(store: Store) -> None:
    customer = make_customer(1)
    add_customers(store, customer)

    def update_then_fail() -> None:
        with store.transaction() as tx:
            tx.update_customer(
                attrs.evolve(customer, first_name="A", version=2), expected_version=1
            )
            raise RuntimeError

    with pytest.raises(RuntimeError):
        update_then_fail()

    with store.transaction() as tx:
        assert tx.get_customer(BIZ, customer.id) == customer


def test_a_savepoint_that_raises_undoes_its_writes_and_the_transaction_goes_on(
    store: Store,
) -> None:
    kept, undone = make_customer(1), make_customer(2)
    with store.transaction() as tx:
        tx.insert_customer(kept)
        with pytest.raises(Undo), tx.savepoint():
            write_one_of_each(tx, undone)
            raise Undo
        assert_none_kept(tx, undone)
        tx.enqueue([make_message(kept.id)])

    with store.transaction() as tx:
        assert tx.get_customer(BIZ, kept.id) == kept
        assert [m.customer_id for m in tx.list_outbox(BIZ)] == [kept.id]
        assert_none_kept(tx, undone)


def test_a_savepoint_that_ends_normally_keeps_its_writes(store: Store) -> None:
    customer = make_customer(1)
    with store.transaction() as tx:
        with tx.savepoint():
            tx.insert_customer(customer)
        with tx.savepoint():
            tx.enqueue([make_message(customer.id)])

    with store.transaction() as tx:
        assert tx.get_customer(BIZ, customer.id) == customer
        assert [m.customer_id for m in tx.list_outbox(BIZ)] == [customer.id]


def test_transactions_cannot_be_nested(store: Store) -> None:
    with store.transaction(), pytest.raises(StorageError), store.transaction():
        pass  # pragma: no cover


def test_committed_changes_are_seen_by_the_next_transaction(store: Store) -> None:
    add_customers(store, make_customer(1))

    with store.transaction() as tx:
        assert tx.get_customer(BIZ, "cus_0001") == make_customer(1)


# Customers -------------------------------------------------------------------------------


def test_a_customer_reads_back_field_for_field(store: Store) -> None:
    customer = make_customer(
        1,
        email="Ana.Lopez@Example.com",
        email_key="ana.lopez@example.com",
        first_name="Ána",
        last_name="López",
        locale="es_MX",
        status=Status.ACCEPTED,
        archived=True,
        unsubscribed=True,
        password_hash="$argon2id$v=19$m=8,t=1,p=1$c2FsdA$aGFzaA",
        auth_provider="google",
        invited_at=T0 + timedelta(days=1),
        accepted_at=T0 + timedelta(days=2, microseconds=7),
        delivery_failure="550 no such mailbox",
        link_epoch=3,
        version=7,
    )
    add_customers(store, customer)

    with store.transaction() as tx:
        assert tx.get_customer(BIZ, customer.id) == customer
        assert tx.find_customer(BIZ, "ana.lopez@example.com") == customer


def test_datetimes_come_back_aware_in_utc(store: Store) -> None:
    add_customers(store, make_customer(1, invited_at=T0 + timedelta(microseconds=1)))

    with store.transaction() as tx:
        stored = tx.get_customer(BIZ, "cus_0001")
    assert stored is not None
    assert stored.created_at == T0
    assert stored.created_at.utcoffset() == timedelta(0)
    assert stored.invited_at == T0 + timedelta(microseconds=1)
    assert stored.invited_at is not None
    assert stored.invited_at.utcoffset() == timedelta(0)


def test_unknown_customers_are_none(store: Store) -> None:
    with store.transaction() as tx:
        assert tx.get_customer(BIZ, "cus_nobody") is None
        assert tx.find_customer(BIZ, "nobody@example.com") is None


def test_a_second_customer_with_the_same_email_key_is_refused(store: Store) -> None:
    add_customers(store, make_customer(1))
    twin = make_customer(2, email="PERSON1@example.com", email_key="person1@example.com")

    with pytest.raises(DuplicateCustomer) as caught, store.transaction() as tx:
        tx.insert_customer(twin)
    assert caught.value.existing_id == "cus_0001"

    with store.transaction() as tx:
        assert tx.get_customer(BIZ, twin.id) is None


def test_a_second_customer_with_the_same_id_is_refused(store: Store) -> None:
    add_customers(store, make_customer(1))

    with pytest.raises(DuplicateCustomer), store.transaction() as tx:
        tx.insert_customer(
            make_customer(1, email="other@example.com", email_key="other@example.com")
        )


def test_email_keys_that_differ_only_by_accent_or_case_are_distinct(store: Store) -> None:
    # The store compares canonical keys exactly; canonicalising is the facade's job.
    add_customers(
        store,
        make_customer(1, email="jose@example.com", email_key="jose@example.com"),
        make_customer(2, email="josé@example.com", email_key="josé@example.com"),
        make_customer(3, email="JOSE@example.com", email_key="JOSE@example.com"),
    )

    with store.transaction() as tx:
        found = tx.find_customer(BIZ, "josé@example.com")
    assert found is not None
    assert found.id == "cus_0002"


def test_the_same_email_may_be_a_customer_of_two_businesses(store: Store) -> None:
    add_customers(store, make_customer(1), make_customer(1, business_id=OTHER))

    with store.transaction() as tx:
        mine = tx.find_customer(BIZ, "person1@example.com")
        theirs = tx.find_customer(OTHER, "person1@example.com")
    assert mine is not None
    assert mine.business_id == BIZ
    assert theirs is not None
    assert theirs.business_id == OTHER


def test_update_replaces_the_customer_when_the_version_matches(store: Store) -> None:
    customer = make_customer(1)
    add_customers(store, customer)
    changed = attrs.evolve(customer, first_name="Ana", status=Status.INVITED, version=2)

    with store.transaction() as tx:
        tx.update_customer(changed, expected_version=1)

    with store.transaction() as tx:
        assert tx.get_customer(BIZ, customer.id) == changed


def test_update_with_a_stale_version_is_a_concurrent_update(store: Store) -> None:
    customer = make_customer(1)
    add_customers(store, customer)
    with store.transaction() as tx:
        tx.update_customer(attrs.evolve(customer, first_name="A", version=2), expected_version=1)

    with pytest.raises(ConcurrentUpdate), store.transaction() as tx:
        tx.update_customer(attrs.evolve(customer, first_name="B", version=2), expected_version=1)

    with store.transaction() as tx:
        stored = tx.get_customer(BIZ, customer.id)
    assert stored is not None
    assert stored.first_name == "A"


def test_update_of_an_unknown_customer_is_a_concurrent_update(store: Store) -> None:
    with pytest.raises(ConcurrentUpdate), store.transaction() as tx:
        tx.update_customer(make_customer(9, version=2), expected_version=1)


def test_update_to_an_email_key_another_customer_has_is_refused(store: Store) -> None:
    first, second = make_customer(1), make_customer(2)
    add_customers(store, first, second)
    taken = attrs.evolve(second, email=first.email, email_key=first.email_key, version=2)

    with pytest.raises(DuplicateCustomer) as caught, store.transaction() as tx:
        tx.update_customer(taken, expected_version=1)
    assert caught.value.existing_id == first.id


def test_a_stale_update_to_a_taken_email_key_is_a_concurrent_update(store: Store) -> None:
    first, second = make_customer(1), make_customer(2)
    add_customers(store, first, second)
    taken = attrs.evolve(second, email=first.email, email_key=first.email_key, version=3)

    # The version is checked first, as the memory store does (SQLite: by the write).
    with pytest.raises(ConcurrentUpdate), store.transaction() as tx:
        tx.update_customer(taken, expected_version=2)


def test_a_transaction_goes_on_after_an_update_refused_as_a_duplicate(store: Store) -> None:
    first, second = make_customer(1), make_customer(2)
    add_customers(store, first, second)
    taken = attrs.evolve(second, email=first.email, email_key=first.email_key, version=2)
    renamed = attrs.evolve(first, first_name="Ana", version=2)

    with store.transaction() as tx:
        with pytest.raises(DuplicateCustomer):
            tx.update_customer(taken, expected_version=1)
        tx.update_customer(renamed, expected_version=1)

    with store.transaction() as tx:
        assert tx.get_customer(BIZ, first.id) == renamed
        assert tx.get_customer(BIZ, second.id) == second


def test_changing_an_email_frees_the_old_key(store: Store) -> None:
    customer = make_customer(1)
    add_customers(store, customer)
    moved = attrs.evolve(customer, email="new@example.com", email_key="new@example.com", version=2)
    with store.transaction() as tx:
        tx.update_customer(moved, expected_version=1)

    add_customers(store, make_customer(2, email=customer.email, email_key=customer.email_key))

    with store.transaction() as tx:
        assert tx.find_customer(BIZ, "new@example.com") == moved
        newcomer = tx.find_customer(BIZ, customer.email_key)
    assert newcomer is not None
    assert newcomer.id == "cus_0002"


def test_customers_are_listed_by_id_and_filtered(store: Store) -> None:
    add_customers(
        store,
        make_customer(3, status=Status.INVITED),
        make_customer(1),
        make_customer(4, archived=True),
        make_customer(2, status=Status.INVITED, archived=True),
        make_customer(5, business_id=OTHER),
    )

    with store.transaction() as tx:
        every = [c.id for c in tx.list_customers(BIZ)]
        invited = [c.id for c in tx.list_customers(BIZ, status=Status.INVITED)]
        archived = [c.id for c in tx.list_customers(BIZ, archived=True)]
        active_invited = [
            c.id for c in tx.list_customers(BIZ, status=Status.INVITED, archived=False)
        ]
    assert every == ["cus_0001", "cus_0002", "cus_0003", "cus_0004"]
    assert invited == ["cus_0002", "cus_0003"]
    assert archived == ["cus_0002", "cus_0004"]
    assert active_invited == ["cus_0003"]


def test_pages_of_customers_after_an_id_cover_everyone_once(store: Store) -> None:
    add_customers(store, *(make_customer(n) for n in range(1, 12)))

    seen: list[str] = []
    after = None
    while True:
        with store.transaction() as tx:
            page = tx.list_customers(BIZ, after=after, limit=4)
        if not page:
            break
        seen += [c.id for c in page]
        after = page[-1].id
    assert seen == [f"cus_{n:04d}" for n in range(1, 12)]


def test_paging_and_status_filter_combine(store: Store) -> None:
    add_customers(
        store,
        *(make_customer(n, status=Status.INVITED if n % 2 else Status.ADDED) for n in range(1, 9)),
    )

    with store.transaction() as tx:
        page = tx.list_customers(BIZ, status=Status.ADDED, after="cus_0002", limit=2)
    assert [c.id for c in page] == ["cus_0004", "cus_0006"]


def test_ids_page_in_the_same_order_as_python_sorts_them(store: Store) -> None:
    ids = ["cus_B", "cus_a", "cus_Z", "cus__", "cus_0", "cus_ä"]
    for number, customer_id in enumerate(ids):
        add_customers(store, make_customer(number, id=customer_id))

    with store.transaction() as tx:
        listed = [c.id for c in tx.list_customers(BIZ)]
        after_z = [c.id for c in tx.list_customers(BIZ, after="cus_Z")]
    assert listed == sorted(ids)
    assert after_z == [i for i in sorted(ids) if i > "cus_Z"]


def test_counts_cover_every_status_and_leave_out_archived(store: Store) -> None:
    add_customers(
        store,
        make_customer(1),
        make_customer(2, status=Status.INVITED),
        make_customer(3, status=Status.INVITED),
        make_customer(4, status=Status.INVITED, archived=True),
        make_customer(5, business_id=OTHER, status=Status.ACCEPTED),
    )

    with store.transaction() as tx:
        counts = tx.count_customers(BIZ)
    assert counts == {Status.ADDED: 1, Status.INVITED: 2, Status.ACCEPTED: 0}


# Groups ----------------------------------------------------------------------------------


def make_group(name: str, *, business_id: str = BIZ) -> Group:
    return Group(id=new_id("grp"), business_id=business_id, name=name, created_at=T0)


def test_groups_are_found_by_name_in_any_case(store: Store) -> None:
    group = make_group("Monday class")
    with store.transaction() as tx:
        tx.insert_group(group)

    with store.transaction() as tx:
        assert tx.find_group(BIZ, "MONDAY CLASS") == group
        assert tx.find_group(BIZ, "Tuesday class") is None
        assert tx.find_group(OTHER, "Monday class") is None


def test_a_second_group_with_the_same_name_in_another_case_is_refused(store: Store) -> None:
    with store.transaction() as tx:
        tx.insert_group(make_group("Monday class"))

    with pytest.raises(DuplicateGroup), store.transaction() as tx:
        tx.insert_group(make_group("monday CLASS"))


def test_two_businesses_may_have_groups_of_the_same_name(store: Store) -> None:
    with store.transaction() as tx:
        tx.insert_group(make_group("Yoga"))
        tx.insert_group(make_group("Yoga", business_id=OTHER))

    with store.transaction() as tx:
        assert [g.name for g in tx.list_groups(OTHER)] == ["Yoga"]


def test_groups_are_listed_by_name(store: Store) -> None:
    with store.transaction() as tx:
        for name in ("yoga", "Barre", "pilates", "Aerial"):
            tx.insert_group(make_group(name))

    with store.transaction() as tx:
        assert [g.name for g in tx.list_groups(BIZ)] == ["Aerial", "Barre", "pilates", "yoga"]


def test_group_members_are_listed_and_adding_twice_is_harmless(store: Store) -> None:
    add_customers(store, *(make_customer(n) for n in range(1, 5)))
    group, other = make_group("Monday"), make_group("Friday")
    with store.transaction() as tx:
        tx.insert_group(group)
        tx.insert_group(other)
        tx.add_group_members(BIZ, group.id, ["cus_0003", "cus_0001"])
    with store.transaction() as tx:
        tx.add_group_members(BIZ, group.id, ["cus_0001", "cus_0004", "cus_0004"])
        tx.add_group_members(BIZ, other.id, ["cus_0001"])

    with store.transaction() as tx:
        members = [c.id for c in tx.list_customers(BIZ, group_id=group.id)]
        paged = [c.id for c in tx.list_customers(BIZ, group_id=group.id, after="cus_0001")]
        groups_of_first = tx.group_ids_of(BIZ, "cus_0001")
        groups_of_second = tx.group_ids_of(BIZ, "cus_0002")
    assert members == ["cus_0001", "cus_0003", "cus_0004"]
    assert paged == ["cus_0003", "cus_0004"]
    assert groups_of_first == sorted([group.id, other.id])
    assert groups_of_second == []


# Businesses ------------------------------------------------------------------------------


def test_a_business_is_stored_in_versions_and_read_back_newest(store: Store) -> None:
    studio = make_business(
        id=BIZ,
        name="Studio Ünø",
        default_locale="de",
        invitation_cooldown=timedelta(days=7, seconds=1),
        unsubscribe_mailto="out@studio.example",
        reset_url=None,
        pacing=Pacing(per_hour=200, per_day=1000, quiet_hours=(time(21), time(7, 30))),
        reminders=Reminders(after=(timedelta(days=3), timedelta(days=10, seconds=1))),
    )
    renamed = attrs.evolve(
        studio, name="Studio Two", invitation_cooldown=None, pacing=Pacing(), reminders=None
    )
    with store.transaction() as tx:
        assert tx.get_business(BIZ) is None
        assert tx.save_business(studio, at=T0) == 1
        assert tx.save_business(studio, at=T0) == 1  # unchanged: no new version
    with store.transaction() as tx:
        assert tx.get_business(BIZ) == studio
        assert tx.save_business(renamed, at=T0 + timedelta(1)) == 2
    with store.transaction() as tx:
        assert tx.get_business(BIZ) == renamed
        assert tx.get_business(OTHER) is None
        assert (renamed.pacing, renamed.reminders) == (Pacing(), Reminders())
        assert tx.save_business(studio, at=T0 + timedelta(2)) == 3
    with store.transaction() as tx:
        assert tx.get_business(BIZ) == studio


# Templates -------------------------------------------------------------------------------


def make_template(
    locale: str, subject: str, *, business_id: str = BIZ, one_off: bool = False
) -> TemplateRevision:
    return TemplateRevision(
        id=new_id("tpl"),
        business_id=business_id,
        kind="invitation",
        locale=locale,
        subject=subject,
        body="Hola {{ first_name }},\n" + "texto " * 20_000,
        created_at=T0,
        one_off=one_off,
    )


def test_a_saved_template_is_found_per_kind_and_locale(store: Store) -> None:
    template = make_template("es", "¡Bienvenida!")
    with store.transaction() as tx:
        tx.insert_template_revision(template)

    with store.transaction() as tx:
        assert tx.latest_template(BIZ, "invitation", "es") == template
        assert tx.latest_template(BIZ, "invitation", "de") is None
        assert tx.latest_template(BIZ, "password_reset", "es") is None
        assert tx.latest_template(OTHER, "invitation", "es") is None


def test_the_newest_saved_revision_is_the_template_and_every_revision_stays(
    store: Store,
) -> None:
    first = make_template("es", "first")
    second = make_template("es", "second")  # saved in the same instant: inserted last wins
    one_off = make_template("es", "one campaign only", one_off=True)
    with store.transaction() as tx:
        tx.insert_template_revision(first)
    with store.transaction() as tx:
        tx.insert_template_revision(second)
        tx.insert_template_revision(one_off)

    with store.transaction() as tx:
        assert tx.latest_template(BIZ, "invitation", "es") == second
        assert tx.get_template_revision(BIZ, first.id) == first
        assert tx.get_template_revision(BIZ, one_off.id) == one_off
        assert tx.get_template_revision(OTHER, first.id) is None
        assert tx.get_template_revision(BIZ, "tpl_unknown") is None


# Outbox ----------------------------------------------------------------------------------


def test_a_queued_message_reads_back_field_for_field(store: Store) -> None:
    text_only = make_message("cus_0002", kind="password_reset", created_at=T0 + timedelta(1))
    text_only = attrs.evolve(text_only, purpose=Purpose.ACTIVATION, links_issued_at=T0)
    messages = [make_message("cus_0001"), text_only, make_message(None, kind="email_verification")]
    assert enqueue(store, *messages) == set()

    with store.transaction() as tx:
        assert [tx.get_outbox(m.id) for m in messages] == messages
        assert tx.list_outbox(BIZ) == messages
        assert tx.get_outbox("msg_unknown") is None


def test_the_outbox_lists_per_business_customer_and_state(store: Store) -> None:
    first, second = make_message("cus_0001"), make_message("cus_0002")
    sent = make_message("cus_0001", kind="password_reset", state=OutboxState.SENT, sent_at=T0)
    theirs = make_message("cus_0001", business_id=OTHER)
    enqueue(store, first, second, sent, theirs)

    with store.transaction() as tx:
        mine = [m.id for m in tx.list_outbox(BIZ, customer_id="cus_0001")]
        pending = [m.id for m in tx.list_outbox(BIZ, state=OutboxState.PENDING)]
        other = [m.id for m in tx.list_outbox(OTHER)]
    assert mine == [first.id, sent.id]
    assert pending == [first.id, second.id]
    assert other == [theirs.id]


def test_a_second_pending_message_of_a_kind_is_refused_across_calls(store: Store) -> None:
    first = make_message("cus_0001")
    enqueue(store, first)

    refused = enqueue(store, make_message("cus_0001"), make_message("cus_0002"))

    assert refused == {"cus_0001"}
    with store.transaction() as tx:
        assert [m.customer_id for m in tx.list_outbox(BIZ)] == ["cus_0001", "cus_0002"]
        assert tx.list_outbox(BIZ)[0] == first


def test_a_second_pending_message_in_one_batch_is_refused(store: Store) -> None:
    first, twin = make_message("cus_0001"), make_message("cus_0001")

    refused = enqueue(store, first, twin, make_message("cus_0002"))

    assert refused == {"cus_0001"}
    with store.transaction() as tx:
        assert tx.get_outbox(first.id) == first
        assert tx.get_outbox(twin.id) is None


def test_pending_messages_of_other_kinds_businesses_or_no_customer_coexist(store: Store) -> None:
    refused = enqueue(
        store,
        make_message("cus_0001"),
        make_message("cus_0001", kind="password_reset"),
        make_message("cus_0001", business_id=OTHER),
        make_message(None, kind="email_verification"),
        make_message(None, kind="email_verification"),
    )

    assert refused == set()
    with store.transaction() as tx:
        assert len(tx.list_outbox(BIZ)) == 4


def test_a_message_no_longer_pending_makes_room_for_a_new_one(store: Store) -> None:
    first = make_message("cus_0001")
    enqueue(store, first)
    with store.transaction() as tx:
        tx.update_outbox(attrs.evolve(first, state=OutboxState.SENT, sent_at=T0), claim_token=None)

    assert enqueue(store, make_message("cus_0001")) == set()


def test_pending_customer_ids_names_those_with_a_pending_message(store: Store) -> None:
    enqueue(
        store,
        make_message("cus_0001"),
        make_message("cus_0002", kind="password_reset"),
        make_message("cus_0003", state=OutboxState.SENT),
        make_message("cus_0004", business_id=OTHER),
    )

    with store.transaction() as tx:
        pending = tx.pending_customer_ids(
            BIZ, "invitation", ["cus_0001", "cus_0002", "cus_0003", "cus_0004", "cus_0005"]
        )
    assert pending == {"cus_0001"}


def test_cancel_pending_withdraws_a_customers_pending_messages(store: Store) -> None:
    invitation = make_message("cus_0001")
    reset = make_message("cus_0001", kind="password_reset")
    sent = make_message("cus_0001", kind="email_verification", state=OutboxState.SENT)
    someone_else = make_message("cus_0002")
    enqueue(store, invitation, reset, sent, someone_else)

    with store.transaction() as tx:
        cancelled = tx.cancel_pending(BIZ, "cus_0001", reason="archived")

    assert cancelled == 2
    with store.transaction() as tx:
        states = {m.id: (m.state, m.last_error) for m in tx.list_outbox(BIZ)}
        again = tx.enqueue([make_message("cus_0001")])
    assert states[invitation.id] == (OutboxState.CANCELLED, "archived")
    assert states[reset.id] == (OutboxState.CANCELLED, "archived")
    assert states[sent.id] == (OutboxState.SENT, None)
    assert states[someone_else.id] == (OutboxState.PENDING, None)
    assert again == set()


def test_cancel_pending_of_one_kind_leaves_the_other_kinds_pending(store: Store) -> None:
    invitation = make_message("cus_0001")
    reset = make_message("cus_0001", kind="password_reset")
    enqueue(store, invitation, reset)

    with store.transaction() as tx:
        cancelled = tx.cancel_pending(BIZ, "cus_0001", reason="unsubscribed", kind="invitation")

    assert cancelled == 1
    with store.transaction() as tx:
        states = {m.id: m.state for m in tx.list_outbox(BIZ)}
        assert tx.pending_customer_ids(BIZ, "password_reset", ["cus_0001"]) == {"cus_0001"}
        assert tx.pending_customer_ids(BIZ, "invitation", ["cus_0001"]) == set()
    assert states == {invitation.id: OutboxState.CANCELLED, reset.id: OutboxState.PENDING}


def test_a_withdrawn_message_written_back_as_pending_leaves_the_new_one_alone(
    store: Store,
) -> None:
    enqueue(store, make_message("cus_0001"))
    with store.transaction() as tx:
        (claimed,) = tx.claim_outbox(now=T0, lease_until=T0 + LEASE, claim_token="clm_a", limit=1)
        tx.cancel_pending(BIZ, "cus_0001", reason="the email address changed")
    newer = make_message("cus_0001")
    enqueue(store, newer)
    retry = attrs.evolve(claimed, claimed_until=None, last_error="421 try later")

    with store.transaction() as tx:
        tx.update_outbox(retry, claim_token="clm_a")

    with store.transaction() as tx:
        assert tx.get_outbox(retry.id) == retry
        assert tx.pending_customer_ids(BIZ, "invitation", ["cus_0001"]) == {"cus_0001"}
    assert enqueue(store, make_message("cus_0001")) == {"cus_0001"}
    with store.transaction() as tx:
        tx.cancel_pending(BIZ, "cus_0001", reason="archived")
    with store.transaction() as tx:
        assert tx.get_outbox(newer.id).state is OutboxState.CANCELLED


def test_claiming_leases_due_messages_oldest_first(store: Store) -> None:
    later = make_message("cus_0002", created_at=T0 + timedelta(seconds=2))
    older = make_message("cus_0001", created_at=T0 + timedelta(seconds=1))
    not_due = make_message("cus_0003", not_before=T0 + timedelta(hours=1))
    done = make_message("cus_0004", state=OutboxState.SENT)
    enqueue(store, later, older, not_due, done)
    now = T0 + timedelta(minutes=1)

    with store.transaction() as tx:
        claimed = tx.claim_outbox(now=now, lease_until=now + LEASE, claim_token="clm_a", limit=10)

    assert [m.id for m in claimed] == [older.id, later.id]
    assert [(m.attempts, m.claimed_until) for m in claimed] == [(1, now + LEASE)] * 2
    with store.transaction() as tx:
        assert tx.get_outbox(older.id) == claimed[0]


def test_a_message_is_due_at_its_not_before_also_when_that_is_its_creation(
    store: Store,
) -> None:
    queued_ahead = make_message("cus_0001", created_at=T0 + timedelta(hours=1))
    enqueue(store, queued_ahead)
    with store.transaction() as tx:
        assert tx.get_outbox(queued_ahead.id) == queued_ahead

    early = claim(store, T0 + timedelta(minutes=1), worker="clm_a")
    due = claim(store, T0 + timedelta(hours=2), worker="clm_b")

    assert (early, due) == ([], [queued_ahead.id])
    with store.transaction() as tx:
        stored = tx.get_outbox(queued_ahead.id)
    assert stored is not None
    assert stored.not_before == stored.next_attempt_at == T0 + timedelta(hours=1)


def test_claiming_takes_at_most_the_limit(store: Store) -> None:
    messages = [make_message(f"cus_{n}", created_at=T0 + timedelta(seconds=n)) for n in range(5)]
    enqueue(store, *messages)

    first = claim(store, T0 + timedelta(minutes=1), worker="clm_a", limit=3)
    second = claim(store, T0 + timedelta(minutes=1), worker="clm_b", limit=3)

    assert first == [m.id for m in messages[:3]]
    assert second == [m.id for m in messages[3:]]


def test_a_live_lease_is_not_claimed_again(store: Store) -> None:
    enqueue(store, make_message("cus_0001"))
    claim(store, T0, worker="clm_a")

    assert claim(store, T0 + LEASE, worker="clm_b") == []


def test_an_expired_lease_is_claimed_again_with_one_more_attempt(store: Store) -> None:
    message = make_message("cus_0001")
    enqueue(store, message)
    claim(store, T0, worker="clm_a")
    later = T0 + LEASE + timedelta(seconds=1)

    with store.transaction() as tx:
        again = tx.claim_outbox(now=later, lease_until=later + LEASE, claim_token="clm_b", limit=5)

    assert [(m.id, m.attempts, m.claimed_until) for m in again] == [(message.id, 2, later + LEASE)]


def test_the_first_claim_records_when_the_links_are_issued_and_later_claims_keep_it(
    store: Store,
) -> None:
    message = make_message("cus_0001")
    enqueue(store, message)
    first = T0 + timedelta(seconds=7)
    with store.transaction() as tx:
        (claimed,) = tx.claim_outbox(now=first, lease_until=first, claim_token="clm_a", limit=1)
    later = first + timedelta(minutes=5)
    with store.transaction() as tx:
        (again,) = tx.claim_outbox(now=later, lease_until=later, claim_token="clm_b", limit=1)
        stored = tx.get_outbox(message.id)

    assert message.links_issued_at is None
    assert claimed.links_issued_at == again.links_issued_at == first
    assert stored is not None and stored.links_issued_at == first


def test_claiming_for_one_business_leaves_the_others(store: Store) -> None:
    mine, theirs = make_message("cus_0001"), make_message("cus_0001", business_id=OTHER)
    enqueue(store, mine, theirs)

    with store.transaction() as tx:
        claimed = tx.claim_outbox(
            now=T0, lease_until=T0 + LEASE, claim_token="clm_a", limit=5, business_id=OTHER
        )
    assert [m.id for m in claimed] == [theirs.id]


def test_the_claim_holder_can_update_the_message(store: Store) -> None:
    enqueue(store, make_message("cus_0001"))
    with store.transaction() as tx:
        (claimed,) = tx.claim_outbox(now=T0, lease_until=T0 + LEASE, claim_token="clm_a", limit=1)
    sent = attrs.evolve(claimed, state=OutboxState.SENT, sent_at=T0, claimed_until=None)

    with store.transaction() as tx:
        tx.update_outbox(sent, claim_token="clm_a")

    with store.transaction() as tx:
        assert tx.get_outbox(sent.id) == sent
        assert tx.pending_customer_ids(BIZ, "invitation", ["cus_0001"]) == set()


def test_a_wrong_claim_token_cannot_update_the_message(store: Store) -> None:
    enqueue(store, make_message("cus_0001"))
    with store.transaction() as tx:
        (claimed,) = tx.claim_outbox(now=T0, lease_until=T0 + LEASE, claim_token="clm_a", limit=1)

    with pytest.raises(ConcurrentUpdate), store.transaction() as tx:
        tx.update_outbox(attrs.evolve(claimed, state=OutboxState.SENT), claim_token="clm_b")

    with store.transaction() as tx:
        assert tx.get_outbox(claimed.id) == claimed


def test_a_lease_taken_over_after_expiry_locks_out_the_first_worker(store: Store) -> None:
    enqueue(store, make_message("cus_0001"))
    with store.transaction() as tx:
        (first,) = tx.claim_outbox(now=T0, lease_until=T0 + LEASE, claim_token="clm_a", limit=1)
    claim(store, T0 + LEASE * 2, worker="clm_b")

    with pytest.raises(ConcurrentUpdate), store.transaction() as tx:
        tx.update_outbox(attrs.evolve(first, state=OutboxState.SENT), claim_token="clm_a")


def test_a_released_claim_token_no_longer_updates(store: Store) -> None:
    enqueue(store, make_message("cus_0001"))
    with store.transaction() as tx:
        (claimed,) = tx.claim_outbox(now=T0, lease_until=T0 + LEASE, claim_token="clm_a", limit=1)
    retry = attrs.evolve(claimed, claimed_until=None, not_before=T0 + LEASE, last_error="421")
    with store.transaction() as tx:
        tx.update_outbox(retry, claim_token="clm_a")

    with pytest.raises(ConcurrentUpdate), store.transaction() as tx:
        tx.update_outbox(attrs.evolve(retry, state=OutboxState.SENT), claim_token="clm_a")
    with store.transaction() as tx:
        assert tx.get_outbox(claimed.id) == retry


def test_updating_an_unknown_message_is_a_concurrent_update(store: Store) -> None:
    with pytest.raises(ConcurrentUpdate), store.transaction() as tx:
        tx.update_outbox(make_message("cus_0001"), claim_token=None)


# Events ----------------------------------------------------------------------------------


def test_events_are_listed_per_customer_in_order(store: Store) -> None:
    def event(customer_id: str, kind: EventKind, minutes: int, business_id: str = BIZ) -> Event:
        at = T0 + timedelta(minutes=minutes)
        return Event(business_id=business_id, customer_id=customer_id, kind=kind, at=at)

    history = [
        event("cus_0001", EventKind.ADDED, 0),
        event("cus_0001", EventKind.INVITATION_QUEUED, 1),
        attrs.evolve(event("cus_0001", EventKind.DELIVERY_FAILED, 1), detail="421 later"),
    ]
    with store.transaction() as tx:
        tx.add_events(history[:2])
        tx.add_events([event("cus_0002", EventKind.ADDED, 0)])
        tx.add_events([event("cus_0001", EventKind.ADDED, 0, business_id=OTHER)])
    with store.transaction() as tx:
        tx.add_events(history[2:])

    with store.transaction() as tx:
        assert tx.list_events(BIZ, "cus_0001") == history
        assert tx.list_events(BIZ, "cus_0009") == []


# Login throttling --------------------------------------------------------------------------


def test_login_failures_are_counted_since_a_moment_and_cleared(store: Store) -> None:
    with store.transaction() as tx:
        for minutes in (0, 5, 10):
            tx.record_attempt(BIZ, "email:ana@example.com", T0 + timedelta(minutes=minutes))
        tx.record_attempt(BIZ, "client:10.0.0.1", T0)
        tx.record_attempt(OTHER, "email:ana@example.com", T0 + timedelta(minutes=10))

    with store.transaction() as tx:
        since_five = tx.count_attempts(
            BIZ, "email:ana@example.com", since=T0 + timedelta(minutes=5)
        )
        tx.clear_attempts(BIZ, "email:ana@example.com")
    with store.transaction() as tx:
        after_clear = tx.count_attempts(BIZ, "email:ana@example.com", since=T0)
        client = tx.count_attempts(BIZ, "client:10.0.0.1", since=T0)
        other = tx.count_attempts(OTHER, "email:ana@example.com", since=T0)
    assert (since_five, after_clear, client, other) == (2, 0, 1, 1)


def test_attempts_are_reserved_until_the_limit_and_a_refusal_records_nothing(
    store: Store,
) -> None:
    key = "email:ana@example.com"
    with store.transaction() as tx:
        numbers = [
            tx.reserve_attempt(
                BIZ, key, at=T0 + timedelta(seconds=n), since=T0 - timedelta(minutes=15), limit=3
            )
            for n in range(4)
        ]
        counted = tx.count_attempts(BIZ, key, since=T0)

    assert numbers[3] is None
    first, second, third = numbers[:3]
    assert first is not None and second is not None and third is not None
    assert first < second < third
    assert counted == 3


def test_a_reservation_counts_only_the_attempts_since_the_moment_given(store: Store) -> None:
    key = "client:10.0.0.1"
    with store.transaction() as tx:
        tx.record_attempt(BIZ, key, T0)
        after_it = tx.reserve_attempt(
            BIZ, key, at=T0 + timedelta(minutes=20), since=T0 + timedelta(seconds=1), limit=1
        )
        with_it = tx.reserve_attempt(BIZ, key, at=T0 + timedelta(minutes=20), since=T0, limit=2)
    assert after_it is not None
    assert with_it is None


def test_a_reservation_is_numbered_after_the_attempts_recorded_before_it(store: Store) -> None:
    key = "email:ana@example.com"
    with store.transaction() as tx:
        tx.record_attempt(BIZ, key, T0)
        reservation = tx.reserve_attempt(BIZ, key, at=T0, since=T0, limit=5)
        assert reservation is not None
        tx.release_attempt(BIZ, key, reservation)
        left = tx.count_attempts(BIZ, key, since=T0)
    assert left == 1


def test_releasing_a_reservation_forgets_it_and_with_earlier_those_before_it(
    store: Store,
) -> None:
    key = "email:ana@example.com"
    with store.transaction() as tx:
        first, second, third, fourth = (
            tx.reserve_attempt(BIZ, key, at=T0, since=T0, limit=10) for _ in range(4)
        )
    assert first and second and third and fourth
    with store.transaction() as tx:
        tx.release_attempt(BIZ, key, second)
        tx.release_attempt(BIZ, key, second)  # already forgotten: ignored
        without_second = tx.count_attempts(BIZ, key, since=T0)
        tx.release_attempt(BIZ, key, third, with_earlier=True)
    with store.transaction() as tx:
        # Only the fourth, reserved after the third, is left.
        left = tx.count_attempts(BIZ, key, since=T0)
        tx.release_attempt(BIZ, key, fourth)
        none_left = tx.count_attempts(BIZ, key, since=T0)
    assert (without_second, left, none_left) == (3, 1, 0)


def test_reservations_are_kept_per_business_and_key(store: Store) -> None:
    key = "email:ana@example.com"
    with store.transaction() as tx:
        mine = tx.reserve_attempt(BIZ, key, at=T0, since=T0, limit=1)
        full = tx.reserve_attempt(BIZ, key, at=T0, since=T0, limit=1)
        other_business = tx.reserve_attempt(OTHER, key, at=T0, since=T0, limit=1)
        other_key = tx.reserve_attempt(BIZ, "mail:ana@example.com", at=T0, since=T0, limit=1)
    assert mine is not None and other_business is not None and other_key is not None
    assert full is None
    with store.transaction() as tx:
        tx.release_attempt(BIZ, key, max(mine, other_business, other_key), with_earlier=True)
        counts = [
            tx.count_attempts(BIZ, key, since=T0),
            tx.count_attempts(OTHER, key, since=T0),
            tx.count_attempts(BIZ, "mail:ana@example.com", since=T0),
        ]
    assert counts == [0, 1, 1]


def test_a_reservation_rolled_back_is_not_counted(store: Store) -> None:
    class Boom(Exception):
        pass

    def reserve_then_fail() -> None:
        with store.transaction() as tx:
            tx.reserve_attempt(BIZ, "email:x", at=T0, since=T0, limit=1)
            raise Boom

    with pytest.raises(Boom):
        reserve_then_fail()
    with store.transaction() as tx:
        again = tx.reserve_attempt(BIZ, "email:x", at=T0, since=T0, limit=1)
    assert again is not None


# Registrations -----------------------------------------------------------------------------


def test_registrations_are_stored_found_and_deleted_per_business(store: Store) -> None:
    registration = Registration(
        id="reg_1",
        business_id=BIZ,
        email="Neu@Example.com",
        email_key="neu@example.com",
        first_name="Neu",
        locale="de",
        password_hash="$argon2id$hash",
        created_at=T0,
    )
    with store.transaction() as tx:
        tx.insert_registration(registration)

    with store.transaction() as tx:
        found = tx.get_registration(BIZ, "reg_1")
        elsewhere = tx.get_registration(OTHER, "reg_1")
        tx.delete_registration(OTHER, "reg_1")
        tx.delete_registration(BIZ, "reg_unknown")
    with store.transaction() as tx:
        kept = tx.get_registration(BIZ, "reg_1")
        tx.delete_registration(BIZ, "reg_1")
    with store.transaction() as tx:
        gone = tx.get_registration(BIZ, "reg_1")
    assert (found, elsewhere, kept, gone) == (registration, None, registration, None)
