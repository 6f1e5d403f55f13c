from __future__ import annotations

from datetime import timedelta

import pytest

from invitekit import (
    Audience,
    Business,
    EventKind,
    InviteKit,
    OutboxSettings,
    OutboxState,
    Status,
)
from invitekit.adapters.files import FolderMailer
from invitekit.adapters.memory import MemoryMailer, MemoryStore
from invitekit.compose import to_mime
from invitekit.model import Email
from invitekit.testing import FakeClock, FlakyMailer, extract_token, make_kit


def _kit(
    store: MemoryStore, mailer: object, clock: FakeClock, business: Business, **outbox: object
) -> InviteKit:
    return make_kit(
        store=store,
        mailer=mailer,  # type: ignore[arg-type]
        clock=clock,
        business=business,
        outbox=OutboxSettings(**outbox),  # type: ignore[arg-type]
    )


def test_temporary_failure_is_retried_with_backoff_and_the_same_message_id(
    invitekit_store: MemoryStore, invitekit_clock: FakeClock, invitekit_business: Business
) -> None:
    failures = iter(["temporary", "temporary"])
    mailer = FlakyMailer(fail=lambda _email: next(failures, None))
    kit = _kit(
        invitekit_store,
        mailer,
        invitekit_clock,
        invitekit_business,
        retry_base=timedelta(minutes=1),
    )
    ana = kit.add_customer("ana@example.com", invite=True)

    assert kit.deliver().retrying == 1
    customer = kit.get_customer(ana.id)
    assert customer.status is Status.ADDED
    assert customer.delivery_failure is not None and "421" in customer.delivery_failure
    assert kit.deliver().sent == 0  # not due yet

    invitekit_clock.advance(minutes=1)
    assert kit.deliver().retrying == 1  # second failure: now waits 2 minutes
    invitekit_clock.advance(minutes=1, seconds=59)
    assert kit.deliver().sent == 0
    invitekit_clock.advance(seconds=1)
    assert kit.deliver().sent == 1

    delivered = kit.get_customer(ana.id)
    assert delivered.status is Status.INVITED
    assert delivered.delivery_failure is None
    (message,) = kit.outbox_messages(customer_id=ana.id)
    assert message.state is OutboxState.SENT
    assert message.attempts == 3
    assert mailer.sent[0].message_id == message.message_id
    kinds = [e.kind for e in kit.history(ana.id)]
    assert kinds.count(EventKind.DELIVERY_FAILED) == 2
    assert kinds[-1] is EventKind.DELIVERED


def test_permanent_failure_gives_up_at_once_and_is_visible(
    invitekit_store: MemoryStore, invitekit_clock: FakeClock, invitekit_business: Business
) -> None:
    mailer = FlakyMailer(fail=lambda email: "permanent" if email.to.startswith("bad") else None)
    kit = _kit(invitekit_store, mailer, invitekit_clock, invitekit_business)
    bad = kit.add_customer("bad@example.com", invite=True)
    good = kit.add_customer("good@example.com", invite=True)

    report = kit.deliver()

    assert (report.sent, report.failed, report.retrying) == (1, 1, 0)
    assert kit.get_customer(bad.id).status is Status.ADDED
    assert "550" in (kit.get_customer(bad.id).delivery_failure or "")
    assert kit.get_customer(good.id).status is Status.INVITED
    assert [m.state for m in kit.outbox_messages(customer_id=bad.id)] == [OutboxState.FAILED]
    # A failed invitation is no longer pending: the business may invite again.
    kit.invite(bad.id)


def test_gives_up_after_max_attempts(
    invitekit_store: MemoryStore, invitekit_clock: FakeClock, invitekit_business: Business
) -> None:
    mailer = FlakyMailer(fail=lambda _email: "temporary")
    kit = _kit(invitekit_store, mailer, invitekit_clock, invitekit_business, max_attempts=3)
    ana = kit.add_customer("ana@example.com", invite=True)
    outcomes = []
    for _ in range(3):
        report = kit.deliver()
        outcomes.append((report.retrying, report.failed))
        invitekit_clock.advance(hours=1)
    assert outcomes == [(1, 0), (1, 0), (0, 1)]
    assert [m.state for m in kit.outbox_messages(customer_id=ana.id)] == [OutboxState.FAILED]
    assert mailer.attempts == 3


def test_changes_after_queueing_withdraw_the_invitation(invitekit_kit: InviteKit) -> None:
    archived = invitekit_kit.add_customer("archived@example.com", invite=True)
    moved = invitekit_kit.add_customer("moved@example.com", invite=True)
    invitekit_kit.archive_customer(archived.id)
    invitekit_kit.update_customer(moved.id, email="new@example.com")

    assert invitekit_kit.deliver().sent == 0
    states = {m.customer_id: m.state for m in invitekit_kit.outbox_messages()}
    assert states == {archived.id: OutboxState.CANCELLED, moved.id: OutboxState.CANCELLED}
    assert EventKind.INVITATION_CANCELLED in [e.kind for e in invitekit_kit.history(moved.id)]


def test_a_crashed_workers_claim_expires(
    invitekit_store: MemoryStore, invitekit_clock: FakeClock, invitekit_business: Business
) -> None:
    mailer = FlakyMailer()
    kit = _kit(
        invitekit_store, mailer, invitekit_clock, invitekit_business, lease=timedelta(minutes=5)
    )
    kit.add_customer("ana@example.com", invite=True)
    # A worker claims and dies before sending.
    with invitekit_store.transaction() as tx:
        now = invitekit_clock.now()
        claimed = tx.claim_outbox(
            now=now, lease_until=now + timedelta(minutes=5), claim_token="dead", limit=10
        )
    assert len(claimed) == 1
    assert kit.deliver().sent == 0  # the claim holds
    invitekit_clock.advance(minutes=5, seconds=1)
    assert kit.deliver().sent == 1
    assert len(mailer.sent) == 1


def test_mailer_that_cannot_connect_keeps_everything_queued(
    invitekit_store: MemoryStore,
    invitekit_clock: FakeClock,
    invitekit_business: Business,
    tmp_path: pytest.TempPathFactory,
) -> None:
    blocker = tmp_path / "not-a-folder"  # type: ignore[operator]
    blocker.write_text("a file where the folder should be")
    kit = _kit(
        invitekit_store, FolderMailer(blocker / "mail"), invitekit_clock, invitekit_business
    )
    kit.add_customer("a@example.com", invite=True)
    kit.add_customer("b@example.com", invite=True)
    report = kit.deliver()
    assert (report.sent, report.retrying) == (0, 2)
    assert all(m.state is OutboxState.PENDING for m in kit.outbox_messages())


def test_folder_mailer_writes_parseable_eml_files(
    invitekit_store: MemoryStore,
    invitekit_clock: FakeClock,
    invitekit_business: Business,
    tmp_path: pytest.TempPathFactory,
) -> None:
    import email
    import email.policy

    folder = tmp_path / "outbox"  # type: ignore[operator]
    mailer = FolderMailer(folder, clock=invitekit_clock)
    kit = _kit(invitekit_store, mailer, invitekit_clock, invitekit_business)
    kit.add_customer("ana@example.com", first_name="Ana", invite=True)
    kit.deliver()
    (path,) = mailer.files()
    parsed = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    (queued,) = kit.outbox_messages()
    assert parsed["To"] == "ana@example.com"
    assert parsed["Message-ID"] == queued.message_id
    assert parsed["Date"] is not None
    assert "Ana" in parsed.get_body(preferencelist=("plain",)).get_content()  # type: ignore[union-attr]


def test_delivery_limit(invitekit_kit: InviteKit) -> None:
    for i in range(5):
        invitekit_kit.add_customer(f"c{i}@example.com", invite=True)
    assert invitekit_kit.deliver(limit=2).sent == 2
    assert invitekit_kit.deliver().sent == 3


def test_late_delivery_never_undoes_acceptance() -> None:
    from datetime import UTC, datetime

    from invitekit.model import Customer
    from invitekit.transitions import mark_delivered

    now = datetime(2026, 1, 1, tzinfo=UTC)
    accepted = Customer(
        id="c",
        business_id="b",
        email="a@example.com",
        email_key="a@example.com",
        status=Status.ACCEPTED,
        created_at=now,
        updated_at=now,
    )
    assert mark_delivered(accepted, now=now).status is Status.ACCEPTED


def test_a_failure_after_a_withdrawal_does_not_revive_the_invitation(
    invitekit_store: MemoryStore, invitekit_clock: FakeClock, invitekit_business: Business
) -> None:
    kit: InviteKit

    def archive_then_fail(email: object) -> str:
        # The business archives the customer while the mail server is answering.
        kit.archive_customer(ana.id)
        return "temporary"

    kit = _kit(
        invitekit_store, FlakyMailer(fail=archive_then_fail), invitekit_clock, invitekit_business
    )
    ana = kit.add_customer("ana@example.com", invite=True)
    report = kit.deliver()
    assert (report.retrying, report.cancelled) == (0, 1)
    assert [m.state for m in kit.outbox_messages(customer_id=ana.id)] == [OutboxState.CANCELLED]
    invitekit_clock.advance(days=1)
    assert kit.deliver() == type(report)()


def test_a_queued_row_is_composed_at_delivery_and_a_resend_is_the_same_bytes(
    invitekit_store: MemoryStore, invitekit_clock: FakeClock, invitekit_business: Business
) -> None:
    offered: list[Email] = []

    def fail_first(email: Email) -> str | None:
        offered.append(email)
        return "temporary" if len(offered) == 1 else None

    mailer = FlakyMailer(fail=fail_first)
    kit = _kit(invitekit_store, mailer, invitekit_clock, invitekit_business)
    ana = kit.add_customer("ana@example.com", first_name="Ana", invite=True)
    invitekit_clock.advance(days=10)  # queued long before it is first sent
    first_claim = invitekit_clock.now()
    kit.deliver()
    invitekit_clock.advance(minutes=5)
    kit.deliver()

    first, resent = offered
    assert first == resent  # composed again from the row: the same links, Message-ID, Date
    assert to_mime(first).as_bytes() == to_mime(resent).as_bytes()
    assert first.date == first_claim
    (message,) = kit.outbox_messages(customer_id=ana.id)
    assert message.links_issued_at == first_claim and message.attempts == 2
    # The link's validity (14 days) counts from the first claim, not from queueing.
    token = extract_token(resent, invitekit_business.activation_url)
    invitekit_clock.advance(days=13)
    assert kit.check_activation(token).customer_id == ana.id


def test_a_campaign_sends_the_text_of_its_revision_whatever_is_saved_later(
    invitekit_kit: InviteKit, invitekit_mailer: MemoryMailer
) -> None:
    invitekit_kit.save_invitation_template("de", subject="Erste Fassung", body="Eins.")
    invitekit_kit.add_customer("ana@example.com")
    invitekit_kit.add_customer("bob@example.com")
    invitekit_kit.invite_audience(Audience.all())
    invitekit_kit.invite_audience(Audience.all(), subject="Nur einmal")  # nobody: all pending
    invitekit_kit.save_invitation_template("de", subject="Zweite Fassung", body="Zwei.")
    invitekit_kit.deliver()

    assert {mail.subject for mail in invitekit_mailer.outbox} == {"Erste Fassung"}
    assert invitekit_kit.invitation_template("de").subject == "Zweite Fassung"
    carl = invitekit_kit.add_customer("carl@example.com")
    invitekit_kit.invite(carl.id, subject="Nur für Carl")
    invitekit_kit.deliver()
    assert invitekit_mailer.to("carl@example.com")[0].subject == "Nur für Carl"
    assert invitekit_kit.invitation_template("de").subject == "Zweite Fassung"
