"""The whole story in a real browser: from the business's invitation to unsubscribing.

The business pages run once, in Spanish: the business logs in and invites a
group, one of them opens the link, and the campaign's page counts it.  The
customer pages run once per language, for a customer of that language (Sam,
Ana, Marie, Jonas): the customer opens the activation link of
the delivered email, chooses a password, logs in, cancels a booking inside the
policy's window and is refused outside it, logs out, resets the password
through the emailed link, and unsubscribes.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from babel import Locale

from examples.webapp.app import Studio
from examples.webapp.texts import text
from tests.browser.conftest import LiveServer
from tests.webapp.support import ADMIN_PASSWORD, customer_at, latest_link

ROOT = Path(__file__).resolve().parents[2]

#: Per language: the customer of that language in examples/customers.csv, and the
#: activation page's heading and the login page's button, written out here (not
#: read from texts.py) so a text that falls back to English fails the story.
STORIES = {
    "en": ("sam.taylor@example.com", "Sam", "Activate your profile", "Log in"),
    "es": ("ana.garcia@example.com", "Ana", "Activa tu perfil", "Iniciar sesión"),
    "fr": ("marie.dubois@example.com", "Marie", "Activez votre profil", "Se connecter"),
    "de": ("jonas.huber@example.com", "Jonas", "Profil aktivieren", "Anmelden"),
}


def studio_of(server: LiveServer) -> Studio:
    found: Studio = server.app.extensions["studio"]
    return found


@pytest.mark.slow
@pytest.mark.parametrize("browser_language", ["es-ES"])
def test_the_business_invites_a_group_in_spanish(
    live_server: LiveServer, page: Any, screenshot: Any
) -> None:
    from playwright.sync_api import expect  # after the browser fixture: it skips or fails

    studio = studio_of(live_server)
    studio.kit.import_customers((ROOT / "examples" / "customers.csv").read_text())
    url = live_server.url

    page.goto(f"{url}/admin/")
    expect(page.locator("h1")).to_have_text("Páginas del negocio")
    page.fill("#password", ADMIN_PASSWORD)
    page.click("main form button[type=submit]")
    expect(page.locator("h1")).to_have_text("Clientes")
    jonas = page.locator("#customers tr[data-email='jonas.huber@example.com']")
    expect(jonas).to_contain_text("alemán (Austria)")
    expect(jonas).to_contain_text("añadido")
    screenshot("customers")
    page.click("text=Invitar a clientes…")
    page.select_option("#audience", "group:Tennis")
    expect(page.locator("#plan")).to_contain_text("Se invitará a 2 personas")
    page.click("button[value=preview]")
    expect(page.locator("#preview h2")).to_contain_text("Vista previa para")
    screenshot("invite-dialog")
    page.click("button[value=send]")
    expect(page.locator(".flash")).to_contain_text("2 invitaciones enviadas")
    page.click("text=Jonas Huber")
    expect(page.locator("h1 .status")).to_have_text("invitado")
    expect(page.locator("#history")).to_contain_text("invitación en cola")
    screenshot("customer")

    # Jonas opens his link (the GET of the activation page); the campaign counts it.
    page.goto(latest_link(studio.outbox, "jonas.huber@example.com", f"{url}/activate/"))
    page.goto(f"{url}/admin/")
    page.click("header >> text=Campañas")
    expect(page.locator("h1")).to_have_text("Campañas")
    expect(page.locator("#campaigns")).to_contain_text("grupo Tennis")
    page.click("#campaigns td a")
    funnel = page.locator("#funnel")
    for step, n in {"queued": 2, "sent": 2, "link_opened": 1, "accepted": 0, "failed": 0}.items():
        expect(funnel.locator(f"[data-step={step}] .n")).to_have_text(str(n))
    expect(funnel).to_contain_text("enlace abierto")
    tennis = page.locator("#by-group tr[data-group='Tennis']")
    expect(tennis.locator("[data-step=queued]")).to_have_text("2")
    expect(tennis.locator("[data-step=link_opened]")).to_have_text("1")
    monday = page.locator("#by-group tr[data-group='Monday class']")
    expect(monday.locator("[data-step=link_opened]")).to_have_text("1")
    sam = page.locator("#by-locale tr[data-locale='en']")
    expect(sam).to_contain_text("inglés")
    expect(sam.locator("[data-step=sent]")).to_have_text("1")
    expect(sam.locator("[data-step=link_opened]")).to_have_text("0")
    expect(page.locator("#undeliverable")).to_contain_text("Ninguna dirección ha rebotado.")
    screenshot("campaign")

    # The reminder settings, on the settings page.
    page.click("header >> text=Ajustes")
    expect(page.locator("#reminders + p")).to_have_text("Sin recordatorios automáticos.")


@pytest.mark.slow
@pytest.mark.parametrize("browser_language", ["en-GB", "es-ES", "fr-FR", "de-AT"])
def test_activate_log_in_cancel_reset_unsubscribe(
    live_server: LiveServer, page: Any, screenshot: Any, browser_language: str
) -> None:
    from playwright.sync_api import expect  # after the browser fixture: it skips or fails

    language = browser_language.split("-")[0]
    email, name, activate_heading, login_button = STORIES[language]
    locale = Locale.parse(language)

    def t(key: str, **values: object) -> str:
        return text(locale, key, business=studio.kit.business.name, **values)

    studio = studio_of(live_server)
    studio.kit.import_customers((ROOT / "examples" / "customers.csv").read_text())
    studio.kit.invite(customer_at(studio.kit, email).id)
    studio.kit.deliver()
    url = live_server.url

    # The customer opens the activation link of the delivered email.
    page.goto(latest_link(studio.outbox, email, f"{url}/activate/"))
    expect(page.locator("html")).to_have_attribute("lang", language)
    expect(page.locator("h1")).to_have_text(activate_heading)
    expect(page.locator("main")).to_contain_text(t("hello", name=name))
    screenshot("activation")
    page.fill("#password", "first tennis password")
    page.click("main form button[type=submit]")
    expect(page.locator(".flash")).to_contain_text(t("activated"))

    # Log out, and log in with the new password.
    page.click(f"header button:has-text('{t('logout')}')")
    expect(page.locator("main form button[type=submit]")).to_have_text(login_button)
    screenshot("login")
    page.fill("#email", email)
    page.fill("#password", "first tennis password")
    page.click("main form button[type=submit]")
    expect(page.locator("h1")).to_have_text(t("hello", name=name))
    yoga = page.locator("section.booking[data-title='Morning yoga']")
    pilates = page.locator("section.booking[data-title='Lunchtime pilates']")
    expect(yoga.locator("button", has_text=t("cancel"))).to_be_visible()
    expect(pilates.locator("button", has_text=t("cancel"))).to_have_count(0)
    screenshot("portal")

    # Cancelling inside the window works.
    yoga.locator("button", has_text=t("cancel")).click()
    expect(page.locator(".flash")).to_contain_text(t("cancel_done"))
    expect(page.locator("#past section[data-title='Morning yoga']")).to_contain_text(
        t("cancelled")
    )

    # Outside it there is no button, and a forged POST is refused by the server.
    pilates_id = pilates.get_attribute("data-booking")
    status = page.evaluate(
        """async (id) => {
            const token = document.querySelector('meta[name=csrf-token]').content;
            const body = new URLSearchParams({csrf_token: token});
            const response = await fetch(`/portal/bookings/${id}/cancel`, {method: 'POST', body});
            return response.status;
        }""",
        pilates_id,
    )
    assert status == 409
    page.reload()
    expect(page.locator("#upcoming section[data-title='Lunchtime pilates']")).to_be_visible()

    # Log out, forget the password, reset it through the emailed link.
    page.click(f"header button:has-text('{t('logout')}')")
    page.click(f"text={t('forgot_link')}")
    page.fill("#email", email)
    page.click("main form button[type=submit]")
    expect(page.locator(".flash")).to_contain_text(t("forgot_sent"))
    page.goto(latest_link(studio.outbox, email, f"{url}/reset/"))
    expect(page.locator("h1")).to_have_text(t("reset_title"))
    page.fill("#password", "second tennis password")
    page.click("main form button[type=submit]")
    expect(page.locator(".flash")).to_contain_text(t("reset_done"))
    page.fill("#email", email)
    page.fill("#password", "second tennis password")
    page.click("main form button[type=submit]")
    expect(page.locator("h1")).to_have_text(t("hello", name=name))

    # Unsubscribe from the link in the invitation.
    page.goto(latest_link(studio.outbox, email, f"{url}/unsubscribe/"))
    expect(page.locator("main form button[type=submit]")).to_have_text(t("unsubscribe_button"))
    page.click("main form button[type=submit]")
    expect(page.locator("#unsubscribed")).to_contain_text(t("unsubscribed"))
    assert customer_at(studio.kit, email).unsubscribed
