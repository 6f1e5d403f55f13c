"""Activation links issued without email (front desk, QR code), on every store."""

from __future__ import annotations

import multiprocessing
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from secrets import token_urlsafe
from typing import Any

import pytest

from invitekit import (
    CustomerArchived,
    CustomerNotFound,
    EventKind,
    EventNote,
    InvitationRefused,
    InviteKit,
    SkipReason,
    Status,
    TokenError,
    TokenExpired,
    TokenInvalid,
    TokenUsed,
    TokenWrongBusiness,
    TokenWrongPurpose,
    ValidationError,
)
from invitekit.adapters.memory import MemoryMailer
from invitekit.adapters.sql import SQLStore
from invitekit.ports import Store
from invitekit.testing import FakeClock, make_business, make_kit
from tests.helpers import ACTIVATE, PASSWORD, snapshot, token_in
from tests.stores import (
    SERVER_KINDS,
    StoreRecipe,
    open_store,
    recipe_of,
    store_from_recipe,
    store_params,
)

STUDIO = make_business(default_locale="en", signature="")


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
    assert url.startswith(ACTIVATE)
    return url.removeprefix(ACTIVATE)


def test_an_added_customer_activates_with_a_handed_link_and_stays_added_until_then(
    kit: InviteKit, mailer: MemoryMailer, clock: FakeClock
) -> None:
    ana = kit.add_customer("ana@example.com", first_name="Ana")
    url = kit.issue_activation_link(ana.id, by="desk-1")

    check = kit.check_activation(_token(url))
    assert (check.customer_id, check.email) == (ana.id, "ana@example.com")
    assert check.expires_at == clock.now() + timedelta(days=14)
    assert mailer.outbox == []
    assert kit.get_customer(ana.id).status is Status.ADDED
    issued = kit.history(ana.id)[-1]
    assert (issued.kind, issued.by, issued.campaign_id) == (
        EventKind.ACTIVATION_LINK_ISSUED,
        "desk-1",
        None,
    )

    accepted = kit.accept_invitation(_token(url), PASSWORD)
    assert accepted.status is Status.ACCEPTED
    event = kit.history(ana.id)[-1]
    assert (event.kind, event.note, event.campaign_id) == (
        EventKind.ACCEPTED,
        EventNote.HANDED_LINK,
        None,
    )
    assert kit.login("ana@example.com", PASSWORD).id == ana.id


def test_opening_a_handed_link_changes_nothing_and_counts_for_no_campaign(
    kit: InviteKit, mailer: MemoryMailer
) -> None:
    ana = kit.add_customer("ana@example.com", invite=True)
    kit.deliver()
    emailed = token_in(mailer.outbox[-1], ACTIVATE)
    campaign = kit.list_campaigns()[0]
    handed = _token(kit.issue_activation_link(ana.id))
    before = snapshot(kit)

    kit.check_activation(handed)
    kit.check_activation(handed)
    assert snapshot(kit) == before  # no LINK_OPENED for the campaign
    kit.accept_invitation(handed, PASSWORD)

    report = kit.campaign_report(campaign.id)
    assert (report.sent, report.link_opened, report.accepted) == (1, 0, 0)
    # The emailed link of the same profile is used up with it.
    with pytest.raises(TokenUsed):
        kit.check_activation(emailed)


def test_an_emailed_link_still_counts_for_its_campaign(
    kit: InviteKit, mailer: MemoryMailer
) -> None:
    ana = kit.add_customer("ana@example.com", invite=True)
    kit.deliver()
    emailed = token_in(mailer.outbox[-1], ACTIVATE)
    kit.issue_activation_link(ana.id)
    kit.check_activation(emailed)
    kit.accept_invitation(emailed, PASSWORD)
    report = kit.campaign_report(kit.list_campaigns()[0].id)
    assert (report.link_opened, report.accepted) == (1, 1)


def test_a_handed_link_works_once(kit: InviteKit) -> None:
    ana = kit.add_customer("ana@example.com")
    first = _token(kit.issue_activation_link(ana.id))
    second = _token(kit.issue_activation_link(ana.id))
    kit.accept_invitation(first, PASSWORD)
    for token in (first, second):
        with pytest.raises(TokenUsed, match="already activated"):
            kit.check_activation(token)
        with pytest.raises(TokenUsed):
            kit.accept_invitation(token, "another long passphrase")


def test_of_simultaneous_submissions_of_a_handed_link_exactly_one_activates(
    kit: InviteKit,
) -> None:
    ana = kit.add_customer("ana@example.com")
    token = _token(kit.issue_activation_link(ana.id))

    def submit(n: int) -> str:
        try:
            kit.accept_invitation(token, f"passphrase number {n} of four")
        except TokenUsed:
            return "used"
        return "accepted"

    with ThreadPoolExecutor(4) as pool:
        outcomes = sorted(pool.map(submit, range(4)))
    assert outcomes == ["accepted", "used", "used", "used"]
    accepted = [e for e in kit.history(ana.id) if e.kind is EventKind.ACCEPTED]
    assert len(accepted) == 1


def test_a_handed_link_expires_like_an_emailed_one(kit: InviteKit, clock: FakeClock) -> None:
    ana = kit.add_customer("ana@example.com")
    token = _token(kit.issue_activation_link(ana.id))
    clock.advance(timedelta(days=14, seconds=1))
    with pytest.raises(TokenExpired):
        kit.check_activation(token)
    with pytest.raises(TokenExpired):
        kit.accept_invitation(token, PASSWORD)
    assert kit.get_customer(ana.id).status is Status.ADDED


def test_a_handed_link_dies_on_archive_and_stays_dead_after_restoring(kit: InviteKit) -> None:
    ana = kit.add_customer("ana@example.com")
    token = _token(kit.issue_activation_link(ana.id))
    kit.archive_customer(ana.id)
    with pytest.raises(CustomerArchived):
        kit.check_activation(token)
    kit.restore_customer(ana.id)
    with pytest.raises(TokenUsed):
        kit.accept_invitation(token, PASSWORD)


def test_a_handed_link_dies_when_the_address_changes(kit: InviteKit) -> None:
    ana = kit.add_customer("ana@example.com")
    token = _token(kit.issue_activation_link(ana.id))
    kit.update_customer(ana.id, email="ana.new@example.com")
    with pytest.raises(TokenUsed):
        kit.check_activation(token)
    with pytest.raises(TokenUsed):
        kit.accept_invitation(token, PASSWORD)


def test_a_handed_link_of_one_business_is_refused_by_another(
    store: Store, kit: InviteKit, clock: FakeClock
) -> None:
    other = make_kit(store=store, clock=clock, business=make_business(id="studio-2"))
    ana = kit.add_customer("ana@example.com")
    other.add_customer("ana@example.com")
    token = _token(kit.issue_activation_link(ana.id))
    with pytest.raises(TokenWrongBusiness):
        other.check_activation(token)
    with pytest.raises(TokenWrongBusiness):
        other.accept_invitation(token, PASSWORD)
    assert other.list_customers(status=Status.ACCEPTED) == []


def test_a_handed_link_is_no_other_kind_of_link_and_cannot_be_altered(kit: InviteKit) -> None:
    ana = kit.add_customer("ana@example.com")
    token = _token(kit.issue_activation_link(ana.id))
    with pytest.raises(TokenWrongPurpose):
        kit.reset_password(token, PASSWORD)
    with pytest.raises(TokenWrongPurpose):
        kit.unsubscribe(token)
    payload, stamp, signature = token.split(".")
    flipped = ("A" if signature[0] != "A" else "B") + signature[1:]
    for altered in (f"{payload}.{stamp}.{flipped}", f"{payload[:-2]}.{stamp}.{signature}"):
        with pytest.raises(TokenInvalid):
            kit.check_activation(altered)
    assert kit.get_customer(ana.id).status is Status.ADDED


def test_a_forged_handed_link_from_another_key_is_refused(
    store: Store, kit: InviteKit, clock: FakeClock
) -> None:
    ana = kit.add_customer("ana@example.com")
    forger = make_kit(store=store, clock=clock, business=STUDIO, secret_keys=[token_urlsafe(32)])
    with pytest.raises(TokenInvalid):
        kit.check_activation(_token(forger.issue_activation_link(ana.id)))


def test_an_unsubscribed_or_invited_customer_gets_a_link_too(
    kit: InviteKit, mailer: MemoryMailer
) -> None:
    ana = kit.add_customer("ana@example.com", invite=True)
    kit.deliver()
    kit.unsubscribe(token_in(mailer.outbox[-1], "https://studio.example/unsubscribe/"))
    jonas = kit.add_customer("jonas@example.com", invite=True)  # still queued
    for customer in (ana, jonas):
        url = kit.issue_activation_link(customer.id)
        assert kit.accept_invitation(_token(url), PASSWORD).status is Status.ACCEPTED


@pytest.mark.parametrize("state", ["accepted", "archived"])
def test_accepted_and_archived_customers_get_no_link_and_nothing_is_recorded(
    kit: InviteKit, state: str
) -> None:
    ana = kit.add_customer("ana@example.com")
    if state == "accepted":
        kit.accept_invitation(_token(kit.issue_activation_link(ana.id)), PASSWORD)
    else:
        kit.archive_customer(ana.id)
    before = snapshot(kit)
    with pytest.raises(InvitationRefused) as refused:
        kit.issue_activation_link(ana.id, by="desk-1")
    assert refused.value.reason is SkipReason(state)
    assert refused.value.customer_id == ana.id
    assert snapshot(kit) == before


def test_unknown_customers_and_bad_actors_are_refused(kit: InviteKit) -> None:
    ana = kit.add_customer("ana@example.com")
    with pytest.raises(CustomerNotFound):
        kit.issue_activation_link("cus_nobody")
    for by in ("", "x" * 65, "desk\n1"):
        with pytest.raises(ValidationError):
            kit.issue_activation_link(ana.id, by=by)
    assert [e.kind for e in kit.history(ana.id)] == [EventKind.ADDED]


def test_every_refusal_is_a_token_error(kit: InviteKit) -> None:
    # An app catches TokenError on its activation page for handed links as for emailed ones.
    ana = kit.add_customer("ana@example.com")
    token = _token(kit.issue_activation_link(ana.id))
    kit.archive_customer(ana.id)
    with pytest.raises(TokenError):
        kit.check_activation(token)


def _submit(recipe: StoreRecipe, token: str, n: int, start: Any, results: Any) -> None:
    """In its own process: submit the handed link with a password of its own."""
    store = store_from_recipe(recipe)
    kit = make_kit(store=store, business=STUDIO)
    start.wait()
    try:
        kit.accept_invitation(token, f"passphrase number {n} of three")
    except TokenUsed:
        results.put("used")
    else:
        results.put("accepted")
    finally:
        store.engine.dispose()


@pytest.mark.slow
@pytest.mark.parametrize("kind", store_params(["sqlite", *SERVER_KINDS]))
def test_of_processes_submitting_one_handed_link_exactly_one_activates(kind: str) -> None:
    with open_store(kind) as store:
        assert isinstance(store, SQLStore)
        kit = make_kit(store=store, business=STUDIO)  # the processes' FakeClock starts alike
        ana = kit.add_customer("ana@example.com")
        token = _token(kit.issue_activation_link(ana.id))
        context = multiprocessing.get_context("spawn")
        start, results = context.Barrier(3), context.Queue()
        processes = [
            context.Process(target=_submit, args=(recipe_of(store), token, n, start, results))
            for n in range(3)
        ]
        for process in processes:
            process.start()
        outcomes = sorted(results.get(timeout=120) for _ in processes)
        for process in processes:
            process.join(timeout=60)
        accepted = [e for e in kit.history(ana.id) if e.kind is EventKind.ACCEPTED]
    assert [p.exitcode for p in processes] == [0, 0, 0]
    assert outcomes == ["accepted", "used", "used"]
    assert len(accepted) == 1
