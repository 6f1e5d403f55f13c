"""The front desk in a real browser: a QR code on the customer's page, scanned and activated.

The business (in each language) asks for an activation link on the customer's
page; the page shows it as a QR code.  The test reads the code off the
screenshot, as a phone's camera would (zxing-cpp), opens the link in another
browser (the customer's phone, in the customer's language), chooses a
password, and the business's page then shows the customer activated.
"""

from __future__ import annotations

import io
from typing import Any

import pytest
from babel import Locale

from examples.webapp.texts import text
from tests.browser.conftest import SCREENSHOTS, LiveServer
from tests.browser.test_story import STORIES, studio_of
from tests.webapp.support import ADMIN_PASSWORD


def read_qr(png: bytes) -> str:
    """The text of the one QR code in a PNG screenshot."""
    import zxingcpp
    from PIL import Image

    found = zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))
    assert len(found) == 1, f"expected one QR code, found {len(found)}"
    assert found[0].format == zxingcpp.BarcodeFormat.QRCode
    return str(found[0].text)


@pytest.mark.slow
@pytest.mark.parametrize("browser_language", ["en-GB", "es-ES", "fr-FR", "de-AT"])
def test_the_front_desk_shows_a_qr_code_that_activates_the_profile(
    live_server: LiveServer, browser: Any, page: Any, screenshot: Any, browser_language: str
) -> None:
    from playwright.sync_api import expect  # after the browser fixture: it skips or fails

    language = browser_language.split("-")[0]
    email, name, activate_heading, _login = STORIES[language]
    studio = studio_of(live_server)
    kit = studio.kit
    customer = kit.add_customer(email, first_name=name, locale=language)
    url = live_server.url

    def t(key: str, **values: object) -> str:
        return text(Locale.parse(language), key, business=kit.business.name, **values)

    page.goto(f"{url}/admin/")
    page.fill("#password", ADMIN_PASSWORD)
    page.click("main form button[type=submit]")
    page.goto(f"{url}/admin/customers/{customer.id}")
    desk = page.locator("#front-desk")
    expect(desk.locator("h2")).to_have_text(t("b_front_desk"))
    expect(desk.locator("svg")).to_have_count(0)
    desk.locator("button", has_text=t("b_action_front_desk")).click()

    qr = page.locator("#front-desk svg")
    expect(qr).to_be_visible()
    expect(qr.locator("title")).to_have_text(t("b_front_desk_qr", email=email))
    expect(page.locator("#history tr").last).to_contain_text(t("event_activation_link_issued"))
    expect(page.locator("h1 .status")).to_have_text(t("status_added"))
    screenshot("front-desk")
    link = read_qr(qr.screenshot())
    assert link.startswith(f"{url}/activate/")
    expect(page.locator("#front-desk-link")).to_have_text(link)
    assert list(studio.outbox.glob("*.eml")) == []  # nothing was emailed

    # The customer's phone: another browser, in the customer's language.
    phone = browser.new_context(locale=browser_language, viewport={"width": 390, "height": 844})
    try:
        mobile = phone.new_page()
        mobile.goto(link)
        expect(mobile.locator("h1")).to_have_text(activate_heading)
        mobile.fill("#password", "chosen at the front desk")
        mobile.screenshot(path=str(SCREENSHOTS / f"{language}-front-desk-phone.png"))
        mobile.click("main form button[type=submit]")
        expect(mobile.locator(".flash")).to_contain_text(t("activated"))
        # The code works once.
        mobile.goto(link)
        expect(mobile.locator("main")).not_to_contain_text(activate_heading)
    finally:
        phone.close()

    page.goto(f"{url}/admin/customers/{customer.id}")
    expect(page.locator("h1 .status")).to_have_text(t("status_accepted"))
    expect(page.locator("#history tr").last).to_contain_text(t("note_handed_link"))
    expect(page.locator("#front-desk")).to_have_count(0)
    screenshot("front-desk-activated")
