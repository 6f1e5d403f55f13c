"""Sent messages are recorded in groups: a crash mid-group resends that group only, identical."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import attrs
import pytest

from invitekit import Audience, OutboxSettings, OutboxState, Status
from invitekit.adapters.memory import MemoryMailer
from invitekit.compose import to_mime
from invitekit.exceptions import ConfigurationError
from invitekit.model import Email
from invitekit.ports import Store
from invitekit.testing import FakeClock, make_kit

LEASE = timedelta(minutes=5)


class Crash(BaseException):
    """The process dying: nothing after it runs (no except clause catches it)."""


@attrs.define
class DyingMailer:
    """Accepts ``accept`` emails, then the process dies while handing over the next one."""

    accept: int
    sent: list[Email] = attrs.field(factory=list)

    def session(self) -> DyingMailer:
        return self

    def __enter__(self) -> DyingMailer:
        return self

    def __exit__(self, *_exc: object) -> None:
        return None

    def send(self, email: Email) -> None:
        if len(self.sent) == self.accept:
            raise Crash
        self.sent.append(email)


def _bytes(email: Email) -> bytes:
    return to_mime(email).as_bytes()


def test_a_crash_mid_group_resends_only_that_groups_messages_identical(store: Store) -> None:
    clock = FakeClock()
    outbox = OutboxSettings(batch_size=10, record_every=3, lease=LEASE)
    dying = DyingMailer(accept=5)
    kit = make_kit(store=store, clock=clock, mailer=dying, outbox=outbox)  # type: ignore[arg-type]
    for number in range(8):
        kit.add_customer(f"c{number}@example.com", invite=False)
    kit.invite_audience(Audience.all())

    with pytest.raises(Crash):
        kit.deliver()

    # Messages 1-3 are one recorded group; 4 and 5 were accepted, their group not recorded.
    first = dying.sent
    sent_rows = kit.outbox_messages(state=OutboxState.SENT)
    assert len(sent_rows) == 3
    recorded = {m.recipient for m in sent_rows}
    assert recorded == {email.to for email in first[:3]}
    unrecorded = first[3:]
    assert len(unrecorded) == 2

    clock.advance(LEASE + timedelta(seconds=1))  # the dead worker's lease ends
    again = MemoryMailer()
    retry_kit = make_kit(store=store, clock=clock, mailer=again, outbox=outbox)
    assert retry_kit.deliver().sent == 5

    resent = [email for email in again.outbox if email.to in {e.to for e in first}]
    assert [e.to for e in resent] == [e.to for e in unrecorded]
    assert [_bytes(e) for e in resent] == [_bytes(e) for e in unrecorded]
    everyone = {e.to for e in first} | {e.to for e in again.outbox}
    assert len(everyone) == 8
    assert len(kit.outbox_messages(state=OutboxState.SENT)) == 8
    assert kit.status_counts()[Status.INVITED] == 8


def test_a_group_is_recorded_once_half_the_lease_has_passed(store: Store) -> None:
    clock = FakeClock()
    outbox = OutboxSettings(batch_size=10, record_every=100, lease=LEASE)

    @attrs.define
    class SlowMailer(DyingMailer):
        def send(self, email: Email) -> None:
            clock.advance(LEASE / 4)  # each email takes a quarter of the lease
            super().send(email)

    slow = SlowMailer(accept=2)
    kit = make_kit(store=store, clock=clock, mailer=slow, outbox=outbox)  # type: ignore[arg-type]
    for number in range(4):
        kit.add_customer(f"c{number}@example.com", invite=False)
    kit.invite_audience(Audience.all())

    with pytest.raises(Crash):
        kit.deliver()

    # Half the lease had passed after the 2nd email: the group (1 and 2) was recorded
    # then, far short of record_every, before the process died on the 3rd.
    assert len(slow.sent) == 2
    assert {m.recipient for m in kit.outbox_messages(state=OutboxState.SENT)} == {
        e.to for e in slow.sent
    }


def test_a_customer_changed_after_the_claim_is_recorded_as_changed(store: Store) -> None:
    # A group is recorded with the customers read at the claim; one changed while
    # its batch was being sent makes the group fall back to reading each again.
    clock = FakeClock()
    outbox = OutboxSettings(batch_size=10, record_every=10, lease=LEASE)
    renaming = RenamingMailer()
    kit = make_kit(store=store, clock=clock, mailer=renaming, outbox=outbox)  # type: ignore[arg-type]
    people = [kit.add_customer(f"c{n}@example.com", invite=False) for n in range(3)]
    kit.invite_audience(Audience.all())
    renaming.rename = lambda: kit.update_customer(people[1].id, first_name="Renamed")

    assert kit.deliver().sent == 3

    assert len(renaming.sent) == 3
    assert len(kit.outbox_messages(state=OutboxState.SENT)) == 3
    renamed = kit.get_customer(people[1].id)
    assert renamed.first_name == "Renamed"
    assert renamed.status is Status.INVITED
    assert kit.status_counts()[Status.INVITED] == 3


@attrs.define
class RenamingMailer:
    """Accepts every email; after the first, calls ``rename`` (a change made meanwhile)."""

    sent: list[Email] = attrs.field(factory=list)
    rename: Callable[[], object] = lambda: None

    def session(self) -> RenamingMailer:
        return self

    def __enter__(self) -> RenamingMailer:
        return self

    def __exit__(self, *_exc: object) -> None:
        return None

    def send(self, email: Email) -> None:
        self.sent.append(email)
        if len(self.sent) == 1:
            self.rename()


def test_record_every_must_be_at_least_one() -> None:
    with pytest.raises(ConfigurationError, match="record_every"):
        OutboxSettings(record_every=0)
