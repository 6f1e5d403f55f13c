"""docs/emails-rendered.md shows exactly what the code sends."""

from __future__ import annotations

import importlib.util
from pathlib import Path

SCRIPT = Path(__file__).resolve().parent.parent / "docs" / "scripts" / "render_emails.py"


def test_the_rendered_emails_page_is_up_to_date() -> None:
    spec = importlib.util.spec_from_file_location("render_emails", SCRIPT)
    assert spec is not None
    assert spec.loader is not None
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    committed = script.PAGE.read_text(encoding="utf-8")
    assert committed == script.render(), (
        "docs/emails-rendered.md is out of date: run python docs/scripts/render_emails.py"
    )
