"""Reading the reports a mail server sends back: bounces (RFC 3464) and complaints (RFC 5965).

:func:`parse_report` takes the raw bytes of one email that arrived at the
bounce address and answers with a :class:`BounceReport` -- which message it is
about (its ``Message-ID``), what kind of failure, for which recipient and with
which status code -- or ``None`` when the email is no report invitekit acts on.

What counts as what:

* a delivery status notification (``multipart/report; report-type=delivery-status``)
  whose recipient has ``Action: failed``:

  - status ``5.x.x`` is a **hard** bounce (the address does not work), except
    ``5.7.x``, a refusal for policy or security reasons (a spam block, a
    DMARC failure, "sender not allowed"): it says more about the sender than
    about the address, so it is a **soft** bounce;
  - status ``4.x.x`` is a **soft** bounce: the server tried for days and gave up
    on a temporary failure (a full mailbox, a server that never answered);
  - no usable status: the SMTP reply code of ``Diagnostic-Code`` decides (``5xx``
    hard, anything else soft);

* ``Action: delayed`` is **not** a bounce: the server is still trying, and it
  sends a second report (failed) if it gives up.  Counting the warnings would
  turn one slow server into several bounces.  So are ``delivered``,
  ``relayed`` and ``expanded`` (success notices): ``None``;
* a feedback report (``multipart/report; report-type=feedback-report``, the ARF
  of RFC 5965) with ``Feedback-Type`` ``abuse``, ``fraud``, ``virus`` or
  ``other`` is a **complaint** (the reader pressed "this is spam");
  ``not-spam`` and ``auth-failure`` reports are not: ``None``.

What a bounce does to an address is :class:`BounceRule`'s decision: a hard
bounce makes it undeliverable, so do three soft ones within 30 days (by default).

The original ``Message-ID`` is read, in this order, from the returned headers
(a ``text/rfc822-headers`` part, a ``message/rfc822`` or ``message/global``
part, or ``message/global-headers``), from an ``Original-Message-ID`` or
``X-Original-Message-ID`` field of the report, and last from the report's own
``In-Reply-To`` / ``References`` headers (some providers say it only there).  A
report inside another message (forwarded, or wrapped in ``multipart/mixed``)
is found too.

The input is outside data, possibly hostile: a report larger than
:data:`MAX_REPORT_SIZE` bytes or with more than :data:`MAX_PARTS` MIME parts is
not read (``None``), text is decoded leniently, and every field taken from it
is checked (a status code must look like one; a recipient must be one address
on one line) and shortened, so nothing from a report can inject a header or a
line into what invitekit shows or stores.  Parsing uses the standard
library's :mod:`email` package with :data:`email.policy.default` (each header
value it reads cut to 8,000 characters first).
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable, Iterator
from datetime import datetime, timedelta
from email import errors as email_errors
from email.message import Message
from email.parser import BytesParser, HeaderParser
from email.policy import EmailPolicy
from typing import Any

import attrs

from invitekit.exceptions import ConfigurationError, InvalidReport, ValidationError
from invitekit.text import quoted

__all__ = [
    "MAX_PARTS",
    "MAX_REPORT_SIZE",
    "BounceKind",
    "BounceReport",
    "BounceRule",
    "parse_report",
]

#: A report larger than this many bytes is not read: a real one, even with the
#: whole original attached, is a small fraction of it.
MAX_REPORT_SIZE = 2_000_000

#: A report with more MIME parts than this is not read (a real one has 2 to 4;
#: this bounds the work nested parts can cause).
MAX_PARTS = 64

#: The diagnostic text kept in :attr:`BounceReport.detail` is at most this long.
MAX_DETAIL = 500

_MAX_ADDRESS = 320
# No header this module reads is longer in a real report (a long References
# header has a few dozen ids); the standard parser's work on one header grows
# faster than its length, so longer values are cut before it sees them.
_MAX_HEADER = 8_000


class _BoundedPolicy(EmailPolicy):
    """``email.policy.default``, with each header value cut to ``_MAX_HEADER`` when read."""

    def header_fetch_parse(self, name: str, value: str) -> Any:
        return super().header_fetch_parse(name, value[:_MAX_HEADER])


_POLICY = _BoundedPolicy()


class BounceKind(enum.StrEnum):
    """What a report says happened to a message.

    * ``HARD``: the address does not work (a permanent refusal).
    * ``SOFT``: the message could not be delivered this time (full mailbox, a
      server that gave up retrying, a policy block).
    * ``COMPLAINT``: the reader marked it as spam.
    """

    HARD = "hard"
    SOFT = "soft"
    COMPLAINT = "complaint"


@attrs.frozen(kw_only=True)
class BounceReport:
    """What a bounce or complaint report says about one message invitekit sent.

    Attributes:
        message_id: the original ``Message-ID``, with its angle brackets
            (``"<msg_...@studio.example>"``), as invitekit stored it.
        kind: :class:`BounceKind` (a string enum: ``kind == "hard"`` works).
        recipient: the address the report is about, or ``None`` when it names
            none usable (complaint reports often redact it).
        status: the DSN status code (``"5.1.1"``), or ``None`` (complaints,
            reports without one).
        detail: the server's diagnostic text (``"smtp; 550 5.1.1 user unknown"``)
            or the complaint's feedback type; one line, at most
            :data:`MAX_DETAIL` characters; ``""`` when there is none.
    """

    message_id: str
    kind: BounceKind
    recipient: str | None = None
    status: str | None = None
    detail: str = ""


def parse_report(raw_bytes: bytes | bytearray | memoryview) -> BounceReport | None:
    """Read a bounce (RFC 3464) or complaint (RFC 5965) report.

    Args:
        raw_bytes: the whole email as received (headers and body), as bytes.

    Returns:
        A :class:`BounceReport`, or ``None`` when the email is not a report
        invitekit acts on: an ordinary message, a delay warning, a success
        notice, a report without the original ``Message-ID``, a malformed or
        oversized one.  See the module's docstring for the rules.

    Raises:
        InvalidReport: ``raw_bytes`` is not bytes (a ``str`` was decoded by
            someone already, and its bytes cannot be known).
    """
    if not isinstance(raw_bytes, bytes | bytearray | memoryview):
        raise InvalidReport(
            f"a report is read from bytes (the email as received), got {type(raw_bytes).__name__}"
        )
    data = bytes(raw_bytes)
    if len(data) > MAX_REPORT_SIZE or len(_PART_HEADER.findall(data)) > MAX_PARTS:
        return None
    try:
        message = BytesParser(policy=_POLICY).parsebytes(data)
        return _read(message)
    # The parser records most damage as defects, but a few malformed inputs make
    # it (or a header's parser) raise; none of them is a report we can act on.
    except (email_errors.MessageError, ValueError, LookupError, TypeError, AttributeError):
        return None
    except RecursionError:
        return None


# A MIME part starts with a Content-Type header line; counting them before
# parsing bounds the nesting the parser will follow.
_PART_HEADER = re.compile(rb"(?im)^content-type[ \t]*:")
_STATUS = re.compile(r"([245])\.(\d{1,3})\.(\d{1,3})")
_SMTP_CODE = re.compile(r"\b([245])\d\d\b")
_MESSAGE_ID = re.compile(r"<([^<>\s\x00-\x1f\x7f]{1,900})>")
_BARE_ID = re.compile(r"[^<>\s\x00-\x1f\x7f@]{1,450}@[^<>\s\x00-\x1f\x7f@]{1,450}")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\ufeff\u200b-\u200f\u202a-\u202e]")
_ADDRESS = re.compile(r"[^\s<>\"(),;:\\\[\]@]{1,64}@[^\s<>\"(),;:\\\[\]@]{1,255}")
_RETURNED_HEADERS = {"text/rfc822-headers", "message/global-headers"}
_RETURNED_MESSAGES = {"message/rfc822", "message/global"}
_STATUS_PARTS = {"message/delivery-status", "message/global-delivery-status"}
_COMPLAINTS = {"abuse", "fraud", "virus", "other"}


def _read(message: Message) -> BounceReport | None:
    report = _find_report(message)
    if report is None:
        return None
    kind, fields, returned = report
    found = _read_status(fields) if kind == "delivery-status" else _read_feedback(fields)
    if found is None:
        return None
    bounce, recipient, status, detail = found
    message_id = _original_message_id(returned, fields, message)
    if message_id is None:
        return None
    return BounceReport(
        message_id=message_id, kind=bounce, recipient=recipient, status=status, detail=detail
    )


def _walk(message: Message) -> Iterator[Message]:
    """Every part, depth first, without recursion (the part count was bounded before)."""
    pending = [message]
    while pending:
        part = pending.pop()
        yield part
        payload = part.get_payload()
        if isinstance(payload, list):
            pending.extend(reversed([p for p in payload if isinstance(p, Message)]))


def _find_report(message: Message) -> tuple[str, list[Message], list[Message]] | None:
    """The first report in ``message``: its type, its field blocks, its other parts."""
    for part in _walk(message):
        if part.get_content_type() != "multipart/report":
            continue
        children = [p for p in part.get_payload() if isinstance(p, Message)]
        declared = str(part.get_param("report-type", "") or "").lower()
        for child in children:
            child_type = child.get_content_type()
            if child_type in _STATUS_PARTS or (
                declared == "delivery-status" and child_type == "text/delivery-status"
            ):
                return "delivery-status", _field_blocks(child), children
            if child_type == "message/feedback-report" or (
                declared == "feedback-report" and child_type == "text/feedback-report"
            ):
                return "feedback-report", _field_blocks(child), children
    return None


def _field_blocks(part: Message) -> list[Message]:
    """The groups of fields of a status or feedback part, each read as headers."""
    payload = part.get_payload()
    if isinstance(payload, list):  # the parser splits message/delivery-status itself
        return [p for p in payload if isinstance(p, Message)]
    # Sent as text (some servers label it text/plain-like): split it ourselves.
    text = _text_of(part)
    blocks = re.split(r"\r?\n[ \t]*\r?\n", text.strip())
    parser = HeaderParser(policy=_POLICY)
    return [parser.parsestr(block + "\n") for block in blocks if block.strip()]


def _text_of(part: Message) -> str:
    content = part.get_payload(decode=True)
    if isinstance(content, bytes):
        return content.decode("utf-8", "replace")
    payload = part.get_payload()
    if isinstance(payload, Message):
        return payload.as_string(policy=_POLICY)
    return payload if isinstance(payload, str) else ""


def _field(blocks: list[Message], name: str) -> str | None:
    for block in blocks:
        value = block.get(name)
        if value is not None:
            return str(value)
    return None


def _one_line(value: str | None, limit: int = MAX_DETAIL) -> str:
    if not value:
        return ""
    text = " ".join(_CONTROL.sub(" ", value).split())
    return text if len(text) <= limit else text[: limit - 1] + "\N{HORIZONTAL ELLIPSIS}"


def _address(value: str | None) -> str | None:
    """One address from a recipient field (``"rfc822; ana@example.com"``), or ``None``."""
    if not value:
        return None
    text = value.partition(";")[2] if ";" in value else value
    text = text.strip().strip("<>").strip()
    if _CONTROL.search(text) or len(text) > _MAX_ADDRESS or not _ADDRESS.fullmatch(text):
        return None
    return text


def _read_status(blocks: list[Message]) -> tuple[BounceKind, str | None, str | None, str] | None:
    """The recipient block of a delivery status that failed, classified; ``None`` if none did."""
    recipients = [b for b in blocks if b.get("Action") is not None]
    failed = [b for b in recipients if _one_line(str(b.get("Action")), 40).lower() == "failed"]
    if not failed:  # delayed, delivered, relayed, expanded: not a bounce
        return None
    block = failed[0]
    match = _STATUS.search(_one_line(str(block.get("Status", "")), 40))
    status = match.group(0) if match else None
    detail = _one_line(str(block.get("Diagnostic-Code", "") or ""))
    if match is not None:
        permanent = match.group(1) == "5" and match.group(2) != "7"
    else:
        code = _SMTP_CODE.search(detail)
        permanent = code is not None and code.group(1) == "5"
    recipient = _address(_str(block.get("Final-Recipient"))) or _address(
        _str(block.get("Original-Recipient"))
    )
    kind = BounceKind.HARD if permanent else BounceKind.SOFT
    return kind, recipient, status, detail


def _read_feedback(blocks: list[Message]) -> tuple[BounceKind, str | None, None, str] | None:
    feedback = _one_line(_field(blocks, "Feedback-Type"), 40).lower()
    if feedback not in _COMPLAINTS:
        return None
    recipient = _address(_field(blocks, "Original-Rcpt-To"))
    return BounceKind.COMPLAINT, recipient, None, feedback


def _str(value: object) -> str | None:
    return None if value is None else str(value)


def _original_message_id(
    parts: list[Message], fields: list[Message], message: Message
) -> str | None:
    for part in parts:
        content_type = part.get_content_type()
        headers: Message | None = None
        if content_type in _RETURNED_HEADERS:
            headers = HeaderParser(policy=_POLICY).parsestr(_text_of(part))
        elif content_type in _RETURNED_MESSAGES:
            payload = part.get_payload()
            inner = payload[0] if isinstance(payload, list) and payload else payload
            headers = inner if isinstance(inner, Message) else None
        if headers is not None:
            found = _message_id(_str(headers.get("Message-ID")))
            if found:
                return found
    for name in ("Original-Message-ID", "X-Original-Message-ID"):
        found = _message_id(_field(fields, name))
        if found:
            return found
    # In-Reply-To names the message answered; References ends with it.
    return _message_id(_str(message.get("In-Reply-To"))) or _message_id(
        _str(message.get("References")), last=True
    )


def _message_id(value: str | None, *, last: bool = False) -> str | None:
    """The first (or last) ``<id>`` of a header value; a bare ``id@domain`` gets its brackets."""
    if not value:
        return None
    found = _MESSAGE_ID.findall(value[:10_000])
    if found:
        return f"<{found[-1] if last else found[0]}>"
    bare = _BARE_ID.fullmatch(value.strip())
    return f"<{bare.group(0)}>" if bare else None


@attrs.frozen(kw_only=True)
class BounceRule:
    """When bounces make an address undeliverable.

    A hard bounce does at once; soft bounces do when ``soft_limit`` of them
    arrived within ``soft_window`` (by default three within 30 days).  A
    complaint never does: it counts as unsubscribing.

    Attributes:
        soft_limit: how many soft bounces within the window, 1 or more.
        soft_window: how far back soft bounces count, positive.

    Raises:
        ConfigurationError: a limit below 1 or a window that is not positive.
    """

    soft_limit: int = attrs.field(default=3)
    soft_window: timedelta = attrs.field(default=timedelta(days=30))

    def __attrs_post_init__(self) -> None:
        limit = self.soft_limit
        if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
            raise ConfigurationError(
                f"BounceRule soft_limit must be a whole number, 1 or more, got {limit!r}"
            )
        if not isinstance(self.soft_window, timedelta) or self.soft_window <= timedelta(0):
            raise ConfigurationError(
                f"BounceRule soft_window must be a positive timedelta, got {self.soft_window!r}"
            )

    def makes_undeliverable(
        self, kind: BounceKind | str, *, now: datetime, soft_bounces: Iterable[datetime] = ()
    ) -> bool:
        """Whether a bounce of ``kind`` arriving at ``now`` makes the address undeliverable.

        Args:
            kind: the new report's kind (``"hard"``, ``"soft"``, ``"complaint"``).
            now: when it arrived.
            soft_bounces: when the earlier soft bounces of the same address
                arrived (since it was last changed or cleared); those older than
                the window do not count.

        Raises:
            ValidationError: ``kind`` is none of the three.
        """
        try:
            kind = BounceKind(kind)
        except ValueError as err:
            raise ValidationError(
                f"a bounce kind is 'hard', 'soft' or 'complaint', got {quoted(str(kind))}",
                field="kind",
            ) from err
        if kind is BounceKind.HARD:
            return True
        if kind is BounceKind.COMPLAINT:
            return False
        recent = sum(1 for at in soft_bounces if now - self.soft_window < at <= now)
        return recent + 1 >= self.soft_limit
