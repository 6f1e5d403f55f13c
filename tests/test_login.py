"""Login: who may log in, the same refusal for every case, throttling, rehash on login."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator
from datetime import timedelta

import pytest

from invitekit.adapters.memory import MemoryMailer, MemoryStore
from invitekit.exceptions import InvalidCredentials, LoginThrottled
from invitekit.model import Event, EventKind, EventNote, Status
from invitekit.passwords import PasswordHasher
from invitekit.ports import Store
from invitekit.service import InviteKit
from invitekit.testing import FakeClock, make_kit
from invitekit.throttle import LoginThrottle, client_key, email_key

from .helpers import ACTIVATE, PASSWORD, accepted_customer, invite_and_deliver, token_in
from .stores import open_store, store_params


def fail_login(kit: InviteKit, email: str, times: int, client: str | None = None) -> None:
    for _ in range(times):
        with pytest.raises(InvalidCredentials):
            kit.login(email, "not the password", client=client)


def test_accepted_customer_logs_in_with_any_case_of_the_address(invitekit_kit, ana) -> None:
    assert invitekit_kit.login("ANA@Example.COM", PASSWORD).id == ana.id


def test_password_is_compared_in_nfc(invitekit_kit, invitekit_mailer) -> None:
    customer = invitekit_kit.add_customer("jose@example.com")
    invitation = invite_and_deliver(invitekit_kit, invitekit_mailer, customer)
    invitekit_kit.accept_invitation(token_in(invitation, ACTIVATE), "café au lait du matin")
    typed = unicodedata.normalize("NFD", "café au lait du matin")
    assert invitekit_kit.login("jose@example.com", typed).id == customer.id


def test_wrong_password_and_unknown_email_get_the_same_message(invitekit_kit, ana) -> None:
    with pytest.raises(InvalidCredentials) as wrong:
        invitekit_kit.login(ana.email, "not the password")
    with pytest.raises(InvalidCredentials) as unknown:
        invitekit_kit.login("nobody@example.com", PASSWORD)
    assert str(wrong.value) == str(unknown.value)


def test_malformed_email_is_refused_like_a_wrong_password(invitekit_kit) -> None:
    with pytest.raises(InvalidCredentials):
        invitekit_kit.login("not an address", PASSWORD)


def test_customer_who_did_not_accept_cannot_log_in(invitekit_kit) -> None:
    c = invitekit_kit.add_customer("bo@example.com")
    with pytest.raises(InvalidCredentials):
        invitekit_kit.login(c.email, PASSWORD)


def test_archived_customer_cannot_log_in_with_the_right_password(invitekit_kit, ana) -> None:
    invitekit_kit.archive_customer(ana.id)
    with pytest.raises(InvalidCredentials):
        invitekit_kit.login(ana.email, PASSWORD)


def test_provider_backed_customer_cannot_log_in_with_a_password(invitekit_kit) -> None:
    invitekit_kit.add_customer("gina@example.com", auth_provider="google")
    with pytest.raises(InvalidCredentials):
        invitekit_kit.login("gina@example.com", "")


def test_provider_backed_customer_is_accepted_without_password(invitekit_kit) -> None:
    gina = invitekit_kit.add_customer("gina@example.com", auth_provider="Google")
    assert (gina.status, gina.auth_provider, gina.password_hash) == (
        Status.ACCEPTED,
        "google",
        None,
    )


def test_login_and_failure_are_in_the_history(invitekit_kit, ana) -> None:
    with pytest.raises(InvalidCredentials):
        invitekit_kit.login(ana.email, "not the password")
    invitekit_kit.login(ana.email, PASSWORD)
    kinds = [e.kind for e in invitekit_kit.history(ana.id)]
    assert kinds[-2:] == [EventKind.LOGIN_FAILED, EventKind.LOGGED_IN]


def test_fifth_failure_throttles_the_sixth_attempt_even_with_the_right_password(
    invitekit_kit, invitekit_clock, ana
) -> None:
    fail_login(invitekit_kit, ana.email, 5)
    with pytest.raises(LoginThrottled) as caught:
        invitekit_kit.login(ana.email, PASSWORD)
    assert caught.value.retry_at == invitekit_clock.now() + timedelta(minutes=15, seconds=1)


def test_throttle_ends_at_retry_at(invitekit_kit, invitekit_clock, ana) -> None:
    fail_login(invitekit_kit, ana.email, 5)
    with pytest.raises(LoginThrottled) as caught:
        invitekit_kit.login(ana.email, PASSWORD)
    invitekit_clock.set(caught.value.retry_at - timedelta(seconds=1))
    with pytest.raises(LoginThrottled):
        invitekit_kit.login(ana.email, PASSWORD)
    invitekit_clock.set(caught.value.retry_at)
    assert invitekit_kit.login(ana.email, PASSWORD).id == ana.id


def test_retry_at_follows_the_sliding_window(invitekit_kit, invitekit_clock, ana) -> None:
    fail_login(invitekit_kit, ana.email, 1)
    start = invitekit_clock.now()
    invitekit_clock.advance(minutes=10)
    fail_login(invitekit_kit, ana.email, 4)
    with pytest.raises(LoginThrottled) as caught:
        invitekit_kit.login(ana.email, PASSWORD)
    # The first failure leaves the window first; then four remain, under the limit.
    assert caught.value.retry_at == start + timedelta(minutes=15, seconds=1)


def test_unknown_address_is_throttled_exactly_like_a_known_one(invitekit_kit, ana) -> None:
    fail_login(invitekit_kit, ana.email, 5)
    fail_login(invitekit_kit, "nobody@example.com", 5)
    with pytest.raises(LoginThrottled) as known:
        invitekit_kit.login(ana.email, "x")
    with pytest.raises(LoginThrottled) as unknown:
        invitekit_kit.login("nobody@example.com", "x")
    assert (str(known.value), known.value.retry_at) == (str(unknown.value), unknown.value.retry_at)


def test_success_clears_the_failures_of_the_address(invitekit_kit, ana) -> None:
    fail_login(invitekit_kit, ana.email, 4)
    invitekit_kit.login(ana.email, PASSWORD)
    fail_login(invitekit_kit, ana.email, 4)
    assert invitekit_kit.login(ana.email, PASSWORD).id == ana.id


def test_throttle_holds_across_two_kits_sharing_one_store() -> None:
    store, clock = MemoryStore(), FakeClock()
    first, second = make_kit(store=store, clock=clock), make_kit(store=store, clock=clock)
    fail_login(first, "ana@example.com", 3)
    fail_login(second, "ana@example.com", 2)
    with pytest.raises(LoginThrottled):
        first.login("ana@example.com", PASSWORD)
    with pytest.raises(LoginThrottled):
        second.login("ana@example.com", PASSWORD)


def test_client_key_throttles_a_client_trying_many_addresses() -> None:
    kit = make_kit(login_throttle=LoginThrottle(client_max_failures=3))
    for number in range(3):
        fail_login(kit, f"user{number}@example.com", 1, client="203.0.113.9")
    with pytest.raises(LoginThrottled):
        kit.login("someone.else@example.com", PASSWORD, client="203.0.113.9")
    with pytest.raises(InvalidCredentials):
        kit.login("someone.else@example.com", PASSWORD, client="198.51.100.1")


def test_throttle_is_configurable(invitekit_store, invitekit_clock) -> None:
    kit = make_kit(
        store=invitekit_store,
        clock=invitekit_clock,
        login_throttle=LoginThrottle(max_failures=2, window=timedelta(minutes=1)),
    )
    fail_login(kit, "ana@example.com", 2)
    with pytest.raises(LoginThrottled) as caught:
        kit.login("ana@example.com", PASSWORD)
    assert caught.value.retry_at == invitekit_clock.now() + timedelta(minutes=1, seconds=1)


def test_login_rehashes_a_hash_made_with_other_parameters() -> None:
    store, clock = MemoryStore(), FakeClock()
    cheap = make_kit(store=store, clock=clock)
    mailer = cheap.mailer
    assert isinstance(mailer, MemoryMailer)
    ana = accepted_customer(cheap, mailer)
    stronger_hasher = PasswordHasher(time_cost=2, memory_cost=16, parallelism=1)
    stronger = make_kit(store=store, clock=clock)
    stronger.password_hasher = stronger_hasher
    assert stronger_hasher.needs_rehash(ana.password_hash or "")
    logged_in = stronger.login(ana.email, PASSWORD)
    stored = stronger.get_customer(ana.id).password_hash or ""
    assert stored != ana.password_hash
    assert logged_in.password_hash == stored
    assert not stronger_hasher.needs_rehash(stored)
    assert stronger_hasher.verify(stored, PASSWORD)


def test_login_keeps_a_current_hash(invitekit_kit, ana) -> None:
    invitekit_kit.login(ana.email, PASSWORD)
    assert invitekit_kit.get_customer(ana.id).password_hash == ana.password_hash


class _HasherThatWaits(PasswordHasher):
    """Runs ``meanwhile`` while the password is being verified (between the two reads)."""

    def __init__(self, meanwhile) -> None:
        super().__init__(time_cost=1, memory_cost=8, parallelism=1)
        self.meanwhile = meanwhile

    def verify(self, password_hash, password):
        result = super().verify(password_hash, password)
        self.meanwhile()
        return result


def test_customer_archived_during_verification_is_not_logged_in(invitekit_kit, ana) -> None:
    invitekit_kit.password_hasher = _HasherThatWaits(
        lambda: invitekit_kit.archive_customer(ana.id)
    )
    with pytest.raises(InvalidCredentials):
        invitekit_kit.login(ana.email, PASSWORD)


def test_a_failure_reserved_while_a_success_is_verified_stays_counted(
    invitekit_kit, invitekit_clock, ana
) -> None:
    fail_login(invitekit_kit, ana.email, 3)
    other_request = make_kit(store=invitekit_kit.store, clock=invitekit_clock)
    # While the right password is being verified, a wrong guess arrives and fails.
    invitekit_kit.password_hasher = _HasherThatWaits(
        lambda: fail_login(other_request, ana.email, 1)
    )
    invitekit_kit.login(ana.email, PASSWORD)
    # The success forgot the three failures before it, not the one after it.
    fail_login(other_request, ana.email, 4)
    with pytest.raises(LoginThrottled):
        other_request.login(ana.email, PASSWORD)


def test_a_throttled_attempt_counts_on_no_key(invitekit_store, invitekit_clock) -> None:
    kit = make_kit(
        store=invitekit_store,
        clock=invitekit_clock,
        login_throttle=LoginThrottle(client_max_failures=2),
    )
    fail_login(kit, "bob@example.com", 1, client="203.0.113.9")
    fail_login(kit, "carl@example.com", 1, client="203.0.113.9")
    for _ in range(3):
        with pytest.raises(LoginThrottled):
            kit.login("ana@example.com", PASSWORD, client="203.0.113.9")
    since = invitekit_clock.now() - timedelta(hours=1)
    with invitekit_store.transaction() as tx:
        counts = [
            tx.count_attempts("studio-1", key, since=since)
            for key in (email_key("ana@example.com"), client_key("203.0.113.9"))
        ]
    assert counts == [0, 2]


def test_successful_logins_do_not_count_against_the_client(
    invitekit_kit, invitekit_clock, ana
) -> None:
    kit = make_kit(
        store=invitekit_kit.store,
        clock=invitekit_clock,
        login_throttle=LoginThrottle(client_max_failures=2),
    )
    for _ in range(3):
        kit.login(ana.email, PASSWORD, client="203.0.113.9")
    fail_login(kit, ana.email, 2, client="203.0.113.9")
    with pytest.raises(LoginThrottled):
        kit.login(ana.email, PASSWORD, client="203.0.113.9")


def test_a_very_long_client_key_is_throttled_like_any_other() -> None:
    kit = make_kit(login_throttle=LoginThrottle(client_max_failures=2))
    client = "x" * 10_000
    fail_login(kit, "a@example.com", 1, client=client)
    fail_login(kit, "b@example.com", 1, client=client)
    with pytest.raises(LoginThrottled):
        kit.login("c@example.com", PASSWORD, client=client)


@pytest.fixture(params=store_params())
def any_store(request: pytest.FixtureRequest) -> Iterator[Store]:
    with open_store(request.param) as store:
        yield store


def test_a_failed_login_does_the_same_argon2_work_for_every_kind_of_address(
    any_store: Store, argon2_work: list[tuple[int, int, int]]
) -> None:
    # An old hash used to answer in a fifth of the time of an unknown address (issue 13).
    clock = FakeClock()
    current = PasswordHasher(time_cost=3, memory_cost=64, parallelism=1)
    mailer = MemoryMailer()
    old_kit = make_kit(store=any_store, clock=clock)
    old_kit.mailer = mailer
    old_kit.password_hasher = PasswordHasher(time_cost=1, memory_cost=16, parallelism=1)
    accepted_customer(old_kit, mailer, "old@example.com")
    kit = make_kit(store=any_store, clock=clock)
    kit.mailer = mailer
    kit.password_hasher = current
    accepted_customer(kit, mailer, "accepted@example.com")
    archived = accepted_customer(kit, mailer, "archived@example.com")
    kit.archive_customer(archived.id)
    kit.add_customer("provider@example.com", auth_provider="google")
    invited = kit.add_customer("invited@example.com")
    invite_and_deliver(kit, mailer, invited)

    work = {}
    for case in ["unknown", "accepted", "old", "archived", "provider", "invited"]:
        argon2_work.clear()
        with pytest.raises(InvalidCredentials):
            kit.login(f"{case}@example.com", "a wrong password")
        work[case] = sum(passes * memory for passes, memory, _ in argon2_work)
    assert all(3 * 64 <= done < 3 * 64 + 3 for done in work.values()), work


def test_why_a_login_failed_is_a_stable_note_in_the_history(invitekit_kit, ana) -> None:
    gina = invitekit_kit.add_customer("gina@example.com", auth_provider="google")
    for email in (ana.email, gina.email):
        with pytest.raises(InvalidCredentials):
            invitekit_kit.login(email, "not the password")

    def failures(customer_id: str) -> list[Event]:
        history = invitekit_kit.history(customer_id)
        return [e for e in history if e.kind is EventKind.LOGIN_FAILED]

    assert [(e.note, e.note_value) for e in failures(ana.id)] == [(EventNote.WRONG_PASSWORD, "")]
    assert [(e.note, e.note_value) for e in failures(gina.id)] == [
        (EventNote.SIGNS_IN_WITH, "google")
    ]
    accepted = [e for e in invitekit_kit.history(gina.id) if e.kind is EventKind.ACCEPTED]
    assert [(e.note, e.note_value) for e in accepted] == [(EventNote.SIGNS_IN_WITH, "google")]


def test_an_event_holding_data_has_no_note(invitekit_kit, ana) -> None:
    invitekit_kit.update_customer(ana.id, email="ana.new@example.com")
    changed = [e for e in invitekit_kit.history(ana.id) if e.kind is EventKind.EMAIL_CHANGED]
    assert [(e.detail, e.note, e.note_value) for e in changed] == [("ana@example.com", None, "")]
