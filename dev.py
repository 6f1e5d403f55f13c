#!/usr/bin/env python3
"""Developer entry point that needs nothing but Python 3.11+.

    python3 dev.py demo      run the demo (SQLite store, emails written as .eml files)
    python3 dev.py serve     start the example web app on http://127.0.0.1:5000/
                             (--port N, --host H; stopping dev.py stops it)
    python3 dev.py test      run the whole test suite
    python3 dev.py check     lint, format check and strict type check
    python3 dev.py docs      build the documentation (strict: any warning fails)
    python3 dev.py env       only create or refresh the virtual environment

The first run creates ``.venv`` next to this file and installs invitekit in
editable mode with its development dependency groups; later runs reuse it until
``pyproject.toml`` changes.  Extra arguments after ``test`` go to pytest.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = Path(os.environ.get("INVITEKIT_VENV", ROOT / ".venv"))
STAMP = VENV / ".invitekit-stamp"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PYTHON = BIN / ("python.exe" if os.name == "nt" else "python")


def _wanted_stamp() -> str:
    digest = hashlib.sha256()
    digest.update((ROOT / "pyproject.toml").read_bytes())
    digest.update(sys.version.encode())
    return digest.hexdigest()


def ensure_env() -> None:
    """Create the virtual environment, or refresh it when pyproject.toml changed."""
    if sys.version_info < (3, 11):
        sys.exit(f"invitekit needs Python 3.11 or newer, this is {sys.version.split()[0]}")
    stamp = _wanted_stamp()
    if STAMP.exists() and STAMP.read_text() == stamp and PYTHON.exists():
        return
    if not PYTHON.exists():
        print(f"Creating a virtual environment in {VENV} ...", flush=True)
        venv.EnvBuilder(with_pip=True, clear=True).create(VENV)
    pip = [str(PYTHON), "-m", "pip", "--disable-pip-version-check", "--quiet"]
    print("Installing invitekit and its development tools (first run only) ...", flush=True)
    subprocess.run([*pip, "install", "--upgrade", "pip>=25.1"], check=True)
    subprocess.run(
        [*pip, "install", "-e", f"{ROOT}[sql,postgresql,mysql]", "--group", "dev"],
        check=True,
        cwd=ROOT,
    )
    STAMP.write_text(stamp)


def run(*args: str) -> int:
    return subprocess.run([str(PYTHON), *args], cwd=ROOT).returncode


def serve(args: list[str]) -> int:
    """Run the example web app in this process's place, so stopping dev.py stops it."""
    argv = [str(PYTHON), "-m", "examples.webapp", *args]
    if os.name == "posix":
        # No child to outlive dev.py: the server takes over this process (its
        # signals, Ctrl+C and SIGTERM alike).
        os.chdir(ROOT)
        sys.stdout.flush()
        os.execv(PYTHON, argv)  # noqa: S606 (our venv's python, our arguments)
    server = subprocess.Popen(argv, cwd=ROOT)
    try:
        return server.wait()
    finally:
        if server.poll() is None:
            server.terminate()


def main(argv: list[str]) -> int:
    command, rest = (argv[0], argv[1:]) if argv else ("help", [])
    if command in {"help", "-h", "--help"}:
        print(__doc__)
        return 0
    ensure_env()
    if command == "env":
        return 0
    if command == "demo":
        return run(str(ROOT / "examples" / "demo.py"), *rest)
    if command == "serve":
        return serve(rest)
    if command == "test":
        return run("-m", "pytest", *rest)
    if command == "docs":
        os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")
        return run("-m", "mkdocs", "build", "--strict", "--site-dir", str(ROOT / "site"), *rest)
    if command == "check":
        failures = 0
        failures += run("-m", "ruff", "check", ".") != 0
        failures += run("-m", "ruff", "format", "--check", ".") != 0
        failures += run("-m", "mypy", "--strict") != 0
        return 1 if failures else 0
    print(f"unknown command {command!r}\n{__doc__}", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
