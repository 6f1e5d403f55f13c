"""A Worker used as a context manager keeps one mailer session for all its deliveries."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from invitekit import Worker
from invitekit.adapters.memory import MemoryStore
from invitekit.adapters.smtp import SMTPMailer
from invitekit.testing import TEST_SECRET, FakeClock, SMTPTestServer, make_kit


@pytest.fixture
def server() -> Iterator[SMTPTestServer]:
    with SMTPTestServer() as running:
        yield running


def _queue(kit_store: MemoryStore, clock: FakeClock, *addresses: str) -> None:
    kit = make_kit(store=kit_store, clock=clock)
    for address in addresses:
        kit.add_customer(address, invite=True)


def _worker(store: MemoryStore, mailer: SMTPMailer, clock: FakeClock) -> Worker:
    return Worker(store=store, mailer=mailer, secret_keys=[TEST_SECRET], clock=clock)


def test_a_running_worker_sends_every_batch_on_one_connection(server: SMTPTestServer) -> None:
    store, clock = MemoryStore(), FakeClock()
    worker = _worker(store, server.mailer(clock=clock), clock)

    with worker:
        for batch in range(3):
            _queue(store, clock, f"a{batch}@example.com", f"b{batch}@example.com")
            assert worker.deliver().sent == 2
        assert worker.deliver().sent == 0  # nothing due: the connection stays open

    assert len(server.messages) == 6
    assert server.connections == 1
    assert {mail.connection for mail in server.messages} == {1}


def test_outside_a_with_block_each_delivery_has_its_own_connection(
    server: SMTPTestServer,
) -> None:
    store, clock = MemoryStore(), FakeClock()
    worker = _worker(store, server.mailer(clock=clock), clock)

    for batch in range(2):
        _queue(store, clock, f"a{batch}@example.com")
        assert worker.deliver().sent == 1

    assert server.connections == 2


def test_a_running_worker_reconnects_when_the_server_drops_it(server: SMTPTestServer) -> None:
    store, clock = MemoryStore(), FakeClock()
    worker = _worker(store, server.mailer(clock=clock), clock)

    with worker:
        _queue(store, clock, "a@example.com")
        assert worker.deliver().sent == 1
        server.go_down()  # drops the idle connection
        server.come_back()
        _queue(store, clock, "b@example.com")
        assert worker.deliver().sent == 1

    assert [mail.rcpt_tos for mail in server.messages] == [("a@example.com",), ("b@example.com",)]
    assert server.connections == 2


def test_after_a_server_outage_the_next_delivery_connects_again(server: SMTPTestServer) -> None:
    store, clock = MemoryStore(), FakeClock()
    worker = _worker(store, server.mailer(clock=clock), clock)

    with worker:
        server.go_down()
        _queue(store, clock, "a@example.com")
        assert worker.deliver().retrying == 1
        server.come_back()
        clock.advance(hours=1)  # past the retry's backoff
        assert worker.deliver().sent == 1

    assert [mail.rcpt_tos for mail in server.messages] == [("a@example.com",)]


def test_closing_a_worker_lets_it_run_again(server: SMTPTestServer) -> None:
    store, clock = MemoryStore(), FakeClock()
    worker = _worker(store, server.mailer(clock=clock), clock)

    for round_ in range(2):
        with worker:
            _queue(store, clock, f"a{round_}@example.com")
            assert worker.deliver().sent == 1
    worker.close()  # closing twice is harmless

    assert server.connections == 2
