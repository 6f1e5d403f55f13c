"""A customer changes their address from "My details", in a browser, in their language.

The portal's form asks for the new address and the password; the link arrives
in the new mailbox (read from the demo's outbox folder), a notice in the old
one; the confirmation page shows the new address, and its button switches it.
"""

from __future__ import annotations

from typing import Any

import pytest
from babel import Locale

from examples.webapp.texts import text
from tests.browser.conftest import LiveServer
from tests.browser.test_story import studio_of
from tests.webapp.support import latest_link, read_emails

PASSWORD = "a password for my details"
SUBJECTS = {
    "en": ("Confirm your new email address for", "is being changed"),
    "fr": ("Confirmez votre nouvelle adresse e-mail", "va être changée"),
    "es": ("Confirma tu nueva dirección de correo", "Estamos cambiando"),
    "de": ("Bestätige deine neue E-Mail-Adresse", "wird geändert"),
}


@pytest.mark.slow
@pytest.mark.parametrize("browser_language", ["en-GB", "de-AT"])
def test_a_customer_changes_the_address_from_my_details(
    live_server: LiveServer, page: Any, screenshot: Any, browser_language: str
) -> None:
    from playwright.sync_api import expect  # after the browser fixture: it skips or fails

    language = browser_language.split("-")[0]
    studio = studio_of(live_server)
    url = live_server.url
    old, new = f"mara.{language}@example.com", f"mara.{language}@new.example"

    def t(key: str, **values: object) -> str:
        return text(Locale.parse(language), key, business=studio.kit.business.name, **values)

    customer = studio.kit.add_customer(old, first_name="Mara", locale=language, invite=True)
    studio.kit.deliver()
    page.goto(latest_link(studio.outbox, old, f"{url}/activate/"))
    page.fill("#password", PASSWORD)
    page.click("main form button[type=submit]")
    expect(page.locator(".flash")).to_contain_text(t("activated"))

    # My details: the new address and the password again.
    form = page.locator("#email-change")
    form.locator("#new_email").fill(new)
    form.locator("#current_password").fill("not my password")
    form.locator("button[type=submit]").click()
    expect(page.locator(".flash")).to_contain_text(t("email_change_wrong_password"))
    form.locator("#new_email").fill(new)
    form.locator("#current_password").fill(PASSWORD)
    screenshot("email-change-form")
    form.locator("button[type=submit]").click()
    expect(page.locator(".flash")).to_contain_text(t("email_change_sent"))
    screenshot("email-change-sent")

    # The link went to the new mailbox, the notice to the old one, both in the language.
    confirm_subject, notice_subject = SUBJECTS[language]
    mails = {str(m["To"]): str(m["Subject"]) for m in read_emails(studio.outbox)[-2:]}
    assert confirm_subject in mails[new]
    assert notice_subject in mails[old]
    assert studio.kit.get_customer(customer.id).email == old

    page.goto(latest_link(studio.outbox, new, f"{url}/email-change/"))
    expect(page.locator("html")).to_have_attribute("lang", language)
    expect(page.locator("h1")).to_have_text(t("confirm_email_title"))
    expect(page.locator("#new-address")).to_have_text(t("confirm_email_intro", email=new))
    screenshot("email-change-confirm")
    page.click("main form button[type=submit]")
    expect(page.locator(".flash")).to_contain_text(t("email_changed", email=new))
    expect(page.locator("main")).to_contain_text(new)
    screenshot("email-change-done")
    assert studio.kit.get_customer(customer.id).email == new

    # The old address no longer logs in; the new one does.
    page.click(f"header button:has-text('{t('logout')}')")
    page.fill("#email", new)
    page.fill("#password", PASSWORD)
    page.click("main form button[type=submit]")
    expect(page.locator("h1")).to_have_text(t("hello", name="Mara"))
