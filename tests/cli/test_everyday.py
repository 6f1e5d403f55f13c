"""The everyday commands (customers, plan, invite, send-test, status), run as processes."""

from __future__ import annotations

import os
import pty
import subprocess
from pathlib import Path

import pytest

from invitekit import OutboxState
from tests.cli.helpers import COMMAND, Studio, assert_one_error_line, environment, invitekit

CSV = (
    "email,first_name,groups\n"
    "ana@example.com,Ana,Monday\n"
    "not an address,Bob,\n"
    "eva@example.com,Eva,Monday\n"
    "ana@example.com,,\n"
)


@pytest.fixture
def studio(tmp_path: Path) -> Studio:
    return Studio(tmp_path)


@pytest.fixture
def customers_csv(tmp_path: Path) -> Path:
    path = tmp_path / "customers.csv"
    path.write_text(CSV, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    "args",
    [
        ["customers"],
        ["customers", "import"],
        ["customers", "list"],
        ["plan"],
        ["invite"],
        ["send-test"],
        ["status"],
        ["worker"],
        ["deliver"],
    ],
    ids=" ".join,
)
def test_every_command_has_help(studio: Studio, args: list[str]) -> None:
    result = studio.run(*args, "--help")

    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("usage: invitekit")


def test_import_prints_each_refused_line_and_adds_the_rest(
    studio: Studio, customers_csv: Path
) -> None:
    result = studio.run("customers", "import", str(customers_csv), "--group", "Spring")

    assert result.returncode == 1
    assert result.stdout.splitlines() == [
        "line 3: 'not an address' contains a space",
        "line 5: ana@example.com repeats line 2",
        "added 2 customers, 0 already customers, 2 lines refused",
    ]
    assert result.stderr == ""  # no progress line when stderr is not a terminal
    spring = studio.kit.list_customers(group="Spring")
    assert [c.email for c in spring] == ["ana@example.com", "eva@example.com"]


def test_import_twice_adds_nobody_the_second_time_and_can_invite(
    studio: Studio, tmp_path: Path
) -> None:
    path = tmp_path / "good.csv"
    path.write_text("email\nana@example.com\neva@example.com\n", encoding="utf-8")

    first = studio.run("customers", "import", str(path), "--invite")
    second = studio.run("customers", "import", str(path))

    assert first.returncode == second.returncode == 0
    assert first.stdout.splitlines()[-1] == (
        "added 2 customers, 0 already customers, 0 lines refused, 2 invitations queued"
    )
    assert (
        second.stdout.splitlines()[-1] == "added 0 customers, 2 already customers, 0 lines refused"
    )


def test_import_of_a_missing_file_is_a_usage_error(studio: Studio, tmp_path: Path) -> None:
    result = studio.run("customers", "import", str(tmp_path / "none.csv"))

    assert result.returncode == 2
    assert "none.csv" in result.stderr


def test_list_filters_by_status_and_group(studio: Studio, customers_csv: Path) -> None:
    studio.run("customers", "import", str(customers_csv))
    studio.kit.add_customer("zoe@example.com", first_name="Zoe", last_name="Ray")
    studio.kit.invite(studio.kit.find_customer("eva@example.com").id)  # type: ignore[union-attr]

    everyone = studio.run("customers", "list")
    added = studio.run("customers", "list", "--status", "added")
    monday = studio.run("customers", "list", "--group", "Monday")

    assert everyone.stdout.splitlines() == [
        "ana@example.com\tadded\tAna",
        "eva@example.com\tadded\tEva",
        "zoe@example.com\tadded\tZoe Ray",
    ]
    assert added.returncode == 0
    assert [line.split("\t")[0] for line in monday.stdout.splitlines()] == [
        "ana@example.com",
        "eva@example.com",
    ]


def test_an_unknown_group_is_one_error_line(studio: Studio) -> None:
    line = assert_one_error_line(studio.run("customers", "list", "--group", "Nope"), 1)

    assert "Nope" in line


def test_plan_lists_recipients_and_the_skipped_grouped_by_reason(studio: Studio) -> None:
    studio.queue(2)
    studio.kit.add_customer("new@example.com")

    result = studio.run("plan", "--all")

    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "all customers: 1 to invite, 2 skipped",
        "to invite:",
        "  new@example.com",
        "skipped, already has an invitation waiting to be sent: 2",
        "  customer0@example.com",
        "  customer1@example.com",
    ]
    assert len(studio.kit.outbox_messages(state=OutboxState.PENDING)) == 2


def test_plan_needs_exactly_one_audience(studio: Studio) -> None:
    assert studio.run("plan").returncode == 2
    assert studio.run("plan", "--all", "--group", "Monday").returncode == 2


def test_invite_without_a_terminal_or_yes_refuses_and_queues_nothing(studio: Studio) -> None:
    studio.kit.add_customer("ana@example.com")

    result = studio.run("invite", "--status", "added")

    line = assert_one_error_line(result, 1)
    assert "--yes" in line
    assert studio.kit.outbox_messages() == []


def test_invite_with_yes_queues_for_the_audience(studio: Studio) -> None:
    studio.kit.create_group("Monday")
    ana = studio.kit.add_customer("ana@example.com", groups=["Monday"])
    studio.kit.add_customer("eva@example.com")

    result = studio.run("invite", "--group", "Monday", "--yes")

    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "group 'Monday': 1 to invite, 0 skipped",
        "queued 1 invitations",
    ]
    assert [m.customer_id for m in studio.kit.outbox_messages()] == [ana.id]


def _on_a_terminal(studio: Studio, *args: str, answer: bytes) -> tuple[int, str]:
    """Run with a pseudo-terminal as stdin and stderr; the exit status and all it wrote."""
    leader, follower = pty.openpty()
    process = subprocess.Popen(
        [*COMMAND, *args],
        stdin=follower,
        stdout=subprocess.PIPE,
        stderr=follower,
        env=environment(**studio.env),
    )
    os.close(follower)
    os.write(leader, answer)
    out, _ = process.communicate(timeout=60)
    screen = b""
    try:
        while chunk := os.read(leader, 4096):
            screen += chunk
    except OSError:  # the terminal is closed once the process is gone
        pass
    os.close(leader)
    return process.returncode, out.decode() + screen.decode()


@pytest.mark.parametrize(("answer", "code", "queued"), [(b"y\n", 0, 2), (b"\n", 1, 0)])
def test_invite_on_a_terminal_asks_first(
    studio: Studio, answer: bytes, code: int, queued: int
) -> None:
    studio.kit.add_customer("ana@example.com")
    studio.kit.add_customer("eva@example.com")

    returncode, screen = _on_a_terminal(studio, "invite", "--all", answer=answer)

    assert returncode == code, screen
    assert "Queue 2 invitations? [y/N]" in screen
    if queued:
        assert "queueing [" in screen  # the progress bar, on the terminal
    assert len(studio.kit.outbox_messages()) == queued


def test_send_test_sends_at_once_in_the_language_asked(studio: Studio) -> None:
    result = studio.run("send-test", "owner@studio.example", "--locale", "es")

    assert result.returncode == 0, result.stderr
    (sent,) = studio.sent()
    assert "owner@studio.example" in sent.read_text(encoding="utf-8")
    assert studio.kit.outbox_messages() == []


def test_status_counts_customers_and_outbox_states(studio: Studio) -> None:
    studio.queue(2)
    studio.kit.add_customer("new@example.com")
    studio.run("worker", "--once", "--batch", "1")
    studio.kit.invite(studio.kit.find_customer("new@example.com").id)  # type: ignore[union-attr]

    result = studio.run("status")

    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "business studio-1 (Studio One)",
        "customers:",
        "  added      1",
        "  invited    2",
        "  accepted   0",
        "outbox:",
        "  pending    1",
        "  sent       2",
        "  failed     0",
        "  cancelled  0",
        "  paused     0",
    ]


def test_a_business_that_is_not_stored_is_a_configuration_error(studio: Studio) -> None:
    result = invitekit("status", **{**studio.env, "INVITEKIT_BUSINESS": "nope"})

    assert "'nope'" in assert_one_error_line(result, 3)


def test_without_a_business_it_says_how_to_name_one(studio: Studio) -> None:
    env = {k: v for k, v in studio.env.items() if k != "INVITEKIT_BUSINESS"}
    result = invitekit("status", **env)

    line = assert_one_error_line(result, 3)
    assert "--business" in line
    assert "INVITEKIT_BUSINESS" in line


def test_the_business_flag_may_stand_before_the_command(studio: Studio) -> None:
    env = {k: v for k, v in studio.env.items() if k != "INVITEKIT_BUSINESS"}

    before = invitekit("--business", "studio-1", "status", **env)
    after = invitekit("status", "--business", "studio-1", **env)

    assert before.returncode == after.returncode == 0, before.stderr
    assert before.stdout == after.stdout
