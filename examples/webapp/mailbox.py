"""The Mailbox: the ``.eml`` files the FolderMailer wrote, as a mail program would show them.

It stands in for the customers' inboxes during a demo, so it sits behind the
admin password: every activation link of every customer is in there.
"""

from __future__ import annotations

import re
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser

from flask import Blueprint, abort, render_template
from markupsafe import Markup, escape

from .app import Page, studio
from .business import admin_required

__all__ = ["bp"]

bp = Blueprint("mailbox", __name__, url_prefix="/mailbox")

_URL = re.compile(r"https?://[^\s<>\"']+")


def read_email(data: bytes) -> EmailMessage:
    """Parse an ``.eml`` file."""
    message = BytesParser(policy=policy.default).parsebytes(data)
    assert isinstance(message, EmailMessage)
    return message


def linkify(text: str) -> Markup:
    """Plain text as HTML, with every URL a clickable link."""
    out, last = [], 0
    for match in _URL.finditer(text):
        out += [escape(text[last : match.start()])]
        url = escape(match.group())
        out += [Markup('<a href="{0}">{0}</a>').format(url)]
        last = match.end()
    out.append(escape(text[last:]))
    return Markup("").join(out)


@bp.get("/")
@admin_required
def index() -> Page:
    """Every email written to the outbox folder, newest first."""
    folder = studio().outbox
    files = sorted(folder.glob("*.eml"), key=lambda p: p.stat().st_mtime_ns, reverse=True)
    emails = [(path.name, read_email(path.read_bytes())) for path in files]
    return render_template("admin/mailbox.html", emails=emails)


@bp.get("/<name>")
@admin_required
def show(name: str) -> Page:
    """One email: its headers, the text part with clickable links, the HTML part."""
    folder = studio().outbox
    path = folder / name
    # Only a file directly in the folder: the name comes from the URL.
    if path.parent != folder or not name.endswith(".eml") or not path.is_file():
        abort(404)
    message = read_email(path.read_bytes())
    text_part = message.get_body(preferencelist=("plain",))
    html_part = message.get_body(preferencelist=("html",))
    text = text_part.get_content() if text_part is not None else ""
    html = html_part.get_content() if html_part is not None else None
    return render_template(
        "admin/email.html", name=name, message=message, text=linkify(text), html=html
    )
