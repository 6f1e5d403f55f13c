"""Cross-cutting security properties: races, enumeration, look-alike addresses, repr."""

from __future__ import annotations

import contextlib
import secrets
import threading

import pytest

from invitekit.exceptions import InvalidEmail, TokenUsed
from invitekit.model import EventKind
from invitekit.testing import TEST_SECRET, make_kit
from invitekit.throttle import LoginThrottle
from invitekit.tokens import Purpose

from .helpers import (
    ACTIVATE,
    PASSWORD,
    RESET,
    UNSUBSCRIBE,
    VERIFY,
    accepted_customer,
    invite_and_deliver,
    token_in,
)

THREADS = 16


def run_at_once(action, arguments: list[object]) -> list[object]:
    """Run ``action(argument)`` in one thread per argument, all released together."""
    barrier = threading.Barrier(len(arguments))
    results: list[object] = [None] * len(arguments)

    def worker(index: int, argument: object) -> None:
        barrier.wait()
        try:
            results[index] = action(argument)
        except Exception as err:  # collected and asserted on below
            results[index] = err

    threads = [threading.Thread(target=worker, args=(i, a)) for i, a in enumerate(arguments)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


# Races: of N simultaneous submissions of one link, exactly one succeeds --------------------


def test_one_activation_link_submitted_from_16_threads_succeeds_once(
    invitekit_kit, invitekit_mailer
) -> None:
    c = invitekit_kit.add_customer("ana@example.com")
    token = token_in(invite_and_deliver(invitekit_kit, invitekit_mailer, c), ACTIVATE)
    passwords = [f"password number {n:02d}" for n in range(THREADS)]
    results = run_at_once(lambda pw: invitekit_kit.accept_invitation(token, pw), passwords)
    winners = [i for i, r in enumerate(results) if not isinstance(r, Exception)]
    losers = [r for r in results if isinstance(r, Exception)]
    assert len(winners) == 1
    assert len(losers) == THREADS - 1
    assert all(isinstance(r, TokenUsed) for r in losers)
    stored = invitekit_kit.get_customer(c.id)
    assert invitekit_kit.password_hasher.verify(stored.password_hash, passwords[winners[0]])
    kinds = [e.kind for e in invitekit_kit.history(c.id)]
    assert kinds.count(EventKind.ACCEPTED) == 1


def test_one_reset_link_submitted_from_16_threads_succeeds_once(
    invitekit_kit, invitekit_mailer, ana
) -> None:
    invitekit_kit.request_password_reset(ana.email)
    invitekit_kit.deliver()
    token = token_in(invitekit_mailer.to(ana.email)[-1], RESET)
    passwords = [f"new password number {n:02d}" for n in range(THREADS)]
    results = run_at_once(lambda pw: invitekit_kit.reset_password(token, pw), passwords)
    winners = [i for i, r in enumerate(results) if not isinstance(r, Exception)]
    assert len(winners) == 1
    assert all(isinstance(r, TokenUsed) for r in results if isinstance(r, Exception))
    assert invitekit_kit.login(ana.email, passwords[winners[0]]).id == ana.id


def test_one_verification_link_submitted_from_16_threads_succeeds_once(
    invitekit_kit, invitekit_mailer
) -> None:
    invitekit_kit.register("neu@example.com", password="my sign-up password")
    invitekit_kit.deliver()
    token = token_in(invitekit_mailer.to("neu@example.com")[-1], VERIFY)
    results = run_at_once(
        lambda _: invitekit_kit.verify_email(token, password="my sign-up password"),
        list(range(THREADS)),
    )
    successes = [r for r in results if not isinstance(r, Exception)]
    assert len(successes) == 1
    assert all(isinstance(r, TokenUsed) for r in results if isinstance(r, Exception))
    assert len(invitekit_kit.list_customers()) == 1


# Enumeration: the same answer whatever the address --------------------------------------


@pytest.fixture
def population(invitekit_kit, invitekit_mailer, ana) -> dict[str, str]:
    """One address per case: accepted, provider-backed, invited, archived, unknown."""
    invitekit_kit.add_customer("gina@example.com", auth_provider="google")
    bo = invitekit_kit.add_customer("bo@example.com")
    invite_and_deliver(invitekit_kit, invitekit_mailer, bo)
    archived = invitekit_kit.add_customer("old@example.com")
    invitekit_kit.archive_customer(archived.id)
    invitekit_mailer.clear()
    return {
        "accepted": ana.email,
        "provider": "gina@example.com",
        "invited": "bo@example.com",
        "archived": "old@example.com",
        "unknown": "nobody@example.com",
    }


def test_request_password_reset_answers_identically_in_every_case(
    invitekit_kit, population
) -> None:
    results = {case: invitekit_kit.request_password_reset(a) for case, a in population.items()}
    assert set(results.values()) == {None}


def test_register_answers_identically_in_every_case(invitekit_kit, population) -> None:
    results = {
        case: invitekit_kit.register(a, first_name="X", password="a sign-up password")
        for case, a in population.items()
    }
    assert set(results.values()) == {None}


def test_reset_mail_reaches_only_the_right_mailboxes(
    invitekit_kit, invitekit_mailer, population
) -> None:
    for address in population.values():
        invitekit_kit.request_password_reset(address)
    invitekit_kit.deliver()
    received = {m.to: m.subject for m in invitekit_mailer.outbox}
    assert received == {
        "ana@example.com": "Passwort für Studio One zurücksetzen",
        "gina@example.com": "So meldest du dich bei Studio One an",
        "bo@example.com": "Aktiviere dein Profil bei Studio One",
    }


def test_sign_up_mail_reaches_only_the_right_mailboxes(
    invitekit_kit, invitekit_mailer, population
) -> None:
    for address in population.values():
        invitekit_kit.register(address, password="a sign-up password")
    invitekit_kit.deliver()
    received = {m.to: m.subject for m in invitekit_mailer.outbox}
    assert received == {
        "ana@example.com": "Du hast bereits ein Profil bei Studio One",
        "gina@example.com": "So meldest du dich bei Studio One an",
        "bo@example.com": "Bestätige deine E-Mail-Adresse für Studio One",
        "nobody@example.com": "Bestätige deine E-Mail-Adresse für Studio One",
    }


# Unicode look-alikes never receive another customer's link --------------------------------

VICTIMS = ["mike@example.org", "effie@example.org", "strasse@example.org", "kate@example.org"]
LOOK_ALIKES = [
    "m\u0131ke@example.org",  # dotless i
    "M\u0130KE@example.org",  # dotted capital I
    "\uff4d\uff49\uff4b\uff45@example.org",  # fullwidth letters
    "e\ufb00ie@example.org",  # the ff ligature
    "stra\u00dfe@example.org",  # sharp s, which case folding maps to ss
    "\u1d0bate@example.org",  # small capital K
    "mike@exampl\u0435.org",  # Cyrillic ie in the domain
]


@pytest.fixture
def victims(invitekit_kit, invitekit_mailer) -> dict[str, str]:
    ids = {
        email: accepted_customer(invitekit_kit, invitekit_mailer, email).id for email in VICTIMS
    }
    invitekit_mailer.clear()
    return ids


@pytest.mark.parametrize("look_alike", LOOK_ALIKES)
def test_look_alike_never_gets_a_reset_link(
    invitekit_kit, invitekit_mailer, victims, look_alike: str
) -> None:
    # Refused as not an address at all, or accepted as another address: nothing sent.
    with contextlib.suppress(InvalidEmail):
        invitekit_kit.request_password_reset(look_alike)
    invitekit_kit.deliver()
    assert invitekit_mailer.outbox == []


@pytest.mark.parametrize("look_alike", LOOK_ALIKES)
def test_look_alike_sign_up_never_reaches_a_victims_profile(
    invitekit_kit, invitekit_mailer, victims, look_alike: str
) -> None:
    try:
        invitekit_kit.register(look_alike, password="an attacker's password")
    except InvalidEmail:
        return  # refused as not an address at all
    invitekit_kit.deliver()
    assert all(m.to not in victims for m in invitekit_mailer.outbox)
    for mail in invitekit_mailer.outbox:
        created = invitekit_kit.verify_email(
            token_in(mail, VERIFY), password="an attacker's password"
        )
        assert created.id not in victims.values()
    for email in VICTIMS:
        assert invitekit_kit.login(email, PASSWORD).id == victims[email]


def test_zero_width_space_in_the_domain_is_refused_and_nothing_is_sent(
    invitekit_kit, invitekit_mailer, victims
) -> None:
    # IDNA2003 mapped U+200B to nothing, so this was mike's mailbox; invisible
    # characters are now refused anywhere in an address (issue 13).
    with pytest.raises(InvalidEmail, match="U\\+200B"):
        invitekit_kit.request_password_reset("mike@example.org\u200b")
    invitekit_kit.deliver()
    assert invitekit_mailer.outbox == []


def test_combining_marks_reach_the_same_mailbox_at_the_stored_address(
    invitekit_kit, invitekit_mailer
) -> None:
    jose = accepted_customer(invitekit_kit, invitekit_mailer, "jos\u00e9@example.org")
    invitekit_kit.request_password_reset("jose\u0301@example.org")  # e + combining acute
    invitekit_kit.deliver()
    assert [m.to for m in invitekit_mailer.outbox] == [jose.email]


# repr() never shows a password, a hash, a token or a secret key ---------------------------


def test_repr_of_public_objects_shows_no_secret(invitekit_kit, invitekit_mailer, ana) -> None:
    invitekit_kit.request_password_reset(ana.email)
    invitekit_kit.register("neu@example.com", password="my sign-up password")
    with invitekit_kit.store.transaction() as tx:
        pending = tx.list_outbox(invitekit_kit.business.id)
    report = invitekit_kit.deliver()
    token = token_in(invitekit_mailer.to(ana.email)[-1], RESET)
    stored = invitekit_kit.get_customer(ana.id)
    registrations = list(invitekit_kit.store._registrations.values())
    objects = [
        invitekit_kit,
        invitekit_kit.tokens,
        invitekit_kit.password_hasher,
        invitekit_kit.password_rules,
        invitekit_kit.login_throttle,
        invitekit_kit.store,
        stored,
        *registrations,
        *pending,
        *invitekit_mailer.outbox,
        report,
        invitekit_kit.check_password_reset(token),
        invitekit_kit.tokens.verify(token, Purpose.PASSWORD_RESET),
        LoginThrottle(),
    ]
    secrets = [PASSWORD, "my sign-up password", TEST_SECRET, stored.password_hash, token]
    secrets += [r.password_hash for r in registrations]
    secrets.append(token_in(invitekit_mailer.to("neu@example.com")[-1], VERIFY))
    for obj in objects:
        text = repr(obj)
        assert "$argon2" not in text, type(obj).__name__
        for secret in secrets:
            assert secret not in text, type(obj).__name__


def test_kit_repr_hides_the_secret_key(invitekit_store, invitekit_business) -> None:
    kit = make_kit(
        store=invitekit_store,
        business=invitekit_business,
        secret_keys=["a-very-secret-key-" + secrets.token_urlsafe(32)],
    )
    assert "a-very-secret-key" not in repr(kit)
    assert "a-very-secret-key" not in repr(kit.tokens)


# Unsubscribe: GET shows, POST acts ---------------------------------------------------------


def test_checking_an_unsubscribe_link_changes_nothing(invitekit_kit, invitekit_mailer) -> None:
    bo = invitekit_kit.add_customer("bo@example.com")
    token = token_in(invite_and_deliver(invitekit_kit, invitekit_mailer, bo), UNSUBSCRIBE)
    assert invitekit_kit.check_unsubscribe(token).customer_id == bo.id
    assert not invitekit_kit.get_customer(bo.id).unsubscribed
    assert invitekit_kit.unsubscribe(token).unsubscribed


# Account emails per address are capped, the same way for every case ------------------------


def test_sign_ups_cannot_mail_bomb_an_address(invitekit_kit, invitekit_mailer) -> None:
    for _ in range(8):
        invitekit_kit.register("victim@example.com", password="a sign-up password")
    invitekit_kit.deliver()
    assert len(invitekit_mailer.to("victim@example.com")) == 5


def test_mail_cap_ends_after_the_window(invitekit_kit, invitekit_mailer, invitekit_clock) -> None:
    for _ in range(6):
        invitekit_kit.register("victim@example.com", password="a sign-up password")
    invitekit_clock.advance(hours=1, seconds=1)
    invitekit_kit.register("victim@example.com", password="a sign-up password")
    invitekit_kit.deliver()
    assert len(invitekit_mailer.to("victim@example.com")) == 6


def test_mail_cap_counts_unknown_and_known_addresses_alike(
    invitekit_kit, invitekit_mailer, ana
) -> None:
    for _ in range(5):
        invitekit_kit.request_password_reset("nobody@example.com")
        invitekit_kit.request_password_reset(ana.email)
        invitekit_kit.deliver()
    invitekit_kit.request_password_reset(ana.email)
    invitekit_kit.deliver()
    assert len(invitekit_mailer.to(ana.email)) == 5
