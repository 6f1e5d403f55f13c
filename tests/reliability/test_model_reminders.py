"""Reminders, pacing, quiet hours and scheduled sends under random use: the promises hold.

A hypothesis state machine drives one paced business with a reminder schedule
through the facade (customers added, invited alone or in campaigns scheduled
for later, accepting, unsubscribing, archived and restored, time passing,
deliveries) and checks, at the moment each email is handed to the mailer and
after every step, what issue 17 promises:

* nobody gets a reminder after accepting, unsubscribing or being archived;
* no invitation or reminder goes inside the quiet hours, nor above the hourly
  limit in any 60 minutes; no invitation before its campaign's ``send_at``;
* never two invitations or reminders pending at once for one customer;
* no more reminders than the schedule has since the last delivered invitation,
  none before its delay.

It runs on the memory store and SQLite; ``divergences`` in the figures counts
the runs that broke a promise (0).
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

from invitekit import Audience, InvitationRefused, Pacing, Reminders, Status, TokenError
from invitekit.model import Email, MessageKind, OutboxState
from invitekit.settings import OutboxSettings
from invitekit.testing import FakeClock, FlakyMailer, make_business, make_kit
from tests.helpers import ACTIVATE, PASSWORD, UNSUBSCRIBE, token_in
from tests.reliability.conftest import Figures
from tests.stores import open_store

VIENNA = ZoneInfo("Europe/Vienna")
PER_HOUR = 3
QUIET = (time(21), time(8))
AFTER = (timedelta(days=1), timedelta(days=3))
ADDRESSES = [f"p{n}@example.com" for n in range(5)]
EXAMPLES = {"memory": 150, "sqlite": 30}


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
        )
        self.ids: dict[str, str] = {}
        self.gone: set[str] = set()  # accepted or unsubscribed: no reminder, ever
        self.archived: set[str] = set()
        self.sent: list[tuple[datetime, str, bool]] = []  # when, to, is a reminder
        self.last_mail: dict[str, Email] = {}

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
            assert customer_id not in self.gone, "a reminder after accepting or unsubscribing"
            assert customer_id not in self.archived, "a reminder to an archived customer"
        local = now.astimezone(VIENNA).time()
        assert QUIET[1] <= local < QUIET[0], f"campaign mail at {local} in the quiet hours"
        last_hour = [t for t, _to, _r in self.sent if now - timedelta(hours=1) < t <= now]
        assert len(last_hour) < PER_HOUR, "above the hourly limit"
        self.sent.append((now, email.to, reminder))
        self.last_mail[email.to] = email
        return

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
        report = self.kit.deliver()
        if report.held_back:
            self._saw("held back")

    @rule(hours=st.sampled_from([1, 11, 25, 49, 73]))
    def later_deliver(self, hours: int) -> None:
        self.clock.advance(timedelta(hours=hours))
        self.deliver()

    # After every step -------------------------------------------------------------

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
@pytest.mark.parametrize("kind", sorted(EXAMPLES))
def test_reminders_and_pacing_keep_their_promises(kind: str, figures: Figures) -> None:
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
        figures.record("reminders and pacing model", divergences=1)
        raise
    figures.record(
        "reminders and pacing model",
        divergences=0,
        **{f"{kind}: {k}": v for k, v in counts.items()},
    )
