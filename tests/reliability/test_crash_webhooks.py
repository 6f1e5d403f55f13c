"""Crash campaign for webhooks: delivery workers killed with SIGKILL while POSTing the feed.

A worker process delivers a business's outbox (emails to a memory mailer) and its
feed to a webhook endpoint -- a real HTTP server on 127.0.0.1
(:class:`~invitekit.testing.WebhookTestServer`, in this process, verifying every
signature with ``standardwebhooks``) -- and is killed at a random moment, again and
again; each time a new worker takes over, with a clock one lease later (as in
``test_crash.py``) so the dead worker's claim has run out.  At the end every event
of the feed reached the endpoint at least once, with a valid signature, first in
feed order (so in order for each customer), and a receiver that de-duplicates on
``webhook-id`` sees each exactly once.  A resend happens only for the event a
worker was sending when it died: at most one per kill.
"""

from __future__ import annotations

import base64
import random
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from invitekit import Audience
from invitekit.adapters.memory import MemoryMailer
from invitekit.adapters.sql import SQLStore
from invitekit.adapters.webhooks import HTTPWebhookSender
from invitekit.testing import FakeClock, WebhookTestServer
from tests.reliability import workers
from tests.reliability.conftest import Figures
from tests.reliability.world import address, make_kit
from tests.stores import StoreRecipe, open_store, recipe_of, store_from_recipe, store_params

T0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
LEASE = 60.0
SECRET = "whsec_" + base64.b64encode(b"w" * 32).decode()


def deliver_everything(recipe: StoreRecipe, *, clock_start: str, ready: Any) -> None:
    """In a worker process: deliver emails and webhooks until nothing is left."""
    store = store_from_recipe(recipe)
    with HTTPWebhookSender(timeout=10) as sender:
        kit = make_kit(
            store,
            MemoryMailer(),
            FakeClock(datetime.fromisoformat(clock_start)),
            batch_size=10,
            lease_seconds=LEASE,
        )
        kit.webhook_sender = sender
        ready.set()
        while True:
            report = kit.deliver()
            if not (report.sent or report.webhooks_sent or report.webhooks_failed):
                break
    store.engine.dispose()


@pytest.mark.slow
@pytest.mark.parametrize("kind", store_params(["sqlite", "postgresql"]))
def test_webhook_workers_killed_at_random_deliver_every_event_at_least_once_in_order(
    kind: str, figures: Figures, long_run: bool
) -> None:
    kills_wanted = 100 if long_run else 8
    customers = 30 * kills_wanted
    rng = random.Random()
    seed = rng.randrange(2**32)
    rng.seed(seed)
    context = workers.context()
    with open_store(kind) as store, WebhookTestServer(SECRET) as server:
        assert isinstance(store, SQLStore)
        kit = make_kit(store, MemoryMailer(), FakeClock(T0), batch_size=500)
        hook = kit.add_webhook(server.url, secret=SECRET)
        rows = "".join(f"{address(n)},C{n},all\n" for n in range(customers))
        kit.import_customers("email,first_name,groups\n" + rows)
        kit.invite_audience(Audience.all())

        kills = generations = 0
        while True:
            generations += 1
            ready = context.Event()
            start = T0 + generations * timedelta(seconds=LEASE + 1)
            process = context.Process(
                target=deliver_everything,
                args=(recipe_of(store),),
                kwargs={"clock_start": start.isoformat(), "ready": ready},
            )
            process.start()
            assert ready.wait(60)
            process.join(timeout=rng.uniform(0, 0.3) if kills < kills_wanted else 300)
            if process.exitcode is None:
                workers.kill(process, store)
                kills += 1
                continue
            assert process.exitcode == 0, seed
            break

        feed, _ = kit.events_since(limit=1000)
        while len(feed) % 1000 == 0 and feed:
            more, _ = kit.events_since(feed[-1].cursor, limit=1000)
            if not more:
                break
            feed += more
        (stored,) = kit.list_webhooks()

    received = server.delivered()
    ids = [r.id for r in received]
    want = [f"msg_{hook.id}_{item.position}" for item in feed]
    first_seen = list(dict.fromkeys(ids))  # a receiver de-duplicating on webhook-id
    copies = Counter(ids)
    assert kills >= 1, seed
    assert all(r.valid for r in server.received), seed
    assert first_seen == want, seed  # each event once, in feed order
    assert sum(n - 1 for n in copies.values()) <= kills, seed  # one resend per kill at most
    for record in received:  # a resend is the same event
        position = int(record.id.rsplit("_", 1)[1])
        assert record.payload["data"]["position"] == position
    by_customer: dict[str, list[int]] = {}
    for record in received:
        data = record.payload["data"]
        seen = by_customer.setdefault(data["customer_id"], [])
        if data["position"] not in seen:
            seen.append(data["position"])
    assert all(positions == sorted(positions) for positions in by_customer.values())
    assert stored.delivered_through >= feed[-1].position and stored.failures == 0
    figures.record(
        f"crash webhooks {kind}",
        kills=kills,
        worker_generations=generations,
        events=len(feed),
        posts=len(ids),
        losses=len(set(want) - set(ids)),
        duplicates=sum(n - 1 for n in copies.values()),
    )
