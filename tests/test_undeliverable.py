"""Undeliverable addresses as pure rules: blocks, staleness, address changes, settings."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import attrs
import pytest

from invitekit import (
    BounceKind,
    BounceSettings,
    CircuitBreaker,
    ConfigurationError,
    InvalidBounceKind,
    OutboxState,
    Reminders,
    SkipReason,
    Status,
    ValidationError,
    transitions,
)
from invitekit.addresses import parse_email
from invitekit.bounces import bounce_kind
from invitekit.flows.bounces import outbox_id_of
from invitekit.model import Customer

T0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
ANA = Customer(
    id="cus_1",
    business_id="studio-1",
    email="ana@example.com",
    email_key="ana@example.com",
    created_at=T0,
    updated_at=T0,
)
BOUNCED = transitions.mark_undeliverable(ANA, now=T0, reason="hard bounce: 5.1.1")


def test_marking_an_address_undeliverable_records_when_and_why() -> None:
    assert (BOUNCED.undeliverable_at, BOUNCED.undeliverable_reason) == (T0, "hard bounce: 5.1.1")
    assert BOUNCED.undeliverable and not ANA.undeliverable
    assert BOUNCED.version == ANA.version + 1


def test_an_undeliverable_customer_is_not_invited_nor_reminded() -> None:
    assert transitions.invitation_block(BOUNCED, now=T0, pending=False) is SkipReason.UNDELIVERABLE
    assert transitions.invitation_block(ANA, now=T0, pending=False, undeliverable=True) is (
        SkipReason.UNDELIVERABLE
    )
    invited = attrs.evolve(BOUNCED, status=Status.INVITED, invited_at=T0)
    reminders = Reminders(after=(timedelta(days=3),))
    assert transitions.next_reminder(reminders, invited, reminders_sent=0) is None
    assert (
        transitions.next_reminder(
            reminders, transitions.clear_undeliverable(invited, now=T0), reminders_sent=0
        )
        is not None
    )


def test_an_invitation_queued_before_the_bounce_is_stale() -> None:
    assert transitions.invitation_stale(BOUNCED, queued_to=BOUNCED.email)
    assert not transitions.invitation_stale(ANA, queued_to=ANA.email)


def test_a_new_address_is_deliverable_and_a_cleared_one_too() -> None:
    moved = transitions.change_email(BOUNCED, now=T0, email=parse_email("ana@new.example"))
    cleared = transitions.clear_undeliverable(BOUNCED, now=T0)

    assert not moved.undeliverable and moved.undeliverable_reason is None
    assert not cleared.undeliverable and cleared.undeliverable_reason is None


def test_touch_changes_only_the_version_and_time() -> None:
    later = T0 + timedelta(minutes=1)
    touched = transitions.touch(ANA, now=later)
    assert attrs.evolve(touched, version=ANA.version, updated_at=T0) == ANA
    assert (touched.version, touched.updated_at) == (2, later)


@pytest.mark.parametrize("value", ["hard", "Soft", " complaint ", BounceKind.HARD])
def test_a_bounce_kind_is_read_from_its_name(value: object) -> None:
    assert bounce_kind(value) in set(BounceKind)


@pytest.mark.parametrize("value", ["bounced", "", None, 1, b"hard", "x" * 1000])
def test_anything_else_is_a_validation_error(value: object) -> None:
    with pytest.raises(InvalidBounceKind) as caught:
        bounce_kind(value)
    assert isinstance(caught.value, ValidationError) and len(str(caught.value)) < 120


def test_bounce_settings_default_to_three_soft_bounces_in_thirty_days() -> None:
    settings = BounceSettings()
    assert (settings.soft_limit, settings.soft_window) == (3, timedelta(days=30))
    assert settings.breaker == CircuitBreaker(share=0.05, minimum=100)


@pytest.mark.parametrize(
    "changes",
    [
        {"soft_limit": 0},
        {"soft_limit": True},
        {"soft_limit": 2.5},
        {"soft_window": timedelta(0)},
        {"soft_window": 30},
        {"breaker": 0.05},
    ],
)
def test_unusable_bounce_settings_are_refused(changes: dict[str, object]) -> None:
    with pytest.raises(ConfigurationError):
        BounceSettings(**changes)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("message_id", "outbox_id"),
    [
        ("<msg_1@studio.example>", "msg_1"),
        ("msg_1@studio.example", "msg_1"),
        (" <msg_1@studio.example> ", "msg_1"),
        ("<a@b@studio.example>", "a@b"),
        ("<msg_1>", None),
        ("<@studio.example>", None),
        ("<msg_1@>", None),
        ("<" + "x" * 65 + "@studio.example>", None),
    ],
)
def test_the_outbox_id_is_read_from_a_message_id(message_id: str, outbox_id: str | None) -> None:
    assert outbox_id_of(message_id) == outbox_id


def test_a_paused_message_is_waiting_like_a_pending_one() -> None:
    assert {s for s in OutboxState if s.waiting} == {OutboxState.PENDING, OutboxState.PAUSED}
