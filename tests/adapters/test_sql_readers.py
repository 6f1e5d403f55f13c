"""The connections kept per thread for read-only transactions on an SQLite file.

What they must keep: every read-only transaction sees what was committed
before it (by this store, another store, another process), one transaction
sees one snapshot, a reader never writes, each thread has its own connection,
a forked child opens its own, and ``engine.dispose()`` or the end of a thread
closes them.
"""

from __future__ import annotations

import gc
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import sqlalchemy as sa

from invitekit.adapters.sql import SQLStore
from invitekit.exceptions import StorageError
from tests.contract.test_store import BIZ, make_customer

WAIT = 20.0  # bounds a wait for something that happens at once, not a speed


@pytest.fixture
def url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path}/invitekit.db"


@pytest.fixture
def store(url: str) -> Iterator[SQLStore]:
    opened = SQLStore.from_url(url)
    yield opened
    opened.engine.dispose()


def _ids(store: SQLStore) -> list[str]:
    with store.transaction(readonly=True) as tx:
        return [c.id for c in tx.list_customers(BIZ)]


def _found(store: SQLStore, number: int) -> bool:
    """Whether customer ``number`` is there, read by the fast lookup."""
    with store.transaction(readonly=True) as tx:
        return tx.get_customer(BIZ, f"cus_{number:04d}") is not None


def _kept(store: SQLStore) -> sa.Connection:
    """The connection this thread's read-only transactions run on."""
    with store.transaction(readonly=True) as tx:
        conn: sa.Connection = tx._tx._conn  # type: ignore[attr-defined]
    return conn


def _add(store: SQLStore, number: int) -> None:
    with store.transaction() as tx:
        tx.insert_customer(make_customer(number))


def test_a_reader_sees_each_commit_of_the_store_made_before_it(store: SQLStore) -> None:
    kept = _kept(store)
    for number in range(1, 6):
        assert not _found(store, number)
        _add(store, number)
        assert _found(store, number)
    assert _ids(store) == [f"cus_{n:04d}" for n in range(1, 6)]
    assert _kept(store) is kept  # one connection did all of it


def test_a_reader_sees_the_commits_of_another_store_on_the_same_file(
    store: SQLStore, url: str
) -> None:
    other = SQLStore.from_url(url)
    try:
        assert not _found(store, 1)
        _add(other, 1)
        assert _found(store, 1)
        _add(other, 2)
        assert _ids(store) == ["cus_0001", "cus_0002"]
    finally:
        other.engine.dispose()


_WRITE_ONE = """
import sys
from invitekit.adapters.sql import SQLStore
from tests.contract.test_store import make_customer
store = SQLStore.from_url(sys.argv[1], create=False)
with store.transaction() as tx:
    tx.insert_customer(make_customer(int(sys.argv[2])))
"""


def test_a_reader_sees_the_commits_of_another_process(store: SQLStore, url: str) -> None:
    assert not _found(store, 7)
    for number in (7, 8):
        subprocess.run(
            [sys.executable, "-c", _WRITE_ONE, url, str(number)],
            check=True,
            timeout=120,
            cwd=Path(__file__).parents[2],
        )
        assert _found(store, number)
    assert _ids(store) == ["cus_0007", "cus_0008"]


def test_one_read_only_transaction_reads_one_snapshot(store: SQLStore) -> None:
    _add(store, 1)
    with ThreadPoolExecutor(1) as other_thread, store.transaction(readonly=True) as tx:
        assert [c.id for c in tx.list_customers(BIZ)] == ["cus_0001"]
        other_thread.submit(_add, store, 2).result(WAIT)  # committed meanwhile
        assert tx.get_customer(BIZ, "cus_0002") is None
        assert [c.id for c in tx.list_customers(BIZ)] == ["cus_0001"]
    assert _ids(store) == ["cus_0001", "cus_0002"]


def test_the_reader_itself_refuses_to_write(store: SQLStore) -> None:
    with pytest.raises(sa.exc.OperationalError, match="readonly"):
        _kept(store).exec_driver_sql("DELETE FROM invitekit_customers")
    _kept(store).rollback()


def test_a_failed_read_leaves_the_connection_usable(store: SQLStore) -> None:
    _add(store, 1)
    with pytest.raises(StorageError), store.transaction(readonly=True) as tx:
        tx._tx._run(sa.text("SELECT * FROM no_such_table"))  # type: ignore[attr-defined]
    assert _ids(store) == ["cus_0001"]
    _add(store, 2)
    assert _ids(store) == ["cus_0001", "cus_0002"]


def test_each_thread_reads_on_its_own_connection_beside_a_writer(store: SQLStore) -> None:
    _add(store, 1)
    barrier = threading.Barrier(4, timeout=WAIT)

    def read() -> tuple[int, list[str]]:
        kept = _kept(store)
        barrier.wait()  # the four threads are alive at once: four connections
        seen = [_found(store, 1) for _ in range(50)]
        assert _kept(store) is kept
        return id(kept), [str(s) for s in set(seen)]

    with ThreadPoolExecutor(4) as pool:
        readers = [pool.submit(read) for _ in range(4)]
        for number in range(2, 12):  # writes in between, from this thread
            _add(store, number)
        results = [r.result(WAIT) for r in readers]
    assert len({conn for conn, _ in results}) == 4
    assert all(seen == ["True"] for _, seen in results)
    assert _ids(store) == [f"cus_{n:04d}" for n in range(1, 12)]


def test_a_threads_connection_is_closed_when_the_thread_ends(store: SQLStore) -> None:
    kept: list[sa.Connection] = []
    thread = threading.Thread(target=lambda: kept.append(_kept(store)))
    thread.start()
    thread.join(WAIT)
    gc.collect()
    assert kept[0].closed


def test_disposing_the_engine_closes_the_idle_connections_and_then_the_busy_ones(
    store: SQLStore,
) -> None:
    _add(store, 1)
    idle = _kept(store)
    inside, disposed = threading.Event(), threading.Event()
    busy: list[sa.Connection] = []

    def read_across_the_dispose() -> list[str]:
        with store.transaction(readonly=True) as tx:
            busy.append(tx._tx._conn)  # type: ignore[attr-defined]
            inside.set()
            assert disposed.wait(WAIT)
            return [c.id for c in tx.list_customers(BIZ)]  # still works

    with ThreadPoolExecutor(1) as pool:
        reading = pool.submit(read_across_the_dispose)
        assert inside.wait(WAIT)
        store.engine.dispose()
        assert idle.closed
        assert not busy[0].closed  # in a transaction: closed when it ends
        disposed.set()
        assert reading.result(WAIT) == ["cus_0001"]
        assert busy[0].closed
    fresh = _kept(store)
    assert fresh is not idle
    assert not fresh.closed
    assert _ids(store) == ["cus_0001"]


@pytest.mark.skipif(not hasattr(os, "fork"), reason="fork() is POSIX")
def test_a_forked_child_opens_its_own_connection_and_leaves_its_parents(
    store: SQLStore, url: str
) -> None:
    _add(store, 1)
    parent_conn = _kept(store)
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child reports through the pipe
        code = 1
        try:
            child_conn = _kept(store)
            fine = child_conn is not parent_conn and _ids(store) == ["cus_0001"]
            _add(store, 2)
            fine = fine and _found(store, 2)
            store.engine.dispose()  # closes the child's, never the parent's
            gc.collect()
            code = 0 if fine else 1
        finally:
            os.write(write_end, bytes([code]))
            os._exit(code)
    os.close(write_end)
    try:
        with os.fdopen(read_end, "rb") as pipe:
            report = pipe.read()
    finally:
        _, status = os.waitpid(pid, 0)
    assert report == b"\x00"
    assert os.waitstatus_to_exitcode(status) == 0
    assert _kept(store) is parent_conn
    assert not parent_conn.closed
    assert _ids(store) == ["cus_0001", "cus_0002"]  # the child's commit, seen here
    _add(store, 3)
    assert _found(store, 3)


def test_an_in_memory_store_keeps_no_reader(tmp_path: Path) -> None:
    memory = SQLStore.from_url("sqlite://")
    _add(memory, 1)
    assert _ids(memory) == ["cus_0001"]
    assert memory._readers is None
