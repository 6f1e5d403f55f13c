"""What must hold after a v1 database is upgraded to the newest revision.

The harness (``test_upgrade_v1.py``) upgrades the v1 fixture on every backend
and runs every check below.  A new migration adds its own expectations here and
changes nothing else:

* a table whose rows it rewrites leaves :data:`UNCHANGED`, and a check of what
  became of those rows takes its place (registered with :func:`expectation`);
* columns it adds are ignored by the unchanged-rows check (only v1's columns
  are compared); a column it drops must leave :data:`UNCHANGED` with its table;
* the use-case checks (:func:`everything_still_works`) hold at every revision:
  they read and act through the facade, never through the tables.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from invitekit import Audience, CustomerArchived, InviteKit, Status
from invitekit.adapters.memory import MemoryMailer
from invitekit.adapters.sql import SQLStore
from invitekit.testing import FakeClock, InsecureKey, fast_password_hasher, make_business
from tests.migrations.v1data import PASSWORD, SECRET_KEY, V1Rows

__all__ = ["EXPECTATIONS", "UNCHANGED", "expectation"]

Check = Callable[[sa.Engine, V1Rows], None]
EXPECTATIONS: list[Check] = []

# v1 tables whose rows the migrations carry over unchanged (on v1's columns).
UNCHANGED = {
    "invitekit_customers",
    "invitekit_groups",
    "invitekit_group_members",
    "invitekit_events",
    "invitekit_login_failures",
    "invitekit_registrations",
}


def expectation(check: Check) -> Check:
    """Register ``check`` to run on every upgraded v1 database."""
    EXPECTATIONS.append(check)
    return check


def _kit(engine: sa.Engine, business_id: str, clock: FakeClock) -> tuple[InviteKit, MemoryMailer]:
    mailer = MemoryMailer()
    kit = InviteKit(
        store=SQLStore(engine),
        mailer=mailer,
        clock=clock,
        business=make_business(
            id=business_id,
            sender=f"hello@{business_id}.example",
            activation_url=f"https://{business_id}.example/activate/{{token}}",
            unsubscribe_url=f"https://{business_id}.example/unsubscribe/{{token}}",
            reset_url=f"https://{business_id}.example/reset/{{token}}",
            email_change_url=f"https://{business_id}.example/email-change/{{token}}",
        ),
        secret_keys=[InsecureKey(SECRET_KEY)],
        password_hasher=fast_password_hasher(),
    )
    return kit, mailer


@expectation
def unchanged_rows_are_kept(engine: sa.Engine, v1: V1Rows) -> None:
    """Every row of every :data:`UNCHANGED` table, on v1's columns, in the same order."""
    metadata = sa.MetaData()
    with engine.connect() as conn:
        for name in sorted(UNCHANGED):
            table = sa.Table(name, metadata, autoload_with=conn)
            columns = list(v1[name][0]) if v1[name] else []
            order = [table.c[c.name] for c in table.primary_key.columns]
            rows = conn.execute(sa.select(table).order_by(*order)).mappings().all()
            got = [{column: _plain(row[column]) for column in columns} for row in rows]
            want = [{column: _plain(row[column]) for column in columns} for row in v1[name]]
            assert got == want, name


def _plain(value: object) -> object:
    """Values as every backend returns them: naive UTC datetimes, bools as bools."""
    if isinstance(value, datetime):
        return value.astimezone(UTC).replace(tzinfo=None) if value.tzinfo else value
    return value


@expectation
def everything_still_works(engine: sa.Engine, v1: V1Rows) -> None:
    """Customers, groups, templates, history and passwords, read and used through the facade."""
    clock = FakeClock(datetime(2026, 1, 5, 12, 0, tzinfo=UTC))
    kit, mailer = _kit(engine, "studio-1", clock)
    other, _ = _kit(engine, "studio-2", clock)

    # Active customers: ana, fay, retry, bounce, ida Added; ben, eva Invited; cara
    # Accepted (dan, Invited, is archived).
    assert kit.status_counts() == {Status.ADDED: 5, Status.INVITED: 2, Status.ACCEPTED: 1}
    assert other.status_counts()[Status.ADDED] == 1
    dan = kit.find_customer("dan@example.com")
    eva = kit.find_customer("eva@example.com")
    assert dan is not None and dan.archived
    assert eva is not None and eva.unsubscribed
    groups = {group.name for group in kit.list_groups()}
    assert groups == {"Monday class", "Empty group"}
    plan = kit.plan_invitations(Audience.group("Monday class"))
    assert len(plan.recipients) + len(plan.skipped) == 3
    assert kit.invitation_template("es").subject == "Hola {{ first_name }}"
    cara = kit.login("cara@example.com", PASSWORD)
    assert cara.status is Status.ACCEPTED
    v1_kinds = [row["kind"] for row in v1["invitekit_events"] if row["customer_id"] == cara.id]
    assert "accepted" in v1_kinds
    assert [event.kind for event in kit.history(cara.id)][: len(v1_kinds)] == v1_kinds

    # Pending messages (fay's invitation, retry's after its failure, cara's reset,
    # neu's verification) are delivered exactly once; the others never.
    clock.advance(timedelta(days=1))
    kit.deliver()
    kit.deliver()
    sent = sorted(email.to for email in mailer.outbox)
    assert sent == sorted(
        ["fay@example.com", "retry@example.net", "cara@example.com", "neu@example.com"]
    )


# Revision 0002: the outbox holds intent; template revisions --------------------------

_V1_EMAIL_COLUMNS = {"sender", "subject", "text_body", "html_body", "headers"}
_KEPT = ("business_id", "customer_id", "kind", "state", "attempts", "recipient", "message_id")


@expectation
def templates_become_revisions(engine: sa.Engine, v1: V1Rows) -> None:
    """Every v1 template is a saved revision of the same text; the old table is gone."""
    with engine.connect() as conn:
        assert not sa.inspect(conn).has_table("invitekit_templates")
        revisions = sa.Table("invitekit_template_revisions", sa.MetaData(), autoload_with=conn)
        rows = conn.execute(sa.select(revisions)).mappings().all()
    got = sorted(
        (r["business_id"], r["kind"], r["locale"], r["subject"], r["body"], bool(r["one_off"]))
        for r in rows
    )
    want = sorted(
        (t["business_id"], t["kind"], t["locale"], t["subject"], t["body"], False)
        for t in v1["invitekit_templates"]
    )
    assert got == want


@expectation
def outbox_rows_become_intents_without_bodies(engine: sa.Engine, v1: V1Rows) -> None:
    """Every v1 message is kept as what to send; no body, header or link is left."""
    with engine.connect() as conn:
        outbox = sa.Table("invitekit_outbox", sa.MetaData(), autoload_with=conn)
        rows = {r["id"]: r for r in conn.execute(sa.select(outbox)).mappings().all()}
    assert not _V1_EMAIL_COLUMNS & set(outbox.c.keys())
    assert set(rows) == {row["id"] for row in v1["invitekit_outbox"]}
    registrations = {r["id"] for r in v1["invitekit_registrations"]}
    for old in v1["invitekit_outbox"]:
        new = rows[old["id"]]
        assert {c: new[c] for c in _KEPT} == {c: old[c] for c in _KEPT}
        lang = (
            old["html_body"].split('lang="')[1].split('"')[0]
            if 'lang="' in old["html_body"]
            else "en"
        )
        assert new["locale"] == lang.replace("-", "_")
        assert all("://" not in str(value) for value in new.values())
        if old["kind"] == "email_verification":
            assert new["registration_id"] in registrations
        if old["kind"] == "password_reset":
            assert new["purpose"] in ("password_reset", "activation")


# Revision 0004: campaigns, and who made each change ----------------------------------


@expectation
def earlier_rows_belong_to_no_campaign(engine: sa.Engine, v1: V1Rows) -> None:
    """Messages and events from before campaigns: no campaign, no ``by``; none is made up."""
    with engine.connect() as conn:
        tables = sa.MetaData()
        outbox = sa.Table("invitekit_outbox", tables, autoload_with=conn)
        events = sa.Table("invitekit_events", tables, autoload_with=conn)
        campaigns = sa.Table("invitekit_campaigns", tables, autoload_with=conn)
        outbox_campaigns = conn.execute(sa.select(outbox.c.campaign_id)).scalars().all()
        event_columns = conn.execute(sa.select(events.c.actor, events.c.campaign_id)).all()
        assert conn.execute(sa.select(sa.func.count()).select_from(campaigns)).scalar() == 0
    assert len(outbox_campaigns) == len(v1["invitekit_outbox"])
    assert set(outbox_campaigns) == {None}
    assert len(event_columns) == len(v1["invitekit_events"])
    assert {tuple(row) for row in event_columns} == {(None, None)}


@expectation
def a_campaign_after_the_upgrade_is_recorded_with_its_events(
    engine: sa.Engine, v1: V1Rows
) -> None:
    """The first campaign on an upgraded database: its row, its invitations, ``by``."""
    clock = FakeClock(datetime(2026, 1, 7, 9, 0, tzinfo=UTC))
    kit, mailer = _kit(engine, "studio-1", clock)
    ida = kit.find_customer("ida@example.com")
    assert ida is not None

    message = kit.invite(ida.id, by="front-desk")
    kit.deliver()

    (campaign,) = [c for c in kit.list_campaigns() if c.id == message.campaign_id]
    assert (campaign.audience, campaign.by) == (f"customer:{ida.id}", "front-desk")
    assert [(e.kind.value, e.by) for e in kit.history(ida.id)][-2:] == [
        ("invitation_queued", "front-desk"),
        ("delivered", None),
    ]
    sent = [m for m in kit.outbox_messages(customer_id=ida.id) if m.id == message.id]
    assert [(m.campaign_id, m.state.value) for m in sent] == [(campaign.id, "sent")]
    # (with the v1 messages still pending, which everything_still_works counts)
    assert [email.to for email in mailer.outbox].count("ida@example.com") == 1


# Revision 0005: undeliverable addresses, resumed campaigns ---------------------------


@expectation
def earlier_customers_stay_deliverable(engine: sa.Engine, v1: V1Rows) -> None:
    """Every customer from before is deliverable (a v1 refusal is not made a bounce)."""
    with engine.connect() as conn:
        customers = sa.Table("invitekit_customers", sa.MetaData(), autoload_with=conn)
        marks = conn.execute(
            sa.select(customers.c.undeliverable_at, customers.c.undeliverable_reason)
        ).all()
    assert len(marks) == len(v1["invitekit_customers"])
    assert {tuple(row) for row in marks} == {(None, None)}
    clock = FakeClock(datetime(2026, 1, 7, 9, 0, tzinfo=UTC))
    kit, _ = _kit(engine, "studio-1", clock)
    refused = kit.find_customer("bounce@example.net")
    assert refused is not None and not refused.undeliverable
    assert refused.delivery_failure is not None  # what v1 recorded stays


@expectation
def a_hard_bounce_after_the_upgrade_makes_an_address_undeliverable(
    engine: sa.Engine, v1: V1Rows
) -> None:
    """Bounce, skip, clear and resume on an upgraded database, through the facade."""
    clock = FakeClock(datetime(2026, 1, 7, 9, 0, tzinfo=UTC))
    kit, _ = _kit(engine, "studio-1", clock)
    ida = kit.find_customer("ida@example.com")
    assert ida is not None
    message = kit.invite(ida.id)
    kit.deliver()

    outcome = kit.record_bounce(message.message_id, "hard", detail="5.1.1 user unknown")

    assert (outcome.recorded, outcome.undeliverable) == (True, True)
    plan = kit.plan_invitations(Audience.customer(ida.id))
    assert [s.reason.value for s in plan.skipped] == ["undeliverable"]
    assert not kit.clear_undeliverable(ida.id, by="front-desk").undeliverable
    campaign = kit.resume_campaign(str(message.campaign_id), by="owner")  # not paused: unchanged
    assert (campaign.paused, campaign.resumed_at, campaign.resumed_by) == (False, None, None)


# Revision 0006: external sign-in identities ----------------------------------------------


@expectation
def customers_from_before_sign_in_with_a_provider(engine: sa.Engine, v1: V1Rows) -> None:
    """No identity is linked by the upgrade; the first verified sign-in links one."""
    with engine.connect() as conn:
        identities = sa.Table("invitekit_identities", sa.MetaData(), autoload_with=conn)
        assert conn.execute(sa.select(sa.func.count()).select_from(identities)).scalar() == 0
    clock = FakeClock(datetime(2026, 1, 7, 9, 0, tzinfo=UTC))
    kit, _ = _kit(engine, "studio-1", clock)
    ben = kit.sign_in_with_provider(
        "google", "ben-1", email="ben@example.com", email_verified=True
    )
    assert ben.status is Status.ACCEPTED
    cara = kit.sign_in_with_provider(
        "google", "cara-1", email="cara@example.com", email_verified=True
    )
    assert kit.login("cara@example.com", PASSWORD).id == cara.id
    assert [i.subject for i in kit.identities(ben.id)] == ["ben-1"]


# Revision 0007: pending email changes ---------------------------------------------------


@expectation
def an_email_change_works_on_an_upgraded_database(engine: sa.Engine, v1: V1Rows) -> None:
    """The new table starts empty; a customer from v1 changes address through the facade."""
    with engine.connect() as conn:
        changes = sa.Table("invitekit_email_changes", sa.MetaData(), autoload_with=conn)
        assert conn.execute(sa.select(sa.func.count()).select_from(changes)).scalar() == 0
    clock = FakeClock(datetime(2026, 1, 7, 9, 0, tzinfo=UTC))
    kit, mailer = _kit(engine, "studio-1", clock)
    cara, dan = kit.find_customer("cara@example.com"), kit.find_customer("dan@example.com")
    assert cara is not None and dan is not None

    kit.request_email_change(cara.id, "cara.new@example.com", password=PASSWORD)
    kit.deliver()
    (link,) = mailer.to("cara.new@example.com")
    token = link.text.split("https://studio-1.example/email-change/")[1].split()[0]

    assert kit.confirm_email_change(token).email == "cara.new@example.com"
    assert kit.login("cara.new@example.com", PASSWORD).id == cara.id
    with pytest.raises(CustomerArchived):
        kit.request_email_change(dan.id, "dan.new@example.com", password=PASSWORD)


# Revision 0008: the event feed, webhooks ---------------------------------------------


@expectation
def earlier_events_are_the_start_of_each_business_feed(engine: sa.Engine, v1: V1Rows) -> None:
    """Every v1 event is in its business's feed, in the order written; new ones follow."""
    clock = FakeClock(datetime(2026, 1, 7, 9, 0, tzinfo=UTC))
    kit, _ = _kit(engine, "studio-1", clock)
    feed, cursor = kit.events_since(limit=1000)
    v1_events = sorted(
        (row for row in v1["invitekit_events"] if row["business_id"] == "studio-1"),
        key=lambda row: row["seq"],
    )
    assert [(i.event.customer_id, i.event.kind.value) for i in feed] == [
        (row["customer_id"], row["kind"]) for row in v1_events
    ]
    assert kit.list_webhooks() == []
    ana = kit.find_customer("ana@example.com")
    assert ana is not None
    kit.archive_customer(ana.id)
    later, _ = kit.events_since(cursor)
    assert [(i.event.customer_id, i.event.kind.value) for i in later] == [(ana.id, "archived")]
    assert later[0].position > feed[-1].position
