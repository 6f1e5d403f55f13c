"""Every ```python block in README.md and docs/*.md runs.

Blocks run in order, one namespace per page.  A block whose first line is a
comment naming a file (``# conftest.py``, ``# test_something.py``) is written
into a scratch pytest project instead, and that project must pass.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FILE_MARKER = re.compile(r"# (conftest|test_\w+)\.py")
BLOCK = re.compile(r"^```python\n(.*?)^```", re.MULTILINE | re.DOTALL)


def python_blocks(page: Path) -> list[str]:
    return BLOCK.findall(page.read_text(encoding="utf-8"))


PAGES = [
    page
    for page in sorted([ROOT / "README.md", *(ROOT / "docs").rglob("*.md")])
    if python_blocks(page)
]


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(ROOT)))
def test_code_blocks_run(page: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocks = python_blocks(page)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setitem(os.environ, "INVITEKIT_DOCS_TEST", "1")
    namespace: dict[str, object] = {"__name__": f"docs_{page.stem}"}
    files: dict[str, str] = {}
    for number, block in enumerate(blocks, start=1):
        first = block.splitlines()[0]
        if FILE_MARKER.fullmatch(first):
            files[first[2:].strip()] = block
            continue
        code = compile(block, f"{page.relative_to(ROOT)} (block {number})", "exec")
        exec(code, namespace)  # noqa: S102 - the docs are ours; running them is the point
    if files:
        for name, text in files.items():
            (tmp_path / name).write_text(text, encoding="utf-8")
        result = subprocess.run(
            [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *files],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            check=False,
        )
        assert result.returncode == 0, result.stdout + result.stderr
        assert " passed" in result.stdout
