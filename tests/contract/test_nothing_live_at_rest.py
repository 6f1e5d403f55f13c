"""Nothing in a store can activate, reset or unsubscribe anyone: no token, link or body.

The outbox holds what to send; the email is composed and signed at delivery and
kept only in memory.  After a campaign, account emails, a sign-up and a delivery
(with rows left pending, sent, failed and cancelled), every text a store holds is
read -- every field of every stored object for the memory store, every text
column of every table for the SQL ones -- and searched for them.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import attrs
import sqlalchemy as sa

from invitekit import Audience, OutboxState
from invitekit.adapters.memory import MemoryMailer, MemoryStore
from invitekit.adapters.sql import SQLStore
from invitekit.ports import Store
from invitekit.testing import FakeClock, make_accepted_customer, make_business, make_kit

BUSINESS = make_business(default_locale="en")
# A link with a token in it (a URL template's "{token}" is not one), and a token's shape:
# payload.timestamp.signature in URL-safe base64.
_LINK = re.compile(
    r"https://studio\.example/(?:activate|reset|verify|unsubscribe|email-change)/(?!\{token\})"
)
_TOKEN = re.compile(r"[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{20,}")


def _memory_texts(value: Any, seen: set[int]) -> Iterator[str]:
    if id(value) in seen:
        return
    seen.add(id(value))
    if isinstance(value, str):
        yield value
    elif attrs.has(type(value)):
        for field in attrs.fields(type(value)):
            yield from _memory_texts(getattr(value, field.name), seen)
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _memory_texts(key, seen)
            yield from _memory_texts(item, seen)
    elif isinstance(value, list | tuple | set | frozenset):
        for item in value:
            yield from _memory_texts(item, seen)


def stored_texts(store: Store) -> list[str]:
    """Every text the store holds."""
    if isinstance(store, MemoryStore):
        return list(_memory_texts(vars(store), set()))
    assert isinstance(store, SQLStore)
    texts = []
    # The server stores of the tests live in a private schema (a translate map).
    schema = store.engine.get_execution_options().get("schema_translate_map", {}).get(None)
    with store.engine.connect() as conn:
        meta = sa.MetaData()
        meta.reflect(conn, schema=schema)
        for table in meta.tables.values():
            for row in conn.execute(sa.select(table)):
                texts += [str(value) for value in row if value is not None]
    return texts


def test_no_token_link_or_body_is_stored(store: Store) -> None:
    clock = FakeClock()
    mailer = MemoryMailer()
    kit = make_kit(store=store, mailer=mailer, clock=clock, business=BUSINESS)
    kit.save_invitation_template("en", subject="Hi {{ first_name }}", body="Come online.")
    accepted = make_accepted_customer(kit, "ana@example.com", first_name="Ana")
    for number in range(6):
        kit.add_customer(f"c{number}@example.com", first_name=f"Person{number}")
    mailer.refuse.add("c0@example.com")  # one row fails
    kit.invite_audience(Audience.all(), subject="Once only, {{ first_name }}")
    kit.request_password_reset("ana@example.com")
    kit.register("new@example.com", first_name="Neu", password="a long enough passphrase")
    kit.request_email_change(
        accepted.customer.id, "ana.new@example.com", password=accepted.password
    )
    kit.archive_customer(kit.find_customer("c1@example.com").id)  # one row cancelled
    assert kit.deliver().sent >= 6
    clock.advance(minutes=1)
    kit.add_customer("late@example.com", first_name="Late", invite=True)  # one row pending
    held = kit.add_customer("held@example.com", first_name="Held", invite=True)
    (held_row,) = kit.outbox_messages(customer_id=held.id)
    assert held_row.campaign_id is not None
    with store.transaction() as tx:  # one row paused (as the circuit breaker does)
        assert tx.pause_outbox(BUSINESS.id, held_row.campaign_id) == 1

    states = {m.state for m in kit.outbox_messages()}
    assert states == set(OutboxState)
    composed = [accepted.invitation, *mailer.outbox]
    # What the scan looks for is in every email that carries a link (all but the
    # notice of an email change, to the old address)...
    linked = [e for e in composed if not e.subject.endswith("is being changed")]
    assert len(linked) == len(composed) - 1
    assert any("/email-change/" in e.text for e in linked)
    assert all(_LINK.search(e.text) and _TOKEN.search(e.text) for e in linked)
    # ...and never in what the store holds.
    texts = stored_texts(store)
    assert any("Come online." in t for t in texts)  # the scan reads the stored texts
    leaks = [t for t in texts if _LINK.search(t) or _TOKEN.search(t)]
    for email in composed:
        for line in email.text.splitlines():
            # Lines of the composed body that no stored text has on its own: the
            # greeting, the link lines, the validity; the business's own text is
            # stored as its template, so it may appear.
            if line.startswith(("Hello ", "Activate", "This link", "Choose", "Confirm")):
                leaks += [t for t in texts if line in t]
    assert leaks == []
    # The sent rows keep their metadata.
    sent = kit.outbox_messages(state=OutboxState.SENT)
    assert {m.message_id for m in sent} <= {e.message_id for e in composed}
    assert all(m.recipient and m.sent_at is not None for m in sent)
    assert clock.now() - min(m.sent_at for m in sent if m.sent_at) < timedelta(hours=1)
