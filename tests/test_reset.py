"""Password reset: who gets what, single use, the GET changes nothing."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from invitekit.adapters.memory import MemoryMailer
from invitekit.adapters.sql import SQLStore, metadata
from invitekit.exceptions import InvalidCredentials, InvalidEmail, TokenUsed, WeakPassword
from invitekit.model import Business, Customer, Email, EventKind, OutboxState, Status
from invitekit.passwords import PasswordRules
from invitekit.ports import Store
from invitekit.service import InviteKit
from invitekit.testing import TEST_SECRET, FakeClock, FaultyStore, fast_password_hasher

from .helpers import (
    ACTIVATE,
    PASSWORD,
    RESET,
    UNSUBSCRIBE,
    invite_and_deliver,
    last_mail_to,
    token_in,
)
from .stores import open_store, store_params

NEW_PASSWORD = "a brand new password"
SECURITY_PAGE = Path(__file__).resolve().parent.parent / "docs" / "security.md"


@pytest.fixture(params=store_params())
def invitekit_store(request: pytest.FixtureRequest) -> Iterator[Store]:
    """Every test here runs on each store kind (the plugin's kit picks this store up)."""
    with open_store(request.param) as store:
        yield store


def reset_token(kit, mailer, email: str) -> str:
    kit.request_password_reset(email)
    kit.deliver()
    return token_in(last_mail_to(mailer, email), RESET)


def test_accepted_customer_gets_a_reset_link(invitekit_kit, invitekit_mailer, ana) -> None:
    invitekit_kit.request_password_reset(ana.email)
    invitekit_kit.deliver()
    mail = last_mail_to(invitekit_mailer, ana.email)
    assert mail.subject == "Passwort für Studio One zurücksetzen"
    assert invitekit_kit.check_password_reset(token_in(mail, RESET)).customer_id == ana.id


def test_reset_email_is_queued_not_sent_at_once(invitekit_kit, invitekit_mailer, ana) -> None:
    invitekit_kit.request_password_reset(ana.email)
    assert invitekit_mailer.outbox == []
    pending = invitekit_kit.outbox_messages(customer_id=ana.id, state=OutboxState.PENDING)
    assert [m.kind for m in pending] == ["password_reset"]


def test_reset_sets_the_new_password(invitekit_kit, invitekit_mailer, ana) -> None:
    token = reset_token(invitekit_kit, invitekit_mailer, ana.email)
    invitekit_kit.reset_password(token, NEW_PASSWORD)
    assert invitekit_kit.login(ana.email, NEW_PASSWORD).id == ana.id
    with pytest.raises(InvalidCredentials):
        invitekit_kit.login(ana.email, PASSWORD)


def test_reset_link_works_once(invitekit_kit, invitekit_mailer, ana) -> None:
    token = reset_token(invitekit_kit, invitekit_mailer, ana.email)
    invitekit_kit.reset_password(token, NEW_PASSWORD)
    with pytest.raises(TokenUsed):
        invitekit_kit.reset_password(token, "yet another password")


def test_checking_the_link_changes_nothing(invitekit_kit, invitekit_mailer, ana) -> None:
    token = reset_token(invitekit_kit, invitekit_mailer, ana.email)
    before = invitekit_kit.get_customer(ana.id)
    for _ in range(3):
        invitekit_kit.check_password_reset(token)
    assert invitekit_kit.get_customer(ana.id) == before


def test_weak_new_password_keeps_the_link_valid(invitekit_kit, invitekit_mailer, ana) -> None:
    token = reset_token(invitekit_kit, invitekit_mailer, ana.email)
    with pytest.raises(WeakPassword):
        invitekit_kit.reset_password(token, "short")
    assert invitekit_kit.reset_password(token, NEW_PASSWORD).id == ana.id


def test_rules_refuse_the_customers_own_name(invitekit_kit, invitekit_mailer, ana) -> None:
    token = reset_token(invitekit_kit, invitekit_mailer, ana.email)
    with pytest.raises(WeakPassword):
        invitekit_kit.reset_password(token, "ana@example.com")


def test_common_password_refused_when_configured(invitekit_kit, invitekit_mailer, ana) -> None:
    invitekit_kit.password_rules = PasswordRules.with_common_passwords()
    token = reset_token(invitekit_kit, invitekit_mailer, ana.email)
    with pytest.raises(WeakPassword, match="too common"):
        invitekit_kit.reset_password(token, "password123")


def test_password_change_kills_an_older_reset_link(invitekit_kit, invitekit_mailer, ana) -> None:
    first = reset_token(invitekit_kit, invitekit_mailer, ana.email)
    second = reset_token(invitekit_kit, invitekit_mailer, ana.email)
    invitekit_kit.reset_password(second, NEW_PASSWORD)
    with pytest.raises(TokenUsed):
        invitekit_kit.check_password_reset(first)


def test_reset_clears_login_failures(invitekit_kit, invitekit_mailer, ana) -> None:
    for _ in range(4):
        with pytest.raises(InvalidCredentials):
            invitekit_kit.login(ana.email, "wrong guess")
    invitekit_kit.reset_password(
        reset_token(invitekit_kit, invitekit_mailer, ana.email), NEW_PASSWORD
    )
    for _ in range(4):
        with pytest.raises(InvalidCredentials):
            invitekit_kit.login(ana.email, "wrong guess")
    assert invitekit_kit.login(ana.email, NEW_PASSWORD).id == ana.id


def test_reset_is_in_the_history(invitekit_kit, invitekit_mailer, ana) -> None:
    invitekit_kit.reset_password(
        reset_token(invitekit_kit, invitekit_mailer, ana.email), NEW_PASSWORD
    )
    kinds = [e.kind for e in invitekit_kit.history(ana.id)]
    assert EventKind.PASSWORD_RESET_REQUESTED in kinds
    assert kinds[-1] is EventKind.PASSWORD_RESET


def test_provider_backed_customer_is_told_to_use_the_provider(
    invitekit_kit, invitekit_mailer
) -> None:
    invitekit_kit.add_customer("gina@example.com", auth_provider="google")
    invitekit_kit.request_password_reset("gina@example.com")
    invitekit_kit.deliver()
    mail = last_mail_to(invitekit_mailer, "gina@example.com")
    assert "Du meldest dich mit Google an" in mail.text
    assert "https://" not in mail.text


def test_customer_who_never_activated_gets_an_activation_link(
    invitekit_kit, invitekit_mailer
) -> None:
    bo = invitekit_kit.add_customer("bo@example.com")
    invitekit_kit.request_password_reset("bo@example.com")
    invitekit_kit.deliver()
    token = token_in(last_mail_to(invitekit_mailer, "bo@example.com"), ACTIVATE)
    assert invitekit_kit.accept_invitation(token, NEW_PASSWORD).status is Status.ACCEPTED
    assert invitekit_kit.get_customer(bo.id).accepted_at is not None


def test_activation_link_from_reset_does_not_make_the_customer_invited(
    invitekit_kit, invitekit_mailer
) -> None:
    bo = invitekit_kit.add_customer("bo@example.com")
    invitekit_kit.request_password_reset("bo@example.com")
    invitekit_kit.deliver()
    assert invitekit_kit.get_customer(bo.id).status is Status.ADDED


def test_unknown_and_archived_addresses_get_nothing(invitekit_kit, invitekit_mailer, ana) -> None:
    invitekit_kit.archive_customer(ana.id)
    assert invitekit_kit.request_password_reset(ana.email) is None
    assert invitekit_kit.request_password_reset("nobody@example.com") is None
    invitekit_kit.deliver()
    assert invitekit_mailer.outbox == []


def test_malformed_address_is_an_invalid_email(invitekit_kit) -> None:
    with pytest.raises(InvalidEmail):
        invitekit_kit.request_password_reset("not an address")


def test_repeated_requests_queue_one_email(invitekit_kit, invitekit_mailer, ana) -> None:
    for _ in range(5):
        invitekit_kit.request_password_reset(ana.email)
    invitekit_kit.deliver()
    assert len(invitekit_mailer.to(ana.email)) == 1


def test_reset_mail_goes_to_the_stored_address_not_the_typed_one(
    invitekit_kit, invitekit_mailer, ana
) -> None:
    invitekit_kit.request_password_reset("ANA@EXAMPLE.COM")
    invitekit_kit.deliver()
    assert [m.to for m in invitekit_mailer.outbox] == ["ana@example.com"]


def test_delivery_failure_of_a_reset_does_not_touch_the_customer(
    invitekit_kit, invitekit_mailer, ana
) -> None:
    invitekit_mailer.refuse.add(ana.email)
    invitekit_kit.request_password_reset(ana.email)
    invitekit_kit.deliver()
    stored = invitekit_kit.get_customer(ana.id)
    assert (stored.status, stored.delivery_failure) == (Status.ACCEPTED, None)


def accepted_with_invitation(kit: InviteKit, mailer: MemoryMailer) -> tuple[Customer, Email]:
    """Bea, who activated her profile with :data:`PASSWORD`, and her invitation."""
    customer = kit.add_customer("bea@example.com", first_name="Bea")
    invitation = invite_and_deliver(kit, mailer, customer)
    kit.accept_invitation(token_in(invitation, ACTIVATE), PASSWORD)
    return customer, invitation


def test_a_password_reset_kills_every_reset_link_and_keeps_unsubscribe_links(
    invitekit_kit: InviteKit, invitekit_mailer: MemoryMailer
) -> None:
    customer, invitation = accepted_with_invitation(invitekit_kit, invitekit_mailer)
    first = reset_token(invitekit_kit, invitekit_mailer, "bea@example.com")
    invitekit_kit.register(
        "bea@example.com", password="a sign-up password"
    )  # "you have a profile"
    invitekit_kit.deliver()
    second = token_in(last_mail_to(invitekit_mailer, "bea@example.com"), RESET)
    epoch = invitekit_kit.get_customer(customer.id).link_epoch

    invitekit_kit.reset_password(second, NEW_PASSWORD)

    for used in (first, second):
        with pytest.raises(TokenUsed):
            invitekit_kit.reset_password(used, "yet another password")
    with pytest.raises(TokenUsed):  # dead since the profile was activated
        invitekit_kit.accept_invitation(token_in(invitation, ACTIVATE), "a password of mine")
    assert invitekit_kit.get_customer(customer.id).link_epoch == epoch
    assert invitekit_kit.unsubscribe(token_in(invitation, UNSUBSCRIBE)).unsubscribed
    assert invitekit_kit.login("bea@example.com", NEW_PASSWORD).id == customer.id


def test_the_security_page_says_what_a_password_reset_kills(
    invitekit_kit: InviteKit, invitekit_mailer: MemoryMailer
) -> None:
    page = SECURITY_PAGE.read_text(encoding="utf-8")
    table = page.split("## What each token binds", 1)[1].split("\n\n")[2]
    rows = [[cell.strip() for cell in line.strip("|").split("|")] for line in table.splitlines()]
    header, dies_when = rows[0], {row[0]: row[rows[0].index("dies when")] for row in rows[2:]}
    assert header[0] == "purpose"
    epoch_rises_on = re.search(r"`link_epoch` rises on ([^.]*)\.", page)
    assert epoch_rises_on is not None

    customer, invitation = accepted_with_invitation(invitekit_kit, invitekit_mailer)
    reset = reset_token(invitekit_kit, invitekit_mailer, "bea@example.com")
    epoch = invitekit_kit.get_customer(customer.id).link_epoch
    invitekit_kit.reset_password(reset, NEW_PASSWORD)

    def dies(attempt) -> bool:
        try:
            attempt()
        except TokenUsed:
            return True
        return False

    unsubscribe = token_in(invitation, UNSUBSCRIBE)
    said = {purpose: "password" in text for purpose, text in dies_when.items()}
    assert said["password reset"] == dies(lambda: invitekit_kit.check_password_reset(reset))
    assert said["unsubscribe"] == dies(lambda: invitekit_kit.check_unsubscribe(unsubscribe))
    epoch_rose = invitekit_kit.get_customer(customer.id).link_epoch != epoch
    assert ("password" in epoch_rises_on[1]) == epoch_rose


def test_unsubscribing_keeps_a_requested_password_email_queued(
    invitekit_kit, invitekit_mailer
) -> None:
    # Found by the reliability campaign (tests/reliability/test_model.py): unsubscribing
    # from invitations used to withdraw every queued email, the one asked for too.
    customer = invitekit_kit.add_customer("ana@example.com")
    invitation = invite_and_deliver(invitekit_kit, invitekit_mailer, customer)
    invitekit_kit.request_password_reset("ana@example.com")

    invitekit_kit.unsubscribe(token_in(invitation, UNSUBSCRIBE))
    invitekit_kit.deliver()

    activation = last_mail_to(invitekit_mailer, "ana@example.com")
    assert activation.message_id != invitation.message_id
    accepted = invitekit_kit.accept_invitation(token_in(activation, ACTIVATE), NEW_PASSWORD)
    assert accepted.status is Status.ACCEPTED


# Every answer does the same work ---------------------------------------------------------


@pytest.fixture
def population(invitekit_kit, invitekit_mailer, ana) -> dict[str, str]:
    """One address per answer, in this order: a reset link, the same again (one is
    pending now), an activation link, a sign-in hint, nothing (twice)."""
    bo = invitekit_kit.add_customer("bo@example.com")
    invite_and_deliver(invitekit_kit, invitekit_mailer, bo)
    invitekit_kit.add_customer("gina@example.com", auth_provider="google")
    old = invitekit_kit.add_customer("old@example.com")
    invitekit_kit.archive_customer(old.id)
    invitekit_mailer.clear()
    return {
        "accepted": ana.email,
        "accepted, one pending": ana.email,
        "invited": "bo@example.com",
        "provider": "gina@example.com",
        "archived": "old@example.com",
        "unknown": "nobody@example.com",
    }


def test_every_answer_makes_the_same_store_calls(
    invitekit_store: Store,
    invitekit_business: Business,
    invitekit_clock: FakeClock,
    population: dict[str, str],
) -> None:
    counting = FaultyStore(invitekit_store)  # unarmed: it only counts
    kit = InviteKit(
        store=counting,
        mailer=MemoryMailer(),
        clock=invitekit_clock,
        business=invitekit_business,
        secret_keys=[TEST_SECRET],
        password_hasher=fast_password_hasher(),
    )
    work = {}
    for case, address in population.items():
        counting.arm()
        kit.request_password_reset(address)
        work[case] = (counting.calls, counting.commits)
    assert len(set(work.values())) == 1, work


def _statement_shape(statement: str) -> str:
    """A statement without what differs between two runs of the same work."""
    shape = re.sub(r"\s+", " ", statement).strip()
    # Keeping or undoing a savepoint's writes is the one step that differs.
    return re.sub(r"^(RELEASE|ROLLBACK TO) SAVEPOINT \w+$", "END SAVEPOINT", shape)


@pytest.mark.parametrize(
    "invitekit_store", store_params(["sqlite", "postgresql", "mysql"]), indirect=True
)
def test_every_answer_runs_the_same_statements(
    invitekit_kit: InviteKit, invitekit_store: SQLStore, population: dict[str, str]
) -> None:
    runs: dict[str, list[str]] = {}

    def record(_conn, _cursor, statement, _parameters, _context, _executemany) -> None:
        runs[case].append(_statement_shape(statement))

    sa.event.listen(invitekit_store.engine, "before_cursor_execute", record)
    try:
        for case, address in population.items():
            runs[case] = []
            invitekit_kit.request_password_reset(address)
    finally:
        sa.event.remove(invitekit_store.engine, "before_cursor_execute", record)
    assert runs["unknown"]
    for case, statements in runs.items():
        assert statements == runs["unknown"], case


def test_the_work_for_an_address_without_email_leaves_no_trace(
    invitekit_kit: InviteKit, invitekit_store: Store, population: dict[str, str]
) -> None:
    archived = invitekit_kit.find_customer(population["archived"])
    assert archived is not None
    history, outbox = invitekit_kit.history(archived.id), invitekit_kit.outbox_messages()
    for _ in range(3):
        invitekit_kit.request_password_reset(population["unknown"])
        invitekit_kit.request_password_reset(population["archived"])
    assert invitekit_kit.outbox_messages() == outbox
    assert invitekit_kit.history(archived.id) == history
    if isinstance(invitekit_store, SQLStore):
        customers = {c.id for c in invitekit_kit.list_customers(archived=None)}
        with invitekit_store.engine.connect() as conn:
            for name in ("invitekit_outbox", "invitekit_events"):
                table = metadata.tables[name]
                owners = conn.execute(sa.select(table.c.customer_id)).scalars()
                assert set(owners) <= customers, name


def test_the_email_is_in_the_pages_language_when_the_customer_has_none(
    invitekit_kit, invitekit_mailer, ana
) -> None:
    invitekit_kit.request_password_reset(ana.email, locale="fr")
    invitekit_kit.deliver()
    mail = last_mail_to(invitekit_mailer, ana.email)
    assert mail.subject == "Réinitialisez votre mot de passe chez Studio One"


def test_the_customers_own_language_wins_over_the_pages(invitekit_kit, invitekit_mailer) -> None:
    invitekit_kit.add_customer("es@example.com", locale="es", auth_provider="google")
    invitekit_kit.request_password_reset("es@example.com", locale="fr")
    invitekit_kit.deliver()
    assert last_mail_to(invitekit_mailer, "es@example.com").subject == (
        "Cómo iniciar sesión en Studio One"
    )
