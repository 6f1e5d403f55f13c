"""Every ```python block in README.md and docs/*.md runs, each as a reader would copy it.

The rule for the samples in the docs:

* A block runs **alone**, in a fresh namespace, in an empty scratch folder: it
  imports and builds what it uses, so that copying it into a file works.
* The one exception is visible to the reader: a block whose first line is
  ``# (continues the example above)`` runs after the blocks above it, back to
  the last block without that line, in their namespace.  Tutorials that build
  one example step by step use it; reference samples do not.
* A block whose first line names a file (``# conftest.py``,
  ``# test_something.py``) is a file of a pytest project.  Each test file runs
  in its own project, with the ``conftest.py`` blocks shown *above* it on the
  page (never one further down), and must pass.
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
CONTINUES = "# (continues the example above)"
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
    monkeypatch.setitem(os.environ, "INVITEKIT_DOCS_TEST", "1")
    namespace: dict[str, object] = {}
    conftests: list[str] = []
    for number, block in enumerate(python_blocks(page), start=1):
        first = block.splitlines()[0]
        where = f"{page.relative_to(ROOT)} (block {number})"
        scratch = tmp_path / f"block{number}"
        if FILE_MARKER.fullmatch(first):
            if first == "# conftest.py":
                conftests.append(block)
            else:
                scratch.mkdir()
                _run_test_file(scratch, first[2:].strip(), block, conftests)
            continue
        if first != CONTINUES:
            namespace = {"__name__": f"docs_{page.stem}_{number}"}
            scratch.mkdir()
            monkeypatch.chdir(scratch)
        elif not namespace:
            pytest.fail(f"{where} continues an example, but no block runs above it")
        exec(compile(block, where, "exec"), namespace)  # noqa: S102 - the docs are ours


def _run_test_file(project: Path, name: str, text: str, conftests: list[str]) -> None:
    if conftests:
        (project / "conftest.py").write_text("\n\n".join(conftests), encoding="utf-8")
    (project / name).write_text(text, encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", name],
        cwd=project,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert " passed" in result.stdout
