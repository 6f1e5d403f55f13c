"""Reading bounce and complaint reports: real-world shapes, tolerant shapes, hostile input."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from invitekit import ConfigurationError, InviteKitError, ValidationError
from invitekit.bounces import (
    MAX_PARTS,
    MAX_REPORT_SIZE,
    BounceKind,
    BounceReport,
    BounceRule,
    parse_report,
)
from invitekit.exceptions import InvalidReport

FIXTURES = Path(__file__).parent / "fixtures" / "bounces"


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        (
            "postfix-user-unknown.eml",
            BounceReport(
                message_id="<msg_01JGX4ZQ8M3Y6T2B@studio.example>",
                kind=BounceKind.HARD,
                recipient="ana.old@example.com",
                status="5.1.1",
                detail="smtp; 550 5.1.1 <ana.old@example.com>: Recipient address rejected: "
                "User unknown in virtual mailbox table",
            ),
        ),
        (
            "exim-mailbox-full.eml",
            BounceReport(
                message_id="<msg_01JGX5B2RZ0K9E7D@studio.example>",
                kind=BounceKind.SOFT,
                recipient="marie@example.org",
                status="4.2.2",
                detail="smtp; 452 4.2.2 The email account that you tried to reach is over quota",
            ),
        ),
        (
            "microsoft-recipient-not-found.eml",
            BounceReport(
                message_id="<msg_01JGXA2C4D5E6F7G@studio.example>",
                kind=BounceKind.HARD,
                recipient="jonas@contoso.example",
                status="5.1.10",
                detail="smtp;550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient not found "
                "by SMTP address lookup",
            ),
        ),
        (
            "arf-abuse-complaint.eml",
            BounceReport(
                message_id="<msg_01JGXC0MPLA1NT00@studio.example>",
                kind=BounceKind.COMPLAINT,
                recipient="jonas@mailbox.example",
                status=None,
                detail="abuse",
            ),
        ),
    ],
)
def test_a_report_from_a_real_server_is_read(name: str, expected: BounceReport) -> None:
    assert parse_report(fixture(name)) == expected


def test_a_gmail_report_names_the_message_and_the_missing_address() -> None:
    report = parse_report(fixture("gmail-no-such-user.eml"))
    assert report is not None
    assert (report.message_id, report.kind, report.recipient, report.status) == (
        "<msg_01JGX7HW1TQ4N6PC@studio.example>",
        "hard",
        "sam.nobody@gmail.com",
        "5.1.1",
    )
    assert report.detail.startswith("smtp; 550-5.1.1 The email account")
    assert "\n" not in report.detail  # the folded diagnostic is one line


@pytest.mark.parametrize(
    "name",
    [
        "postfix-delayed.eml",  # a warning: the server still tries
        "not-a-report-reply.eml",  # an answer to the invitation, naming its Message-ID
        "malformed-truncated.eml",  # cut off, broken charset, bad base64, no Message-ID
    ],
)
def test_what_is_no_bounce_or_complaint_is_none(name: str) -> None:
    assert parse_report(fixture(name)) is None


def dsn(
    *,
    action: str = "failed",
    status: str | None = "5.1.1",
    diagnostic: str | None = None,
    recipient: str = "rfc822; ana@example.com",
    returned: str | None = "Message-ID: <msg_1@studio.example>\n",
    headers: str = "",
    extra_fields: str = "",
) -> str:
    """A minimal delivery status notification, as text."""
    fields = [f"Final-Recipient: {recipient}", f"Action: {action}"]
    if status is not None:
        fields.append(f"Status: {status}")
    if diagnostic is not None:
        fields.append(f"Diagnostic-Code: {diagnostic}")
    parts = [
        "--B\nContent-Type: text/plain\n\nIt failed.\n",
        "--B\nContent-Type: message/delivery-status\n\n"
        f"Reporting-MTA: dns; mx.example\n{extra_fields}\n" + "\n".join(fields) + "\n",
    ]
    if returned is not None:
        parts.append(f"--B\nContent-Type: text/rfc822-headers\n\n{returned}")
    return (
        f"From: MAILER-DAEMON@mx.example\n{headers}MIME-Version: 1.0\n"
        'Content-Type: multipart/report; report-type=delivery-status; boundary="B"\n\n'
        + "\n".join(parts)
        + "--B--\n"
    )


@pytest.mark.parametrize(
    ("status", "diagnostic", "kind"),
    [
        ("5.1.1", None, "hard"),
        ("5.2.1", None, "hard"),  # mailbox disabled
        ("5.4.4", None, "hard"),  # no such domain
        ("5.7.1", "smtp; 550 5.7.1 message rejected as spam", "soft"),  # a block, not the address
        ("4.4.7", None, "soft"),  # gave up after retrying
        (None, "smtp; 550 no such user here", "hard"),
        ("bogus", "smtp; 451 try later", "soft"),
        (None, None, "soft"),
    ],
)
def test_a_failure_is_hard_or_soft_by_its_status(
    status: str | None, diagnostic: str | None, kind: str
) -> None:
    report = parse_report(dsn(status=status, diagnostic=diagnostic).encode())
    assert report is not None
    assert report.kind == kind
    assert report.status == (None if status in {None, "bogus"} else status)


@pytest.mark.parametrize("action", ["delayed", "delivered", "relayed", "expanded"])
def test_a_delay_warning_or_a_success_notice_is_no_bounce(action: str) -> None:
    assert parse_report(dsn(action=action, status="4.4.1").encode()) is None


def test_the_message_id_is_found_where_servers_put_it() -> None:
    without_headers = dsn(returned=None)
    assert parse_report(without_headers.encode()) is None  # nothing names the message
    in_reply_to = dsn(returned=None, headers="In-Reply-To: <msg_2@studio.example>\n")
    references = dsn(returned=None, headers="References: <a@x.example>\n <msg_3@studio.example>\n")
    field = dsn(returned=None, extra_fields="X-Original-Message-ID: <msg_4@studio.example>\n")
    bare = dsn(returned="Message-ID: msg_5@studio.example\n")
    found = [parse_report(text.encode()) for text in (in_reply_to, references, field, bare)]
    assert [r.message_id if r else None for r in found] == [
        "<msg_2@studio.example>",
        "<msg_3@studio.example>",
        "<msg_4@studio.example>",
        "<msg_5@studio.example>",
    ]


def test_the_returned_headers_come_before_the_reports_own_threading_headers() -> None:
    text = dsn(headers="In-Reply-To: <other@elsewhere.example>\n")
    report = parse_report(text.encode())
    assert report is not None and report.message_id == "<msg_1@studio.example>"


def test_a_report_forwarded_inside_another_message_is_found() -> None:
    inner = dsn()
    outer = (
        "From: postmaster@studio.example\nMIME-Version: 1.0\n"
        'Content-Type: multipart/mixed; boundary="OUT"\n\n'
        "--OUT\nContent-Type: text/plain\n\nForwarding a bounce.\n"
        f"--OUT\nContent-Type: message/rfc822\n\n{inner}\n--OUT--\n"
    )
    report = parse_report(outer.encode())
    assert report is not None and report.message_id == "<msg_1@studio.example>"


def test_crlf_line_ends_read_the_same() -> None:
    text = fixture("postfix-user-unknown.eml").replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
    assert parse_report(text) == parse_report(fixture("postfix-user-unknown.eml"))


@pytest.mark.parametrize("feedback", ["abuse", "fraud", "other", "virus", "ABUSE"])
def test_a_complaint_report_is_a_complaint(feedback: str) -> None:
    text = fixture("arf-abuse-complaint.eml").replace(
        b"Feedback-Type: abuse", f"Feedback-Type: {feedback}".encode()
    )
    report = parse_report(text)
    assert report is not None and report.kind is BounceKind.COMPLAINT


@pytest.mark.parametrize("feedback", ["not-spam", "auth-failure", "", "something-new"])
def test_a_feedback_report_that_is_no_complaint_is_none(feedback: str) -> None:
    text = fixture("arf-abuse-complaint.eml").replace(
        b"Feedback-Type: abuse", f"Feedback-Type: {feedback}".encode()
    )
    assert parse_report(text) is None


def test_a_redacted_complaint_recipient_is_none() -> None:
    text = fixture("arf-abuse-complaint.eml").replace(
        b"Original-Rcpt-To: <jonas@mailbox.example>", b"Original-Rcpt-To: redacted"
    )
    report = parse_report(text)
    assert report is not None and report.recipient is None


@pytest.mark.parametrize(
    "recipient",
    [
        "rfc822; =?utf-8?q?ana=0D=0ABcc=3A_x=40evil=2Eexample?=@example.com",
        "rfc822; ana@example.com, bob@example.com",
        "rfc822; ana@example.com\tBcc: x@evil.example",
        "rfc822; " + "a" * 400 + "@example.com",
        "rfc822; \u202eana@example.com",
    ],
)
def test_a_recipient_that_is_not_one_plain_address_is_dropped(recipient: str) -> None:
    report = parse_report(dsn(recipient=recipient).encode("utf-8"))
    assert report is not None
    assert report.recipient is None


def test_diagnostic_text_cannot_add_lines() -> None:
    text = dsn(diagnostic="=?utf-8?q?550_gone=0D=0ASubject=3A_injected?=")
    report = parse_report(text.encode())
    assert report is not None
    assert "\n" not in report.detail and "\r" not in report.detail


def test_a_huge_report_is_not_read() -> None:
    padding = "X-Padding: " + "a" * 998 + "\n"
    text = dsn(headers=padding * (MAX_REPORT_SIZE // 1000 + 1))
    assert parse_report(text.encode()) is None


def test_deeply_nested_parts_are_not_followed() -> None:
    depth = 5_000
    opening = "".join(
        f'Content-Type: multipart/mixed; boundary="b{i}"\n\n--b{i}\n' for i in range(depth)
    )
    closing = "".join(f"\n--b{i}--\n" for i in reversed(range(depth)))
    assert parse_report((opening + dsn() + closing).encode()) is None


def test_many_parts_are_not_read() -> None:
    many = "".join("--B\nContent-Type: text/plain\n\nx\n" for _ in range(MAX_PARTS))
    text = dsn().replace("--B--\n", many + "--B--\n")
    assert parse_report(text.encode()) is None


def test_a_report_is_read_from_bytes_only() -> None:
    with pytest.raises(InvalidReport, match="from bytes"):
        parse_report(dsn())  # type: ignore[arg-type]
    assert parse_report(bytearray(dsn().encode())) == parse_report(memoryview(dsn().encode()))


@given(st.binary(max_size=4000))
def test_any_bytes_give_a_report_or_none(raw: bytes) -> None:
    report = parse_report(raw)  # raises nothing
    assert report is None or report.message_id.startswith("<")


FIXTURE_BYTES = [path.read_bytes() for path in sorted(FIXTURES.glob("*.eml"))]


@given(
    st.sampled_from(FIXTURE_BYTES),
    st.lists(st.tuples(st.integers(0, 4000), st.binary(min_size=0, max_size=8)), max_size=6),
    st.integers(0, 4000),
)
def test_damaged_reports_give_a_report_or_none(
    raw: bytes, edits: list[tuple[int, bytes]], cut: int
) -> None:
    data = bytearray(raw[: max(len(raw) - cut, 0)])
    for where, replacement in edits:
        data[where : where + len(replacement)] = replacement
    try:
        report = parse_report(bytes(data))
    except InviteKitError:  # pragma: no cover - the library's own errors would be allowed
        return
    if report is not None:
        assert report.kind in set(BounceKind)
        assert "\n" not in report.detail and "\r" not in report.detail
        assert report.recipient is None or "\n" not in report.recipient
        assert report.message_id.startswith("<") and report.message_id.endswith(">")


@pytest.mark.parametrize(
    "header",
    [
        "In-Reply-To: " + "=?utf-8?q?a?= " * 20_000,  # encoded words the parser expands
        "References: " + "<" * 500_000,
        "X-Note: " + "(" * 100_000,
    ],
)
def test_a_header_built_to_make_the_parser_work_hard_is_cut(header: str) -> None:
    report = parse_report(dsn(headers=header + "\n").encode())
    assert report is not None and report.message_id == "<msg_1@studio.example>"


def test_a_content_type_with_endless_parameters_is_cut() -> None:
    text = dsn().replace('boundary="B"', 'boundary="B"' + '; a="b"' * 100_000)
    report = parse_report(text.encode())  # the boundary comes first and survives the cut
    assert report is not None and report.message_id == "<msg_1@studio.example>"


# What bounces do to an address -----------------------------------------------------------

NOW = datetime(2026, 3, 1, 12, tzinfo=UTC)


def test_a_hard_bounce_makes_an_address_undeliverable_at_once() -> None:
    assert BounceRule().makes_undeliverable("hard", now=NOW)
    assert BounceRule().makes_undeliverable(BounceKind.HARD, now=NOW)


def test_a_complaint_never_makes_an_address_undeliverable() -> None:
    many = [NOW - timedelta(hours=h) for h in range(10)]
    assert not BounceRule().makes_undeliverable("complaint", now=NOW, soft_bounces=many)


def test_the_third_soft_bounce_within_30_days_does() -> None:
    rule = BounceRule()
    assert not rule.makes_undeliverable("soft", now=NOW)
    one = [NOW - timedelta(days=2)]
    assert not rule.makes_undeliverable("soft", now=NOW, soft_bounces=one)
    two = [NOW - timedelta(days=29), NOW - timedelta(days=2)]
    assert rule.makes_undeliverable("soft", now=NOW, soft_bounces=two)
    old = [NOW - timedelta(days=30), NOW - timedelta(days=2)]  # 30 days ago has left
    assert not rule.makes_undeliverable("soft", now=NOW, soft_bounces=old)


def test_the_soft_rule_is_configurable() -> None:
    strict = BounceRule(soft_limit=1, soft_window=timedelta(days=1))
    assert strict.makes_undeliverable("soft", now=NOW)


@pytest.mark.parametrize(
    "changes",
    [
        {"soft_limit": 0},
        {"soft_limit": True},
        {"soft_limit": 2.0},
        {"soft_window": timedelta(0)},
        {"soft_window": 30},
    ],
)
def test_a_bounce_rule_that_makes_no_sense_is_refused(changes: dict[str, object]) -> None:
    with pytest.raises(ConfigurationError, match="BounceRule"):
        BounceRule(**changes)  # type: ignore[arg-type]


def test_an_unknown_kind_is_refused_with_the_librarys_error() -> None:
    with pytest.raises(ValidationError, match="'hard', 'soft' or 'complaint', got 'bounce'"):
        BounceRule().makes_undeliverable("bounce", now=NOW)
