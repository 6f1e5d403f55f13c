"""The README's demo runs, on the embedded default (SQLite, .eml files), as a new user runs it."""

from __future__ import annotations

import email
import email.policy
import sqlite3
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_demo_imports_invites_delivers_and_activates(tmp_path: Path) -> None:
    output = tmp_path / "demo-output"
    result = subprocess.run(
        [sys.executable, str(ROOT / "examples" / "demo.py"), str(output)],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "ana.garcia@example.com is now accepted" in result.stdout
    assert "noname@example.com is archived" in result.stdout

    emails = sorted((output / "outbox").glob("*.eml"))
    recipients = {
        email.message_from_bytes(p.read_bytes(), policy=email.policy.default)["To"] for p in emails
    }
    assert recipients == {
        "ana.garcia@example.com",
        "marie.dubois@example.com",
        "jonas.huber@example.com",
    }
    with sqlite3.connect(output / "invitekit.db") as db:
        statuses = dict(
            db.execute("SELECT email, status FROM invitekit_customers ORDER BY email").fetchall()
        )
    assert statuses["ana.garcia@example.com"] == "accepted"
    assert statuses["marie.dubois@example.com"] == "invited"
    assert statuses["lea.moser@example.com"] == "added"
