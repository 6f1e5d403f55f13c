"""The whole story in a real browser: from the business's invitation to unsubscribing.

The business logs in and invites a group; the customer opens the activation
link of the delivered email, chooses a password, logs in, cancels a booking
inside the policy's window and is refused outside it, logs out, resets the
password through the emailed link, and unsubscribes.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from examples.webapp.app import Studio
from tests.browser.conftest import LiveServer
from tests.webapp.support import ADMIN_PASSWORD, latest_link

ROOT = Path(__file__).resolve().parents[2]
SAM = "sam.taylor@example.com"


def studio_of(server: LiveServer) -> Studio:
    found: Studio = server.app.extensions["studio"]
    return found


@pytest.mark.slow
def test_invite_activate_log_in_cancel_reset_unsubscribe(
    live_server: LiveServer, page: Any, screenshot: Any
) -> None:
    from playwright.sync_api import expect  # after the browser fixture: it skips or fails

    studio = studio_of(live_server)
    studio.kit.import_customers((ROOT / "examples" / "customers.csv").read_text())
    url = live_server.url

    # The business logs in and invites the Tennis group.
    page.goto(f"{url}/admin/")
    page.fill("#password", ADMIN_PASSWORD)
    page.click("main form button[type=submit]")
    expect(page.locator("h1")).to_have_text("Customers")
    screenshot("customers")
    page.click("text=Invite customers…")
    page.select_option("#audience", "group:Tennis")
    expect(page.locator("#plan")).to_contain_text("2 will be invited")
    page.click("button[value=preview]")
    expect(page.locator("#preview")).to_contain_text("Preview for")
    screenshot("invite-dialog")
    page.click("button[value=send]")
    expect(page.locator(".flash")).to_contain_text("2 invitations sent")

    # The customer opens the activation link of the delivered email.
    activation = latest_link(studio.outbox, SAM, f"{url}/activate/")
    page.goto(activation)
    expect(page.locator("h1")).to_have_text("Activate your profile")
    expect(page.locator("main")).to_contain_text("Hello Sam")
    screenshot("activation")
    page.fill("#password", "first tennis password")
    page.click("main form button[type=submit]")
    expect(page.locator(".flash")).to_contain_text("Your profile is active")

    # Log out, and log in with the new password.
    page.click("header button:has-text('Log out')")
    page.fill("#email", SAM)
    page.fill("#password", "first tennis password")
    page.click("main form button[type=submit]")
    expect(page.locator("h1")).to_have_text("Hello Sam")
    yoga = page.locator("section.booking[data-title='Morning yoga']")
    pilates = page.locator("section.booking[data-title='Lunchtime pilates']")
    expect(yoga.locator("button", has_text="Cancel")).to_be_visible()
    expect(pilates).to_contain_text("It is too late to cancel")
    expect(pilates.locator("button", has_text="Cancel")).to_have_count(0)
    screenshot("portal")

    # Cancelling inside the window works.
    yoga.locator("button", has_text="Cancel").click()
    expect(page.locator(".flash")).to_contain_text("Your booking is cancelled")
    expect(page.locator("#past section[data-title='Morning yoga']")).to_contain_text("Cancelled")

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
    page.click("header button:has-text('Log out')")
    page.click("text=Forgot your password?")
    page.fill("#email", SAM)
    page.click("main form button[type=submit]")
    expect(page.locator(".flash")).to_contain_text("an email is on its way")
    reset = latest_link(studio.outbox, SAM, f"{url}/reset/")
    page.goto(reset)
    expect(page.locator("h1")).to_have_text("Choose a new password")
    page.fill("#password", "second tennis password")
    page.click("main form button[type=submit]")
    expect(page.locator(".flash")).to_contain_text("Your password is changed")
    page.fill("#email", SAM)
    page.fill("#password", "second tennis password")
    page.click("main form button[type=submit]")
    expect(page.locator("h1")).to_have_text("Hello Sam")

    # Unsubscribe from the link in the invitation.
    page.goto(latest_link(studio.outbox, SAM, f"{url}/unsubscribe/"))
    page.click("main form button[type=submit]")
    expect(page.locator("#unsubscribed")).to_contain_text("no more invitation emails")
    customer = studio.kit.find_customer(SAM)
    assert customer is not None
    assert customer.unsubscribed
