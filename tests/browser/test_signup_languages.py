"""A sign-up from an English page with the address of a German-speaking customer, in a browser.

What each step is written in (docs/webapp.md says the same):

* the sign-up page and its answer: the page's language, English here;
* the confirmation email: the customer's own language (``de_AT``), as every
  email to a known customer is; the page's language only for a customer
  without one;
* from the emailed link on (the confirmation page, then the portal): the
  customer's language again, German, like the email the link came from and
  like the activation and reset pages, so nothing switches back and forth;
* the first name typed at sign-up fills the profile's empty one once the
  address is confirmed (the portal says "Hallo Lena"); the email, sent before
  that proof, greets without a name rather than by a name anyone could type.
"""

from __future__ import annotations

from typing import Any

import pytest
from babel import Locale

from examples.webapp.texts import text
from tests.browser.conftest import LiveServer
from tests.browser.test_story import studio_of
from tests.webapp.support import customer_at, latest_link, read_emails

PASSWORD = "lena's own sign-up password"


@pytest.mark.slow
@pytest.mark.parametrize("browser_language", ["en-GB"])
def test_a_sign_up_from_an_english_page_for_a_german_customer(
    live_server: LiveServer, page: Any, screenshot: Any
) -> None:
    from playwright.sync_api import expect  # after the browser fixture: it skips or fails

    studio = studio_of(live_server)
    lena = studio.kit.add_customer("lena.berger@example.com", last_name="Berger", locale="de_AT")
    url = live_server.url

    def say(language: str, key: str, **values: object) -> str:
        return text(Locale.parse(language), key, business=studio.kit.business.name, **values)

    # The sign-up page and its answer, in the page's language.
    page.goto(f"{url}/signup")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.fill("#email", lena.email)
    page.fill("#first_name", "Lena")
    page.fill("#password", PASSWORD)
    screenshot("signup")
    page.click("main form button[type=submit]")
    expect(page.locator(".flash")).to_have_text(say("en", "signup_sent"))
    expect(page.locator("html")).to_have_attribute("lang", "en")

    # The email, in the customer's language, greeting by the name on file (none).
    email = read_emails(studio.outbox)[-1]
    assert email["To"] == lena.email
    assert email["Subject"] == "Bestätige deine E-Mail-Adresse für Studio One"
    body = email.get_body(preferencelist=("plain",))
    assert body is not None
    assert body.get_content().startswith("Hallo,\n")

    # From the link on, German: the confirmation page, then the portal.
    page.goto(latest_link(studio.outbox, lena.email, f"{url}/verify/"))
    expect(page.locator("html")).to_have_attribute("lang", "de")
    expect(page.locator("h1")).to_have_text(say("de", "verify_title"))
    screenshot("signup-verify-de")
    page.fill("#password", PASSWORD)
    page.click("main form button[type=submit]")
    expect(page.locator(".flash")).to_contain_text(say("de", "activated"))
    expect(page.locator("h1")).to_have_text(say("de", "hello", name="Lena"))
    expect(page.locator("html")).to_have_attribute("lang", "de")
    screenshot("signup-portal-de")

    stored = customer_at(studio.kit, lena.email)
    assert (stored.id, stored.first_name, stored.last_name, stored.locale) == (
        lena.id,
        "Lena",
        "Berger",
        "de_AT",
    )
