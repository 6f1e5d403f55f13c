"""Take the screenshots of docs/images/ from the browser story (tests/browser).

    python docs/scripts/screenshots.py

Runs ``tests/browser/test_story.py`` (Debian's Chromium through Playwright; see
tests/browser/conftest.py) with its screenshots in a temporary folder, then copies
the ones the docs show: the English activation page and portal, and the invite
dialog, which the story takes in Spanish.  Look at the pictures before committing
them: they are what a reader of docs/webapp.md sees.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
IMAGES = ROOT / "docs" / "images"

#: docs/images/<name> <- the story's screenshot <language>-<page>.png
CHOSEN = {
    "activation.png": "en-activation.png",
    "portal.png": "en-portal.png",
    "invite-dialog.png": "es-invite-dialog.png",
}


def main() -> int:
    with tempfile.TemporaryDirectory() as folder:
        environment = {**os.environ, "INVITEKIT_SCREENSHOTS": folder}
        story = [sys.executable, "-m", "pytest", "-q", "tests/browser/test_story.py"]
        # A fixed command line: sys.executable and a path of this repository.
        if subprocess.run(story, cwd=ROOT, env=environment, check=False).returncode:  # noqa: S603
            print("the browser story failed: docs/images left as they were", file=sys.stderr)
            return 1
        for name, taken in CHOSEN.items():
            shutil.copyfile(Path(folder) / taken, IMAGES / name)
            print(f"docs/images/{name} <- {taken}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
