"""The built wheel installs into a fresh virtual environment, where the demo runs.

Until invitekit is on PyPI, a new user installs it from a clone or from a wheel
built with ``python -m build`` (docs/getting-started.md); this is that path.
The wheel's dependencies come from this machine's package index, as a user's
would (pip's cache is reused).
"""

from __future__ import annotations

import os
import subprocess
import venv
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BIN = "Scripts" if os.name == "nt" else "bin"


def _console_scripts(wheel: Path) -> set[str]:
    with zipfile.ZipFile(wheel) as archive:
        names = [n for n in archive.namelist() if n.endswith(".dist-info/entry_points.txt")]
        text = archive.read(names[0]).decode() if names else ""
    section, scripts = "", set()
    for line in text.splitlines():
        if line.startswith("["):
            section = line.strip("[] ")
        elif section == "console_scripts" and "=" in line:
            scripts.add(line.split("=")[0].strip())
    return scripts


@pytest.mark.slow
def test_the_wheel_installs_in_a_fresh_venv_and_runs_the_demo(
    built_wheel: Path, tmp_path: Path
) -> None:
    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=True).create(env_dir)
    python = env_dir / BIN / "python"
    # Nothing of this checkout may leak in: only the installed wheel is importable.
    clean = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    subprocess.run(
        [str(python), "-m", "pip", "install", "--quiet", f"{built_wheel}[sql]"],
        check=True,
        env=clean,
        capture_output=True,
    )
    where = subprocess.run(
        [str(python), "-c", "import invitekit; print(invitekit.__file__)"],
        check=True,
        env=clean,
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert Path(where.stdout.strip()).is_relative_to(env_dir)

    demo = subprocess.run(
        [str(python), str(ROOT / "examples" / "demo.py"), str(tmp_path / "demo")],
        env=clean,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert demo.returncode == 0, demo.stdout + demo.stderr
    assert "is now accepted" in demo.stdout
    assert list((tmp_path / "demo" / "outbox").glob("*.eml"))

    if "invitekit" in _console_scripts(built_wheel):  # the command line, once it ships
        command = env_dir / BIN / "invitekit"
        shown = subprocess.run(
            [str(command), "--help"], env=clean, capture_output=True, text=True, check=False
        )
        assert shown.returncode == 0, shown.stdout + shown.stderr
