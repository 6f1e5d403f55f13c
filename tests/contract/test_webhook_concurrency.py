"""Workers (threads, and processes on the SQL stores) failing at one endpoint at once.

Every failed POST is counted once, none is lost to a concurrent update, and the
endpoint is disabled after exactly :data:`~invitekit.webhooks.DISABLE_AFTER`
attempts: the endpoint's claim lets one worker at a time deliver to it.
"""

from __future__ import annotations

import base64
import multiprocessing
import threading
from datetime import timedelta
from typing import Any

import pytest

from invitekit import OutboxSettings, Worker
from invitekit.adapters.memory import MemoryMailer
from invitekit.adapters.sql import SQLStore
from invitekit.adapters.webhooks import HTTPWebhookSender
from invitekit.clock import SystemClock
from invitekit.ports import Store
from invitekit.testing import WebhookTestServer, make_kit
from invitekit.testing.crypto import TEST_SECRET
from invitekit.webhooks import DISABLE_AFTER
from tests.stores import open_store, recipe_of, store_from_recipe, store_params

SECRET = "whsec_" + base64.b64encode(b"c" * 32).decode()
# Backoff short enough that the workers keep trying while the test runs.
FAST = OutboxSettings(retry_base=timedelta(microseconds=1), retry_max=timedelta(milliseconds=1))
ROUNDS = 400  # each worker's tries at most


def keep_delivering(store: Store) -> None:
    """Deliver until the endpoint is disabled (or ROUNDS tries)."""
    with HTTPWebhookSender(timeout=5) as sender:
        worker = Worker(
            store=store,
            mailer=MemoryMailer(),
            secret_keys=[TEST_SECRET],
            clock=SystemClock(),
            outbox=FAST,
            webhook_sender=sender,
        )
        for _ in range(ROUNDS):
            worker.deliver()
            with store.transaction(readonly=True) as tx:
                if not any(h.enabled for h in tx.list_webhooks("studio-1")):
                    return


def _in_process(recipe: Any, start: Any) -> None:
    store = store_from_recipe(recipe)
    start.wait()
    keep_delivering(store)
    store.engine.dispose()


@pytest.mark.slow
@pytest.mark.parametrize("kind", store_params())
def test_failures_from_many_workers_are_each_counted_and_disable_the_endpoint_once(
    kind: str,
) -> None:
    with open_store(kind) as store, WebhookTestServer(SECRET, status=500) as server:
        kit = make_kit(store=store, clock=SystemClock())
        kit.add_webhook(server.url, secret=SECRET)
        kit.add_customer("ana@example.com", invite=False)

        processes: list[Any] = []
        if isinstance(store, SQLStore):
            context = multiprocessing.get_context("spawn")
            start = context.Barrier(3)
            processes = [
                context.Process(target=_in_process, args=(recipe_of(store), start))
                for _ in range(2)
            ]
            for process in processes:
                process.start()
            start.wait(timeout=120)
        threads = [threading.Thread(target=keep_delivering, args=(store,)) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        for process in processes:
            process.join(timeout=120)

        (hook,) = kit.list_webhooks()
    assert [p.exitcode for p in processes] == [0] * len(processes)
    assert (hook.enabled, hook.failures) == (False, DISABLE_AFTER)
    assert len(server.received) == DISABLE_AFTER
    assert all(r.valid for r in server.received)
