"""One contract for every Mailer: what is sent arrives whole, batch after batch.

The same tests run against the memory mailer, the ``.eml`` folder mailer, the
flaky test mailer (told not to fail) and the SMTP mailer talking to a real SMTP
server on loopback in each security mode, with and without a login.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path

import attrs
import pytest

from invitekit.adapters.files import FolderMailer
from invitekit.adapters.memory import MemoryMailer
from invitekit.compose import to_mime
from invitekit.model import Email
from invitekit.ports import Mailer
from invitekit.testing import FakeClock, FlakyMailer, SMTPTestServer


@attrs.frozen
class MailerCase:
    """A mailer and a way to read back, as parsed messages, everything it delivered."""

    mailer: Mailer
    received: Callable[[], list[EmailMessage]]


def _from_emails(emails: list[Email]) -> Callable[[], list[EmailMessage]]:
    return lambda: [to_mime(email) for email in emails]


def _from_folder(folder: Path) -> Callable[[], list[EmailMessage]]:
    parser = BytesParser(policy=policy.default)
    return lambda: [parser.parsebytes(path.read_bytes()) for path in sorted(folder.glob("*.eml"))]


SMTP_MODES = [
    ("plain", None),
    ("plain", ("app", "s3cret")),
    ("starttls", None),
    ("starttls", ("app", "s3cret")),
    ("ssl", None),
    ("ssl", ("app", "s3cret")),
]


@pytest.fixture(
    params=[
        "memory",
        "folder",
        "flaky",
        *(
            pytest.param(f"smtp-{security}{'-auth' if creds else ''}", marks=pytest.mark.smtp)
            for security, creds in SMTP_MODES
        ),
    ]
)
def case(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[MailerCase]:
    name: str = request.param
    if name == "memory":
        memory = MemoryMailer()
        yield MailerCase(memory, _from_emails(memory.outbox))
    elif name == "folder":
        yield MailerCase(FolderMailer(tmp_path / "mail"), _from_folder(tmp_path / "mail"))
    elif name == "flaky":
        flaky = FlakyMailer()
        yield MailerCase(flaky, _from_emails(flaky.sent))
    else:
        _, security, *auth = name.split("-")
        creds = {"username": "app", "password": "s3cret"} if auth else {}
        with SMTPTestServer(security=security, **creds) as server:
            yield MailerCase(
                server.mailer(clock=FakeClock()),
                lambda: [mail.message for mail in server.messages],
            )


def _email(n: int, *, text_only: bool = False) -> Email:
    return Email(
        sender="Café Über <hello@studio.example>",
        to=f"customer{n}@example.com",
        subject=f"Studio One lädt dich ein ({n})",
        text=(
            f"Hallo Ana {n},\n\n"
            ".a line that starts with a dot\n"
            "From the start of a line\n"
            "é ü ß 日本語\n" + "long " * 250 + "\n"
        ),
        html=None if text_only else f"<p>Hallo <b>Ana</b> {n} &amp; co</p>\n",
        message_id=f"<msg{n}.outbox@studio.example>",
        headers=(
            ("List-Unsubscribe", f"<https://studio.example/unsubscribe/tok{n}>"),
            ("List-Unsubscribe-Post", "List-Unsubscribe=One-Click"),
            ("Auto-Submitted", "auto-generated"),
        ),
    )


def _seen(message: EmailMessage) -> dict[str, object]:
    """What a recipient sees of a message."""
    html = message.get_body(("html",))
    return {
        "From": str(message["From"]),
        "To": str(message["To"]),
        "Subject": str(message["Subject"]),
        "Message-ID": str(message["Message-ID"]),
        "List-Unsubscribe": str(message["List-Unsubscribe"]),
        "List-Unsubscribe-Post": str(message["List-Unsubscribe-Post"]),
        "Auto-Submitted": str(message["Auto-Submitted"]),
        "text": message.get_body(("plain",)).get_content(),  # type: ignore[union-attr]
        "html": None if html is None else html.get_content(),
    }


def _sent(email: Email) -> dict[str, object]:
    """What a recipient should see of ``email``."""
    return {
        "From": email.sender,
        "To": email.to,
        "Subject": email.subject,
        "Message-ID": email.message_id,
        "List-Unsubscribe": email.header("List-Unsubscribe"),
        "List-Unsubscribe-Post": email.header("List-Unsubscribe-Post"),
        "Auto-Submitted": email.header("Auto-Submitted"),
        "text": email.text,
        "html": email.html,
    }


def _by_id(items: list[dict[str, object]]) -> list[dict[str, object]]:
    return sorted(items, key=lambda seen: str(seen["Message-ID"]))


def test_an_email_arrives_with_its_headers_and_both_bodies(case: MailerCase) -> None:
    email = _email(1)
    with case.mailer.session() as session:
        session.send(email)

    assert [_seen(m) for m in case.received()] == [_sent(email)]


def test_a_session_sends_a_batch_of_emails(case: MailerCase) -> None:
    emails = [_email(n) for n in range(5)]
    with case.mailer.session() as session:
        for email in emails:
            session.send(email)

    assert _by_id([_seen(m) for m in case.received()]) == _by_id([_sent(e) for e in emails])


def test_a_text_only_email_arrives_without_an_html_part(case: MailerCase) -> None:
    email = _email(1, text_only=True)
    with case.mailer.session() as session:
        session.send(email)

    [message] = case.received()
    assert message.get_body(("html",)) is None
    assert _seen(message) == _sent(email)


def test_sessions_follow_one_another(case: MailerCase) -> None:
    with case.mailer.session() as session:
        session.send(_email(1))
    with case.mailer.session() as session:
        session.send(_email(2))

    assert sorted(str(m["Message-ID"]) for m in case.received()) == [
        _email(1).message_id,
        _email(2).message_id,
    ]


def test_an_empty_session_opens_and_closes_cleanly(case: MailerCase) -> None:
    with case.mailer.session():
        pass

    assert case.received() == []


def test_an_error_in_the_batch_propagates_and_what_was_sent_stays_sent(
    case: MailerCase,
) -> None:
    with pytest.raises(KeyError, match="the application's own"), case.mailer.session() as s:
        s.send(_email(1))
        raise KeyError("the application's own error")

    assert [str(m["Message-ID"]) for m in case.received()] == [_email(1).message_id]
