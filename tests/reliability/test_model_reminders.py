"""Reminders, pacing, bounces and pauses under random use: the promises hold.

A hypothesis state machine drives one paced business with a reminder schedule
and a small circuit breaker through the facade (customers added, invited alone
or in campaigns scheduled for later, accepting, unsubscribing, archived and
restored, hard and soft bounces and complaints of sent messages, addresses
cleared, paused campaigns resumed, time passing, deliveries) and checks, at the
moment each email is handed to the mailer and after every step, what issue 17
promises:

* nobody gets an invitation or a reminder after accepting, unsubscribing (a
  complaint is one), being archived, or while the address is undeliverable;
* nothing of a campaign goes while the circuit breaker holds it paused;
* no invitation or reminder goes inside the quiet hours, nor above the hourly
  limit in any 60 minutes; no invitation before its campaign's ``send_at``;
* never two invitations or reminders pending at once for one customer;
* no more reminders than the schedule has since the last delivered invitation,
  none before its delay.

The model keeps its own account of what bounces do (a hard bounce, or three
soft ones within 30 days since the address was last cleared, make it
undeliverable; a complaint unsubscribes; a report of the same message and kind
twice changes nothing) and of when the breaker trips (more than ``SHARE`` hard
bounces among at least ``MINIMUM`` messages a campaign sent since it was last
resumed); the library's answers are compared with it.  Which campaign a sent
message belongs to is read from its outbox row.

It runs on the memory store, SQLite and PostgreSQL; ``divergences`` in the
figures counts the runs that broke a promise (0).
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from invitekit import (
    Audience,
    BounceSettings,
    CircuitBreaker,
    InvitationRefused,
    Pacing,
    Reminders,
    Status,
    TokenError,
)
from invitekit.flows.bounces import outbox_id_of
from invitekit.model import Email, MessageKind, OutboxState
from invitekit.settings import OutboxSettings
from invitekit.testing import FakeClock, FlakyMailer, make_business, make_kit
from tests.helpers import ACTIVATE, PASSWORD, UNSUBSCRIBE, token_in
from tests.reliability.conftest import Figures
from tests.stores import SERVER_KINDS, open_store, server_url, store_params

VIENNA = ZoneInfo("Europe/Vienna")
PER_HOUR = 3
QUIET = (time(21), time(8))
AFTER = (timedelta(days=1), timedelta(days=3))
ADDRESSES = [f"p{n}@example.com" for n in range(5)]
# A breaker that trips in a few steps: one hard bounce pauses a campaign of one to
# three sends, so pauses (and reminders waiting for a resume) happen in many examples;
# with MINIMUM = 2 a paused campaign's reminder was not reached in 2,000 examples.
SHARE = 0.3
MINIMUM = 1
SOFT_LIMIT = 3
SOFT_WINDOW = timedelta(days=30)
# As the facade model sizes them: PostgreSQL is the slowest per step.
EXAMPLES = {"memory": 300, "sqlite": 30, "postgresql": 20}


class PacedReminders(RuleBasedStateMachine):
    store_kind = "memory"
    counts: dict[str, int] = {}  # noqa: RUF012 - replaced per store by the test

    def __init__(self) -> None:
        super().__init__()
        self.counts["examples"] = self.counts.get("examples", 0) + 1
        self.clock = FakeClock(datetime(2026, 3, 27, 9, tzinfo=UTC))  # DST on the 29th
        self.mailer = FlakyMailer(fail=self._sending)
        self._store = open_store(self.store_kind)
        self.kit = make_kit(
            store=self._store.__enter__(),
            mailer=self.mailer,
            clock=self.clock,
            business=make_business(
                default_locale="en",
                pacing=Pacing(per_hour=PER_HOUR, quiet_hours=QUIET),
                reminders=Reminders(after=AFTER),
            ),
            outbox=OutboxSettings(batch_size=2),
            bounces=BounceSettings(breaker=CircuitBreaker(share=SHARE, minimum=MINIMUM)),
        )
        self.ids: dict[str, str] = {}
        self.gone: set[str] = set()  # accepted or unsubscribed: no mail, ever
        self.archived: set[str] = set()
        self.sent: list[tuple[datetime, str, bool]] = []  # when, to, is a reminder
        self.last_mail: dict[str, Email] = {}
        # The model of bounces and pauses.
        self.undeliverable: set[str] = set()
        self.unsubscribed_model: set[str] = set()
        self.cleared_at: dict[str, datetime] = {}  # customer id: address last cleared
        self.soft: dict[str, list[datetime]] = {}  # customer id: soft bounces recorded
        self.reported: set[tuple[str, str]] = set()  # (Message-ID, kind) recorded
        self.delivered: list[Email] = []  # every email sent, in order
        self.unattributed: list[tuple[datetime, Email]] = []  # sent in the running deliver()
        self.campaign_of: dict[str, str | None] = {}  # Message-ID: its campaign
        self.campaign_sends: dict[str, list[datetime]] = {}
        self.campaign_hard: dict[str, list[datetime]] = {}
        self.paused: set[str] = set()
        self.resumed_at: dict[str, datetime] = {}

    def teardown(self) -> None:
        self._store.__exit__(None, None, None)

    def _saw(self, outcome: str) -> None:
        self.counts[outcome] = self.counts.get(outcome, 0) + 1

    # At the moment an email is handed to the mailer --------------------------------

    def _sending(self, email: Email) -> None:
        now = self.clock.now()
        reminder = email.subject.startswith("Reminder:")
        customer_id = self.ids[email.to]
        if reminder:
            self._saw("reminders sent")
        assert customer_id not in self.gone, "mail after accepting or unsubscribing"
        assert customer_id not in self.archived, "mail to an archived customer"
        assert customer_id not in self.undeliverable, "mail to an undeliverable address"
        local = now.astimezone(VIENNA).time()
        assert QUIET[1] <= local < QUIET[0], f"campaign mail at {local} in the quiet hours"
        last_hour = [t for t, _to, _r in self.sent if now - timedelta(hours=1) < t <= now]
        assert len(last_hour) < PER_HOUR, "above the hourly limit"
        self.sent.append((now, email.to, reminder))
        self.last_mail[email.to] = email
        self.delivered.append(email)
        self.unattributed.append((now, email))
        return

    def _attribute(self) -> None:
        """After a delivery: each email's campaign, which must not have been paused.

        Nothing pauses or resumes a campaign while ``deliver()`` runs (the mailer
        refuses nothing), so the model's pauses now are those at the moment of sending.
        """
        if not self.unattributed:
            return
        rows = {m.id: m for m in self.kit.outbox_messages(state=OutboxState.SENT)}
        for at, email in self.unattributed:
            outbox_id = outbox_id_of(email.message_id)
            assert outbox_id is not None and outbox_id in rows, "a sent email without its row"
            campaign_id = rows[outbox_id].campaign_id
            self.campaign_of[email.message_id] = campaign_id
            if campaign_id is None:
                continue
            assert campaign_id not in self.paused, "mail of a paused campaign"
            self.campaign_sends.setdefault(campaign_id, []).append(at)
        self.unattributed = []

    # Rules ------------------------------------------------------------------------

    @rule(email=st.sampled_from(ADDRESSES), invite=st.booleans())
    def add(self, email: str, invite: bool) -> None:
        if email in self.ids:
            return
        self.ids[email] = self.kit.add_customer(email, first_name="P", invite=invite).id

    @precondition(lambda self: self.ids)
    @rule(pick=st.integers(0, 9), later=st.none() | st.integers(-5, 30))
    def invite(self, pick: int, later: int | None) -> None:
        customer_id = sorted(self.ids.values())[pick % len(self.ids)]
        send_at = None if later is None else self.clock.now() + timedelta(hours=later)
        try:
            self.kit.invite(customer_id, send_at=send_at)
        except InvitationRefused as refused:
            self._saw(f"invite refused: {refused.reason.value}")

    @rule(later=st.none() | st.integers(0, 30))
    def invite_everyone(self, later: int | None) -> None:
        send_at = None if later is None else self.clock.now() + timedelta(hours=later)
        self.kit.invite_audience(Audience.all(), send_at=send_at)

    @precondition(lambda self: self.last_mail)
    @rule(pick=st.integers(0, 9), unsubscribe=st.booleans())
    def follow_a_link(self, pick: int, unsubscribe: bool) -> None:
        address = sorted(self.last_mail)[pick % len(self.last_mail)]
        email = self.last_mail[address]
        try:
            if unsubscribe:
                self.kit.unsubscribe(token_in(email, UNSUBSCRIBE))
            else:
                self.kit.accept_invitation(token_in(email, ACTIVATE), PASSWORD)
        except TokenError:
            self._saw("link refused")
            return
        self.gone.add(self.ids[address])
        if unsubscribe:
            self.unsubscribed_model.add(self.ids[address])
        self._saw("unsubscribed" if unsubscribe else "accepted")

    @precondition(lambda self: self.ids)
    @rule(pick=st.integers(0, 9), archive=st.booleans())
    def archive_or_restore(self, pick: int, archive: bool) -> None:
        customer_id = sorted(self.ids.values())[pick % len(self.ids)]
        if archive:
            self.kit.archive_customer(customer_id)
            self.archived.add(customer_id)
        else:
            self.kit.restore_customer(customer_id)
            self.archived.discard(customer_id)

    @rule(minutes=st.sampled_from([1, 20, 59, 60, 180, 600, 1440, 2 * 1440]))
    def time_passes(self, minutes: int) -> None:
        self.clock.advance(timedelta(minutes=minutes))

    @rule()
    def deliver(self) -> None:
        try:
            report = self.kit.deliver()
        finally:
            self._attribute()
        if report.held_back:
            self._saw("held back")

    @precondition(lambda self: self.delivered)
    @rule(pick=st.integers(0, 99), kind=st.sampled_from(["hard", "soft", "soft", "complaint"]))
    def bounce(self, pick: int, kind: str) -> None:
        email = self.delivered[pick % len(self.delivered)]
        customer_id = self.ids[email.to]
        now = self.clock.now()
        expected_pause = False
        if (email.message_id, kind) not in self.reported:
            self.reported.add((email.message_id, kind))
            expected_pause = self._expect(email, customer_id, kind, now)
        outcome = self.kit.record_bounce(email.message_id, kind, detail="5.1.1 no such user")
        self._saw(f"{kind} bounces")
        assert outcome.customer_id == customer_id
        assert outcome.undeliverable == (customer_id in self.undeliverable)
        assert outcome.unsubscribed == (customer_id in self.unsubscribed_model)
        assert outcome.paused == expected_pause, "the breaker decided otherwise"
        if expected_pause:
            self._saw("pauses")

    def _expect(self, email: Email, customer_id: str, kind: str, now: datetime) -> bool:
        """The model's account of a new report; whether it pauses the campaign."""
        if kind == "complaint":
            self.gone.add(customer_id)
            self.unsubscribed_model.add(customer_id)
            return False
        since = self.cleared_at.get(customer_id)
        if kind == "soft":
            earlier = [at for at in self.soft.get(customer_id, []) if since is None or at >= since]
            recent = [at for at in earlier if now - SOFT_WINDOW < at <= now]
            self.soft.setdefault(customer_id, []).append(now)
            if len(recent) + 1 >= SOFT_LIMIT:
                self.undeliverable.add(customer_id)
            return False
        self.undeliverable.add(customer_id)
        campaign_id = self.campaign_of[email.message_id]
        if campaign_id is None:
            return False
        self.campaign_hard.setdefault(campaign_id, []).append(now)
        if campaign_id in self.paused:
            return False
        resumed = self.resumed_at.get(campaign_id)
        sent = sum(
            1 for at in self.campaign_sends.get(campaign_id, []) if not resumed or at >= resumed
        )
        hard = sum(1 for at in self.campaign_hard[campaign_id] if not resumed or at >= resumed)
        if sent >= MINIMUM and hard > SHARE * sent:
            self.paused.add(campaign_id)
            return True
        return False

    @precondition(lambda self: self.undeliverable)
    @rule(pick=st.integers(0, 9))
    def clear_undeliverable(self, pick: int) -> None:
        customer_id = sorted(self.undeliverable)[pick % len(self.undeliverable)]
        customer = self.kit.clear_undeliverable(customer_id)
        assert not customer.undeliverable
        self.undeliverable.discard(customer_id)
        self.cleared_at[customer_id] = self.clock.now()
        self._saw("cleared")

    @precondition(lambda self: self.paused)
    @rule(pick=st.integers(0, 9))
    def resume(self, pick: int) -> None:
        campaign_id = sorted(self.paused)[pick % len(self.paused)]
        campaign = self.kit.resume_campaign(campaign_id)
        assert not campaign.paused
        self.paused.discard(campaign_id)
        self.resumed_at[campaign_id] = self.clock.now()
        self._saw("resumes")

    @rule(hours=st.sampled_from([1, 11, 25, 49, 73]))
    def later_deliver(self, hours: int) -> None:
        self.clock.advance(timedelta(hours=hours))
        self.deliver()

    # After every step -------------------------------------------------------------

    @invariant()
    def addresses_and_pauses_agree_with_the_model(self) -> None:
        customers = self.kit.list_customers(archived=None)
        assert {c.id for c in customers if c.undeliverable} == self.undeliverable
        assert {c.id for c in customers if c.unsubscribed} == self.unsubscribed_model
        assert {c.id for c in self.kit.list_campaigns() if c.paused} == self.paused
        held = {m.campaign_id for m in self.kit.outbox_messages(state=OutboxState.PAUSED)}
        assert held <= self.paused, "messages held for a campaign that is not paused"

    @invariant()
    def never_two_campaign_mails_pending(self) -> None:
        pending = [
            m.customer_id
            for m in self.kit.outbox_messages(state=OutboxState.PENDING)
            if m.kind in (MessageKind.INVITATION, MessageKind.REMINDER)
        ]
        assert len(pending) == len(set(pending)), "two pending mails for one customer"

    @invariant()
    def invitations_wait_for_their_campaign_and_reminders_for_their_delay(self) -> None:
        send_at = {c.id: c.send_at for c in self.kit.list_campaigns()}
        messages = self.kit.outbox_messages(state=OutboxState.SENT)
        for message in messages:
            scheduled = send_at.get(message.campaign_id or "")
            if message.kind is MessageKind.INVITATION and scheduled is not None:
                assert message.sent_at is not None and message.sent_at >= scheduled
        for customer in self.kit.list_customers(status=Status.INVITED, archived=None):
            assert customer.invited_at is not None
            reminded = sorted(
                m.sent_at
                for m in messages
                if m.kind is MessageKind.REMINDER
                and m.customer_id == customer.id
                and m.sent_at is not None
                and m.sent_at > customer.invited_at
            )
            assert len(reminded) <= len(AFTER), "more reminders than the schedule has"
            for number, at in enumerate(reminded):
                assert at >= customer.invited_at + AFTER[number], "a reminder before its delay"


@pytest.mark.slow
@pytest.mark.parametrize("kind", store_params(tuple(EXAMPLES)))
def test_reminders_pacing_and_bounces_keep_their_promises(kind: str, figures: Figures) -> None:
    if kind in SERVER_KINDS:
        server_url(kind)  # skip, or fail on CI, before hypothesis starts
    counts: dict[str, Any] = {}

    class Machine(PacedReminders):
        store_kind = kind

    Machine.counts = counts
    try:
        run_state_machine_as_test(
            Machine,
            settings=settings(max_examples=EXAMPLES[kind], stateful_step_count=40, deadline=None),
        )
    except BaseException:
        figures.record("reminders, pacing and bounces model", divergences=1)
        raise
    figures.record(
        "reminders, pacing and bounces model",
        divergences=0,
        **{f"{kind}: {k}": v for k, v in counts.items()},
    )
