"""Fixtures for the example web application's tests (Flask's test client, a fake clock)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from examples.webapp.app import Studio
from invitekit.testing import FakeClock
from tests.webapp.support import ADMIN_PASSWORD, csrf_token, make_app

BASE = "http://studio.test"


@pytest.fixture
def clock() -> FakeClock:
    """Monday 2026-01-05 09:00 UTC, until a test moves it."""
    return FakeClock()


@pytest.fixture
def app(tmp_path: Path, clock: FakeClock) -> Flask:
    """The example app, its data in a temporary folder."""
    return make_app(tmp_path, base_url=BASE, clock=clock)


@pytest.fixture
def studio(app: Flask) -> Iterator[Studio]:
    """The app's kit and tables, used inside an application context."""
    with app.app_context():
        yield app.extensions["studio"]


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """A browser without cookies yet."""
    return app.test_client()


@pytest.fixture
def admin(client: FlaskClient) -> FlaskClient:
    """A browser logged in to the business pages."""
    token = csrf_token(client.get("/admin/login").text)
    response = client.post("/admin/login", data={"password": ADMIN_PASSWORD, "csrf_token": token})
    assert response.status_code == 303
    return client
