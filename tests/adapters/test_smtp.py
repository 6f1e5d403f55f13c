"""SMTPMailer against a real SMTP server on loopback: faults, reuse, settings, and the outbox."""

from __future__ import annotations

import smtplib
import socket
import ssl
from collections import Counter
from collections.abc import Iterator
from email.utils import format_datetime
from typing import Any

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from invitekit import Business, EventKind, OutboxSettings, OutboxState, Status
from invitekit.adapters.memory import MemoryStore
from invitekit.adapters.smtp import SMTPMailer
from invitekit.exceptions import (
    ConfigurationError,
    PermanentDeliveryError,
    TemporaryDeliveryError,
)
from invitekit.model import Email
from invitekit.testing import FakeClock, SMTPTestServer, make_kit

pytestmark = pytest.mark.smtp


def _email(n: int, to: str | None = None) -> Email:
    return Email(
        sender="Studio One <hello@studio.example>",
        to=to or f"c{n}@example.com",
        subject=f"Invitation {n}",
        text=f"Hello {n}\n",
        message_id=f"<m{n}@studio.example>",
    )


@pytest.fixture
def server() -> Iterator[SMTPTestServer]:
    with SMTPTestServer() as running:
        yield running


@pytest.fixture
def mailer(server: SMTPTestServer, invitekit_clock: FakeClock) -> SMTPMailer:
    return server.mailer(clock=invitekit_clock)


def _ids(server: SMTPTestServer) -> list[str | None]:
    return [mail.message_id for mail in server.messages]


# Reuse -----------------------------------------------------------------------------------


def test_a_batch_uses_one_connection(server: SMTPTestServer, mailer: SMTPMailer) -> None:
    with mailer.session() as session:
        for n in range(6):
            session.send(_email(n))

    assert server.connections == 1
    assert [mail.connection for mail in server.messages] == [1] * 6


def test_each_session_has_its_own_connection(server: SMTPTestServer, mailer: SMTPMailer) -> None:
    for n in range(3):
        with mailer.session() as session:
            session.send(_email(n))

    assert [mail.connection for mail in server.messages] == [1, 2, 3]


def test_a_session_that_sends_nothing_never_connects(
    server: SMTPTestServer, mailer: SMTPMailer
) -> None:
    with mailer.session():
        pass

    assert server.connections == 0


def test_the_date_header_comes_from_the_clock(
    server: SMTPTestServer, mailer: SMTPMailer, invitekit_clock: FakeClock
) -> None:
    invitekit_clock.advance(days=3, minutes=7)
    with mailer.session() as session:
        session.send(_email(1))

    assert server.messages[0].message["Date"] == format_datetime(invitekit_clock.now())


def test_the_envelope_is_the_sender_address_and_the_one_recipient(
    server: SMTPTestServer, mailer: SMTPMailer
) -> None:
    with mailer.session() as session:
        session.send(_email(1, to="ana@example.com"))

    [mail] = server.messages
    assert (mail.mail_from, mail.rcpt_tos) == ("hello@studio.example", ("ana@example.com",))


def test_an_internationalised_address_goes_out_with_smtputf8(
    server: SMTPTestServer, mailer: SMTPMailer
) -> None:
    with mailer.session() as session:
        session.send(_email(1, to="jürgen@example.com"))

    [mail] = server.messages
    assert mail.rcpt_tos == ("jürgen@example.com",)
    assert str(mail.message["To"]) == "jürgen@example.com"


def test_a_server_without_8bitmime_gets_a_7bit_message_with_the_same_text() -> None:
    email = attrs.evolve(_email(1), text="Grüße aus Wien\n")
    with SMTPTestServer(without={"8BITMIME"}) as server:
        with server.mailer().session() as session:
            session.send(email)

        [mail] = server.messages
        assert mail.raw.isascii()
        assert mail.text == "Grüße aus Wien\n"


def test_an_internationalised_address_is_refused_for_good_without_smtputf8() -> None:
    with SMTPTestServer(without={"SMTPUTF8"}) as server:
        with server.mailer().session() as session:
            with pytest.raises(PermanentDeliveryError, match="SMTPUTF8"):
                session.send(_email(1, to="jürgen@example.com"))
            session.send(_email(2))

        assert [mail.message_id for mail in server.messages] == ["<m2@studio.example>"]


# Refusals --------------------------------------------------------------------------------


@pytest.mark.parametrize("at", ["rcpt", "data"])
def test_a_5xx_reply_is_a_permanent_failure_and_the_batch_goes_on(
    server: SMTPTestServer, mailer: SMTPMailer, at: str
) -> None:
    server.refuse("c2@example.com", "550 5.1.1 no such mailbox", at=at)
    with mailer.session() as session:
        session.send(_email(1))
        with pytest.raises(PermanentDeliveryError, match=r"550 5\.1\.1 no such mailbox") as info:
            session.send(_email(2))
        session.send(_email(3))

    assert isinstance(info.value.__cause__, smtplib.SMTPException)
    assert _ids(server) == ["<m1@studio.example>", "<m3@studio.example>"]
    assert server.connections == 1


@pytest.mark.parametrize(
    ("reply", "at", "about_address"),
    [
        ("550 5.1.1 no such mailbox", "rcpt", True),
        ("553 mailbox name not allowed", "rcpt", True),
        ("550 5.1.1 no such mailbox", "data", True),  # refused late, still the address
        ("554 5.7.1 message rejected as spam", "data", False),
        ("554 transaction failed", "rcpt", False),
        ("552 5.2.2 mailbox full", "data", False),
    ],
)
def test_a_refusal_of_the_address_is_marked_as_such(
    server: SMTPTestServer, mailer: SMTPMailer, reply: str, at: str, about_address: bool
) -> None:
    # The delivery flow records a refusal of the address as a hard bounce.
    server.refuse("c1@example.com", reply, at=at)
    with pytest.raises(PermanentDeliveryError) as info, mailer.session() as session:
        session.send(_email(1))

    assert info.value.recipient_refused is about_address


def test_an_unknown_recipient_at_delivery_makes_the_address_undeliverable(
    server: SMTPTestServer,
    mailer: SMTPMailer,
    invitekit_clock: FakeClock,
    invitekit_business: Business,
) -> None:
    kit = make_kit(mailer=mailer, clock=invitekit_clock, business=invitekit_business)
    ana = kit.add_customer("ana@example.com", invite=True)
    server.refuse("ana@example.com", "550 5.1.1 no such mailbox")

    kit.deliver()

    customer = kit.get_customer(ana.id)
    assert customer.undeliverable
    assert customer.undeliverable_reason is not None
    assert "550 5.1.1 no such mailbox" in customer.undeliverable_reason
    bounced = [e for e in kit.history(ana.id) if e.kind is EventKind.BOUNCED]
    assert [e.detail.split(":")[0] for e in bounced] == ["hard"]


@pytest.mark.parametrize("at", ["rcpt", "data"])
def test_a_4xx_reply_is_a_temporary_failure_and_the_batch_goes_on(
    server: SMTPTestServer, mailer: SMTPMailer, at: str
) -> None:
    server.refuse("c2@example.com", "451 4.3.0 try again later", at=at)
    with mailer.session() as session:
        session.send(_email(1))
        with pytest.raises(TemporaryDeliveryError, match=r"451 4\.3\.0 try again later"):
            session.send(_email(2))
        session.send(_email(3))

    assert _ids(server) == ["<m1@studio.example>", "<m3@studio.example>"]


@settings(max_examples=25)
@given(code=st.integers(400, 599), at=st.sampled_from(["rcpt", "data"]))
def test_the_first_digit_of_the_reply_decides_whether_to_retry(code: int, at: str) -> None:
    with SMTPTestServer() as server:
        server.refuse("c1@example.com", f"{code} refused", at=at)
        expected = (
            PermanentDeliveryError
            if code >= 500 and code not in {530, 534, 535, 538}
            else TemporaryDeliveryError
        )
        with pytest.raises(expected), server.mailer().session() as session:
            session.send(_email(1))


def test_authentication_required_is_temporary_since_it_is_a_configuration_error() -> None:
    with SMTPTestServer(username="app", password="s3cret") as server:
        anonymous = server.mailer(username=None, password=None)
        with pytest.raises(TemporaryDeliveryError, match="530"), anonymous.session() as s:
            s.send(_email(1))

        assert server.messages == []


def test_a_wrong_password_is_a_temporary_failure_that_names_the_credentials() -> None:
    with SMTPTestServer(security="starttls", username="app", password="s3cret") as server:
        wrong = server.mailer(password="guess")
        with wrong.session() as session:
            with pytest.raises(TemporaryDeliveryError, match="credentials") as first:
                session.send(_email(1))
            with pytest.raises(TemporaryDeliveryError):
                session.send(_email(2))

        assert "guess" not in str(first.value)
        assert server.messages == []


# Connection trouble ----------------------------------------------------------------------


def test_a_dropped_connection_is_reopened_once_and_the_batch_continues(
    server: SMTPTestServer, mailer: SMTPMailer
) -> None:
    server.disconnect_after(2)
    with mailer.session() as session:
        for n in range(5):
            session.send(_email(n))

    assert _ids(server) == [f"<m{n}@studio.example>" for n in range(5)]
    assert [mail.connection for mail in server.messages] == [1, 1, 2, 2, 2]


def test_a_reply_lost_in_a_drop_means_that_one_message_arrives_twice_with_its_id(
    server: SMTPTestServer, mailer: SMTPMailer
) -> None:
    server.disconnect_after(2, lose_reply=True)
    with mailer.session() as session:
        for n in range(4):
            session.send(_email(n))

    assert _ids(server) == [
        "<m0@studio.example>",
        "<m1@studio.example>",
        "<m1@studio.example>",
        "<m2@studio.example>",
        "<m3@studio.example>",
    ]


def test_a_server_that_goes_away_fails_the_rest_of_the_batch_temporarily(
    server: SMTPTestServer, mailer: SMTPMailer
) -> None:
    server.go_down_after(2)
    failed = []
    with mailer.session() as session:
        for n in range(5):
            try:
                session.send(_email(n))
            except TemporaryDeliveryError:
                failed.append(n)

    assert failed == [2, 3, 4]
    assert _ids(server) == ["<m0@studio.example>", "<m1@studio.example>"]


def test_a_server_that_goes_away_during_a_batch_is_not_asked_again_in_that_batch(
    server: SMTPTestServer, mailer: SMTPMailer
) -> None:
    server.go_down_after(1)
    with mailer.session() as session:
        session.send(_email(0))
        with pytest.raises(TemporaryDeliveryError):
            session.send(_email(1))
        server.come_back()
        with pytest.raises(TemporaryDeliveryError):
            session.send(_email(2))
    with mailer.session() as session:
        session.send(_email(2))

    assert _ids(server) == ["<m0@studio.example>", "<m2@studio.example>"]
    assert server.connections == 2


def test_a_server_that_is_not_running_is_a_temporary_failure() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    mailer = SMTPMailer("127.0.0.1", port, security="plain", timeout=2)
    with (
        pytest.raises(TemporaryDeliveryError, match="cannot connect") as info,
        mailer.session() as session,
    ):
        session.send(_email(1))

    assert isinstance(info.value.__cause__, OSError)


def test_a_server_that_never_answers_times_out_as_a_temporary_failure() -> None:
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        port = silent.getsockname()[1]
        mailer = SMTPMailer("127.0.0.1", port, security="plain", timeout=0.2)
        with (
            pytest.raises(TemporaryDeliveryError, match="cannot connect"),
            mailer.session() as session,
        ):
            session.send(_email(1))


# TLS -------------------------------------------------------------------------------------


def test_starttls_is_never_skipped_when_the_server_does_not_offer_it(
    server: SMTPTestServer,
) -> None:
    mailer = server.mailer(security="starttls", ssl_context=ssl.create_default_context())
    with (
        pytest.raises(TemporaryDeliveryError, match="does not offer STARTTLS"),
        mailer.session() as session,
    ):
        session.send(_email(1))

    assert server.messages == []


@pytest.mark.parametrize("security", ["starttls", "ssl"])
def test_a_certificate_that_is_not_trusted_is_refused(security: str) -> None:
    with SMTPTestServer(security=security) as server:
        # The system's CAs do not know the server's throw-away CA.
        mailer = server.mailer(ssl_context=ssl.create_default_context())
        with (
            pytest.raises(TemporaryDeliveryError, match="certificate") as info,
            mailer.session() as session,
        ):
            session.send(_email(1))

        assert isinstance(info.value.__cause__, ssl.SSLError)
        assert server.messages == []


@pytest.mark.parametrize("security", ["starttls", "ssl"])
def test_tls_modes_encrypt_and_log_in(security: str) -> None:
    with SMTPTestServer(security=security, username="app", password="s3cret") as server:
        with server.mailer().session() as session:
            session.send(_email(1))

        [mail] = server.messages
        assert (mail.tls, mail.login) == (True, "app")


# Settings --------------------------------------------------------------------------------


def test_repr_shows_neither_username_nor_password() -> None:
    mailer = SMTPMailer("smtp.example.com", username="owner@studio", password="hunter22")

    assert "hunter22" not in repr(mailer)
    assert "owner@studio" not in repr(mailer)
    assert "auth=True" in repr(mailer)


@pytest.mark.parametrize(("security", "port"), [("plain", 25), ("starttls", 587), ("ssl", 465)])
def test_the_port_defaults_to_the_one_of_the_security_mode(security: str, port: int) -> None:
    assert SMTPMailer("smtp.example.com", security=security).port == port


@pytest.mark.parametrize(
    "settings_",
    [
        {"security": "tls13"},
        {"port": 0},
        {"port": 70000},
        {"timeout": 0},
        {"username": "only-a-name"},
        {"password": "only-a-password"},
        {"security": "plain", "username": "u", "password": "p"},
    ],
)
def test_unusable_settings_are_refused_at_once(settings_: dict[str, Any]) -> None:
    with pytest.raises(ConfigurationError):
        SMTPMailer("smtp.example.com", **settings_)


def test_credentials_may_go_unencrypted_to_a_relay_on_this_machine() -> None:
    mailer = SMTPMailer("127.0.0.1", security="plain", username="u", password="p")

    assert mailer.security.value == "plain"


def test_from_env_reads_every_setting() -> None:
    mailer = SMTPMailer.from_env(
        {
            "APP_SMTP_HOST": "smtp.example.com",
            "APP_SMTP_PORT": "2525",
            "APP_SMTP_SECURITY": "ssl",
            "APP_SMTP_USERNAME": "studio",
            "APP_SMTP_PASSWORD": "pw",
            "APP_SMTP_TIMEOUT": "7.5",
        },
        prefix="APP_SMTP_",
    )

    assert (mailer.host, mailer.port, mailer.security.value, mailer.timeout) == (
        "smtp.example.com",
        2525,
        "ssl",
        7.5,
    )
    assert "auth=True" in repr(mailer)


@pytest.mark.parametrize(
    "environ",
    [{}, {"INVITEKIT_SMTP_HOST": "h.example", "INVITEKIT_SMTP_PORT": "twenty-five"}],
)
def test_from_env_refuses_a_missing_host_or_a_bad_number(environ: dict[str, str]) -> None:
    with pytest.raises(ConfigurationError, match="INVITEKIT_SMTP_"):
        SMTPMailer.from_env(environ)


# Through the facade ----------------------------------------------------------------------


def test_a_refused_recipient_fails_the_invitation_and_shows_on_the_customer(
    server: SMTPTestServer,
    mailer: SMTPMailer,
    invitekit_clock: FakeClock,
    invitekit_business: Business,
) -> None:
    kit = make_kit(mailer=mailer, clock=invitekit_clock, business=invitekit_business)
    ana = kit.add_customer("ana@example.com", invite=True)
    server.refuse("ana@example.com", "550 5.1.1 no such mailbox")

    report = kit.deliver()

    customer = kit.get_customer(ana.id)
    assert (report.sent, report.failed) == (0, 1)
    assert [m.state for m in kit.outbox_messages(customer_id=ana.id)] == [OutboxState.FAILED]
    assert customer.status is Status.ADDED
    assert customer.delivery_failure is not None and "550" in customer.delivery_failure
    assert EventKind.DELIVERY_FAILED in [event.kind for event in kit.history(ana.id)]
    assert server.messages == []


def test_a_deferred_invitation_is_retried_later_with_the_same_message_id(
    server: SMTPTestServer,
    mailer: SMTPMailer,
    invitekit_clock: FakeClock,
    invitekit_business: Business,
) -> None:
    kit = make_kit(mailer=mailer, clock=invitekit_clock, business=invitekit_business)
    ana = kit.add_customer("ana@example.com", invite=True)
    [queued] = kit.outbox_messages(customer_id=ana.id)
    server.refuse("ana@example.com", "451 4.7.1 greylisted, try again")

    assert kit.deliver().retrying == 1
    server.accept("ana@example.com")
    assert kit.deliver().sent == 0  # not due before the backoff has passed
    invitekit_clock.advance(kit.outbox.backoff(1))
    assert kit.deliver().sent == 1

    assert [mail.message_id for mail in server.to("ana@example.com")] == [queued.message_id]
    assert kit.get_customer(ana.id).status is Status.INVITED
    assert kit.get_customer(ana.id).delivery_failure is None


@pytest.mark.parametrize("lose_reply", [False, True])
def test_a_server_down_mid_batch_loses_no_invitation(
    server: SMTPTestServer,
    mailer: SMTPMailer,
    invitekit_clock: FakeClock,
    invitekit_business: Business,
    lose_reply: bool,
) -> None:
    kit = make_kit(mailer=mailer, clock=invitekit_clock, business=invitekit_business)
    addresses = [f"customer{n}@example.com" for n in range(10)]
    for address in addresses:
        kit.add_customer(address, invite=True)
    server.go_down_after(4, lose_reply=lose_reply)

    first = kit.deliver()
    in_doubt = server.messages[3].rcpt_tos[0]
    server.come_back()
    invitekit_clock.advance(hours=1)
    second = kit.deliver()

    arrivals = Counter(mail.rcpt_tos[0] for mail in server.messages)
    ids = {a: {mail.message_id for mail in server.to(a)} for a in addresses}
    assert (first.sent, first.retrying) == ((3, 7) if lose_reply else (4, 6))
    assert second.sent == first.retrying
    assert arrivals == {a: 2 if lose_reply and a == in_doubt else 1 for a in addresses}
    assert all(len(message_ids) == 1 for message_ids in ids.values())
    assert kit.status_counts()[Status.INVITED] == 10
    assert kit.outbox_messages(state=OutboxState.PENDING) == []


def test_one_delivery_run_uses_one_connection_for_all_its_batches(
    server: SMTPTestServer,
    mailer: SMTPMailer,
    invitekit_store: MemoryStore,
    invitekit_clock: FakeClock,
    invitekit_business: Business,
) -> None:
    kit = make_kit(
        store=invitekit_store,
        mailer=mailer,
        clock=invitekit_clock,
        business=invitekit_business,
        outbox=OutboxSettings(batch_size=2),
    )
    for n in range(5):
        kit.add_customer(f"c{n}@example.com", invite=True)
    assert kit.deliver().sent == 5
    assert len(server.messages) == 5
    assert server.connections == 1
