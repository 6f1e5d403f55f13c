"""A new contributor learns from the README and from a skip how to run the server tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from .stores import EXAMPLE_URLS, URL_VARIABLES, server_url

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("kind", sorted(URL_VARIABLES))
def test_the_readme_names_each_variable_with_an_example_url(kind: str) -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert f"{URL_VARIABLES[kind]}={EXAMPLE_URLS[kind]}" in readme


@pytest.mark.parametrize("kind", sorted(URL_VARIABLES))
def test_the_skip_reason_shows_the_url_format(kind: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(URL_VARIABLES[kind], raising=False)
    monkeypatch.delenv("INVITEKIT_REQUIRE_SERVICES", raising=False)
    with pytest.raises(pytest.skip.Exception) as skipped:
        server_url(kind)
    assert f"{URL_VARIABLES[kind]}={EXAMPLE_URLS[kind]}" in str(skipped.value)
