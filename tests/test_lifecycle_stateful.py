"""The whole invitation lifecycle, driven by random sequences of operations.

A hypothesis ``RuleBasedStateMachine`` drives the public facade and keeps a
deliberately simple model of what should be true; after every step the facade
must agree with the model.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import attrs
import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    invariant,
    rule,
    run_state_machine_as_test,
)

from invitekit import (
    Audience,
    Business,
    CustomerArchived,
    DuplicateCustomer,
    InvitationRefused,
    InviteKit,
    OutboxSettings,
    OutboxState,
    SkipReason,
    Status,
    TokenExpired,
    TokenUsed,
)
from invitekit.model import Email
from invitekit.testing import TEST_SECRET, FakeClock, FlakyMailer, fast_password_hasher

from .helpers import ACTIVATE, UNSUBSCRIBE, token_in
from .stores import SERVER_KINDS, open_store, server_url, store_params

ADDRESSES = [
    "ana@example.com",
    "ANA@example.com",
    "bob@example.com",
    "cem@example.com",
    "dee@example.com",
]
VALIDITY = timedelta(days=14)
MAX_ATTEMPTS = 3


@attrs.define
class ModelCustomer:
    id: str
    email: str
    status: Status = Status.ADDED
    archived: bool = False
    unsubscribed: bool = False
    epoch: int = 0
    pending_since: datetime | None = None
    attempts: int = 0


@attrs.frozen
class Delivered:
    customer_id: str
    email: Email
    epoch: int
    issued_at: datetime


class LifecycleMachine(RuleBasedStateMachine):
    """Subclasses set ``store_kind`` (see ``tests/stores.py``)."""

    store_kind = "memory"

    customers = Bundle("customers")
    deliveries = Bundle("deliveries")

    def __init__(self) -> None:
        super().__init__()
        self.clock = FakeClock()
        self.failing: dict[str, str] = {}
        self.mailer = FlakyMailer(fail=lambda email: self.failing.get(email.to))
        self._store = open_store(self.store_kind)
        self.kit = InviteKit(
            store=self._store.__enter__(),
            mailer=self.mailer,
            clock=self.clock,
            business=Business(
                id="studio-1",
                name="Studio One",
                sender="hello@studio.example",
                activation_url=ACTIVATE + "{token}",
                unsubscribe_url=UNSUBSCRIBE + "{token}",
            ),
            secret_keys=[TEST_SECRET],
            password_hasher=fast_password_hasher(),
            outbox=OutboxSettings(
                max_attempts=MAX_ATTEMPTS,
                retry_base=timedelta(minutes=1),
                retry_max=timedelta(hours=1),
                batch_size=3,
            ),
        )
        self.model: dict[str, ModelCustomer] = {}

    def teardown(self) -> None:
        self._store.__exit__(None, None, None)

    # Helpers --------------------------------------------------------------------------

    def _owner(self, email: str) -> ModelCustomer | None:
        return next((c for c in self.model.values() if c.email.lower() == email.lower()), None)

    def _block(self, c: ModelCustomer) -> SkipReason | None:
        if c.status is Status.ACCEPTED:
            return SkipReason.ACCEPTED
        if c.archived:
            return SkipReason.ARCHIVED
        if c.unsubscribed:
            return SkipReason.UNSUBSCRIBED
        if c.pending_since is not None:
            return SkipReason.ALREADY_PENDING
        return None

    def _queue(self, c: ModelCustomer) -> None:
        c.pending_since = self.clock.now()
        c.attempts = 0

    def _kill_links(self, c: ModelCustomer) -> None:
        c.epoch += 1
        c.pending_since = None

    # Rules ----------------------------------------------------------------------------

    @rule(target=customers, email=st.sampled_from(ADDRESSES), invite=st.booleans())
    def add(self, email: str, invite: bool) -> str:
        if self._owner(email) is not None:
            with pytest.raises(DuplicateCustomer):
                self.kit.add_customer(email, invite=invite)
            return self._owner(email).id  # type: ignore[union-attr]
        customer = self.kit.add_customer(email, invite=invite)
        self.model[customer.id] = ModelCustomer(id=customer.id, email=email)
        if invite:
            self._queue(self.model[customer.id])
        return customer.id

    @rule(customer_id=customers, email=st.sampled_from(ADDRESSES))
    def update_email(self, customer_id: str, email: str) -> None:
        c = self.model[customer_id]
        owner = self._owner(email)
        if owner is not None and owner.id != customer_id:
            with pytest.raises(DuplicateCustomer):
                self.kit.update_customer(customer_id, email=email)
            return
        self.kit.update_customer(customer_id, email=email)
        if email != c.email:
            c.email = email
            self._kill_links(c)

    @rule(customer_id=customers)
    def archive(self, customer_id: str) -> None:
        self.kit.archive_customer(customer_id)
        c = self.model[customer_id]
        if not c.archived:
            c.archived = True
            self._kill_links(c)

    @rule(customer_id=customers)
    def restore(self, customer_id: str) -> None:
        self.kit.restore_customer(customer_id)
        self.model[customer_id].archived = False

    @rule(customer_id=customers)
    def invite(self, customer_id: str) -> None:
        c = self.model[customer_id]
        reason = self._block(c)
        if reason is not None:
            with pytest.raises(InvitationRefused) as caught:
                self.kit.invite(customer_id)
            assert caught.value.reason is reason
            return
        self.kit.invite(customer_id)
        self._queue(c)

    @rule(status=st.sampled_from([None, Status.ADDED, Status.INVITED, Status.ACCEPTED]))
    def invite_audience(self, status: Status | None) -> None:
        audience = Audience.all() if status is None else Audience.status(status)
        members = [c for c in self.model.values() if status is None or c.status is status]
        expected = [c for c in members if self._block(c) is None]
        report = self.kit.invite_audience(audience)
        assert report.queued == len(expected)
        assert report.total_skipped == len(members) - len(expected)
        for c in expected:
            self._queue(c)

    @rule(
        target=deliveries,
        failing=st.dictionaries(
            st.sampled_from(ADDRESSES), st.sampled_from(["temporary", "permanent"]), max_size=3
        ),
    )
    def deliver(self, failing: dict[str, str]) -> Any:
        # Move past any backoff so everything pending is due.
        self.clock.advance(hours=2)
        self.failing = failing
        before = len(self.mailer.sent)
        due = [c for c in self.model.values() if c.pending_since is not None]
        report = self.kit.deliver()
        sent = self.mailer.sent[before:]

        expected_sent, new = 0, []
        for c in due:
            verdict = failing.get(c.email)
            c.attempts += 1
            if verdict is None:
                expected_sent += 1
                if c.status is Status.ADDED:
                    c.status = Status.INVITED
                assert c.pending_since is not None
                new.append(c)
                c.pending_since = None
            elif verdict == "permanent" or c.attempts >= MAX_ATTEMPTS:
                c.pending_since = None
        assert report.sent == expected_sent == len(sent)
        assert report.cancelled == 0
        assert sorted(e.to for e in sent) == sorted(c.email for c in new)
        return multiple_deliveries(sent, new, self.kit)

    @rule(delivery=deliveries)
    def accept(self, delivery: Delivered) -> None:
        c = self.model[delivery.customer_id]
        token = token_in(delivery.email, ACTIVATE)
        expired = self.clock.now() - delivery.issued_at > VALIDITY
        if expired:
            error: type[Exception] | None = (
                TokenUsed if c.status is Status.ACCEPTED else TokenExpired
            )
        elif c.archived:
            error = CustomerArchived
        elif c.epoch != delivery.epoch or c.status is Status.ACCEPTED:
            error = TokenUsed
        else:
            error = None
        if error is not None:
            with pytest.raises(error):
                self.kit.accept_invitation(token, "a long enough password")
            return
        self.kit.accept_invitation(token, "a long enough password")
        c.status = Status.ACCEPTED
        c.pending_since = None

    @rule(delivery=deliveries)
    def unsubscribe(self, delivery: Delivered) -> None:
        c = self.model[delivery.customer_id]
        token = token_in(delivery.email, UNSUBSCRIBE)
        if c.archived:
            with pytest.raises(CustomerArchived):
                self.kit.unsubscribe(token)
        elif c.epoch != delivery.epoch:
            with pytest.raises(TokenUsed):
                self.kit.unsubscribe(token)
        else:
            self.kit.unsubscribe(token)
            c.unsubscribed = True
            c.pending_since = None

    @rule(days=st.integers(min_value=0, max_value=10), hours=st.integers(0, 23))
    def clock_moves(self, days: int, hours: int) -> None:
        self.clock.advance(days=days, hours=hours)

    # Invariants -----------------------------------------------------------------------

    @invariant()
    def customers_match_the_model(self) -> None:
        stored = {c.id: c for c in self.kit.list_customers(archived=None)}
        assert set(stored) == set(self.model)
        for customer_id, m in self.model.items():
            s = stored[customer_id]
            assert (s.email, s.status, s.archived, s.unsubscribed) == (
                m.email,
                m.status,
                m.archived,
                m.unsubscribed,
            ), customer_id

    @invariant()
    def counts_match_the_model(self) -> None:
        expected = dict.fromkeys(Status, 0)
        for m in self.model.values():
            if not m.archived:
                expected[m.status] += 1
        assert self.kit.status_counts() == expected

    @invariant()
    def pending_invitations_match_the_model(self) -> None:
        pending = [m.customer_id for m in self.kit.outbox_messages(state=OutboxState.PENDING)]
        assert len(pending) == len(set(pending)), "a customer has two pending invitations"
        assert set(pending) == {c.id for c in self.model.values() if c.pending_since is not None}

    @invariant()
    def nobody_blocked_has_a_pending_invitation(self) -> None:
        for message in self.kit.outbox_messages(state=OutboxState.PENDING):
            m = self.model[message.customer_id or ""]
            assert m.status is not Status.ACCEPTED and not m.archived and not m.unsubscribed


def multiple_deliveries(sent: list[Email], new: list[ModelCustomer], kit: InviteKit) -> Any:
    from hypothesis.stateful import multiple

    by_address = {c.email: c for c in new}
    items = []
    for email in sent:
        c = by_address[email.to]
        (message,) = [
            m
            for m in kit.outbox_messages(customer_id=c.id)
            if m.email.message_id == email.message_id
        ]
        items.append(
            Delivered(customer_id=c.id, email=email, epoch=c.epoch, issued_at=message.created_at)
        )
    return multiple(*items)


EXAMPLES = {"memory": 150, "sqlite": 60, "postgresql": 40}


@pytest.mark.parametrize("kind", store_params(tuple(EXAMPLES)))
def test_the_facade_agrees_with_the_model(kind: str) -> None:
    if kind in SERVER_KINDS:
        server_url(kind)  # skip, or fail on CI, before hypothesis starts

    class Machine(LifecycleMachine):
        store_kind = kind

    run_state_machine_as_test(
        Machine, settings=settings(max_examples=EXAMPLES[kind], stateful_step_count=40)
    )
