"""A booking confirmation's link in a real browser: the page offers what the policy allows.

The studio emails two bookings' confirmations from the customer's page; the
customer opens each link from the email, in a browser that asks for English,
and reads the page in their own language (the one the email was written in).
The class in three days can be cancelled there; the class in two hours cannot
(no button, the policy's sentence says why).
"""

from __future__ import annotations

from typing import Any

import pytest
from babel import Locale

from examples.webapp.texts import text
from tests.browser.conftest import LiveServer
from tests.browser.test_story import STORIES, studio_of
from tests.webapp.support import ADMIN_PASSWORD, read_emails


def _link_about(studio: Any, title: str, prefix: str) -> str:
    for email in reversed(read_emails(studio.outbox)):
        if title in str(email["Subject"]):
            body = email.get_content()
            start = body.index(prefix)
            return str(body[start:].split()[0])
    raise AssertionError(f"no email about {title}")


@pytest.mark.slow
@pytest.mark.parametrize("language", ["en", "es", "fr", "de"])
def test_a_booking_link_cancels_within_the_policy_in_the_customers_language(
    live_server: LiveServer, page: Any, screenshot: Any, language: str
) -> None:
    from playwright.sync_api import expect  # after the browser fixture: it skips or fails

    email, name, _heading, _login = STORIES[language]
    studio = studio_of(live_server)
    kit = studio.kit
    customer = kit.add_customer(email, first_name=name, locale=language)
    studio.data.seed_demo_bookings(customer.id, studio.now())
    url = live_server.url
    prefix = f"{url}/booking/"

    def t(key: str, **values: object) -> str:
        return text(Locale.parse(language), key, business=kit.business.name, **values)

    # The studio (its pages in English) emails both confirmations.
    page.goto(f"{url}/admin/")
    page.fill("#password", ADMIN_PASSWORD)
    page.click("main form button[type=submit]")
    page.goto(f"{url}/admin/customers/{customer.id}?lang=en")
    for title in ("Morning yoga", "Lunchtime pilates"):
        page.locator(f"#bookings li[data-title='{title}'] button").click()
        expect(page.locator(".flash")).to_have_text(f"Booking confirmation sent to {email}.")
    screenshot(f"booking-confirmations-{language}")
    confirmation = read_emails(studio.outbox)[-1]
    assert str(confirmation["Subject"]).startswith(
        t("bk_mail_subject", title="Lunchtime pilates", date="")[:12]
    )

    # The customer follows the link of the class in three days: it can be cancelled.
    page.context.clear_cookies()
    page.goto(_link_about(studio, "Morning yoga", prefix))
    expect(page.locator("html")).to_have_attribute("lang", language)
    expect(page.locator("h1")).to_have_text(t("bk_title"))
    booking = page.locator("section.booking[data-title='Morning yoga']")
    expect(booking.locator("button", has_text=t("cancel"))).to_be_visible()
    expect(booking.locator("button", has_text=t("reschedule"))).to_be_visible()
    screenshot(f"booking-link-{language}")
    booking.locator("button", has_text=t("cancel")).click()
    expect(page.locator(".flash")).to_contain_text(t("cancel_done"))
    expect(page.locator("#state")).to_have_text(t("bk_is_cancelled"))
    expect(page.locator("section.booking button")).to_have_count(0)
    screenshot(f"booking-cancelled-{language}")

    # The class in two hours: too late under the policy, so no button, and the reason.
    page.goto(_link_about(studio, "Lunchtime pilates", prefix))
    late = page.locator("section.booking[data-title='Lunchtime pilates']")
    expect(late).to_be_visible()
    expect(late.locator("button")).to_have_count(0)
    expect(late.locator(".sentence").first).to_be_visible()
    screenshot(f"booking-too-late-{language}")
