"""``python -m examples.webapp``: the demo app with the demo customers and kept secrets."""

from __future__ import annotations

from pathlib import Path

import pytest

from examples.webapp.__main__ import demo_app
from examples.webapp.app import Studio


def test_the_demo_imports_the_demo_customers_and_serves_plain_http(tmp_path: Path) -> None:
    app = demo_app(5000, tmp_path, "demo-admin")
    studio: Studio = app.extensions["studio"]
    emails = {c.email for c in studio.kit.list_customers()}
    assert "sam.taylor@example.com" in emails
    assert len(emails) == 6  # examples/customers.csv: one duplicate and one broken row
    assert app.config["SESSION_COOKIE_SECURE"] is False
    assert studio.kit.business.activation_url == "http://127.0.0.1:5000/activate/{token}"


def test_the_demo_keeps_its_secret_keys_across_restarts(tmp_path: Path) -> None:
    first = demo_app(5000, tmp_path, "demo-admin")
    second = demo_app(5000, tmp_path, "demo-admin")
    assert first.config["SECRET_KEY"] == second.config["SECRET_KEY"]
    assert len(first.config["SECRET_KEY"]) >= 32
    assert (tmp_path / "flask-secret").stat().st_mode & 0o077 == 0


def test_a_restarted_demo_keeps_its_customers_in_sqlite(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    first = demo_app(5000, tmp_path, "demo-admin")
    studio: Studio = first.extensions["studio"]
    studio.kit.add_customer("new@example.com")
    capsys.readouterr()
    second = demo_app(5000, tmp_path, "demo-admin")
    again: Studio = second.extensions["studio"]
    assert again.kit.find_customer("new@example.com") is not None
    assert "Imported" not in capsys.readouterr().out
    assert (tmp_path / "invitekit.db").exists()
