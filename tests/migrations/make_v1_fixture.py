"""Write the v1 fixture: a database made by invitekit at commit 26215eb (schema version 1).

The data covers every state a v1 database can hold: customers Added, Invited,
Accepted, archived and unsubscribed, in two businesses; groups with and without
members; saved templates; outbox messages pending, retrying, failed, sent and
cancelled; events; a registration; login failures and account-mail attempts.
It is made by the v1 code itself, so run this with the v1 package first on the path::

    git worktree add /tmp/v1 26215eb
    PYTHONPATH=/tmp/v1/src .venv/bin/python tests/migrations/make_v1_fixture.py

It writes ``v1/invitekit.sqlite`` (the SQLite file as v1 left it) and
``v1/rows.json`` (every row of every table, portable: see :mod:`tests.migrations.v1data`,
which loads it into PostgreSQL and MariaDB).
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa

import invitekit
from invitekit import Business, InviteKit
from invitekit.adapters.sql import SCHEMA_VERSION, SQLStore, metadata
from invitekit.testing import FakeClock, FlakyMailer, extract_link, fast_password_hasher

HERE = Path(__file__).resolve().parent / "v1"
PASSWORD = "correct horse battery staple"


def _business(business_id: str) -> Business:
    return Business(
        id=business_id,
        name=f"Studio {business_id}",
        sender=f"hello@{business_id}.example",
        timezone="Europe/Vienna",
        default_locale="de",
        signature="Studio",
        activation_url=f"https://{business_id}.example/activate/{{token}}",
        unsubscribe_url=f"https://{business_id}.example/unsubscribe/{{token}}",
        reset_url=f"https://{business_id}.example/reset/{{token}}",
    )


def _fail(email: Any) -> str | None:
    if email.to.startswith("retry"):
        return "temporary"
    if email.to.startswith("bounce"):
        return "permanent"
    return None


def populate(store: SQLStore) -> None:
    """Bring ``store`` to a state with every kind of row, by v1's public API only."""
    clock = FakeClock(datetime(2026, 1, 5, 9, 0, tzinfo=UTC))
    mailer = FlakyMailer(fail=_fail)
    keys = ["v1-fixture-secret-key-0123456789abcdefghijklmnopqrstuvwxyz"]

    def kit(business_id: str) -> InviteKit:
        return InviteKit(
            store=store,
            mailer=mailer,
            clock=clock,
            business=_business(business_id),
            secret_keys=keys,
            password_hasher=fast_password_hasher(),
        )

    one, two = kit("studio-1"), kit("studio-2")
    people = {
        name: one.add_customer(
            f"{name}@example.com" if name not in {"retry", "bounce"} else f"{name}@example.net",
            first_name=name.capitalize(),
            last_name="Muster" if name != "ana" else None,
            locale={"ana": "es", "ben": "fr", "cara": "de_AT"}.get(name),
            invite=False,
        )
        for name in ("ana", "ben", "cara", "dan", "eva", "fay", "retry", "bounce", "ida")
    }
    two.add_customer("ana@example.com", first_name="Ana", invite=False)
    clock.advance(minutes=5)

    one.save_invitation_template(
        "es", subject="Hola {{ first_name }}", body="Únete a {{ business_name }}."
    )
    one.save_invitation_template("de", subject="Willkommen", body="Aktiviere dein Profil.")
    one.create_group("Monday class")
    one.add_to_group("Monday class", [people[n].id for n in ("ana", "ben", "cara")])
    one.create_group("Empty group")

    for name in ("ben", "cara", "dan", "eva", "retry", "bounce"):
        one.invite(people[name].id)
    clock.advance(minutes=1)
    one.deliver()  # sent; retry: a temporary failure (pending, attempts 1); bounce: failed
    clock.advance(minutes=1)

    def link(name: str, prefix: str) -> str:
        address = people[name].email
        sent = [email for email in mailer.sent if email.to == address]
        return extract_link(sent[-1], prefix).rsplit("/", 1)[1]

    one.accept_invitation(link("cara", "https://studio-1.example/activate/"), PASSWORD)
    one.unsubscribe(link("eva", "https://studio-1.example/unsubscribe/"))
    one.archive_customer(people["dan"].id)
    clock.advance(minutes=1)

    one.invite(people["fay"].id)  # pending, never tried
    one.invite(people["ida"].id)
    one.archive_customer(people["ida"].id)  # cancels ida's pending invitation
    one.restore_customer(people["ida"].id)
    clock.advance(minutes=1)

    with contextlib.suppress(invitekit.InvalidCredentials):
        one.login("cara@example.com", "not the password")
    one.request_password_reset("cara@example.com")  # a pending reset email, a mail attempt
    one.register("neu@example.com", first_name="Neu", locale="de", password=PASSWORD)


def _portable(value: Any) -> Any:
    if isinstance(value, datetime):
        return {"datetime": value.isoformat()}
    return value


def dump(engine: sa.Engine) -> dict[str, list[dict[str, Any]]]:
    """Every row of every v1 table, in primary-key order, as JSON-ready values."""
    rows: dict[str, list[dict[str, Any]]] = {}
    with engine.connect() as conn:
        for table in metadata.sorted_tables:
            order = list(table.primary_key.columns) or list(table.columns)
            result = conn.execute(sa.select(table).order_by(*order)).mappings()
            rows[table.name] = [
                {key: _portable(value) for key, value in row.items()} for row in result
            ]
    return rows


def main() -> int:
    source = Path(invitekit.__file__).resolve()
    if SCHEMA_VERSION != 1 or "adapters" not in {p.name for p in source.parent.iterdir()}:
        print(f"run this with invitekit of commit 26215eb first on the path, not {source}")
        return 2
    HERE.mkdir(exist_ok=True)
    target = HERE / "invitekit.sqlite"
    target.unlink(missing_ok=True)
    store = SQLStore.from_url(f"sqlite:///{target}")
    populate(store)
    rows = dump(store.engine)
    store.engine.dispose()
    # One self-contained file: no WAL beside it, no free pages.
    with sqlite3.connect(target) as conn:
        conn.execute("PRAGMA journal_mode = DELETE")
        conn.execute("VACUUM")
    (HERE / "rows.json").write_text(json.dumps(rows, indent=1, sort_keys=True) + "\n")
    print(f"wrote {target} and rows.json from {source.parent}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
