"""``invitekit worker`` and ``invitekit deliver --once``, run as processes against SQLite."""

from __future__ import annotations

import base64
import signal
import subprocess
from pathlib import Path

import pytest

from invitekit import OutboxState
from invitekit.testing import WebhookTestServer
from tests.cli.helpers import COMMAND, Studio, assert_one_error_line, environment, invitekit


@pytest.fixture
def studio(tmp_path: Path) -> Studio:
    return Studio(tmp_path)


@pytest.mark.parametrize("command", [["worker", "--once"], ["deliver", "--once"], ["deliver"]])
def test_once_delivers_everything_due_in_batches_then_exits(
    studio: Studio, command: list[str]
) -> None:
    studio.queue(5)

    result = studio.run(*command, "--batch", "2")

    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "batch 1: 2 sent, 0 retrying, 0 failed, 0 cancelled, 0 held back",
        "batch 2: 2 sent, 0 retrying, 0 failed, 0 cancelled, 0 held back",
        "batch 3: 1 sent, 0 retrying, 0 failed, 0 cancelled, 0 held back",
        "done: 3 batches, 5 sent, 0 retrying, 0 failed, 0 cancelled, 0 held back",
    ]
    assert len(studio.sent()) == 5
    assert "Studio One" in studio.sent()[0].read_text(encoding="utf-8")
    assert studio.kit.outbox_messages(state=OutboxState.PENDING) == []


def test_once_with_nothing_due_prints_only_the_summary(studio: Studio) -> None:
    result = studio.run("worker", "--once")

    assert (result.returncode, result.stdout) == (
        0,
        "done: 0 batches, 0 sent, 0 retrying, 0 failed, 0 cancelled, 0 held back\n",
    )


@pytest.mark.parametrize(("sig", "code"), [(signal.SIGTERM, 0), (signal.SIGINT, 130)])
def test_a_signal_stops_the_loop_after_the_batch_in_hand(
    studio: Studio, sig: signal.Signals, code: int
) -> None:
    studio.queue(40)
    process = subprocess.Popen(
        [*COMMAND, "worker", "--batch", "1", "--interval", "30"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=environment(**studio.env),
    )
    assert process.stdout is not None
    first = process.stdout.readline()  # the worker is delivering
    process.send_signal(sig)
    rest, errors = process.communicate(timeout=60)

    assert first.startswith("batch 1: 1 sent"), errors
    assert process.returncode == code, errors
    assert "Traceback" not in errors
    summary = rest.splitlines()[-1]
    assert summary.startswith(f"stopped ({sig.name}): ")
    sent = len(studio.sent())
    assert f" {sent} sent," in summary
    messages = studio.kit.outbox_messages()
    assert all(message.claimed_until is None for message in messages)
    assert sum(message.state is OutboxState.SENT for message in messages) == sent


def test_a_signal_ends_the_idle_wait_at_once(studio: Studio) -> None:
    studio.queue(1)
    process = subprocess.Popen(
        [*COMMAND, "worker", "--interval", "600"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=environment(**studio.env),
    )
    assert process.stdout is not None
    process.stdout.readline()  # delivered the one message; now waiting 600 seconds
    process.terminate()
    rest, _ = process.communicate(timeout=10)

    assert process.returncode == 0
    assert (
        rest
        == "stopped (SIGTERM): 1 batches, 1 sent, 0 retrying, 0 failed, 0 cancelled, 0 held back\n"
    )


def test_the_worker_needs_the_keys(studio: Studio) -> None:
    env = {k: v for k, v in studio.env.items() if k != "INVITEKIT_SECRET_KEYS"}
    result = invitekit("worker", "--once", **env)

    assert "INVITEKIT_SECRET_KEYS" in assert_one_error_line(result, 3)


@pytest.mark.parametrize("bad", ["0", "-1", "two"])
def test_batch_must_be_a_positive_number(studio: Studio, bad: str) -> None:
    result = studio.run("worker", "--once", "--batch", bad)

    assert result.returncode == 2


def test_a_database_without_tables_ends_the_worker_with_status_5(tmp_path: Path) -> None:
    studio = Studio(tmp_path)
    env = {**studio.env, "INVITEKIT_DATABASE_URL": f"sqlite:///{tmp_path}/empty.db"}

    result = invitekit("worker", "--once", **env)

    assert "invitekit db upgrade" in assert_one_error_line(result, 5)
    assert result.stdout.startswith("stopped by an error: 0 batches")


HOOK_SECRET = "whsec_" + base64.b64encode(b"w" * 32).decode()


def test_the_webhooks_a_worker_delivers_are_counted(studio: Studio) -> None:
    with WebhookTestServer(HOOK_SECRET) as server:
        studio.kit.add_webhook(server.url, secret=HOOK_SECRET)
        studio.queue(2)  # 2 added, 2 queued; delivering adds 2 delivered

        result = studio.run("worker", "--once", "--batch", "5")

        assert result.returncode == 0, result.stderr
        # --batch caps the POSTs of a batch too: the sixth goes in the next one.
        assert result.stdout.splitlines() == [
            "batch 1: 2 sent, 0 retrying, 0 failed, 0 cancelled, 0 held back"
            "; webhooks: 5 sent, 0 failed",
            "batch 2: 0 sent, 0 retrying, 0 failed, 0 cancelled, 0 held back"
            "; webhooks: 1 sent, 0 failed",
            "done: 2 batches, 2 sent, 0 retrying, 0 failed, 0 cancelled, 0 held back"
            "; webhooks: 6 sent, 0 failed",
        ]
        assert len(server.delivered()) == 6 and all(r.valid for r in server.delivered())


def test_a_worker_without_the_webhooks_extra_says_what_it_does_not_deliver(
    studio: Studio, tmp_path: Path
) -> None:
    studio.kit.add_webhook("https://crm.example/hook")
    blocked = tmp_path / "without-webhooks"
    (blocked / "standardwebhooks").mkdir(parents=True)
    (blocked / "standardwebhooks" / "__init__.py").write_text(  # as if it were not installed
        "raise ModuleNotFoundError('no standardwebhooks', name='standardwebhooks')\n"
    )

    result = invitekit("worker", "--once", PYTHONPATH=str(blocked), **studio.env)

    assert result.returncode == 0, result.stderr
    assert result.stderr == (
        "webhooks: not delivered by this worker (1 enabled endpoints): "
        "pip install 'invitekit[webhooks]'\n"
    )
    assert result.stdout.startswith("done: 0 batches")
