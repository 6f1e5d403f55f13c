"""Building the example web application for tests, and reading what it mailed."""

from __future__ import annotations

import re
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("flask", reason="the example web app needs the 'examples' dependency group")

from flask import Flask

from examples.webapp import create_app
from invitekit import InviteKit
from invitekit.model import Customer
from invitekit.ports import Clock
from invitekit.testing import TEST_SECRET, fast_password_hasher

ADMIN_PASSWORD = "test-admin-password"
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def make_app(data_dir: Path, *, base_url: str, clock: Clock | None = None, **extra: Any) -> Flask:
    """The example app with test settings: fast hashing, a known admin password, plain http."""
    config: dict[str, Any] = {
        "SECRET_KEY": "flask-test-secret",
        "INVITEKIT_SECRET_KEYS": [TEST_SECRET],
        "ADMIN_PASSWORD": ADMIN_PASSWORD,
        "DATA_DIR": str(data_dir),
        "BASE_URL": base_url,
        "SESSION_COOKIE_SECURE": False,
        "CLOCK": clock,
        "PASSWORD_HASHER": fast_password_hasher(),
        "TESTING": True,
    }
    config.update(extra)
    return create_app(config)


def csrf_token(html: str) -> str:
    """The CSRF token of the first form on a page."""
    found = _CSRF.search(html)
    assert found is not None, "the page has no form with a CSRF token"
    return found.group(1)


def read_emails(folder: Path) -> list[EmailMessage]:
    """The ``.eml`` files of the outbox folder, oldest first."""
    files = sorted(folder.glob("*.eml"), key=lambda p: (p.stat().st_mtime_ns, p.name))
    messages = []
    for path in files:
        message = BytesParser(policy=policy.default).parsebytes(path.read_bytes())
        assert isinstance(message, EmailMessage)
        messages.append(message)
    return messages


def link_in(message: EmailMessage, prefix: str) -> str:
    """The first link in the text part of ``message`` that starts with ``prefix``."""
    body = message.get_body(preferencelist=("plain",))
    assert body is not None
    found = re.search(re.escape(prefix) + r"\S+", body.get_content())
    assert found is not None, f"no link starting with {prefix} in {message['Subject']!r}"
    return found.group().rstrip(".,)>")


def latest_link(folder: Path, to: str, prefix: str) -> str:
    """The link starting with ``prefix`` in the newest email to ``to`` that has one."""
    for message in reversed(read_emails(folder)):
        body = message.get_body(preferencelist=("plain",))
        if to in str(message["To"]) and body is not None and prefix in body.get_content():
            return link_in(message, prefix)
    raise AssertionError(f"no email to {to} with a link starting with {prefix} in {folder}")


def customer_at(kit: InviteKit, email: str) -> Customer:
    """The customer with ``email``, who must exist."""
    found = kit.find_customer(email)
    assert found is not None, f"no customer {email}"
    return found
