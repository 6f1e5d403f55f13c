"""Webhooks: registering endpoints, and delivering the feed to a real HTTP server on 127.0.0.1."""

from __future__ import annotations

import base64
import socket
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from invitekit import (
    EventKind,
    InvalidWebhookURL,
    InviteKit,
    OutboxSettings,
    ValidationError,
    WebhookNotFound,
    Worker,
)
from invitekit.adapters.memory import MemoryMailer, MemoryStore
from invitekit.adapters.webhooks import HTTPWebhookSender
from invitekit.testing import FakeClock, WebhookTestServer, make_business, make_kit
from invitekit.testing.crypto import TEST_SECRET
from invitekit.webhooks import DISABLE_AFTER

T0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
SECRET = "whsec_" + base64.b64encode(b"k" * 32).decode()


@pytest.fixture
def sender() -> Iterator[HTTPWebhookSender]:
    with HTTPWebhookSender(timeout=5) as sender:
        yield sender


@pytest.fixture
def server() -> Iterator[WebhookTestServer]:
    with WebhookTestServer(SECRET) as server:
        yield server


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(T0)


@pytest.fixture
def kit(clock: FakeClock, sender: HTTPWebhookSender) -> InviteKit:
    return make_kit(store=MemoryStore(), clock=clock, webhook_sender=sender)


# Registering ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "https://crm.example/hooks/invitekit",
        "https://crm.example:8443/h?x=1",
        "http://127.0.0.1:8080/hook",
        "http://localhost/hook",
        "http://[::1]:9000/hook",
        "https://8.8.8.8/hook",
    ],
)
def test_https_and_loopback_http_urls_are_accepted(kit: InviteKit, url: str) -> None:
    assert kit.add_webhook(url).url == url


@pytest.mark.parametrize(
    ("url", "code"),
    [
        ("http://crm.example/hook", "scheme"),
        ("ftp://crm.example/hook", "scheme"),
        ("javascript:alert(1)", "host"),
        ("https://user:pw@crm.example/hook", "credentials"),
        ("https://10.0.0.5/hook", "host"),
        ("https://192.168.1.1/hook", "host"),
        ("https://169.254.169.254/latest/meta-data", "host"),
        ("https://[fe80::1]/hook", "host"),
        ("https://0.0.0.0/hook", "host"),
        ("https:///hook", "host"),
        ("https://crm.example:99999/hook", "malformed"),
        ("https://crm.example/ho ok", "malformed"),
        ("https://crm.example/\nhook", "malformed"),
        ("", "malformed"),
        ("https://crm.example/" + "a" * 3000, "too_long"),
    ],
)
def test_other_urls_are_refused_with_the_reason(kit: InviteKit, url: str, code: str) -> None:
    with pytest.raises(InvalidWebhookURL) as refused:
        kit.add_webhook(url)
    assert refused.value.code == code
    assert kit.list_webhooks() == []


def test_a_secret_is_made_when_none_is_given_and_kept(kit: InviteKit) -> None:
    first = kit.add_webhook("https://crm.example/a")
    second = kit.add_webhook("https://crm.example/b", secret=SECRET)
    assert first.secret.startswith("whsec_") and first.secret != second.secret
    assert len(base64.b64decode(first.secret.removeprefix("whsec_"))) == 32
    assert second.secret == SECRET
    assert [(h.id, h.secret) for h in kit.list_webhooks()] == [
        (first.id, first.secret),
        (second.id, SECRET),
    ]
    assert SECRET not in repr(second)


@pytest.mark.parametrize("secret", ["", "whsec_", "nope", "whsec_!!!", "whsec_" + "QQ==" * 2])
def test_a_secret_not_of_the_standard_form_is_refused(kit: InviteKit, secret: str) -> None:
    with pytest.raises(ValidationError):
        kit.add_webhook("https://crm.example/a", secret=secret)


def test_removing_an_endpoint(kit: InviteKit) -> None:
    hook = kit.add_webhook("https://crm.example/a")
    kit.remove_webhook(hook.id)
    assert kit.list_webhooks() == []
    with pytest.raises(WebhookNotFound):
        kit.remove_webhook(hook.id)


def test_another_business_cannot_see_or_remove_an_endpoint(kit: InviteKit) -> None:
    hook = kit.add_webhook("https://crm.example/a")
    other = make_kit(store=kit.store, business=make_business(id="studio-2"))
    assert other.list_webhooks() == []
    with pytest.raises(WebhookNotFound):
        other.remove_webhook(hook.id)
    assert kit.list_webhooks() == [hook]


# Delivering ----------------------------------------------------------------------------


def test_each_event_after_registration_is_posted_in_order_signed(
    kit: InviteKit, server: WebhookTestServer
) -> None:
    kit.add_customer("early@example.com", invite=False)  # before: not sent
    hook = kit.add_webhook(server.url, secret=SECRET)
    ana = kit.add_customer("ana@example.com", first_name="Ana", invite=False)
    kit.invite(ana.id, by="front-desk")

    report = kit.deliver()

    feed, _ = kit.events_since()
    sent_feed = [item for item in feed if item.event.customer_id == ana.id]
    got = server.delivered()
    assert [r.payload["type"] for r in got] == [
        "customer.added",
        "customer.invitation_queued",
        "customer.delivered",
    ]
    assert all(r.valid for r in got)
    assert [r.id for r in got] == [f"msg_{hook.id}_{item.position}" for item in sent_feed]
    queued = got[1].payload["data"]
    assert queued["customer_id"] == ana.id and queued["by"] == "front-desk"
    assert queued["cursor"] == sent_feed[1].cursor
    # Emails first, then webhooks: the email's "delivered" goes out in the same call.
    assert (report.sent, report.webhooks_sent, report.webhooks_failed) == (1, 3, 0)
    assert kit.deliver().webhooks_sent == 0
    (stored,) = kit.list_webhooks()
    assert stored.delivered_through == sent_feed[-1].position and stored.failures == 0


def test_a_kit_without_a_sender_sends_no_webhooks(
    clock: FakeClock, server: WebhookTestServer
) -> None:
    kit = make_kit(store=MemoryStore(), clock=clock)
    kit.add_webhook(server.url, secret=SECRET)
    kit.add_customer("ana@example.com", invite=False)
    assert kit.deliver().webhooks_sent == 0
    assert server.received == []


def test_an_endpoint_that_is_down_is_retried_with_backoff_from_the_event_that_failed(
    kit: InviteKit, server: WebhookTestServer, clock: FakeClock
) -> None:
    kit.add_webhook(server.url, secret=SECRET)
    kit.add_customer("ana@example.com", invite=False)
    server.down()
    report = kit.deliver()
    kit.add_customer("ben@example.com", invite=False)
    (hook,) = kit.list_webhooks()
    assert (report.webhooks_sent, report.webhooks_failed) == (0, 1)
    assert hook.failures == 1 and hook.enabled and hook.last_error
    assert hook.not_before == T0 + OutboxSettings().backoff(1)

    server.up()
    assert kit.deliver().webhooks_sent == 0  # not before its backoff ends
    clock.advance(OutboxSettings().backoff(1))
    assert kit.deliver().webhooks_sent == 2

    emails = [r.payload["data"]["customer_id"] for r in server.delivered()]
    assert len(emails) == 2 and all(r.valid for r in server.delivered())
    (hook,) = kit.list_webhooks()
    assert (hook.failures, hook.last_error, hook.not_before) == (0, None, None)


def test_an_endpoint_is_disabled_after_consecutive_failures(
    kit: InviteKit, server: WebhookTestServer, clock: FakeClock
) -> None:
    kit.add_webhook(server.url, secret=SECRET)
    kit.add_customer("ana@example.com", invite=False)
    server.status = 500
    for attempt in range(1, DISABLE_AFTER + 3):
        kit.deliver()
        (hook,) = kit.list_webhooks()
        assert hook.failures == min(attempt, DISABLE_AFTER)
        clock.advance(timedelta(days=1))
    assert not hook.enabled and hook.disabled_at is not None
    assert hook.last_error == "HTTP 500"
    assert len(server.received) == DISABLE_AFTER
    assert {r.id for r in server.received} == {server.received[0].id}  # one event, one id


def test_a_disabled_endpoint_enabled_again_receives_what_it_missed_in_order(
    kit: InviteKit, server: WebhookTestServer, clock: FakeClock
) -> None:
    kit.add_webhook(server.url, secret=SECRET)
    kit.add_customer("ana@example.com", invite=False)
    server.status = 500
    for _ in range(DISABLE_AFTER):
        kit.deliver()
        clock.advance(timedelta(days=1))
    (disabled,) = kit.list_webhooks()
    kit.add_customer("ben@example.com", invite=False)  # while it is disabled
    assert kit.deliver().webhooks_failed == 0 and not disabled.enabled

    server.status = 204
    enabled = kit.enable_webhook(disabled.id)
    assert (enabled.enabled, enabled.failures, enabled.disabled_at) == (True, 0, None)
    assert (enabled.last_error, enabled.not_before) == (None, None)
    assert enabled.delivered_through == disabled.delivered_through
    assert enabled == kit.list_webhooks()[0]
    kit.add_customer("cleo@example.com", invite=False)
    assert kit.deliver().webhooks_sent == 3

    accepted = server.delivered()
    people = [kit.find_customer(f"{name}@example.com") for name in ("ana", "ben", "cleo")]
    assert [r.payload["data"]["customer_id"] for r in accepted] == [c.id for c in people if c]
    assert [r.payload["type"] for r in accepted] == ["customer.added"] * 3
    assert all(r.valid for r in accepted)
    # The event that failed keeps its webhook-id: a receiver that saw it once sees a resend.
    assert accepted[0].id == server.received[0].id


def test_a_limit_caps_the_posts_of_one_delivery_and_the_next_goes_on(
    kit: InviteKit, server: WebhookTestServer
) -> None:
    first = kit.add_webhook(server.url, secret=SECRET)
    second = kit.add_webhook(server.url, secret=SECRET)
    for n in range(4):
        kit.add_customer(f"c{n}@example.com", invite=False)  # 4 events, 8 POSTs in all

    counts = [kit.deliver(limit=3).webhooks_sent for _ in range(4)]

    assert counts == [3, 3, 2, 0]
    ids = [r.id for r in server.delivered()]
    assert len(ids) == len(set(ids)) == 8  # each event once to each endpoint
    for hook in (first, second):
        mine = [int(i.rsplit("_", 1)[1]) for i in ids if i.startswith(f"msg_{hook.id}_")]
        assert mine == sorted(mine) and len(mine) == 4  # in feed order
    assert all(h.claimed_until is None for h in kit.list_webhooks())


def test_enabling_an_endpoint_that_is_enabled_or_unknown(kit: InviteKit) -> None:
    hook = kit.add_webhook("https://crm.example/hook")
    assert kit.enable_webhook(hook.id) == hook
    with pytest.raises(WebhookNotFound):
        kit.enable_webhook("whk_nope")
    other = make_kit(store=kit.store, business=make_business(id="other"))
    with pytest.raises(WebhookNotFound):
        other.enable_webhook(hook.id)


def test_a_success_resets_the_count_of_failures(
    kit: InviteKit, server: WebhookTestServer, clock: FakeClock
) -> None:
    kit.add_webhook(server.url, secret=SECRET)
    kit.add_customer("ana@example.com", invite=False)
    server.status = 503
    for _ in range(DISABLE_AFTER - 1):
        kit.deliver()
        clock.advance(timedelta(days=1))
    server.status = 200
    kit.deliver()
    kit.add_customer("ben@example.com", invite=False)
    server.status = 503
    kit.deliver()
    (hook,) = kit.list_webhooks()
    assert (hook.failures, hook.enabled) == (1, True)


def test_a_redirect_is_not_followed(kit: InviteKit, server: WebhookTestServer) -> None:
    kit.add_webhook(server.url, secret=SECRET)
    kit.add_customer("ana@example.com", invite=False)
    server.status = 302
    report = kit.deliver()
    (hook,) = kit.list_webhooks()
    assert (report.webhooks_failed, hook.last_error) == (1, "HTTP 302")
    assert len(server.received) == 1  # nothing reached the Location


def test_a_host_name_that_resolves_to_a_private_address_is_refused_at_delivery(
    kit: InviteKit, monkeypatch: pytest.MonkeyPatch
) -> None:
    kit.add_webhook("https://crm.example/hook")
    kit.add_customer("ana@example.com", invite=False)

    def private(host: str, port: Any, *args: Any, **kwargs: Any) -> list[Any]:
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("10.1.2.3", port))]

    monkeypatch.setattr(socket, "getaddrinfo", private)
    report = kit.deliver()
    (hook,) = kit.list_webhooks()
    assert report.webhooks_failed == 1
    assert hook.last_error is not None and "not public" in hook.last_error


def test_a_removed_endpoint_receives_nothing_more(
    kit: InviteKit, server: WebhookTestServer
) -> None:
    hook = kit.add_webhook(server.url, secret=SECRET)
    kit.remove_webhook(hook.id)
    kit.add_customer("ana@example.com", invite=False)
    kit.deliver()
    assert server.received == []


def test_a_business_receives_only_its_own_events(
    kit: InviteKit, server: WebhookTestServer, sender: HTTPWebhookSender
) -> None:
    other = make_kit(store=kit.store, business=make_business(id="studio-2"), webhook_sender=sender)
    kit.add_webhook(server.url, secret=SECRET)
    other.add_customer("zoe@example.com", invite=False)
    ana = kit.add_customer("ana@example.com", invite=False)
    other.deliver()
    kit.deliver()
    assert [r.payload["data"]["customer_id"] for r in server.delivered()] == [ana.id]


def test_the_worker_delivers_every_business_webhooks(
    server: WebhookTestServer, sender: HTTPWebhookSender, clock: FakeClock
) -> None:
    store = MemoryStore()
    kits = [
        make_kit(store=store, clock=clock, business=make_business(id=f"studio-{n}"))
        for n in (1, 2)
    ]
    for n, kit in enumerate(kits):
        kit.add_webhook(server.url, secret=SECRET)
        kit.add_customer(f"c{n}@example.com", invite=False)
    worker = Worker(
        store=store,
        mailer=MemoryMailer(),
        secret_keys=[TEST_SECRET],
        clock=clock,
        webhook_sender=sender,
    )
    report = worker.deliver()
    assert report.webhooks_sent == 2
    assert sorted(r.payload["data"]["business_id"] for r in server.delivered()) == [
        "studio-1",
        "studio-2",
    ]
    assert [r.payload["type"] for r in server.delivered()] == ["customer.added"] * 2
    assert EventKind.ADDED.value == "added"


def test_without_the_extra_the_sender_names_it(monkeypatch: pytest.MonkeyPatch) -> None:
    from invitekit import MissingDependency
    from invitekit.adapters import webhooks

    monkeypatch.setattr(webhooks, "_MISSING", ModuleNotFoundError("no httpx", name="httpx"))
    with pytest.raises(MissingDependency, match=r"pip install invitekit\[webhooks\]"):
        HTTPWebhookSender()


def test_the_test_server_keeps_no_request_its_sender_cut_short(server: WebhookTestServer) -> None:
    """A worker killed mid-POST sends part of a body: that is no delivery, valid or not."""
    host, port = "127.0.0.1", int(server.url.rsplit(":", 1)[1].split("/")[0])
    with socket.create_connection((host, port), timeout=5) as cut:
        cut.sendall(
            b"POST /hook HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            b"Content-Length: 200\r\n\r\n" + b'{"type": "customer.added", "da'
        )
        cut.shutdown(socket.SHUT_WR)
        assert cut.recv(1024) == b""  # closed without an answer
    assert server.received == []
