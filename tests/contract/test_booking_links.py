"""Links to one booking (``booking_link``, ``check_booking_link``), attacked, on every store."""

from __future__ import annotations

import json
import zlib
from datetime import UTC, datetime, timedelta
from secrets import token_urlsafe
from zoneinfo import ZoneInfo

import pytest
from itsdangerous.encoding import base64_decode, base64_encode

from invitekit import (
    BookingLinkCheck,
    ConfigurationError,
    CustomerArchived,
    CustomerNotFound,
    InviteKit,
    Status,
    TokenExpired,
    TokenInvalid,
    TokenUsed,
    TokenWrongBusiness,
    TokenWrongPurpose,
    ValidationError,
)
from invitekit.adapters.memory import MemoryMailer
from invitekit.ports import Store
from invitekit.settings import business_from_json, business_json
from invitekit.testing import FakeClock, make_business, make_kit
from tests.helpers import ACTIVATE, PASSWORD, RESET, snapshot, token_in

BOOKING = "https://studio.example/booking/"
STUDIO = make_business(default_locale="en", signature="", booking_url=BOOKING + "{token}")
VIENNA = ZoneInfo("Europe/Vienna")


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def mailer() -> MemoryMailer:
    return MemoryMailer()


@pytest.fixture
def kit(store: Store, clock: FakeClock, mailer: MemoryMailer) -> InviteKit:
    return make_kit(store=store, clock=clock, mailer=mailer, business=STUDIO)


def _token(url: str) -> str:
    assert url.startswith(BOOKING)
    return url.removeprefix(BOOKING)


def _with_payload(token: str, **changes: object) -> str:
    """``token`` with its payload changed and its signature kept, as an attacker would."""
    payload, stamp, signature = token.rsplit(".", 2)
    raw = base64_decode(payload.removeprefix("."))
    data = json.loads(zlib.decompress(raw) if payload.startswith(".") else raw)
    data.update(changes)
    text = json.dumps(data, separators=(",", ":")).encode()
    if payload.startswith("."):  # itsdangerous compressed it: do the same
        return f".{base64_encode(zlib.compress(text)).decode()}.{stamp}.{signature}"
    return f"{base64_encode(text).decode()}.{stamp}.{signature}"


def _start(clock: FakeClock, days: int = 3) -> datetime:
    return (clock.now() + timedelta(days=days)).astimezone(VIENNA).replace(microsecond=0)


def test_a_booking_link_names_the_customer_and_the_booking_and_changes_nothing(
    kit: InviteKit, clock: FakeClock
) -> None:
    ana = kit.add_customer("ana@example.com", first_name="Ana", locale="es")
    start = _start(clock)
    url = kit.booking_link(ana.id, "bk-42", valid_until=start)
    before = snapshot(kit)

    check = kit.check_booking_link(_token(url))
    assert isinstance(check, BookingLinkCheck)
    assert (check.customer.id, check.customer.locale, check.booking_id) == (ana.id, "es", "bk-42")
    assert check.valid_until == start.astimezone(UTC)
    assert check.valid_until.tzinfo is UTC
    assert check.issued_at == clock.now().replace(microsecond=0)
    # Not single-use: the customer (or a mail scanner) opens it again and again.
    assert kit.check_booking_link(_token(url)) == check
    assert snapshot(kit) == before


def test_a_booking_link_outlives_activation_and_a_new_password(
    kit: InviteKit, mailer: MemoryMailer, clock: FakeClock
) -> None:
    ana = kit.add_customer("ana@example.com", invite=True)
    kit.deliver()
    url = kit.booking_link(ana.id, "bk-1", valid_until=_start(clock))
    kit.accept_invitation(token_in(mailer.outbox[-1], ACTIVATE), PASSWORD)
    kit.request_password_reset("ana@example.com")
    kit.deliver()
    kit.reset_password(token_in(mailer.outbox[-1], RESET), "a brand new passphrase")
    assert kit.check_booking_link(_token(url)).customer.status is Status.ACCEPTED


def test_a_booking_link_dies_at_valid_until_by_the_kits_clock(
    kit: InviteKit, clock: FakeClock
) -> None:
    ana = kit.add_customer("ana@example.com")
    start = _start(clock)
    token = _token(kit.booking_link(ana.id, "bk-1", valid_until=start))
    clock.set(start - timedelta(seconds=1))
    assert kit.check_booking_link(token).booking_id == "bk-1"
    clock.set(start)
    with pytest.raises(TokenExpired) as expired:
        kit.check_booking_link(token)
    assert expired.value.expired_at == start.astimezone(UTC)


def test_a_later_end_of_validity_cannot_be_written_into_the_link(
    kit: InviteKit, clock: FakeClock
) -> None:
    ana = kit.add_customer("ana@example.com")
    start = _start(clock, days=1)
    token = _token(kit.booking_link(ana.id, "bk-1", valid_until=start))
    later = _with_payload(token, u=int((start + timedelta(days=365)).timestamp()))
    clock.set(start + timedelta(hours=1))
    with pytest.raises(TokenInvalid):
        kit.check_booking_link(later)


def test_a_tampered_booking_id_or_customer_is_refused(kit: InviteKit, clock: FakeClock) -> None:
    ana = kit.add_customer("ana@example.com")
    ben = kit.add_customer("ben@example.com")
    token = _token(kit.booking_link(ana.id, "bk-1", valid_until=_start(clock)))
    assert kit.check_booking_link(_with_payload(token)).booking_id == "bk-1"  # the forge is exact
    for forged in (_with_payload(token, k="bk-2"), _with_payload(token, c=ben.id)):
        with pytest.raises(TokenInvalid):
            kit.check_booking_link(forged)


def test_one_customers_link_opens_only_that_customers_booking(
    kit: InviteKit, clock: FakeClock
) -> None:
    ana = kit.add_customer("ana@example.com")
    ben = kit.add_customer("ben@example.com")
    anas = kit.check_booking_link(
        _token(kit.booking_link(ana.id, "bk-1", valid_until=_start(clock)))
    )
    bens = kit.check_booking_link(
        _token(kit.booking_link(ben.id, "bk-1", valid_until=_start(clock)))
    )
    assert (anas.customer.id, bens.customer.id) == (ana.id, ben.id)


def test_another_business_refuses_the_link_even_with_the_same_keys_and_address(
    store: Store, kit: InviteKit, clock: FakeClock
) -> None:
    other = make_kit(
        store=store,
        clock=clock,
        business=make_business(id="studio-2", booking_url=BOOKING + "{token}"),
    )
    ana = kit.add_customer("ana@example.com")
    other_ana = other.add_customer("ana@example.com")
    token = _token(kit.booking_link(ana.id, "bk-1", valid_until=_start(clock)))
    with pytest.raises(TokenWrongBusiness):
        other.check_booking_link(token)
    with pytest.raises(TokenInvalid):  # nor once rewritten to name its own customer
        other.check_booking_link(_with_payload(token, c=other_ana.id))
    with pytest.raises(TokenInvalid):
        other.check_booking_link(_with_payload(token, b="studio-2", c=other_ana.id))


def test_a_link_signed_with_another_key_is_refused(
    store: Store, kit: InviteKit, clock: FakeClock
) -> None:
    ana = kit.add_customer("ana@example.com")
    forger = make_kit(store=store, clock=clock, business=STUDIO, secret_keys=[token_urlsafe(32)])
    with pytest.raises(TokenInvalid):
        kit.check_booking_link(
            _token(forger.booking_link(ana.id, "bk-1", valid_until=_start(clock)))
        )


def test_a_booking_link_dies_on_archive_and_stays_dead_after_restoring(
    kit: InviteKit, clock: FakeClock
) -> None:
    ana = kit.add_customer("ana@example.com")
    token = _token(kit.booking_link(ana.id, "bk-1", valid_until=_start(clock)))
    kit.archive_customer(ana.id)
    with pytest.raises(CustomerArchived):
        kit.check_booking_link(token)
    with pytest.raises(CustomerArchived):
        kit.booking_link(ana.id, "bk-1", valid_until=_start(clock))
    kit.restore_customer(ana.id)
    with pytest.raises(TokenUsed):
        kit.check_booking_link(token)
    fresh = _token(kit.booking_link(ana.id, "bk-1", valid_until=_start(clock)))
    assert kit.check_booking_link(fresh).customer.id == ana.id


def test_a_booking_link_dies_when_the_address_changes(kit: InviteKit, clock: FakeClock) -> None:
    ana = kit.add_customer("ana@example.com")
    token = _token(kit.booking_link(ana.id, "bk-1", valid_until=_start(clock)))
    kit.update_customer(ana.id, email="ana.new@example.com")
    with pytest.raises(TokenUsed, match="profile changed"):
        kit.check_booking_link(token)


def test_booking_and_activation_tokens_are_not_interchangeable(
    kit: InviteKit, clock: FakeClock
) -> None:
    ana = kit.add_customer("ana@example.com")
    activation = kit.issue_activation_link(ana.id).removeprefix(ACTIVATE)
    booking = _token(kit.booking_link(ana.id, "bk-1", valid_until=_start(clock)))
    with pytest.raises(TokenWrongPurpose):
        kit.check_booking_link(activation)
    with pytest.raises(TokenWrongPurpose):
        kit.check_activation(booking)
    with pytest.raises(TokenWrongPurpose):
        kit.accept_invitation(booking, PASSWORD)
    with pytest.raises(TokenWrongPurpose):
        kit.reset_password(booking, PASSWORD)
    with pytest.raises(TokenWrongPurpose):
        kit.unsubscribe(booking)
    assert kit.get_customer(ana.id).status is Status.ADDED


@pytest.mark.parametrize(
    "valid_until",
    [
        datetime(2030, 1, 1, 10, 0),  # naive: whose 10:00?
        "2030-01-01T10:00:00+01:00",
        datetime(2020, 1, 1, tzinfo=UTC),  # already past
    ],
)
def test_valid_until_must_be_an_aware_moment_to_come(kit: InviteKit, valid_until: object) -> None:
    ana = kit.add_customer("ana@example.com")
    with pytest.raises(ValidationError) as refused:
        kit.booking_link(ana.id, "bk-1", valid_until=valid_until)  # type: ignore[arg-type]
    assert refused.value.field == "valid_until"


def test_valid_until_now_is_refused(kit: InviteKit, clock: FakeClock) -> None:
    ana = kit.add_customer("ana@example.com")
    with pytest.raises(ValidationError, match="not in the future"):
        kit.booking_link(ana.id, "bk-1", valid_until=clock.now())


@pytest.mark.parametrize(
    ("booking_id", "code"),
    [
        ("", "empty"),
        ("b" * 129, "too_long"),
        ("bk\n1", "control_character"),
        ("bk\x001", "control_character"),
        (42, "not_text"),
    ],
)
def test_a_booking_id_must_be_a_short_line_of_text(
    kit: InviteKit, clock: FakeClock, booking_id: object, code: str
) -> None:
    ana = kit.add_customer("ana@example.com")
    with pytest.raises(ValidationError) as refused:
        kit.booking_link(ana.id, booking_id, valid_until=_start(clock))  # type: ignore[arg-type]
    assert (refused.value.field, refused.value.code) == ("booking_id", code)


def test_booking_ids_keep_their_exact_text(kit: InviteKit, clock: FakeClock) -> None:
    ana = kit.add_customer("ana@example.com")
    for booking_id in ("b" * 128, "Reserva nº 7 · Mañana", "😀/../?x=1&y=2"):
        token = _token(kit.booking_link(ana.id, booking_id, valid_until=_start(clock)))
        assert kit.check_booking_link(token).booking_id == booking_id


def test_a_business_without_booking_url_is_told_what_to_set(
    store: Store, clock: FakeClock
) -> None:
    kit = make_kit(store=store, clock=clock, business=make_business())
    ana = kit.add_customer("ana@example.com")
    with pytest.raises(ConfigurationError, match="booking_url"):
        kit.booking_link(ana.id, "bk-1", valid_until=_start(clock))


def test_unknown_customers_and_malformed_tokens_are_refused(
    kit: InviteKit, clock: FakeClock
) -> None:
    with pytest.raises(CustomerNotFound):
        kit.booking_link("cus_nobody", "bk-1", valid_until=_start(clock))
    for token in ("", "x" * 5000, "a.b", "not a token at all"):
        with pytest.raises(TokenInvalid):
            kit.check_booking_link(token)


def test_a_customer_gone_from_the_store_has_no_working_link(
    store: Store, kit: InviteKit, clock: FakeClock
) -> None:
    ana = kit.add_customer("ana@example.com")
    token = _token(kit.booking_link(ana.id, "bk-1", valid_until=_start(clock)))
    forged = _with_payload(token, c="cus_nobody")
    with pytest.raises(TokenInvalid):
        kit.check_booking_link(forged)


def test_every_store_keeps_the_booking_url_and_older_settings_need_no_migration(
    store: Store, clock: FakeClock
) -> None:
    without = make_business()
    with store.transaction() as tx:
        first = tx.save_business(without, at=clock.now())
    # The text stored for a business without booking_url has no key for it: the
    # text of every business stored before it existed is unchanged (no new version).
    assert "booking_url" not in business_json(without)
    with store.transaction() as tx:
        assert tx.save_business(without, at=clock.now()) == first
        second = tx.save_business(STUDIO, at=clock.now())
    with store.transaction(readonly=True) as tx:
        stored = tx.get_business(STUDIO.id)
    assert second == first + 1
    assert stored is not None
    assert stored.booking_url == BOOKING + "{token}"
    assert business_from_json(business_json(STUDIO)) == STUDIO
