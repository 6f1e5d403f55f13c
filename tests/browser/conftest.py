"""Playwright driving Debian's Chromium against the example app served from a thread.

Without Chromium (or Playwright) the browser tests skip with the reason; with
``INVITEKIT_REQUIRE_SERVICES=1`` (set by ``.ci/run`` on CI) they fail instead.
Install the browser with ``apt-get install chromium``.
"""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import attrs
import pytest

CHROMIUM = os.environ.get("INVITEKIT_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = Path(
    os.environ.get("INVITEKIT_SCREENSHOTS", Path(__file__).resolve().parent / "screenshots")
)


def _unavailable(reason: str) -> None:
    if os.environ.get("INVITEKIT_REQUIRE_SERVICES") == "1":
        pytest.fail(f"{reason}; INVITEKIT_REQUIRE_SERVICES=1 forbids skipping", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """A headless Chromium, shared by the browser tests of one session."""
    try:
        from playwright.sync_api import Error, sync_playwright
    except ImportError:
        _unavailable("Playwright is not installed (the 'browser' dependency group)")
    if not (Path(CHROMIUM).exists() or shutil.which(CHROMIUM)):
        _unavailable(f"Chromium is not installed at {CHROMIUM} (apt-get install chromium)")
    with sync_playwright() as playwright:
        try:
            chromium = playwright.chromium.launch(
                executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
            )
        except Error as err:
            _unavailable(f"Chromium at {CHROMIUM} cannot start: {err}")
        yield chromium
        chromium.close()


@attrs.frozen(kw_only=True)
class LiveServer:
    """The example app served over HTTP on a free loopback port."""

    url: str
    app: Any
    data_dir: Path


@pytest.fixture
def app_settings() -> dict[str, Any]:
    """Settings the example app is built with on top of the test ones (a test overrides it)."""
    return {}


@pytest.fixture
def live_server(tmp_path: Path, app_settings: dict[str, Any]) -> Iterator[LiveServer]:
    """The example app (system clock, data in a temporary folder) in a background thread."""
    from werkzeug.serving import make_server

    from tests.webapp.support import make_app

    holder: dict[str, Any] = {}

    def dispatch(environ: Any, start_response: Any) -> Any:
        return holder["app"](environ, start_response)

    # Bind first (port 0: any free port), then build the app with the real address
    # in its links.
    server = make_server("127.0.0.1", 0, dispatch, threaded=True)
    url = f"http://127.0.0.1:{server.server_port}"
    holder["app"] = make_app(tmp_path, base_url=url, **app_settings)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield LiveServer(url=url, app=holder["app"], data_dir=tmp_path)
    finally:
        server.shutdown()
        thread.join(timeout=10)


@pytest.fixture
def browser_language() -> str:
    """The language the browser asks for (a test parametrizes it to change it)."""
    return "en-GB"


@pytest.fixture
def page(browser: Any, browser_language: str) -> Iterator[Any]:
    """A fresh browser tab (own cookies) that speaks ``browser_language``."""
    context = browser.new_context(locale=browser_language, viewport={"width": 1100, "height": 900})
    context.set_default_timeout(10_000)
    tab = context.new_page()
    yield tab
    context.close()


@pytest.fixture
def screenshot(page: Any, browser_language: str) -> Any:
    """Save the current page as ``<language>-<name>.png`` in the screenshots folder."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    language = browser_language.split("-")[0]

    def take(name: str) -> Path:
        path = SCREENSHOTS / f"{language}-{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take
