"""Sign in with a provider, in a browser, against a real OpenID Connect provider.

The provider is the demo's (oidc-provider-mock in a thread on 127.0.0.1): the
browser goes to its page, chooses an account there, and comes back through
Authlib's callback, as with Google.

* Jonas, invited by the studio, chooses the account whose address the provider
  verified: his profile is activated and he lands in his portal, which lists
  the provider; unlinking it, his only way in, is refused with the reason.
* Someone chooses an account that claims Lea's address without the provider
  having verified it: nothing is attached to Lea's profile; the page says why,
  in the browser's language, and offers the sign-up with the address filled in.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from babel import Locale

from examples.webapp.demo_provider import running_provider
from examples.webapp.texts import text
from invitekit import Status
from tests.browser.conftest import LiveServer
from tests.browser.test_story import studio_of


@pytest.fixture(scope="module")
def issuer() -> Iterator[str]:
    with running_provider() as url:
        yield url


@pytest.fixture
def app_settings(issuer: str) -> dict[str, Any]:
    return {"OIDC_ISSUER": issuer, "OIDC_CLIENT_SECRET": "browser-test-secret"}


@pytest.mark.slow
def test_an_invited_customer_signs_in_with_the_provider(
    live_server: LiveServer, page: Any, screenshot: Any
) -> None:
    from playwright.sync_api import expect  # after the browser fixture: it skips or fails

    studio = studio_of(live_server)
    jonas = studio.kit.add_customer(
        "jonas.huber@example.com", first_name="Jonas", locale="en", invite=True
    )
    studio.kit.deliver()

    page.goto(f"{live_server.url}/login")
    screenshot("provider-login")
    page.click("#provider-login")
    # The provider's own page: choose the account.
    expect(page.locator("h1")).to_have_text("Authorize Client")
    screenshot("provider-choose")
    page.click("button[value='jonas-huber']")

    expect(page).to_have_url(f"{live_server.url}/portal")
    expect(page.locator("main")).to_contain_text("Jonas")
    expect(page.locator("#sign-in-methods")).to_contain_text("Demo ID: linked")
    screenshot("provider-portal")
    assert studio.kit.get_customer(jonas.id).status is Status.ACCEPTED
    assert [i.subject for i in studio.kit.identities(jonas.id)] == ["jonas-huber"]

    # His only way in: unlinking it is refused, with the reason.
    page.click("#sign-in-methods button[type=submit]")
    expect(page.locator(".flash.error")).to_have_text(
        "Demo ID is your only way to sign in, so it stays linked."
    )
    screenshot("provider-last-way-in")
    assert len(studio.kit.identities(jonas.id)) == 1


@pytest.mark.slow
@pytest.mark.parametrize("browser_language", ["en-GB", "es-ES", "fr-FR", "de-DE"])
def test_an_unverified_address_is_refused_and_the_sign_up_offered(
    live_server: LiveServer, page: Any, screenshot: Any, browser_language: str
) -> None:
    from playwright.sync_api import expect

    studio = studio_of(live_server)
    lea = studio.kit.add_customer("lea.moser@example.com", first_name="Lea", invite=True)
    studio.kit.deliver()
    language = Locale.parse(browser_language.split("-")[0])

    def say(key: str, **values: object) -> str:
        return text(language, key, business=studio.kit.business.name, **values)

    page.goto(f"{live_server.url}/login")
    expect(page.locator("#provider-login")).to_have_text(
        say("provider_button", provider="Demo ID")
    )
    page.click("#provider-login")
    page.click("button[value='not-lea']")

    expect(page.locator("h1")).to_have_text(say("provider_unverified_title"))
    expect(page.locator("p.error")).to_have_text(
        say("provider_unverified", provider="Demo ID", email=lea.email)
    )
    screenshot("provider-unverified")
    assert studio.kit.identities(lea.id) == []
    assert studio.kit.get_customer(lea.id).status is Status.INVITED

    page.click("#provider-signup")
    expect(page.locator("#email")).to_have_value(lea.email)
    screenshot("provider-signup")
