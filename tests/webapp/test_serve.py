"""``python3 dev.py serve``: its options, its steps, and that stopping dev.py stops it."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def dev_env(tmp_path: Path) -> dict[str, str]:
    """dev.py running on this test's virtual environment, never creating one."""
    venv = Path(sys.prefix)
    if not (venv / ".invitekit-stamp").exists():
        pytest.skip("needs the virtual environment made by python3 dev.py env")
    return {**os.environ, "INVITEKIT_VENV": str(venv), "INVITEKIT_WEBAPP_DATA": str(tmp_path)}


@pytest.fixture
def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


def _answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


def _wait_until(condition: Callable[[], bool], seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False


def test_serve_listens_on_the_port_given_prints_the_steps_and_dies_with_dev_py(
    dev_env: dict[str, str], free_port: int
) -> None:
    with subprocess.Popen(
        [sys.executable, str(ROOT / "dev.py"), "serve", "--port", str(free_port)],
        env=dev_env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    ) as server:
        try:
            assert _wait_until(lambda: _answers(free_port), 60), "the server never answered"
            server.send_signal(signal.SIGTERM)
            printed, _ = server.communicate(timeout=15)
            assert _wait_until(lambda: not _answers(free_port), 10), "the port is still taken"
        finally:
            if server.poll() is None:
                server.kill()
    assert f"http://127.0.0.1:{free_port}/admin/" in printed
    assert 'Invite: choose "Group: Tennis"' in printed
    assert "activation link" in printed


def test_a_port_in_use_is_named_with_the_option_to_choose_another(
    dev_env: dict[str, str], free_port: int
) -> None:
    with socket.create_server(("127.0.0.1", free_port)):
        done = subprocess.run(
            [sys.executable, str(ROOT / "dev.py"), "serve", "--port", str(free_port)],
            env=dev_env,
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert done.returncode == 1
    assert f"Port {free_port} is in use" in done.stderr
    assert f"--port {free_port + 1}" in done.stderr
