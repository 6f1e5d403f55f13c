"""The raw floor: what the parts of a campaign cost with nothing of invitekit around them.

Per invitation: one jinja2 render of the same email (invitekit's own packaged
``email.txt`` and ``email.html``, with a plain jinja2 environment), one
itsdangerous ``dumps``, one outbox row inserted with ``executemany`` and one
status update, in transactions of 500 rows, on an SQLite file.  The reciprocal
of the summed per-item costs is the best campaign throughput plain Python
reaches on this machine.
"""

from __future__ import annotations

import hashlib
import sqlite3
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import jinja2
from itsdangerous import URLSafeTimedSerializer

from bench.harness import Sample, timed

BATCH = 500

SCHEMA = """
CREATE TABLE IF NOT EXISTS customers (id TEXT PRIMARY KEY, email TEXT, status TEXT);
CREATE TABLE IF NOT EXISTS outbox (
    id TEXT PRIMARY KEY, business_id TEXT, customer_id TEXT, kind TEXT, state TEXT,
    sender TEXT, recipient TEXT, subject TEXT, text TEXT, html TEXT, headers TEXT,
    created_at TEXT, next_attempt_at TEXT
);
"""


class Floor:
    """The four parts, each timed over ``n`` items, on an SQLite file in ``directory``."""

    def __init__(self, directory: Path, n: int) -> None:
        self.n = n
        environment = jinja2.Environment(
            loader=jinja2.PackageLoader("invitekit", "templates"),
            autoescape=jinja2.select_autoescape(enabled_extensions=("html",)),
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
        )
        self.text = environment.get_template("email.txt")
        self.html = environment.get_template("email.html")
        self.serializer = URLSafeTimedSerializer("k" * 40, salt="invitekit.activation")
        # A file of its own: each figure measures its floor on a fresh database.
        self.path = Path(tempfile.mkdtemp(dir=directory)) / "floor.sqlite3"
        self.db = sqlite3.connect(self.path, isolation_level=None)
        # The SQL store opens SQLite files in WAL mode: the floor uses the same journal.
        self.db.execute("PRAGMA journal_mode = WAL")
        self.db.executescript(SCHEMA)
        self.ids = [f"cus_{i:08d}" for i in range(n)]
        self.db.execute("DELETE FROM customers")
        self.db.executemany(
            "INSERT INTO customers VALUES (?, ?, 'added')",
            [(cid, f"customer{i}@example.com") for i, cid in enumerate(self.ids)],
        )
        self.round = 0

    def costs(self) -> dict[str, float]:
        """Seconds per item of each part, measured now."""
        self.round += 1
        activate = "https://studio.example/activate/" + "t" * 150
        unsubscribe = "https://studio.example/unsubscribe/" + "u" * 150
        context: dict[str, Any] = {
            "lang": "en",
            "subject": "Studio One invites you to book online",
            "greeting": "Hello Ana,",
            "paragraphs": (
                "You can now book and manage your appointments with Studio One online.",
                "Activate your profile by choosing a password: it only takes a minute.",
            ),
            "action": {
                "label": "Activate my profile",
                "url": activate,
                "line": f"Activate my profile: {activate}",
            },
            "link_hint": "If the button does not work, copy this link into your browser:",
            "validity": "This link is valid until January 19, 2026, 10:00 AM (Europe/Vienna).",
            "signature": "Studio One\nMain Street 1",
            "footer": "You receive this email because you are a customer of Studio One.",
            "unsubscribe": {
                "label": "Unsubscribe from these emails",
                "url": unsubscribe,
                "line": f"Unsubscribe from these emails: {unsubscribe}",
            },
        }
        start = time.perf_counter()
        for i in range(self.n):
            context["greeting"] = f"Hello Ana{i},"
            text, html = self.text.render(context), self.html.render(context)
        render = time.perf_counter() - start
        start = time.perf_counter()
        for cid in self.ids:
            token = self.serializer.dumps({"b": "studio-1", "c": cid, "f": "f" * 22})
        sign = time.perf_counter() - start
        rows = [
            (
                f"msg_{self.round}_{cid}",
                "studio-1",
                cid,
                "invitation",
                "pending",
                "Studio One <hello@studio.example>",
                f"{cid}@example.com",
                "Studio One invites you to book online",
                text,
                html,
                '[["List-Unsubscribe", "<' + token + '>"]]',
                "2026-01-05T09:00:00+00:00",
                "2026-01-05T09:00:00+00:00",
            )
            for cid in self.ids
        ]
        start = time.perf_counter()
        for offset in range(0, self.n, BATCH):
            with self.db:
                self.db.execute("BEGIN")
                self.db.executemany(
                    "INSERT INTO outbox VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    rows[offset : offset + BATCH],
                )
        insert = time.perf_counter() - start
        status = "invited" if self.round % 2 else "added"
        start = time.perf_counter()
        for offset in range(0, self.n, BATCH):
            with self.db:
                self.db.execute("BEGIN")
                self.db.executemany(
                    "UPDATE customers SET status = ? WHERE id = ?",
                    [(status, cid) for cid in self.ids[offset : offset + BATCH]],
                )
        update = time.perf_counter() - start
        return {
            name: seconds / self.n
            for name, seconds in (
                ("jinja2 render", render),
                ("itsdangerous dumps", sign),
                ("outbox insert", insert),
                ("status update", update),
            )
        }

    def run(self, trace: bool) -> Sample:
        """One round: the per-item costs, as a Sample of 1 / (their sum) items per second."""
        if trace:
            return timed(self.n, lambda: self.costs(), trace=True)
        self.last = self.costs()
        return Sample(ops=self.n, seconds=sum(self.last.values()) * self.n)

    def close(self) -> None:
        """Close the database."""
        self.db.close()


# The customer and the campaign whose first open a check would record, in one
# statement: the columns and the subquery of invitekit's own read (SQLStore's
# ``customer_and_unopened_campaign``), written by hand.
_CHECK_SQL = """
SELECT c.*, (
    SELECT last.campaign_id FROM (
        SELECT o.campaign_id FROM invitekit_outbox AS o
        WHERE o.business_id = :b AND o.customer_id = :c AND o.kind = 'invitation'
          AND o.state = 'sent' AND o.campaign_id IS NOT NULL
        ORDER BY o.sent_at DESC, o.seq DESC LIMIT 1
    ) AS last
    WHERE last.campaign_id NOT IN (
        SELECT e.campaign_id FROM invitekit_events AS e
        WHERE e.business_id = :b AND e.customer_id = :c AND e.kind = 'link_opened'
          AND e.campaign_id IS NOT NULL
    )
)
FROM invitekit_customers AS c WHERE c.business_id = :b AND c.id = :c
"""


class ActivationFloor:
    """What ``check_activation`` is made of, written by hand with nothing of invitekit around it.

    The same parts: itsdangerous's ``loads`` of the same token (same key, salt and
    digest), one ``sqlite3`` statement reading the same row and subquery on the
    same file (autocommit: one statement is its own snapshot), the same
    fingerprint (SHA-256 of the same fields) and the same answer (address, id,
    first name, locale, expiry).  No error classes, no store, no objects: the
    cost of the parts, so that invitekit's rate over this one is what its own
    code costs, and this one over the peer's is the most any check made of
    these parts could reach.
    """

    def __init__(self, path: Path, secret: str, *, max_age: int) -> None:
        self.db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        self.db.execute("PRAGMA query_only = ON")
        self.serializer = URLSafeTimedSerializer(
            secret, salt="invitekit.activation", signer_kwargs={"digest_method": hashlib.sha256}
        )
        self.max_age = max_age

    def check(self, token: str) -> tuple[Any, ...]:
        """Check ``token`` as ``check_activation`` does; the page's answer."""
        payload, signed_at = self.serializer.loads(
            token, max_age=self.max_age, return_timestamp=True
        )
        row = self.db.execute(_CHECK_SQL, {"b": payload["b"], "c": payload["c"]}).fetchone()
        if row is None or row[8]:  # no such customer, or archived
            raise LookupError(token)
        # business_id, id, email, email_key, ..., status 7, ..., link_epoch 17
        parts = ["activation", row[0], row[1], row[3], str(row[17]), str(row[7] == "accepted")]
        if hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:22] != payload["f"]:
            raise LookupError(token)
        expires = signed_at + timedelta(seconds=self.max_age)
        return row[2], row[1], row[4], row[6], expires
