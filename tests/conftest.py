"""Shared test setup: hypothesis profiles and small helpers used across test modules."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

from invitekit.adapters.memory import MemoryMailer
from invitekit.model import Customer
from invitekit.service import InviteKit

from .helpers import accepted_customer

pytest_plugins = ["pytester"]

settings.register_profile(
    "default", deadline=None, suppress_health_check=[HealthCheck.too_slow], print_blob=True
)
settings.register_profile("ci", parent=settings.get_profile("default"), derandomize=False)
settings.register_profile("long", parent=settings.get_profile("default"), max_examples=2000)
settings.load_profile(os.environ.get("INVITEKIT_HYPOTHESIS_PROFILE", "default"))


@pytest.fixture(scope="session")
def built_wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """invitekit built as a wheel, once per test session, the way a release is built."""
    out = tmp_path_factory.mktemp("wheel")
    root = Path(__file__).resolve().parent.parent
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--quiet",
            "--no-deps",
            "--no-build-isolation",
            "--wheel-dir",
            str(out),
            str(root),
        ],
        check=True,
    )
    (wheel,) = out.glob("invitekit-*.whl")
    return wheel


@pytest.fixture
def ana(invitekit_kit: InviteKit, invitekit_mailer: MemoryMailer) -> Customer:
    """Ana, an Accepted customer whose password is :data:`PASSWORD`."""
    return accepted_customer(invitekit_kit, invitekit_mailer, first_name="Ana")


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--long",
        action="store_true",
        default=False,
        help="run the reliability campaign at its long size (see docs/reliability.md)",
    )
