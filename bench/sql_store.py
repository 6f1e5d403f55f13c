"""How long the bulk paths take on each store, and how that grows with the audience.

A plain script (no assertions): adds N customers, invites them all
(``invite_audience``) and delivers the outbox to a MemoryMailer, on the memory
store and on SQLite (a file in a temporary directory), plus PostgreSQL and
MariaDB when ``INVITEKIT_TEST_POSTGRESQL_URL`` / ``INVITEKIT_TEST_MYSQL_URL`` name a
scratch database (tables are created there and emptied first).  Prints the time
per customer and the ratio to the memory store; the time per customer should stay
flat as N grows (no per-row commit, keyset paging).

    python bench/sql_store.py [N ...]
"""

from __future__ import annotations

import os
import secrets
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

import attrs

from invitekit import Audience, Business, Customer
from invitekit.adapters.memory import MemoryStore
from invitekit.adapters.sql import SQLStore, create_schema
from invitekit.ids import new_id
from invitekit.ports import Store
from invitekit.testing import make_kit

BUSINESS = Business(id="bench", name="Bench Studio", sender="hello@bench.example")
URL_VARIABLES = {
    "postgresql": "INVITEKIT_TEST_POSTGRESQL_URL",
    "mysql": "INVITEKIT_TEST_MYSQL_URL",
}


@contextmanager
def store_of(kind: str) -> Iterator[Store]:
    """A fresh store of ``kind``: memory, sqlite, postgresql or mysql.

    SQLite is a file in a temporary directory; PostgreSQL and MariaDB use the
    database of ``INVITEKIT_TEST_POSTGRESQL_URL`` / ``INVITEKIT_TEST_MYSQL_URL``,
    in a schema (database) of their own that is dropped at the end, so that
    nothing else in that database is touched.
    """
    if kind == "memory":
        yield MemoryStore()
        return
    if kind == "sqlite":
        with tempfile.TemporaryDirectory() as directory:
            store = SQLStore.from_url(f"sqlite:///{directory}/bench.db")
            yield store
            store.engine.dispose()
        return
    admin = SQLStore.from_url(os.environ[URL_VARIABLES[kind]], create=False).engine
    schema = f"invitekit_bench_{secrets.token_hex(4)}"
    container = "SCHEMA" if kind == "postgresql" else "DATABASE"
    with admin.begin() as conn:
        conn.exec_driver_sql(f"CREATE {container} {schema}")
    try:
        engine = admin.execution_options(schema_translate_map={None: schema})
        create_schema(engine)
        yield SQLStore(engine)
    finally:
        with admin.begin() as conn:
            drop = f"DROP {container} {schema}"
            conn.exec_driver_sql(drop + (" CASCADE" if kind == "postgresql" else ""))
        admin.dispose()


def run(kind: str, customers: int) -> tuple[float, float]:
    with store_of(kind) as store:
        now = datetime(2026, 1, 5, 9, tzinfo=UTC)
        template = Customer(
            id="", business_id=BUSINESS.id, email="", email_key="", created_at=now, updated_at=now
        )
        with store.transaction() as tx:
            for n in range(customers):
                email = f"c{n}@example.com"
                tx.insert_customer(
                    attrs.evolve(template, id=new_id("cus"), email=email, email_key=email)
                )
        kit = make_kit(store=store, business=BUSINESS)
        start = time.perf_counter()
        kit.invite_audience(Audience.all())
        invited = time.perf_counter()
        kit.deliver()
        delivered = time.perf_counter()
    return (invited - start) / customers, (delivered - invited) / customers


def main(sizes: list[int]) -> None:
    kinds = ["memory", "sqlite"]
    kinds += [kind for kind, variable in URL_VARIABLES.items() if os.environ.get(variable)]
    print(
        f"{'store':<11}{'N':>7}{'invite µs/cust':>16}{'ratio':>7}"
        f"{'deliver µs/cust':>17}{'ratio':>7}"
    )
    for size in sizes:
        base: tuple[float, float] | None = None
        for kind in kinds:
            invite, deliver = run(kind, size)
            base = base or (invite, deliver)
            print(
                f"{kind:<11}{size:>7}{invite * 1e6:>16.0f}{invite / base[0]:>7.1f}"
                f"{deliver * 1e6:>17.0f}{deliver / base[1]:>7.1f}"
            )


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [500, 2000])
