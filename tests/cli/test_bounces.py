"""``invitekit bounces PATH``: the reports of a Maildir or an mbox, applied, run as a process."""

from __future__ import annotations

import mailbox
from pathlib import Path

import pytest

from invitekit import EventKind, OutboxState
from invitekit.model import Customer
from invitekit.testing import make_business, make_kit
from tests.cli.helpers import Studio, invitekit

FIXTURES = Path(__file__).parent.parent / "fixtures" / "bounces"
_PLACEHOLDERS = (
    b"<msg_01JGX4ZQ8M3Y6T2B@studio.example>",
    b"<msg_01JGXC0MPLA1NT00@studio.example>",
)


@pytest.fixture
def studio(tmp_path: Path) -> Studio:
    return Studio(tmp_path)


def _report(name: str, message_id: str) -> bytes:
    raw = (FIXTURES / name).read_bytes()
    for placeholder in _PLACEHOLDERS:
        raw = raw.replace(placeholder, message_id.encode())
    return raw


def _sent_to(studio: Studio, email: str) -> tuple[Customer, str]:
    customer = studio.kit.add_customer(email)
    studio.kit.invite(customer.id)
    studio.kit.deliver()
    (row,) = studio.kit.outbox_messages(customer_id=customer.id, state=OutboxState.SENT)
    return customer, row.message_id


def _reports(studio: Studio) -> tuple[list[bytes], Customer, Customer]:
    ana, ana_message = _sent_to(studio, "ana@example.com")
    ben, ben_message = _sent_to(studio, "ben@example.com")
    emails = [
        _report("postfix-user-unknown.eml", ana_message),
        _report("arf-abuse-complaint.eml", ben_message),
        (FIXTURES / "not-a-report-reply.eml").read_bytes(),
        (FIXTURES / "gmail-no-such-user.eml").read_bytes(),  # a message nobody here sent
    ]
    return emails, ana, ben


def _maildir(path: Path, emails: list[bytes]) -> Path:
    box = mailbox.Maildir(path, create=True)
    for raw in emails:
        box.add(raw)
    box.close()
    return path


def test_a_maildir_is_applied_and_summarised_in_one_line(studio: Studio, tmp_path: Path) -> None:
    emails, ana, ben = _reports(studio)
    folder = _maildir(tmp_path / "Maildir", emails)

    result = studio.run("bounces", str(folder))

    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "2 applied (2 new, 0 campaigns paused), 1 not a report, 1 unknown message"
    ]
    assert studio.kit.get_customer(ana.id).undeliverable
    assert studio.kit.get_customer(ben.id).unsubscribed
    assert [e.kind for e in studio.kit.history(ben.id)][-1] is EventKind.COMPLAINED
    assert len(list(mailbox.Maildir(folder, create=False).iterkeys())) == 4  # not changed

    again = studio.run("bounces", str(folder))

    assert again.stdout.splitlines() == [
        "2 applied (0 new, 0 campaigns paused), 1 not a report, 1 unknown message"
    ]
    bounced = [e for e in studio.kit.history(ana.id) if e.kind is EventKind.BOUNCED]
    assert len(bounced) == 1


def test_an_mbox_file_is_read_too(studio: Studio, tmp_path: Path) -> None:
    emails, ana, _ben = _reports(studio)
    path = tmp_path / "bounces.mbox"
    box = mailbox.mbox(path, create=True)
    for raw in emails:
        box.add(raw)
    box.close()

    result = studio.run("bounces", str(path))

    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("2 applied (2 new")
    assert studio.kit.get_customer(ana.id).undeliverable


def test_each_report_goes_to_the_business_whose_message_it_is(
    studio: Studio, tmp_path: Path
) -> None:
    other = make_kit(
        store=studio.store,
        clock=studio.kit.clock,
        business=make_business(id="studio-2", sender="hello@two.example"),
    )
    eva = other.add_customer("eva@example.com")
    other.invite(eva.id)
    other.deliver()
    (row,) = other.outbox_messages(state=OutboxState.SENT)
    folder = _maildir(tmp_path / "Maildir", [_report("postfix-user-unknown.eml", row.message_id)])

    # INVITEKIT_BUSINESS names studio-1: the command serves every business anyway.
    result = studio.run("bounces", str(folder))

    assert result.stdout.startswith("1 applied (1 new"), result.stderr
    assert other.get_customer(eva.id).undeliverable


def test_a_path_that_is_no_mailbox_is_a_usage_error(studio: Studio, tmp_path: Path) -> None:
    missing = studio.run("bounces", str(tmp_path / "none"))
    (tmp_path / "plain").mkdir()
    plain = studio.run("bounces", str(tmp_path / "plain"))

    assert (missing.returncode, plain.returncode) == (2, 2)
    assert "none" in missing.stderr and "not a Maildir" in plain.stderr


def test_without_a_database_it_says_so(tmp_path: Path) -> None:
    folder = _maildir(tmp_path / "Maildir", [])

    result = invitekit("bounces", str(folder))

    assert result.returncode == 3
    assert "database" in result.stderr.lower() and "Traceback" not in result.stderr
