"""``invitekit purge`` and ``invitekit worker --purge-every``, run as processes."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from invitekit import InvalidCredentials
from invitekit.testing import FakeClock
from tests.cli.helpers import Studio, assert_one_error_line


def old_studio(folder: Path) -> Studio:
    """A business whose sign-up and failed login were made long ago."""
    studio = Studio(folder)
    studio.kit.clock = FakeClock(datetime(2020, 1, 6, 9, 0, tzinfo=UTC))
    studio.kit.register("new@example.com", password="a long pass phrase")
    with pytest.raises(InvalidCredentials):
        studio.kit.login("new@example.com", "not the password")
    return studio


def test_purge_removes_what_is_past_its_retention_and_says_what(tmp_path: Path) -> None:
    studio = old_studio(tmp_path)

    first = studio.run("purge")
    second = studio.run("purge", "--keep-events")

    assert first.returncode == 0, first.stderr
    assert first.stdout.startswith("purged: 1 signups, 2 attempts,")
    assert second.stdout.startswith("purged: 0 signups, 0 attempts,")


def test_the_worker_purges_between_batches_when_asked(tmp_path: Path) -> None:
    studio = old_studio(tmp_path)

    result = studio.run("worker", "--once", "--purge-every", "24", "--signups-days", "30")

    assert result.returncode == 0, result.stderr
    assert "purged: 1 signups, 2 attempts," in result.stdout


def test_an_unusable_retention_is_refused_with_one_line(tmp_path: Path) -> None:
    studio = Studio(tmp_path)

    line = assert_one_error_line(studio.run("purge", "--attempts-days", "0.5"), 3)

    assert "at least a day" in line
