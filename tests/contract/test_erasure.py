"""Erasure leaves no personal datum anywhere: the whole store searched afterwards, on every store.

A customer goes through every state the library keeps something about (an
address changed, invited and delivered, in a group and a campaign, bounced with
the server's words, signed up again, activated, logged in and failed to, asked
for a reset, made undeliverable), then is erased.  The search then reads every
column of every table found by reflecting the database (so a table added later
is searched too), for SQLite also the file's bytes after a checkpoint and
``VACUUM``, and for the memory store every object it holds; it looks for the
addresses (any case), the names and both password hashes.  A control customer
who stays must still be found, so the search is shown to see what it looks for.
"""

from __future__ import annotations

import enum
import sqlite3
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import attrs
import pytest
import sqlalchemy as sa

from invitekit import (
    Audience,
    ConcurrentUpdate,
    CustomerNotFound,
    EventKind,
    InvalidCredentials,
    Status,
    TokenInvalid,
)
from invitekit.adapters.memory import MemoryMailer, MemoryStore
from invitekit.adapters.sql import SQLStore
from invitekit.ports import Store
from invitekit.testing import FakeClock, make_business, make_kit
from tests.helpers import ACTIVATE, PASSWORD, UNSUBSCRIBE, token_in

OLD = "zyxandra.old@example.net"
ADDRESS = "Zyxandra.Quill@Example.org"
FIRST = "Zyxandrina"
LAST = "Quillfeatherby"
CONTROL = "bob.control@example.com"
# A provider's subject identifies the person at the provider: personal data too.
SUBJECT = "zq-google-subject-90417733"
NEW_ADDRESS = "zq.newaddress@example.net"  # a pending email change's
BUSINESS = make_business(default_locale="en", signature="")


def walk(value: Any, seen: set[int]) -> Iterator[str]:
    """Every text inside ``value``: the memory store's tables, their keys and records."""
    if isinstance(value, str | enum.Enum):
        yield str(value.value if isinstance(value, enum.Enum) else value)
        return
    if isinstance(value, bytes):
        yield value.decode("utf-8", "replace")
        return
    if id(value) in seen:
        return
    seen.add(id(value))
    if isinstance(value, dict):
        for key, item in value.items():
            yield from walk(key, seen)
            yield from walk(item, seen)
    elif isinstance(value, list | tuple | set | frozenset):
        for item in value:
            yield from walk(item, seen)
    elif attrs.has(type(value)):
        for field in attrs.fields(type(value)):
            yield from walk(getattr(value, field.name), seen)


def texts_of(store: Store) -> dict[str, list[str]]:
    """Every stored text, by table (by attribute for the memory store)."""
    if isinstance(store, MemoryStore):
        return {
            name: list(walk(value, set()))
            for name, value in vars(store).items()
            if isinstance(value, dict | list)
        }
    assert isinstance(store, SQLStore)
    schema = store.engine.get_execution_options().get("schema_translate_map", {}).get(None)
    found: dict[str, list[str]] = {}
    with store.engine.connect() as conn:
        reflected = sa.MetaData()
        reflected.reflect(conn, schema=schema)
        assert len(reflected.tables) >= 10  # every table of the schema, not an empty guess
        for table in reflected.tables.values():
            found[table.name] = [
                value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)
                for row in conn.execute(sa.select(table))
                for value in row
                if value is not None
            ]
    return found


def hits(store: Store, needles: list[str]) -> dict[str, set[str]]:
    """Which needles (compared case-insensitively) each table holds."""
    lowered = {n: n.casefold() for n in needles}
    return {
        table: found
        for table, values in texts_of(store).items()
        if (found := {n for n, low in lowered.items() if any(low in v.casefold() for v in values)})
    }


def file_hits(store: SQLStore, needles: list[str]) -> list[str]:
    """The needles in the SQLite file's bytes (and its WAL), after a checkpoint and VACUUM."""
    path = Path(str(store.engine.url.database))
    store.engine.dispose()
    with sqlite3.connect(path, isolation_level=None) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        conn.execute("VACUUM")
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    data = b"".join(
        p.read_bytes() for p in (path, path.with_name(path.name + "-wal")) if p.exists()
    ).lower()
    return [n for n in needles if n.lower().encode() in data]


def put_through_every_state(store: Store) -> dict[str, Any]:
    """A customer in every state the store keeps something about, and a control customer."""
    clock = FakeClock()
    mailer = MemoryMailer()
    kit = make_kit(store=store, mailer=mailer, clock=clock, business=BUSINESS)
    control = kit.add_customer(CONTROL, first_name="Bobcontrol")
    customer = kit.add_customer(OLD, first_name=FIRST, last_name=LAST, locale="en")
    kit.invite(customer.id)
    kit.deliver()
    # A sign-up for the address before the customer has it: its email has no customer.
    kit.register(ADDRESS, first_name=FIRST, password="a third long pass phrase")
    kit.deliver()
    kit.update_customer(customer.id, email=ADDRESS)
    kit.create_group("Zumba")
    kit.add_to_group("Zumba", [customer.id, control.id])
    campaign = kit.invite_audience(Audience.all(), by="owner")
    kit.deliver()
    invitation = mailer.to("Zyxandra.Quill@example.org")[-1]
    kit.record_bounce(invitation.message_id, "soft", detail=f"4.2.2 mailbox {ADDRESS} full")
    kit.register(ADDRESS.upper(), first_name=FIRST, password="another long pass phrase")
    kit.deliver()
    kit.accept_invitation(token_in(invitation, ACTIVATE), PASSWORD)
    kit.login(ADDRESS.lower(), PASSWORD)
    kit.sign_in_with_provider("google", SUBJECT, email=ADDRESS, email_verified=True)
    clock.advance(minutes=1)
    with pytest.raises(InvalidCredentials):
        kit.login(ADDRESS, "not the password at all", client="203.0.113.9")
    kit.request_password_reset(ADDRESS)
    kit.deliver()
    reset = mailer.outbox[-1]
    assert reset.to == "Zyxandra.Quill@example.org"
    kit.record_bounce(reset.message_id, "hard", detail=f"5.1.1 <{ADDRESS}>: user unknown")
    kit.request_email_change(customer.id, NEW_ADDRESS, password=PASSWORD)
    with store.transaction(readonly=True) as tx:
        signups = tx.registrations_for(BUSINESS.id, "zyxandra.quill@example.org")
    stored = kit.get_customer(customer.id)
    assert stored.password_hash is not None
    assert stored.undeliverable
    assert len(signups) == 2
    return {
        "kit": kit,
        "mailer": mailer,
        "customer": stored,
        "control": control,
        "campaign_id": campaign.campaign_id,
        "invitation": invitation,
        "needles": [
            ADDRESS,
            OLD,
            "zyxandra.quill@example.org",
            FIRST,
            LAST,
            stored.password_hash,
            SUBJECT,
            NEW_ADDRESS,
            *(s.password_hash for s in signups),
        ],
    }


def test_erasure_leaves_no_personal_datum_in_any_table(store: Store) -> None:
    world = put_through_every_state(store)
    kit, needles = world["kit"], world["needles"]
    before = hits(store, [*needles, CONTROL])
    customer = world["customer"]

    kit.erase_customer(customer.id, by="front-desk")

    after = hits(store, [*needles, CONTROL])
    assert after == {table: {CONTROL} for table, found in after.items()}
    # The search sees what it looks for: everywhere the customer was, before.
    everywhere = {n for found in before.values() for n in found}
    assert everywhere == {*needles, CONTROL}
    if isinstance(store, SQLStore):
        assert {
            "invitekit_customers",
            "invitekit_events",
            "invitekit_outbox",
            "invitekit_login_failures",
            "invitekit_registrations",
            "invitekit_identities",
            "invitekit_email_changes",
        } <= set(before)
        assert set(after) <= {"invitekit_customers", "invitekit_outbox"}
    if isinstance(store, SQLStore) and store.engine.dialect.name == "sqlite":
        assert file_hits(store, [CONTROL]) == [CONTROL]
        assert file_hits(store, needles) == []


def test_an_erased_customer_is_gone_and_the_campaign_counts_stay(store: Store) -> None:
    world = put_through_every_state(store)
    kit, customer = world["kit"], world["customer"]
    report = kit.campaign_report(world["campaign_id"])
    counts = kit.status_counts()

    kit.erase_customer(customer.id, by="front-desk")

    with pytest.raises(CustomerNotFound):
        kit.get_customer(customer.id)
    with pytest.raises(CustomerNotFound):
        kit.export_customer(customer.id)
    with pytest.raises(CustomerNotFound):
        kit.erase_customer(customer.id)
    assert kit.find_customer(ADDRESS) is None
    assert [c.id for c in kit.list_customers(archived=None)] == [world["control"].id]
    assert kit.status_counts() == {**counts, Status.ACCEPTED: counts[Status.ACCEPTED] - 1}
    after = kit.campaign_report(world["campaign_id"])
    # Totals and languages stay; groups are the customers' groups now (see docs/privacy.md).
    assert attrs.evolve(after, by_group={}) == attrs.evolve(report, by_group={})
    with store.transaction(readonly=True) as tx:
        remains = tx.list_events(BUSINESS.id, customer.id)
        outbox = tx.list_outbox(BUSINESS.id, customer_id=customer.id)
    assert remains[-1].kind is EventKind.ERASED
    assert (remains[-1].detail, remains[-1].by) == ("", "front-desk")
    assert all(m.recipient is None and not m.state.waiting for m in outbox)


def test_every_link_sent_before_the_erasure_is_refused(store: Store) -> None:
    world = put_through_every_state(store)
    kit, mailer, customer = world["kit"], world["mailer"], world["customer"]
    links = [
        (kit.check_activation, token_in(world["invitation"], ACTIVATE)),
        (kit.unsubscribe, token_in(world["invitation"], UNSUBSCRIBE)),
    ]

    kit.erase_customer(customer.id)

    for use, token in links:
        with pytest.raises(TokenInvalid):
            use(token)
    assert kit.deliver().sent == 0
    mailer.clear()
    kit.request_password_reset(ADDRESS)
    assert kit.deliver().sent == 0  # an unknown address is sent nothing


def test_the_address_can_be_added_again_as_a_new_customer(store: Store) -> None:
    world = put_through_every_state(store)
    kit, customer = world["kit"], world["customer"]

    kit.erase_customer(customer.id)
    again = kit.add_customer(ADDRESS.lower(), first_name=FIRST)

    assert again.id != customer.id
    assert kit.find_customer(ADDRESS) == again
    assert [e.kind for e in kit.history(again.id)] == [EventKind.ADDED]
    assert kit.export_customer(again.id)["login_failures"] == []


def test_erasure_gives_way_to_a_worker_sending_to_the_customer(store: Store) -> None:
    clock = FakeClock()
    kit = make_kit(store=store, mailer=MemoryMailer(), clock=clock, business=BUSINESS)
    ana = kit.add_customer("ana@example.com", first_name="Ana", invite=True)
    with store.transaction() as tx:  # a worker's claim, its email on its way
        (claimed,) = tx.claim_outbox(
            now=clock.now(),
            lease_until=clock.now() + timedelta(minutes=5),
            claim_token="clm_worker",
            limit=10,
        )

    with pytest.raises(ConcurrentUpdate):
        kit.erase_customer(ana.id)
    assert kit.get_customer(ana.id) == ana  # nothing changed
    clock.advance(minutes=6)  # the worker died: its lease ended
    kit.erase_customer(ana.id)

    with store.transaction() as tx, pytest.raises(ConcurrentUpdate):
        # The dead worker coming back cannot write the address back.
        tx.update_outbox(attrs.evolve(claimed, recipient=ana.email), claim_token="clm_worker")
    assert kit.find_customer("ana@example.com") is None
