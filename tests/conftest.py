"""Shared test setup: hypothesis profiles and small helpers used across test modules."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from argon2 import extract_parameters
from hypothesis import HealthCheck, settings

import invitekit.passwords
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
    """invitekit built as a wheel, once per test session, the way a release is built.

    ``python -m build`` as docs/getting-started.md tells, without build
    isolation: the build backend is in the test environment already.
    """
    out = tmp_path_factory.mktemp("wheel")
    root = Path(__file__).resolve().parent.parent
    subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(out)],
        cwd=root,
        check=True,
        capture_output=True,
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


@pytest.fixture
def argon2_work(monkeypatch: pytest.MonkeyPatch) -> list[tuple[int, int, int]]:
    """Every argon2 computation a :class:`PasswordHasher` checks with, as (passes, KiB, lanes).

    Hashing new passwords is not counted: only the work a check does.
    """
    done: list[tuple[int, int, int]] = []
    verify_secret = invitekit.passwords.verify_secret
    hash_secret_raw = invitekit.passwords.hash_secret_raw

    def verify(hash: bytes, secret: bytes, type: object) -> object:
        stored = extract_parameters(hash.decode("ascii"))
        done.append((stored.time_cost, stored.memory_cost, stored.parallelism))
        return verify_secret(hash, secret, type)

    def raw(secret: bytes, salt: bytes, **parameters: object) -> bytes:
        done.append(
            (parameters["time_cost"], parameters["memory_cost"], parameters["parallelism"])
        )
        return hash_secret_raw(secret, salt, **parameters)

    monkeypatch.setattr(invitekit.passwords, "verify_secret", verify)
    monkeypatch.setattr(invitekit.passwords, "hash_secret_raw", raw)
    return done
